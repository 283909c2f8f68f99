//! Cases ported from Novu's `topics/e2e/filter-topics.e2e.ts`: the topics list, its query
//! validation, the `key` filter and its pages.

use serde_json::json;

use super::topics::{add_existing, bad_request, subscribers, topic};
use super::{Ported, Reply, Trial, items, members};
use crate::checks::semantic::sandbox::Stop;

const FILTER: &str = "topics/e2e/filter-topics.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        FILTER,
        "should return a validation error if the params provided are not in the right type",
        "topics_list",
        |t| Box::pin(filter_wrong_types(t)),
    ),
    Ported::new(
        FILTER,
        "should return a validation error if the expected params provided are not integers",
        "topics_list",
        |t| Box::pin(filter_not_integers(t)),
    ),
    Ported::new(
        FILTER,
        "should return a validation error if the expected params provided are negative integers",
        "topics_list",
        |t| Box::pin(filter_negative(t)),
    ),
    Ported::new(
        FILTER,
        "should return a Bad Request error if the page size requested is bigger than the default one (10)",
        "topics_list",
        |t| Box::pin(filter_page_too_large(t)),
    ),
    Ported::new(
        FILTER,
        "should retrieve all the topics that exist in the database for the user if not query params provided",
        "topics_list",
        |t| Box::pin(filter_all(t)),
    ),
    Ported::new(
        FILTER,
        "should retrieve the topic filtered by the query param key for the user",
        "topics_list",
        |t| Box::pin(filter_by_key(t)),
    ),
    Ported::new(
        FILTER,
        "should retrieve an empty response if filtering by a key that is not in the database for the user",
        "topics_list",
        |t| Box::pin(filter_by_missing_key(t)),
    ),
    Ported::new(
        FILTER,
        "should ignore other query params and return all the topics that belong the user",
        "topics_list",
        |t| Box::pin(filter_ignores_unknown(t)),
    ),
    Ported::new(
        FILTER,
        "should retrieve two topics from the database for the environment if pageSize is set to 2 and page 0 selected",
        "topics_list",
        |t| Box::pin(filter_page(t, 0)),
    ),
    Ported::new(
        FILTER,
        "should retrieve one topic from the database for the environment if pageSize is set to 2 and page 1 selected",
        "topics_list",
        |t| Box::pin(filter_page(t, 1)),
    ),
    Ported::new(
        FILTER,
        "should retrieve zero topics from the database for the environment if pageSize is set to 2 and page 2 selected",
        "topics_list",
        |t| Box::pin(filter_page(t, 2)),
    ),
];

async fn list(trial: &Trial<'_>, query: &[(&str, &str)]) -> Result<Reply, Stop> {
    trial.call("topics_list", &[], query, None).await
}

async fn filter_wrong_types(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = list(trial, &[("page", "first"), ("pageSize", "big")]).await?;
    bad_request(
        trial,
        &reply,
        json!([
            "page must not be less than 0",
            "page must be an integer number",
            "pageSize must not be less than 0",
            "pageSize must be an integer number",
        ]),
    )
}

async fn filter_not_integers(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = list(trial, &[("page", "1.5"), ("pageSize", "1.5")]).await?;
    bad_request(
        trial,
        &reply,
        json!([
            "page must be an integer number",
            "pageSize must be an integer number"
        ]),
    )
}

async fn filter_negative(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = list(trial, &[("page", "-1"), ("pageSize", "-1")]).await?;
    bad_request(
        trial,
        &reply,
        json!([
            "page must not be less than 0",
            "pageSize must not be less than 0"
        ]),
    )
}

async fn filter_page_too_large(trial: &Trial<'_>) -> Result<(), Stop> {
    let reply = list(trial, &[("page", "1"), ("pageSize", "101")]).await?;
    bad_request(trial, &reply, json!("Page size can not be larger then 10"))
}

/// The three topics Novu's filter-topics file sets up, the second with two members; answers
/// their keys and the members.
async fn three_topics(trial: &Trial<'_>) -> Result<(Vec<String>, Vec<String>), Stop> {
    let keys: Vec<String> = (1..=3)
        .map(|index| trial.name(&format!("topic-key-{index}")))
        .collect();
    topic(trial, &keys[0], &format!("{}-name", keys[0])).await?;
    topic(trial, &keys[1], &format!("{}-name", keys[1])).await?;
    let ids = subscribers(trial, 2).await?;
    add_existing(trial, &keys[1], &ids).await?;
    topic(trial, &keys[2], &format!("{}-name", keys[2])).await?;
    Ok((keys, ids))
}

