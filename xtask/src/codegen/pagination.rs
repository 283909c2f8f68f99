//! `x-pagination`: how a list operation's pages are walked, read from the spec (for the
//! client's `stream()`) and checked (for `cargo xtask lint`). `spec/README.md` describes the
//! extension.

use serde_json::Value;

use super::problem::Problem;
use crate::spec::escape;

/// The extension's name on an operation.
pub const EXTENSION: &str = "x-pagination";

const KEYS: [&str; 8] = [
    "page",
    "first",
    "size",
    "fixedSize",
    "items",
    "more",
    "total",
    "pageSize",
];

/// One operation's pagination rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The query parameter holding the page number.
    pub page: String,
    /// The number of the first page.
    pub first: u64,
    /// The query parameter holding the page size, when the caller chooses it.
    pub size: Option<String>,
    /// The page size, when the server fixes it.
    pub fixed_size: Option<u64>,
    /// The response field holding the page's items.
    pub items: String,
    /// The component schema of one item.
    pub item_type: String,
    /// How the last page is recognised.
    pub end: End,
}

/// How the last page is recognised.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// A boolean response field says whether another page follows (`hasMore`).
    More(String),
    /// An integer response field gives the number of items of all pages (`totalCount`); a
    /// second one the page size the server used (`pageSize`).
    Total { total: String, page_size: String },
}

impl End {
    /// The response field that decides.
    pub fn field(&self) -> &str {
        match self {
            Self::More(field) => field,
            Self::Total { total, .. } => total,
        }
    }
}

