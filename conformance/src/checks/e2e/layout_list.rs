//! Cases ported from Novu's `layouts/e2e/filter-layouts.e2e.ts`: the layouts list, its query
//! validation, its pages and its order by creation time.

use serde_json::{Value, json};

use super::layouts::layout;
use super::{Ported, Reply, Trial, items};
use crate::checks::semantic::sandbox::Stop;

const FILTER: &str = "layouts/e2e/filter-layouts.e2e.ts";

/// The ported cases of this file.
pub const CASES: &[Ported] = &[
    Ported::new(
        FILTER,
        "should return a validation error if the params provided are not in the right type",
        "layouts_list",
        |t| Box::pin(filter_wrong_types(t)),
    ),
    Ported::new(
        FILTER,
        "should return a validation error if the expected params provided are not integers",
        "layouts_list",
        |t| Box::pin(filter_not_integers(t)),
    ),
    Ported::new(
        FILTER,
        "should return a validation error if the expected params provided are negative integers",
        "layouts_list",
        |t| Box::pin(filter_negative(t)),
    ),
    Ported::new(
        FILTER,
        "should return a Bad Request error if the page size requested is bigger than the max allowed (1000)",
        "layouts_list",
        |t| Box::pin(filter_page_too_large(t)),
    ),
    Ported::new(
        FILTER,
        "should retrieve all the layouts that exist in the database for the environment if not query params provided",
        "layouts_list",
        |t| Box::pin(filter_all(t, &[])),
    ),
    Ported::new(
        FILTER,
        "should retrieve two layouts from the database for the environment if pageSize is set to 2 and page 0 selected",
        "layouts_list",
        |t| Box::pin(filter_newest(t, &[("page", "0"), ("pageSize", "2")], 0, 2)),
    ),
    Ported::new(
        FILTER,
        "should retrieve two layout from the database for the environment if pageSize is set to 2 and page 1 selected",
        "layouts_list",
        |t| Box::pin(filter_newest(t, &[("page", "1"), ("pageSize", "2")], 1, 2)),
    ),
    Ported::new(
        FILTER,
        "should retrieve zero layouts from the database for the environment if pageSize is set to 2 and page 2 selected",
        "layouts_list",
        |t| Box::pin(filter_newest(t, &[("page", "2"), ("pageSize", "2")], 2, 2)),
    ),
    Ported::new(
        FILTER,
        "should ignore other query params and return all the layouts that belong to the environment",
        "layouts_list",
        |t| Box::pin(filter_all(t, &[("unsupportedParam", "whatever")])),
    ),
    Ported::new(
        FILTER,
        "should order the filtered layouts by creation date in ascendent order",
        "layouts_list",
        |t| Box::pin(filter_oldest_first(t)),
    ),
    Ported::new(
        FILTER,
        "should order the filtered layouts by creation date in descendent order",
        "layouts_list",
        |t| {
            Box::pin(filter_newest(
                t,
                &[("sortBy", "createdAt"), ("orderBy", "-1")],
                0,
                10,
            ))
        },
    ),
    Ported::new(
        FILTER,
        "should order the filtered layouts by creation date in descendent order limited to the amount of layouts by page size",
        "layouts_list",
        |t| {
            Box::pin(filter_newest(
                t,
                &[
                    ("sortBy", "createdAt"),
                    ("orderBy", "-1"),
                    ("pageSize", "2"),
                ],
                0,
                2,
            ))
        },
    ),
];

async fn list(trial: &Trial<'_>, query: &[(&str, &str)]) -> Result<Reply, Stop> {
    trial.call("layouts_list", &[], query, None).await
}

fn bad_request(trial: &Trial<'_>, reply: &Reply, messages: Value) -> Result<(), Stop> {
    trial.status(reply, 400)?;
    trial.equal(reply, "error", &reply.body["error"], "Bad Request")?;
    trial.equal(reply, "message", &reply.body["message"], messages)
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
    let reply = list(trial, &[("page", "1"), ("pageSize", "1001")]).await?;
    bad_request(
        trial,
        &reply,
        json!("Page size can not be larger then 1000"),
    )
}

