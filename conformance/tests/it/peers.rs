//! What `benches/peers.rs` relies on: the proxy counts every request it receives, and the
//! suite finds every bend of the bench's fault table (so its "found by ours" column holds
//! without schemathesis installed).

#[path = "../../benches/peers/bends.rs"]
mod bends;

use novu_conformance::{Options, Spec, run};

use crate::proxy::{Breakage, BrokenReference, Outgoing};
use bends::BENDS;

#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_counts_every_request_it_receives_bent_refused_or_unknown() {
    let breakage = Breakage::request(|outgoing: &mut Outgoing| {
        if !outgoing.is("GET", "/v1/topics") {
            return false;
        }
        outgoing.query = "page=0".to_owned();
        true
    });
    let target = BrokenReference::start(breakage).await;
    let client = reqwest::Client::new();
    let key = format!("ApiKey {}", target.api_key());
    let requests = [
        ("/v1/environments/me", Some(key.as_str())),
        ("/v1/topics", Some(key.as_str())),
        ("/v1/environments/me", None),
        ("/v1/no-such-route", Some(key.as_str())),
    ];
    let mut statuses = Vec::new();
    for (path, authorization) in requests {
        let mut request = client.get(format!("{}{path}", target.base_url()));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        statuses.push(request.send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 401, 404]);
    assert_eq!(target.requests(), 4);
    assert_eq!(target.broken(), 1);
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_finds_every_bend_of_the_peers_bench() {
    let spec = Spec::embedded().unwrap();
    let mut missed = Vec::new();
    for bend in BENDS {
        let target = BrokenReference::start((bend.breakage)()).await;
        let keys = target.options_with_second_key();
        let options = Options {
            operations: bend.operations.iter().map(|id| (*id).to_owned()).collect(),
            cases: 10,
            ..keys
        };
        let report = run(spec.clone(), options).await.unwrap();
        let bent = target.broken();
        target.stop().await;
        assert!(bent > 0, "{}: the bend was not exercised", bend.name);
        let on_the_bent_operations = report
            .violations()
            .filter(|violation| bend.operations.contains(&violation.operation_id.as_str()))
            .count();
        if on_the_bent_operations == 0 {
            missed.push(format!("{} ({})", bend.name, bend.description));
        }
    }
    assert!(missed.is_empty(), "bends the suite missed: {missed:#?}");
}