/// The rule of the operation at `pointer` (`/paths/~1v1~1topics/get`), or the problems that
/// keep it from being one. `Ok(None)` when the operation has no `x-pagination`.
pub fn read(raw: &Value, pointer: &str) -> Result<Option<Pagination>, Vec<Problem>> {
    let Some(operation) = raw.pointer(pointer) else {
        return Ok(None);
    };
    let Some(extension) = operation.get(EXTENSION) else {
        return Ok(None);
    };
    let at = format!("{pointer}/{EXTENSION}");
    let mut problems = Vec::new();
    let mut problem = |key: &str, message: String| {
        let pointer = if key.is_empty() {
            at.clone()
        } else {
            format!("{at}/{}", escape(key))
        };
        problems.push(Problem::new(pointer, message));
    };
    let Some(map) = extension.as_object() else {
        problem(
            "",
            format!("`{EXTENSION}` must be a map (see spec/README.md)"),
        );
        return Err(problems);
    };
    for key in map.keys() {
        if !KEYS.contains(&key.as_str()) {
            problem(
                key,
                format!("unknown key `{key}`: the keys are {}", KEYS.join(", ")),
            );
        }
    }
    if !pointer.ends_with("/get") {
        problem("", "only a GET operation can be paginated".into());
    }
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    let number = |key: &str| map.get(key).and_then(Value::as_u64);

    let query = query_parameters(raw, pointer);
    let page = text("page");
    match &page {
        None => problem(
            "page",
            "`page` must name the query parameter of the page number".into(),
        ),
        Some(name) => check_integer_parameter(&query, name, "page", &mut problem),
    }
    let first = number("first");
    if first.is_none() {
        problem(
            "first",
            "`first` must be the first page's number, a non-negative integer (0 for Novu)".into(),
        );
    }
    let size = text("size");
    let fixed_size = number("fixedSize");
    match (&size, fixed_size, map.contains_key("fixedSize")) {
        (Some(name), None, false) => check_integer_parameter(&query, name, "size", &mut problem),
        (None, Some(0), _) => problem("fixedSize", "`fixedSize` must be at least 1".into()),
        (None, Some(_), _) => {}
        (None, None, true) => problem(
            "fixedSize",
            "`fixedSize` must be a positive integer".into(),
        ),
        (None, None, false) => problem(
            "",
            "name the page-size query parameter in `size`, or give the server's fixed size in `fixedSize`".into(),
        ),
        _ => problem(
            "",
            "`size` and `fixedSize` exclude each other: a page size is chosen or fixed".into(),
        ),
    }

    let body = success_body(raw, pointer);
    if body.is_none() {
        problem(
            "",
            "the 200 response must have a JSON body whose schema is a `$ref` to a component".into(),
        );
    }
    let field = |name: &str| {
        body.as_ref()
            .and_then(|(_, schema)| schema.pointer(&format!("/properties/{}", escape(name))))
            .map(|schema| resolve(raw, schema))
    };
    let body_name = body
        .as_ref()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();

    let items = text("items");
    let mut item_type = None;
    match &items {
        None => problem(
            "items",
            "`items` must name the response field holding the page's items".into(),
        ),
        Some(name) if body.is_some() => match field(name) {
            None => problem(
                "items",
                format!("the response schema `{body_name}` has no property `{name}`"),
            ),
            Some(schema) => match schema
                .pointer("/items/$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
            {
                Some(component) if schema.get("type") == Some(&Value::from("array")) => {
                    item_type = Some(component.to_owned());
                }
                _ => problem(
                    "items",
                    format!(
                        "`{body_name}.{name}` must be an array whose `items` are a `$ref` to a component schema"
                    ),
                ),
            },
        },
        Some(_) => {}
    }

    let mut typed_field = |key: &str, name: &str, expected: &[&str]| {
        if body.is_none() {
            return;
        }
        match field(name) {
            None => problem(
                key,
                format!("the response schema `{body_name}` has no property `{name}`"),
            ),
            Some(schema) => {
                let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
                if !expected.contains(&kind) {
                    problem(
                        key,
                        format!(
                            "`{body_name}.{name}` must be of type {}, not `{kind}`",
                            expected.join(" or ")
                        ),
                    );
                }
            }
        }
    };
    let end = match (text("more"), text("total"), text("pageSize")) {
        (Some(more), None, None) => {
            typed_field("more", &more, &["boolean"]);
            Some(End::More(more))
        }
        (None, Some(total), Some(page_size)) => {
            typed_field("total", &total, &["integer", "number"]);
            typed_field("pageSize", &page_size, &["integer", "number"]);
            Some(End::Total { total, page_size })
        }
        (None, Some(_), None) => {
            problem(
                "pageSize",
                "with `total`, `pageSize` must name the response field of the page size the server used".into(),
            );
            None
        }
        (Some(_), Some(_), _) => {
            problem(
                "",
                "`more` and `total` exclude each other: the last page is known by one rule".into(),
            );
            None
        }
        (Some(_), None, Some(_)) => {
            problem(
                "pageSize",
                "`pageSize` goes with `total`, not `more`".into(),
            );
            None
        }
        (None, None, _) => {
            problem(
                "",
                "say how the last page is known: `more: <boolean field>` or `total: <integer field>` with `pageSize`".into(),
            );
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    match (page, first, items, item_type, end) {
        (Some(page), Some(first), Some(items), Some(item_type), Some(end)) => {
            Ok(Some(Pagination {
                page,
                first,
                size,
                fixed_size,
                items,
                item_type,
                end,
            }))
        }
        _ => unreachable!("every missing part was reported as a problem"),
    }
}

/// Every `x-pagination` problem of the document.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (path, item) in raw
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in item.as_object().into_iter().flat_map(|item| item.keys()) {
            let pointer = format!("/paths/{}/{method}", escape(path));
            if let Err(found) = read(raw, &pointer) {
                problems.extend(found);
            }
        }
    }
    problems
}

/// The operation's query parameters (path-level ones included) by name, with their resolved
/// schemas.
fn query_parameters(raw: &Value, pointer: &str) -> Vec<(String, Value)> {
    let item_pointer = &pointer[..pointer.rfind('/').unwrap_or(0)];
    let lists = [
        raw.pointer(&format!("{item_pointer}/parameters")),
        raw.pointer(&format!("{pointer}/parameters")),
    ];
    lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|parameter| resolve(raw, parameter))
        .filter(|parameter| parameter.get("in") == Some(&Value::from("query")))
        .filter_map(|parameter| {
            let name = parameter.get("name")?.as_str()?.to_owned();
            let schema = resolve(raw, parameter.get("schema").unwrap_or(&Value::Null)).clone();
            Some((name, schema))
        })
        .collect()
}

fn check_integer_parameter(
    query: &[(String, Value)],
    name: &str,
    key: &str,
    problem: &mut impl FnMut(&str, String),
) {
    match query.iter().find(|(candidate, _)| candidate == name) {
        None => problem(
            key,
            format!("the operation has no query parameter `{name}`"),
        ),
        Some((_, schema)) if schema.get("type") != Some(&Value::from("integer")) => problem(
            key,
            format!("the query parameter `{name}` must be of type `integer`"),
        ),
        Some(_) => {}
    }
}

/// The component name and resolved schema of the operation's 200 JSON body.
fn success_body(raw: &Value, pointer: &str) -> Option<(String, Value)> {
    let response = resolve(raw, raw.pointer(&format!("{pointer}/responses/200"))?);
    let reference = response
        .pointer("/content/application~1json/schema/$ref")?
        .as_str()?;
    let name = reference.strip_prefix("#/components/schemas/")?;
    let schema = resolve(
        raw,
        raw.pointer(&format!("/components/schemas/{}", escape(name)))?,
    );
    Some((name.to_owned(), schema.clone()))
}

