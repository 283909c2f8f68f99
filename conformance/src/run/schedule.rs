//! Per-operation work of a check: the operations of each tag concurrently (at most `--jobs`
//! requests in flight), one tag after another, with a progress line per tag.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::context::Run;
use crate::contract::Operation;

/// Performs `task` on every one of `operations`, tag by tag, for `check`.
pub async fn for_each_tag<F, Fut>(
    run: &Arc<Run>,
    check: &'static str,
    operations: Vec<Operation>,
    task: F,
) where
    F: Fn(Arc<Run>, Operation) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut by_tag: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    for operation in operations {
        by_tag
            .entry(operation.tag.clone())
            .or_default()
            .push(operation);
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(run.jobs));
    for (tag, operations) in by_tag {
        let ids: Vec<String> = operations
            .iter()
            .map(|operation| operation.operation_id.clone())
            .collect();
        let mut set = tokio::task::JoinSet::new();
        for operation in operations {
            let run = run.clone();
            let permits = permits.clone();
            let task = task.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                // Once `--max-failures` is reached, what has not started does not.
                if run.cut_short() {
                    run.tasks_not_run
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
                task(run, operation).await;
            });
        }
        while let Some(joined) = set.join_next().await {
            if let Err(error) = joined {
                eprintln!("novu-conformance: a {check} task failed: {error}");
            }
            run.progress.tick();
        }
        run.progress_line(check, &tag, &ids);
    }
}