/// A page of the whole list: Novu's environment holds only the three topics, so it asserts
/// exact counts; in a shared environment the page holds `min(pageSize, what is left)` items,
/// and the total counts the case's three.
fn page_form(trial: &Trial<'_>, reply: &Reply, page: u64, page_size: u64) -> Result<u64, Stop> {
    trial.status(reply, 200)?;
    let total = reply.body["totalCount"].as_u64().unwrap_or(0);
    trial.holds(
        reply,
        "totalCount counts at least the case's three topics",
        total >= 3,
    )?;
    let left = total.saturating_sub(page * page_size);
    let expected = left.min(page_size);
    trial.equal(
        reply,
        "data.length",
        &json!(items(&reply.body["data"]).len()),
        expected,
    )?;
    trial.equal(reply, "page", &reply.body["page"], page)?;
    trial.equal(reply, "pageSize", &reply.body["pageSize"], page_size)?;
    Ok(total)
}

async fn filter_all(trial: &Trial<'_>) -> Result<(), Stop> {
    three_topics(trial).await?;
    let reply = list(trial, &[]).await?;
    page_form(trial, &reply, 0, 10).map(drop)
}

async fn filter_by_key(trial: &Trial<'_>) -> Result<(), Stop> {
    let (keys, ids) = three_topics(trial).await?;
    let (environment, organization) = trial.environment().await?;
    let reply = list(trial, &[("key", &keys[1])]).await?;
    trial.status(&reply, 200)?;
    trial.equal(
        &reply,
        "data.length",
        &json!(items(&reply.body["data"]).len()),
        1,
    )?;
    trial.equal(&reply, "totalCount", &reply.body["totalCount"], 1)?;
    trial.equal(&reply, "page", &reply.body["page"], 0)?;
    trial.equal(&reply, "pageSize", &reply.body["pageSize"], 10)?;
    let topic = &reply.body["data"][0];
    trial.equal(
        &reply,
        "data[0]._environmentId",
        &topic["_environmentId"],
        environment,
    )?;
    trial.equal(
        &reply,
        "data[0]._organizationId",
        &topic["_organizationId"],
        organization,
    )?;
    trial.equal(&reply, "data[0].key", &topic["key"], keys[1].as_str())?;
    let mut wanted = ids;
    wanted.sort();
    trial.equal(
        &reply,
        "the members of data[0].subscribers",
        &json!(members(&topic["subscribers"])),
        json!(wanted),
    )
}

async fn filter_by_missing_key(trial: &Trial<'_>) -> Result<(), Stop> {
    three_topics(trial).await?;
    let reply = list(trial, &[("key", &trial.name("topic-key-not-existing"))]).await?;
    trial.status(&reply, 200)?;
    trial.equal(
        &reply,
        "data.length",
        &json!(items(&reply.body["data"]).len()),
        0,
    )?;
    trial.equal(&reply, "totalCount", &reply.body["totalCount"], 0)?;
    trial.equal(&reply, "page", &reply.body["page"], 0)?;
    trial.equal(&reply, "pageSize", &reply.body["pageSize"], 10)
}

async fn filter_ignores_unknown(trial: &Trial<'_>) -> Result<(), Stop> {
    three_topics(trial).await?;
    let reply = list(trial, &[("unsupportedParam", "whatever")]).await?;
    page_form(trial, &reply, 0, 10).map(drop)
}

/// Novu's pages of two hold the three topics in creation order: `topic-key-1` and `-2` on page
/// 0, `-3` on page 1, none on page 2. Here the page asked for has the form of that page of the
/// whole list, and the pages of two, walked, hold the case's topics in creation order.
async fn filter_page(trial: &Trial<'_>, page: u64) -> Result<(), Stop> {
    let (keys, _) = three_topics(trial).await?;
    let number = page.to_string();
    let reply = list(trial, &[("page", &number), ("pageSize", "2")]).await?;
    let total = page_form(trial, &reply, page, 2)?;
    let mut names = Vec::new();
    let mut last = reply;
    for walked in 0..total.div_ceil(2).min(500) {
        let number = walked.to_string();
        last = list(trial, &[("page", &number), ("pageSize", "2")]).await?;
        trial.status(&last, 200)?;
        names.extend(
            items(&last.body["data"])
                .iter()
                .filter_map(|topic| topic["name"].as_str())
                .filter(|name| keys.iter().any(|key| *name == format!("{key}-name")))
                .map(str::to_owned),
        );
    }
    let wanted: Vec<String> = keys.iter().map(|key| format!("{key}-name")).collect();
    trial.equal(
        &last,
        "the case's topic names across the pages of two",
        &json!(names),
        json!(wanted),
    )
}
