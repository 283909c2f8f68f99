//! Walking a paginated list to its end, checking on the way that the pages partition it as
//! the contract says: pages are 0-based and echo `page` and the page size, a page holds the
//! page size unless it is the last, no item appears twice, and `hasMore` (true exactly when
//! the page is full) or `totalCount` (the same on every page, the number of items walked)
//! says where the list ends. Then the check every model ends with: the walk (or an
//! unpaginated list) holds what the model holds, as written, and nothing else of the play's.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::session::{Failure, Sent, Session};

/// The most pages one walk reads; a larger environment is walked with larger pages, and one
/// too large for the largest is not walked at all.
const MAX_PAGES: u64 = 20;

/// How a listing says where it ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting {
    /// `hasMore`: true when the page is full (so the last full page still says `true`).
    HasMore,
    /// `totalCount`: how many items all pages hold.
    TotalCount,
    /// `totalCount` with `hasMore` true while `page * size + data.length < totalCount`; without
    /// `totalCount`, `hasMore` alone, true when the page is full.
    Messages,
}

/// A paginated list operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing {
    /// The operation.
    pub operation: &'static str,
    /// The name of the page-size parameter.
    pub size: &'static str,
    /// The largest page size allowed.
    pub max: u64,
    /// How the end is told.
    pub counting: Counting,
}

/// The items of a walk, and how to blame it.
pub(crate) struct Walked {
    /// Every item, in page order.
    pub items: Vec<Value>,
    /// The request of the first page.
    pub first: Sent,
    /// The page size walked with.
    pub size: u64,
}

impl Walked {
    /// A failure of the walk as a whole.
    pub fn fail(&self, expected: &str, problem: impl AsRef<str>) -> Failure {
        let pages = format!(
            "{} (walking all pages of size {})",
            problem.as_ref(),
            self.size
        );
        self.first.fail(expected, pages)
    }

    /// The walk lists the newest first (by `createdAt`); else a failure expecting `expected`.
    pub fn newest_first(&self, expected: &str) -> Result<(), Failure> {
        let created = self
            .items
            .iter()
            .filter_map(|item| item["createdAt"].as_str());
        match older_before_newer(created) {
            Some((older, newer)) => {
                Err(self.fail(expected, format!("{older} is listed before {newer}")))
            }
            None => Ok(()),
        }
    }

    /// The listed items that `keep` selects, by their `field`; items without it are left out.
    pub fn keyed_by(
        &self,
        field: &str,
        keep: impl Fn(&str, &Value) -> bool,
    ) -> BTreeMap<String, Value> {
        self.items
            .iter()
            .filter_map(|item| Some((item[field].as_str()?, item)))
            .filter(|(key, item)| keep(key, item))
            .map(|(key, item)| (key.to_owned(), item.clone()))
            .collect()
    }

    /// The final list check: each of `held` (what the model holds, by the key `listed` is
    /// keyed by) is on some page and as written, and nothing else in `listed` is.
    pub fn holds<T>(
        &self,
        mut listed: BTreeMap<String, Value>,
        held: impl IntoIterator<Item = (String, T)>,
        same: impl Fn(&Value, &T) -> Result<(), String>,
        words: Words<T>,
    ) -> Result<(), Failure> {
        for (key, known) in held {
            let Some(item) = listed.remove(&key) else {
                return Err(self.fail(words.every, (words.missing)(&known)));
            };
            if let Err(problem) = same(&item, &known) {
                return Err(self.fail(words.as_written, problem));
            }
        }
        match listed.keys().next() {
            Some(key) => Err(self.fail(words.only, (words.extra)(key))),
            None => Ok(()),
        }
    }
}