/// `value`, or what its `$ref` points at (one level; the linter reports broken references).
fn resolve<'a>(raw: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| raw.pointer(pointer))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use crate::spec::parse;

    const VALID: &str = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
security: [{api-key: []}]
tags: [{name: Notes}]
paths:
  /v1/notes:
    get:
      operationId: notes_list
      tags: [Notes]
      summary: List notes
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
        - {name: q, in: query, schema: {type: string}}
      x-pagination: {page: page, first: 0, size: limit, items: data, more: hasMore}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/NotePage'}}}
        '401': {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    api-key: {type: apiKey, in: header, name: Authorization}
  responses:
    Error:
      description: error
      content: {application/json: {schema: {$ref: '#/components/schemas/ErrorResponse'}}}
  schemas:
    ErrorResponse: {type: object, properties: {message: {type: string}}}
    Note: {type: object, properties: {text: {type: string}}}
    NotePage:
      type: object
      required: [data, hasMore, totalCount, pageSize]
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Note'}}
        hasMore: {type: boolean}
        totalCount: {type: integer}
        pageSize: {type: integer}
        page: {type: integer}
        label: {type: string}
"##;

    const EXTENSION: &str =
        "x-pagination: {page: page, first: 0, size: limit, items: data, more: hasMore}";

    /// The lint's messages for the fixture with its `x-pagination` replaced by `extension`.
    fn problems_with(extension: &str) -> Vec<String> {
        let text = VALID.replacen(EXTENSION, extension, 1);
        let spec = parse("t.yaml", &text).expect("still an OpenAPI document");
        super::check(&spec.raw)
            .iter()
            .map(|problem| problem.display("t.yaml"))
            .collect()
    }

    fn assert_one_problem(extension: &str, expected: &str) {
        let problems = problems_with(extension);
        assert!(
            problems.len() == 1 && problems[0].contains(expected),
            "expected one problem containing {expected:?}, got {problems:#?}"
        );
    }

    #[test]
    fn both_rules_are_accepted() {
        assert_eq!(problems_with(EXTENSION), Vec::<String>::new());
        assert_eq!(
            problems_with(
                "x-pagination: {page: page, first: 0, size: limit, items: data, total: totalCount, pageSize: pageSize}"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            problems_with(
                "x-pagination: {page: page, first: 0, fixedSize: 10, items: data, more: hasMore}"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_rule_is_read_for_the_generator() {
        let spec = parse("t.yaml", VALID).expect("parses");
        let rule = super::read(&spec.raw, "/paths/~1v1~1notes/get")
            .expect("valid")
            .expect("present");
        assert_eq!(rule.item_type, "Note");
        assert_eq!(rule.size.as_deref(), Some("limit"));
        assert_eq!(rule.end, super::End::More("hasMore".into()));
    }

    #[test]
    fn an_unknown_key_is_named() {
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: data, more: hasMore, cursor: next}",
            "/x-pagination/cursor: unknown key `cursor`",
        );
    }

    #[test]
    fn parameters_must_exist_and_be_integers() {
        assert_one_problem(
            "x-pagination: {page: offset, first: 0, size: limit, items: data, more: hasMore}",
            "/x-pagination/page: the operation has no query parameter `offset`",
        );
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: q, items: data, more: hasMore}",
            "the query parameter `q` must be of type `integer`",
        );
    }

    #[test]
    fn response_fields_must_exist_with_their_type() {
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: data, more: isLast}",
            "/x-pagination/more: the response schema `NotePage` has no property `isLast`",
        );
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: data, more: totalCount}",
            "`NotePage.totalCount` must be of type boolean, not `integer`",
        );
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: label, more: hasMore}",
            "`NotePage.label` must be an array whose `items` are a `$ref`",
        );
    }

    #[test]
    fn rules_that_exclude_each_other_or_are_missing_are_named() {
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, fixedSize: 10, items: data, more: hasMore}",
            "`size` and `fixedSize` exclude each other",
        );
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: data, more: hasMore, total: totalCount}",
            "`more` and `total` exclude each other",
        );
        assert_one_problem(
            "x-pagination: {page: page, first: 0, size: limit, items: data, total: totalCount}",
            "with `total`, `pageSize` must name the response field",
        );
        assert_one_problem(
            "x-pagination: {page: page, size: limit, items: data, more: hasMore}",
            "/x-pagination/first: `first` must be the first page's number",
        );
        assert_one_problem("x-pagination: [page]", "`x-pagination` must be a map");
    }
}
