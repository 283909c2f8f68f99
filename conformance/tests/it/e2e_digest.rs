//! The digest cases of `novu-e2e` fail when the reference behind [`BrokenReference`] digests
//! otherwise: a backoff digest taken for a regular one, digest keys ignored, jobs listed
//! without the time they last changed.

use serde_json::Value;

use crate::e2e::{bend_created_steps, failed_titles, run_broken};
use crate::proxy::{Answer, Breakage, Outgoing};

/// A change of the workflows created: `change` is applied to each step's `metadata`, and
/// answers whether it changed something.
fn bend_digest_steps(outgoing: &mut Outgoing, change: fn(&mut Value) -> bool) -> bool {
    bend_created_steps(outgoing, |step| change(&mut step["metadata"]))
}

/// The titles of the failed cases, sorted.
fn failed(report: &novu_conformance::Report) -> Vec<&'static str> {
    let mut titles = failed_titles(report);
    titles.sort();
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn digests_without_their_key_fail_the_digest_key_cases() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        bend_digest_steps(outgoing, |metadata| {
            metadata
                .as_object_mut()
                .and_then(|metadata| metadata.remove("digestKey"))
                .is_some()
        })
    });
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    let failed = failed(&report);
    for title in [
        "should digest based on digestKey within time interval",
        "should create multiple digest based on different digestKeys",
        "should create multiple digests based on different nested digestKeys",
        "should create multiple digest based on different digestKeys with backoff",
        "should create multiple digests based on different nested digestKeys with backoff",
    ] {
        assert!(failed.contains(&title), "{title}: {failed:#?}");
    }
}

// Two families in one run, as each plays every trigger case: their cases are apart.
#[tokio::test(flavor = "multi_thread")]
async fn backoff_digests_played_as_regular_ones_and_jobs_listed_without_their_update_time_fail_their_cases()
 {
    let backoff_as_regular = |outgoing: &mut Outgoing| {
        bend_digest_steps(outgoing, |metadata| {
            if metadata["type"] != "backoff" {
                return false;
            }
            metadata["type"] = "regular".into();
            true
        })
    };
    let without_update_time = |outgoing: &Outgoing, answer: &mut Answer| {
        let Some(mut body) = answer
            .json()
            .filter(|_| outgoing.is("GET", "/v1/notifications"))
        else {
            return false;
        };
        let mut bent = false;
        for notification in body["data"].as_array_mut().into_iter().flatten() {
            for job in notification["jobs"].as_array_mut().into_iter().flatten() {
                bent |= job
                    .as_object_mut()
                    .and_then(|job| job.remove("updatedAt"))
                    .is_some();
            }
        }
        answer.set_json(&body);
        bent
    };
    let breakage = Breakage::both(backoff_as_regular, without_update_time);
    let (report, broken) = run_broken(breakage, &["events_trigger"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed(&report),
        [
            "should create multiple digest based on different digestKeys with backoff",
            "should create multiple digests based on different nested digestKeys with backoff",
            "should merge digest events accordingly when concurrent calls",
            "should merge digest events when sequential calls",
        ],
        "{:#?}",
        report.cases
    );
}