/// How a model's final list check says what it found wrong.
pub(crate) struct Words<T> {
    /// Expected when an item the model holds is on no page.
    pub every: &'static str,
    /// The problem naming that item.
    pub missing: fn(&T) -> String,
    /// Expected when an item is listed otherwise than written.
    pub as_written: &'static str,
    /// Expected when an item is listed that the model does not hold.
    pub only: &'static str,
    /// The problem naming that item by its key.
    pub extra: fn(&str) -> String,
}

/// The items of an unpaginated list by `_id`; items without one are left out.
pub(crate) fn by_id(list: &Value) -> BTreeMap<&str, &Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| Some((item["_id"].as_str()?, item)))
        .collect()
}

/// Whether an unpaginated `list` holds each of `live` (by `_id`, as `same` finds it) and none
/// of the `deleted` ids; else the problem, naming the item a `noun`.
pub(crate) fn unpaginated_holds<'a, T>(
    list: &Value,
    noun: &str,
    live: impl IntoIterator<Item = (&'a str, T)>,
    deleted: impl IntoIterator<Item = &'a String>,
    same: impl Fn(&Value, T) -> Result<(), String>,
) -> Result<(), String> {
    let listed = by_id(list);
    for (id, known) in live {
        let Some(item) = listed.get(id) else {
            return Err(format!("{noun} {id} is not listed"));
        };
        same(item, known)?;
    }
    match deleted
        .into_iter()
        .find(|id| listed.contains_key(id.as_str()))
    {
        Some(id) => Err(format!("deleted {noun} {id} is listed")),
        None => Ok(()),
    }
}

fn integer(body: &Value, field: &str) -> Option<u64> {
    body.get(field).and_then(Value::as_u64)
}

