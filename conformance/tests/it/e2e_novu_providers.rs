//! `novu-e2e` cases of Novu's own email and SMS providers and of organization creation: they
//! play or are skipped by what the server holds (the providers' credentials) and what the run
//! allows (objects no operation deletes), and fail when the reference behind
//! [`BrokenReference`] bends what they read.

use novu_conformance::{CaseOutcome, Options, Report};
use serde_json::json;

use crate::e2e::{failed_titles, run_e2e, violations};
use crate::proxy::{Breakage, BrokenReference};

/// The cases that play only where the server holds the credentials of Novu's own providers.
const NEEDING_THE_CREDENTIALS: [&str; 5] = [
    "should not allow creating the same novu provider on same environment twice",
    "should not set the integration as primary when its active and there are no other active integrations other than Novu",
    "should not disable the novu integration and clear the primary flag if the new integration is created",
    "should not set the primary if there is only Novu active integration",
    "should not disable the novu integration and clear the primary flag if the integration is updated",
];

/// The cases that play only where it does not.
const WITHOUT_THE_CREDENTIALS: [&str; 4] = [
    "should not allow creating Novu Email integration when credentials are not set",
    "should not allow creating Novu SMS integration when credentials are not set",
    "when Novu Email credentials are not set it should not create Novu Email integration",
    "when Novu SMS credentials are not set it should not create Novu SMS integration",
];

/// A reference that holds the providers' credentials (`novu_providers`) or not, behind a proxy
/// applying `breakage`; the cases of `operations` play against it, with objects that last
/// allowed or not. Answers the report and how often the breakage bent something.
async fn run_on(
    novu_providers: bool,
    breakage: Breakage,
    lasting: bool,
    operations: &[&str],
) -> (Report, u32) {
    let config = novu_reference::Config {
        novu_providers,
        ..novu_reference::Config::in_memory()
    };
    let target = BrokenReference::start_with(breakage, config).await;
    let options = Options {
        allow_lasting_objects: lasting,
        ..target.options_with_second_key()
    };
    let report = run_e2e(options, operations).await;
    let broken = target.broken();
    target.stop().await;
    (report, broken)
}