/// The three layouts Novu's filter-layouts file makes, oldest first; answers their names.
async fn three_layouts(trial: &Trial<'_>) -> Result<Vec<String>, Stop> {
    let mut names = Vec::new();
    for index in 1..=3 {
        let name = trial.name(&format!("layout-name-{index}"));
        layout(
            trial,
            &name,
            false,
            &trial.name(&format!("layout-identifier-{index}")),
        )
        .await?;
        names.push(name);
    }
    Ok(names)
}

/// A page of the whole list: Novu's environment holds its default layout and the case's three
/// (`totalCount` 4); in a shared one the page holds `min(pageSize, what is left)` items and
/// the total counts at least the case's three.
fn page_form(trial: &Trial<'_>, reply: &Reply, page: u64, page_size: u64) -> Result<(), Stop> {
    trial.status(reply, 200)?;
    let total = reply.body["totalCount"].as_u64().unwrap_or(0);
    trial.holds(
        reply,
        "totalCount counts at least the case's three layouts",
        total >= 3,
    )?;
    let expected = total.saturating_sub(page * page_size).min(page_size);
    trial.equal(
        reply,
        "data.length",
        &json!(items(&reply.body["data"]).len()),
        expected,
    )?;
    trial.equal(reply, "page", &reply.body["page"], page)?;
    trial.equal(reply, "pageSize", &reply.body["pageSize"], page_size)
}

async fn filter_all(trial: &Trial<'_>, query: &[(&str, &str)]) -> Result<(), Stop> {
    three_layouts(trial).await?;
    let reply = list(trial, query).await?;
    page_form(trial, &reply, 0, 10)
}

/// Newest first, the case's three layouts lead the list: the names Novu expects at each
/// position of the page asked for are the case's, newest first.
async fn filter_newest(
    trial: &Trial<'_>,
    query: &[(&str, &str)],
    page: u64,
    page_size: u64,
) -> Result<(), Stop> {
    let names = three_layouts(trial).await?;
    let reply = list(trial, query).await?;
    page_form(trial, &reply, page, page_size)?;
    let newest_first: Vec<&String> = names.iter().rev().collect();
    let start = (page * page_size) as usize;
    let expected: Vec<&&String> = newest_first
        .iter()
        .skip(start)
        .take(page_size as usize)
        .collect();
    let actual: Vec<&Value> = items(&reply.body["data"])
        .iter()
        .take(expected.len())
        .map(|layout| &layout["name"])
        .collect();
    trial.equal(
        &reply,
        "the names the page begins with",
        &json!(actual),
        json!(expected),
    )
}

/// Oldest first, the case's three layouts end the list in creation order; Novu's fresh
/// environment has its default layout before them on the one page.
async fn filter_oldest_first(trial: &Trial<'_>) -> Result<(), Stop> {
    let names = three_layouts(trial).await?;
    let reply = list(trial, &[("sortBy", "createdAt"), ("orderBy", "1")]).await?;
    page_form(trial, &reply, 0, 10)?;
    let total = reply.body["totalCount"].as_u64().unwrap_or(0);
    let last = total.div_ceil(1000).saturating_sub(1).to_string();
    let end = list(
        trial,
        &[
            ("sortBy", "createdAt"),
            ("orderBy", "1"),
            ("page", &last),
            ("pageSize", "1000"),
        ],
    )
    .await?;
    trial.status(&end, 200)?;
    let data = items(&end.body["data"]);
    let tail: Vec<&Value> = data
        .iter()
        .skip(data.len().saturating_sub(3))
        .map(|layout| &layout["name"])
        .collect();
    trial.equal(
        &end,
        "the names the list ends with, oldest first",
        &json!(tail),
        json!(names),
    )
}