/// Walks `listing` with pages of `size` (or larger, when the environment holds more than
/// [`MAX_PAGES`] such pages), `query` added to every page. `None` when the environment is
/// too large to walk.
pub(crate) async fn walk(
    session: &mut Session<'_>,
    listing: Listing,
    query: &[(&str, String)],
    size: u64,
) -> Result<Option<Walked>, Failure> {
    let page_query = |page: u64, size: u64| {
        let mut pairs: Vec<(&str, String)> = query.to_vec();
        pairs.push(("page", page.to_string()));
        pairs.push((listing.size, size.to_string()));
        pairs
    };
    let expected = "200 with one page of the list";
    // One page of the largest size tells how large the list is.
    let probe = session
        .send(listing.operation, &[], &page_query(0, listing.max), None)
        .await;
    probe.expect(200, expected)?;
    let probed = probe.body();
    let count = match listing.counting {
        Counting::Messages if integer(&probed, "totalCount").is_some() => {
            integer(&probed, "totalCount").unwrap_or_default()
        }
        Counting::HasMore | Counting::Messages => {
            let items = probed.get("data").and_then(Value::as_array).map(Vec::len);
            let Some(items) = items else {
                return Err(probe.fail(expected, "no data array"));
            };
            if items as u64 >= listing.max {
                return Ok(None);
            }
            items as u64
        }
        Counting::TotalCount => match integer(&probed, "totalCount") {
            Some(total) => total,
            None => return Err(probe.fail(expected, "no totalCount")),
        },
    };
    // A messages page without `totalCount` is walked by `hasMore` alone.
    let counting = match (listing.counting, integer(&probed, "totalCount")) {
        (Counting::Messages, None) => Counting::HasMore,
        (counting, _) => counting,
    };
    if count > listing.max * MAX_PAGES {
        return Ok(None);
    }
    let size = size.max(count.div_ceil(MAX_PAGES)).clamp(1, listing.max);
    let mut items: Vec<Value> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut first: Option<Sent> = None;
    for page in 0..=MAX_PAGES + 1 {
        let sent = session
            .send(listing.operation, &[], &page_query(page, size), None)
            .await;
        sent.expect(200, expected)?;
        let body = sent.body();
        let expected = format!("page {page} of size {size}");
        if integer(&body, "page") != Some(page) {
            return Err(sent.fail(&expected, format!("page is {}", body["page"])));
        }
        // The answer echoes the size as `pageSize`, whatever the parameter is called.
        if integer(&body, "pageSize") != Some(size) {
            return Err(sent.fail(&expected, format!("pageSize is {}", body["pageSize"])));
        }
        let data = body
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in &data {
            let id = item
                .get("_id")
                .map(|id| id.to_string())
                .unwrap_or_else(|| item.to_string());
            if let Some(earlier) = seen.insert(id.clone(), page) {
                return Err(sent.fail(
                    "pages that partition the list",
                    format!("item {id} is on page {earlier} and again on page {page}"),
                ));
            }
        }
        let length = data.len() as u64;
        items.extend(data);
        let last = match counting {
            Counting::HasMore => {
                let Some(has_more) = body.get("hasMore").and_then(Value::as_bool) else {
                    return Err(sent.fail(&expected, "no hasMore"));
                };
                if has_more != (length == size) {
                    return Err(sent.fail(
                        "hasMore true exactly when the page is full",
                        format!("hasMore {has_more} with {length} items on a page of {size}"),
                    ));
                }
                !has_more
            }
            Counting::TotalCount | Counting::Messages => {
                let total = integer(&body, "totalCount");
                if total != Some(count) {
                    return Err(sent.fail(
                        format!("totalCount {count}, as on the first page"),
                        format!("totalCount {}", body["totalCount"]),
                    ));
                }
                let holds = size.min(count.saturating_sub(page * size));
                if length != holds {
                    return Err(sent.fail(
                        format!(
                            "{holds} items: page {page} of size {size} with totalCount {count}"
                        ),
                        format!("{length} items"),
                    ));
                }
                let more = page * size + length < count;
                if matches!(counting, Counting::Messages)
                    && body.get("hasMore").and_then(Value::as_bool) != Some(more)
                {
                    return Err(sent.fail(
                        format!(
                            "hasMore {more}: {page} * {size} + {length} against totalCount {count}"
                        ),
                        format!("hasMore {}", body["hasMore"]),
                    ));
                }
                !more
            }
        };
        let first_page = first.is_none();
        if first_page {
            first = Some(sent);
        }
        if last {
            let first = first.expect("the first page was kept");
            if items.len() as u64 != count {
                return Err(first.fail(
                    format!(
                        "{count} items over all pages, as one page of {} holds",
                        listing.max
                    ),
                    format!("{} items over all pages of size {size}", items.len()),
                ));
            }
            return Ok(Some(Walked { items, first, size }));
        }
    }
    Ok(None)
}

/// The first pair of neighbouring timestamps whose first is older than the second. They are
/// compared as instants: RFC 3339 lets `…:04Z` and `…:04.004Z` be written either way, so their
/// text does not sort by time.
fn older_before_newer<'a>(created: impl Iterator<Item = &'a str>) -> Option<(&'a str, &'a str)> {
    let instants: Vec<(&str, chrono::DateTime<chrono::FixedOffset>)> = created
        .filter_map(|text| Some((text, chrono::DateTime::parse_from_rfc3339(text).ok()?)))
        .collect();
    instants
        .windows(2)
        .find(|pair| pair[0].1 < pair[1].1)
        .map(|pair| (pair[0].0, pair[1].0))
}

#[cfg(test)]
mod tests {
    use super::older_before_newer;

    #[test]
    fn timestamps_sort_as_instants_whatever_their_fraction() {
        let newest_first = ["2026-11-27T10:02:04.004Z", "2026-11-27T10:02:04Z"];
        assert_eq!(older_before_newer(newest_first.into_iter()), None);
        let oldest_first = ["2026-11-27T10:02:04Z", "2026-11-27T10:02:04.004Z"];
        assert_eq!(
            older_before_newer(oldest_first.into_iter()),
            Some(("2026-11-27T10:02:04Z", "2026-11-27T10:02:04.004Z"))
        );
    }
}