/// The outcome of the case titled `title`.
fn outcome<'r>(report: &'r Report, title: &str) -> &'r CaseOutcome {
    &report
        .cases
        .iter()
        .find(|case| case.title == title)
        .unwrap_or_else(|| panic!("no case {title}: {:#?}", report.cases))
        .outcome
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_credentials_the_cases_replaying_that_play_and_the_others_are_skipped() {
    let operations = [
        "integrations_create",
        "integrations_update",
        "organizations_create",
    ];
    let (report, _) = run_on(false, Breakage::default(), true, &operations).await;
    assert!(violations(&report).is_empty(), "{:#?}", violations(&report));
    for title in WITHOUT_THE_CREDENTIALS {
        assert_eq!(*outcome(&report, title), CaseOutcome::Passed, "{title}");
    }
    for title in NEEDING_THE_CREDENTIALS {
        assert!(
            matches!(outcome(&report, title), CaseOutcome::Skipped(reason)
                if reason.contains("holds no credentials of Novu's own")
                    && reason.contains("is not allowed")),
            "{title}: {:?}",
            outcome(&report, title)
        );
    }
    // With them, it is the other way round.
    let (report, _) = run_on(true, Breakage::default(), true, &operations).await;
    for title in NEEDING_THE_CREDENTIALS {
        assert_eq!(*outcome(&report, title), CaseOutcome::Passed, "{title}");
    }
    for title in WITHOUT_THE_CREDENTIALS {
        assert!(
            matches!(outcome(&report, title), CaseOutcome::Skipped(reason)
                if reason.contains("this one holds them")),
            "{title}: {:?}",
            outcome(&report, title)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_novu_provider_accepted_fails_the_duplicate_case() {
    // Where Novu answers 409 to a second Novu provider of a channel, the bent server creates it.
    let breakage = Breakage::answer(|outgoing, answer| {
        let novu = outgoing.json().unwrap_or_default()["providerId"]
            .as_str()
            .is_some_and(|provider| provider.starts_with("novu-"));
        if !outgoing.is("POST", "/v1/integrations") || !novu || answer.status != 409 {
            return false;
        }
        answer.status = 201;
        answer.set_json(&json!({ "data": { "_id": "6b13324fafc5d80fba1372d2" } }));
        true
    });
    let (report, broken) = run_on(true, breakage, false, &["integrations_create"]).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        [NEEDING_THE_CREDENTIALS[0]],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report)
            .iter()
            .all(|violation| violation.expected.starts_with("statusCode is 409")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_novu_integration_listed_without_its_primary_flag_fails_the_cases_that_keep_it() {
    // Where Novu keeps its own provider primary above a new integration, the bent list says
    // it lost the flag.
    let breakage = Breakage::json_answer("GET", "/v1/integrations", 200, |body| {
        let mut bent = false;
        for integration in body["data"].as_array_mut().into_iter().flatten() {
            if integration["providerId"] == "novu-email" && integration["primary"] == true {
                integration["primary"] = json!(false);
                bent = true;
            }
        }
        bent
    });
    let operations = ["integrations_create", "integrations_update"];
    let (report, broken) = run_on(true, breakage, false, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        NEEDING_THE_CREDENTIALS[1..],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report).iter().all(|violation| violation
            .expected
            .starts_with("the integrations by priority")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_cases_wait_for_the_lasting_objects_flag_and_read_the_plan() {
    let operations = ["organizations_create"];
    // Against a server named by URL, no organization is left behind unless the run says so.
    let (report, _) = run_on(true, Breakage::default(), false, &operations).await;
    let lasting: Vec<_> = report
        .cases
        .iter()
        .filter(|case| {
            matches!(&case.outcome, CaseOutcome::Skipped(reason)
                if reason.contains("--allow-lasting-objects"))
        })
        .map(|case| case.title)
        .collect();
    assert_eq!(lasting.len(), 8, "{:#?}", report.cases);
    assert_eq!(
        *outcome(&report, "should not create organization with no name"),
        CaseOutcome::Passed
    );
    // Where Novu puts a new organization on the free plan, the bent server answers another.
    let breakage = Breakage::json_answer("POST", "/v1/organizations", 201, |body| {
        body["data"]["apiServiceLevel"] = json!("business");
        true
    });
    let (report, broken) = run_on(true, breakage, true, &operations).await;
    assert!(broken > 0);
    assert_eq!(
        failed_titles(&report),
        ["should create organization with apiServiceLevel of free by default"],
        "{:#?}",
        report.cases
    );
    assert!(
        violations(&report).iter().all(|violation| violation
            .expected
            .starts_with("data.apiServiceLevel is \"free\"")),
        "{:#?}",
        violations(&report)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_with_its_own_novu_integration_lends_it_to_the_cases_and_gets_it_back() {
    // Novu Cloud's environments start with their Novu email integration: a second one is
    // refused, so the cases turn on and make primary the one there is, and put it back.
    for active in [true, false] {
        let target = BrokenReference::start_with(
            Breakage::default(),
            novu_reference::Config {
                novu_providers: true,
                ..novu_reference::Config::in_memory()
            },
        )
        .await;
        let client = reqwest::Client::new();
        let authorization = format!("ApiKey {}", target.api_key());
        let created: serde_json::Value = client
            .post(format!("{}/v1/integrations", target.base_url()))
            .header("Authorization", &authorization)
            .json(&json!({ "providerId": "novu-email", "channel": "email", "active": active }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let before = created["data"].clone();
        let options = target.options_with_second_key();
        let operations = ["integrations_create", "integrations_update"];
        let report = run_e2e(options, &operations).await;
        for title in NEEDING_THE_CREDENTIALS {
            assert_eq!(*outcome(&report, title), CaseOutcome::Passed, "{title}");
        }
        let listed: serde_json::Value = client
            .get(format!("{}/v1/integrations", target.base_url()))
            .header("Authorization", &authorization)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let after = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|integration| integration["_id"] == before["_id"])
            .cloned()
            .unwrap_or_default();
        let place = |integration: &serde_json::Value| {
            json!([
                integration["active"],
                integration["primary"],
                integration["priority"]
            ])
        };
        assert_eq!(place(&after), place(&before), "active at first: {active}");
        target.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_answered_otherwise_skips_both_kinds_with_the_answer() {
    // A server that answers the creation of a Novu provider with neither 201, 409 nor 400
    // tells nothing of the credentials: no case of either kind is judged.
    let breakage = Breakage::answer(|outgoing, answer| {
        let novu = outgoing.json().unwrap_or_default()["providerId"]
            .as_str()
            .is_some_and(|provider| provider.starts_with("novu-"));
        if !outgoing.is("POST", "/v1/integrations") || !novu {
            return false;
        }
        answer.status = 503;
        answer.set_json(&json!({ "statusCode": 503, "message": "unavailable" }));
        true
    });
    let (report, broken) = run_on(true, breakage, false, &["integrations_create"]).await;
    assert!(broken > 0);
    let create_cases = NEEDING_THE_CREDENTIALS[..3]
        .iter()
        .chain(&WITHOUT_THE_CREDENTIALS[..2]);
    for title in create_cases {
        assert!(
            matches!(outcome(&report, title), CaseOutcome::Skipped(reason)
                if reason.contains("is unknown") && reason.contains("answered 503")),
            "{title}: {:?}",
            outcome(&report, title)
        );
    }
    assert!(failed_titles(&report).is_empty(), "{:#?}", report.cases);
}
