//! Operations matched across the two documents and compared part by part: parameters, request
//! body, responses, security. Operations are matched by method and path template with the
//! parameter names left out (`/v1/topics/{topicKey}` is `/v1/topics/{key}`), so path parameters
//! are matched by position and the others by location and name.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::{Document, Node, pointer};
use super::policy::{Notice, Policy};
use super::report::{Finding, METHODS, Operation};
use super::rules::Rule;
use super::walk::{Subject, Walk};

/// Every difference from `old` to `new`, operation by operation in path order.
pub fn compare(old: &Document<'_>, new: &Document<'_>, policy: &Policy) -> Vec<Finding> {
    let before = sites(old);
    let after = sites(new);
    // Reports name an operation by its newer path template, when the path is still there.
    let newer_paths: BTreeMap<&str, &str> = after
        .iter()
        .map(|((template, _), site)| (template.as_str(), site.path))
        .collect();
    let keys: BTreeSet<&(String, usize)> = before.keys().chain(after.keys()).collect();
    let mut changes = Vec::new();
    for key in keys {
        let (old_site, new_site) = (before.get(key), after.get(key));
        let Some(site) = new_site.or(old_site) else {
            continue;
        };
        let operation = Operation {
            method: METHODS[key.1],
            path: newer_paths
                .get(key.0.as_str())
                .unwrap_or(&site.path)
                .to_string(),
        };
        let mut walk = Walk::new(old, new, policy, operation);
        match (old_site, new_site) {
            (Some(old_site), Some(new_site)) => walk.operation(old_site, new_site),
            (Some(old_site), None) => walk.removed(old_site, &newer_paths),
            (None, Some(new_site)) => walk.report(
                Rule::OperationAdded,
                new_site.operation.at.clone(),
                format!("operation {} was added", new_site.id()),
            ),
            (None, None) => {}
        }
        changes.extend(walk.changes);
    }
    changes
}

/// Where an operation is written.
struct Site<'a> {
    /// The path template as written.
    path: &'a str,
    /// The path item, `$ref` followed.
    item: Node<'a>,
    operation: Node<'a>,
}

impl Site<'_> {
    /// The operation's `operationId` quoted, or its method and path.
    fn id(&self) -> String {
        match self
            .operation
            .value
            .get("operationId")
            .and_then(Value::as_str)
        {
            Some(id) => format!("`{id}`"),
            None => format!("at `{}`", self.path),
        }
    }
}

/// The operations of `document` by path template (names left out) and method.
fn sites<'a>(document: &Document<'a>) -> BTreeMap<(String, usize), Site<'a>> {
    let mut sites = BTreeMap::new();
    for (path, item) in document.root().entries("paths") {
        let item = document.resolve(&item);
        for (index, method) in METHODS.iter().enumerate() {
            if let Some(operation) = item.member(method) {
                let site = Site {
                    path,
                    item: item.clone(),
                    operation,
                };
                sites.entry((template(path), index)).or_insert(site);
            }
        }
    }
    sites
}

/// `/v1/topics/{topicKey}` becomes `/v1/topics/{}`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for character in path.chars() {
        match character {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(character),
        }
    }
    out
}

/// The names of the path template's parameters, in order.
fn path_parameter_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

impl<'d, 'a> Walk<'d, 'a> {
    fn removed(&mut self, old: &Site<'a>, newer_paths: &BTreeMap<&str, &str>) {
        let (location, message) = match newer_paths.get(template(old.path).as_str()) {
            Some(path) => (
                pointer("/paths", path),
                format!("operation {} was removed", old.id()),
            ),
            None => (
                "/paths".to_owned(),
                format!("operation {} was removed with its whole path", old.id()),
            ),
        };
        let (rule, message) = match self.policy.notice(old.operation.value) {
            Notice::None => (Rule::OperationRemoved, message),
            Notice::Served { why } => (
                Rule::OperationRemovedAfterDeprecation,
                format!("{message} after its deprecation: {why}"),
            ),
            Notice::Short { why } => (
                Rule::OperationRemovedBeforeSunset,
                format!("{message} too soon: {why}"),
            ),
        };
        self.report(rule, location, message);
    }

    fn operation(&mut self, old: &Site<'a>, new: &Site<'a>) {
        let deprecated =
            |site: &Site<'a>| site.operation.value.get("deprecated") == Some(&Value::Bool(true));
        if !deprecated(old) && deprecated(new) {
            self.report(
                Rule::OperationDeprecated,
                format!("{}/deprecated", new.operation.at),
                format!("operation {} is now deprecated", new.id()),
            );
        }
        self.parameters(old, new);
        self.request_body(old, new);
        self.responses(old, new);
        self.security(old, new);
    }

    fn parameters(&mut self, old: &Site<'a>, new: &Site<'a>) {
        let before = parameters(self.old, old);
        let after = parameters(self.new, new);
        // A parameter that left one location for another under the same name moved.
        let mut moves = Vec::new();
        for (key, parameter) in &before {
            if after.contains_key(key) || parameter.location == "path" {
                continue;
            }
            let destination = after.iter().find(|(other_key, other)| {
                !before.contains_key(*other_key)
                    && other.location != "path"
                    && !moves.iter().any(|(_, taken)| taken == *other_key)
                    && other.name.eq_ignore_ascii_case(parameter.name)
            });
            if let Some((other_key, _)) = destination {
                moves.push((key.clone(), other_key.clone()));
            }
        }
        for (from, to) in &moves {
            let (before, after) = (&before[from], &after[to]);
            self.report(
                Rule::ParameterLocationChanged,
                after.at("in"),
                format!(
                    "parameter `{}` moved from {} to {}",
                    after.name, before.location, after.location
                ),
            );
            self.parameter(before, after);
        }
        let moved_from = |key: &(String, String)| moves.iter().any(|(from, _)| from == key);
        let moved_to = |key: &(String, String)| moves.iter().any(|(_, to)| to == key);
        for (key, parameter) in &before {
            match after.get(key) {
                Some(other) => self.parameter(parameter, other),
                None if moved_from(key) => {}
                None => self.report(
                    Rule::ParameterRemoved,
                    new.operation
                        .member("parameters")
                        .map_or_else(|| new.operation.at.clone(), |list| list.at),
                    format!("{} was removed", parameter.describe()),
                ),
            }
        }
        for (key, parameter) in &after {
            if before.contains_key(key) || moved_to(key) {
                continue;
            }
            let (rule, kind) = if parameter.required {
                (Rule::ParameterRequiredAdded, "required")
            } else {
                (Rule::ParameterOptionalAdded, "optional")
            };
            self.report(
                rule,
                parameter.listed.at.clone(),
                format!("{} was added as {kind}", parameter.describe()),
            );
        }
    }

    fn parameter(&mut self, old: &Parameter<'a>, new: &Parameter<'a>) {
        match (old.required, new.required) {
            (false, true) => self.report(
                Rule::ParameterBecameRequired,
                new.at("required"),
                format!("{} is now required", new.describe()),
            ),
            (true, false) => self.report(
                Rule::ParameterBecameOptional,
                new.node.at.clone(),
                format!("{} is now optional", new.describe()),
            ),
            _ => {}
        }
        let (style_before, style_after) = (old.style(), new.style());
        let structured = |parameter: &Parameter<'a>, document: &Document<'a>| {
            let schema = parameter
                .node
                .member("schema")
                .map(|schema| document.resolve(&schema));
            let kind = schema.and_then(|schema| schema.value.get("type").and_then(Value::as_str));
            matches!(kind, Some("array" | "object"))
        };
        let matters =
            new.location == "path" || structured(old, self.old) || structured(new, self.new);
        if style_before != style_after && matters {
            let show =
                |(style, explode): (&str, bool)| format!("`style: {style}, explode: {explode}`");
            let changed = if style_before.0 == style_after.0 {
                "explode"
            } else {
                "style"
            };
            self.report(
                Rule::ParameterStyleChanged,
                new.at(changed),
                format!(
                    "{}: serialization changed from {} to {}",
                    new.describe(),
                    show(style_before),
                    show(style_after)
                ),
            );
        }
        let subject = Subject::parameter(new.location, new.name);
        self.schema(&subject, &old.schema_owner(), &new.schema_owner());
    }

    fn request_body(&mut self, old: &Site<'a>, new: &Site<'a>) {
        let before = old
            .operation
            .member("requestBody")
            .map(|body| self.old.resolve(&body));
        let after = new
            .operation
            .member("requestBody")
            .map(|body| self.new.resolve(&body));
        let required = |body: &Node<'a>| body.value.get("required") == Some(&Value::Bool(true));
        match (before, after) {
            (None, None) => {}
            (None, Some(after)) => {
                let (rule, message) = if required(&after) {
                    (
                        Rule::RequestBodyRequiredAdded,
                        "a required request body was added",
                    )
                } else {
                    (
                        Rule::RequestBodyOptionalAdded,
                        "an optional request body was added",
                    )
                };
                let listed = format!("{}/requestBody", new.operation.at);
                self.report(rule, listed, message.into());
            }
            (Some(_), None) => self.report(
                Rule::RequestBodyRemoved,
                new.operation.at.clone(),
                "the request body was removed".into(),
            ),
            (Some(before), Some(after)) => {
                match (required(&before), required(&after)) {
                    (false, true) => self.report(
                        Rule::RequestBodyBecameRequired,
                        format!("{}/required", after.at),
                        "the request body is now required".into(),
                    ),
                    (true, false) => self.report(
                        Rule::RequestBodyBecameOptional,
                        after.at.clone(),
                        "the request body is now optional".into(),
                    ),
                    _ => {}
                }
                let rules = ContentRules {
                    removed: Rule::RequestContentTypeRemoved,
                    added: Rule::RequestContentTypeAdded,
                    changed: Rule::RequestContentTypeChanged,
                };
                self.content(&Subject::request_body(), &before, &after, rules);
            }
        }
    }

    fn responses(&mut self, old: &Site<'a>, new: &Site<'a>) {
        let before = responses(self.old, &old.operation);
        let after = responses(self.new, &new.operation);
        let responses_at = new
            .operation
            .member("responses")
            .map_or_else(|| new.operation.at.clone(), |responses| responses.at);
        let success = |status: &&String| status.starts_with('2');
        let lost: Vec<&String> = before
            .keys()
            .filter(success)
            .filter(|status| !after.contains_key(*status))
            .collect();
        let gained: Vec<&String> = after
            .keys()
            .filter(success)
            .filter(|status| !before.contains_key(*status))
            .collect();
        let only_one = |responses: &BTreeMap<String, Response<'a>>| {
            responses.keys().filter(success).count() == 1
        };
        if lost.len() == 1 && gained.len() == 1 && only_one(&before) && only_one(&after) {
            let (from, to) = (lost[0], gained[0]);
            self.report(
                Rule::SuccessStatusChanged,
                after[to].listed.at.clone(),
                format!("success status changed from `{from}` to `{to}`"),
            );
            self.response(to, &before[from].node, &after[to].node);
        } else {
            for status in lost {
                self.report(
                    Rule::SuccessStatusRemoved,
                    responses_at.clone(),
                    format!("success status `{status}` was removed"),
                );
            }
            for status in gained {
                self.report(
                    Rule::SuccessStatusAdded,
                    after[status].listed.at.clone(),
                    format!("success status `{status}` was added"),
                );
            }
        }
        for (status, response) in &before {
            match after.get(status) {
                Some(other) => self.response(status, &response.node, &other.node),
                None if success(&status) => {}
                None => self.report(
                    Rule::ErrorStatusRemoved,
                    responses_at.clone(),
                    format!("status `{status}` is no longer documented"),
                ),
            }
        }
        for (status, response) in &after {
            if !before.contains_key(status) && !success(&status) {
                self.report(
                    Rule::ErrorStatusAdded,
                    response.listed.at.clone(),
                    format!("status `{status}` is now documented"),
                );
            }
        }
    }

    fn response(&mut self, status: &str, old: &Node<'a>, new: &Node<'a>) {
        let rules = ContentRules {
            removed: Rule::ResponseContentTypeRemoved,
            added: Rule::ResponseContentTypeAdded,
            changed: Rule::ResponseContentTypeChanged,
        };
        self.content(&Subject::response_body(status), old, new, rules);
        self.headers(status, old, new);
    }

    /// Compares the `headers` of two responses (names without case, `$ref`s followed).
    fn headers(&mut self, status: &str, old: &Node<'a>, new: &Node<'a>) {
        let headers = |document: &Document<'a>, response: &Node<'a>| {
            response
                .entries("headers")
                .into_iter()
                .map(|(name, listed)| {
                    let node = document.resolve(&listed);
                    (name.to_ascii_lowercase(), (name, listed, node))
                })
                .collect::<BTreeMap<_, _>>()
        };
        let before = headers(self.old, old);
        let after = headers(self.new, new);
        let required = |node: &Node<'a>| node.value.get("required") == Some(&Value::Bool(true));
        let listed_at = new
            .member("headers")
            .map_or_else(|| new.at.clone(), |headers| headers.at);
        for (key, (name, _, old_header)) in &before {
            let Some((new_name, _, new_header)) = after.get(key) else {
                let (rule, kind) = if required(old_header) {
                    (Rule::ResponseHeaderRemoved, "required")
                } else {
                    (Rule::ResponseOptionalHeaderRemoved, "optional")
                };
                let message = format!("response {status} header `{name}` ({kind}) was removed");
                // A shared header (`$ref`) dropped from many responses is one change: they are
                // grouped by where the older document defined it.
                let shared = old_header.at.starts_with("/components/");
                let key = shared.then(|| format!("older document {}", old_header.at));
                self.report_shared(rule, listed_at.clone(), message, key);
                continue;
            };
            match (required(old_header), required(new_header)) {
                (true, false) => self.report(
                    Rule::ResponseHeaderBecameOptional,
                    new_header.at.clone(),
                    format!("response {status} header `{new_name}` is now optional"),
                ),
                (false, true) => self.report(
                    Rule::ResponseHeaderBecameRequired,
                    format!("{}/required", new_header.at),
                    format!("response {status} header `{new_name}` is now always sent"),
                ),
                _ => {}
            }
            let subject = Subject::response_header(status, new_name);
            self.schema(&subject, old_header, new_header);
        }
        for (key, (name, _, header)) in &after {
            if !before.contains_key(key) {
                let kind = if required(header) {
                    "required"
                } else {
                    "optional"
                };
                // Where the header is defined: a shared one (`$ref`) is reported once.
                self.report(
                    Rule::ResponseHeaderAdded,
                    header.at.clone(),
                    format!("response {status} header `{name}` ({kind}) was added"),
                );
            }
        }
    }

    /// Compares the `content` maps of two request bodies or responses.
    fn content(&mut self, subject: &Subject, old: &Node<'a>, new: &Node<'a>, rules: ContentRules) {
        let before = media_types(old);
        let after = media_types(new);
        let whole = subject.describe("");
        if before.len() == 1 && after.len() == 1 {
            let ((from, old_media), (to, new_media)) = (&before[0], &after[0]);
            if !same_media_type(from, to) {
                self.report(
                    rules.changed,
                    new_media.at.clone(),
                    format!("{whole}: content type changed from `{from}` to `{to}`"),
                );
                self.schema(subject, old_media, new_media);
                return;
            }
        }
        for (media_type, old_media) in &before {
            match after
                .iter()
                .find(|(other, _)| same_media_type(media_type, other))
            {
                Some((_, new_media)) => self.schema(subject, old_media, new_media),
                None => self.report(
                    rules.removed,
                    new.member("content")
                        .map_or_else(|| new.at.clone(), |content| content.at),
                    format!("{whole}: content type `{media_type}` was removed"),
                ),
            }
        }
        for (media_type, new_media) in &after {
            if !before
                .iter()
                .any(|(other, _)| same_media_type(media_type, other))
            {
                self.report(
                    rules.added,
                    new_media.at.clone(),
                    format!("{whole}: content type `{media_type}` was added"),
                );
            }
        }
    }

    fn security(&mut self, old: &Site<'a>, new: &Site<'a>) {
        let before = Security::of(self.old, &old.operation);
        let after = Security::of(self.new, &new.operation);
        match (before.anonymous(), after.anonymous()) {
            (true, false) => self.report(
                Rule::SecurityAdded,
                after.at.clone(),
                format!("credentials are now required: {}", after.describe()),
            ),
            (false, true) => self.report(
                Rule::SecurityRemoved,
                after.at.clone(),
                "credentials are no longer required".into(),
            ),
            (false, false) => {
                let unmatched = |from: &Security<'a>, to: &Security<'a>| -> Vec<usize> {
                    (0..from.requirements.len())
                        .filter(|index| {
                            !to.requirements
                                .iter()
                                .any(|other| from.requirements[*index].same(other))
                        })
                        .collect()
                };
                let mut lost = unmatched(&before, &after);
                let mut gained = unmatched(&after, &before);
                // The same schemes by name and scopes: a scheme's definition changed, which
                // `security-scheme-changed` reports once for the document.
                lost.retain(|old_index| {
                    let old_requirement = &before.requirements[*old_index];
                    let same = gained.iter().position(|new_index| {
                        after.requirements[*new_index].scopes() == old_requirement.scopes()
                    });
                    match same {
                        Some(position) => {
                            gained.remove(position);
                            false
                        }
                        None => true,
                    }
                });
                // A requirement with the same schemes and other scopes changed its scopes.
                let mut rescoped = Vec::new();
                for &old_index in &lost {
                    let found = gained.iter().find(|new_index| {
                        !rescoped.iter().any(|(_, taken)| taken == *new_index)
                            && before.requirements[old_index]
                                .same_schemes(&after.requirements[**new_index])
                    });
                    if let Some(&new_index) = found {
                        rescoped.push((old_index, new_index));
                    }
                }
                for (old_index, new_index) in &rescoped {
                    let (from, to) = (
                        &before.requirements[*old_index],
                        &after.requirements[*new_index],
                    );
                    for (scheme, scopes) in to.scopes() {
                        let had = from.scopes();
                        let had = had.iter().find(|(name, _)| *name == scheme);
                        let missing: Vec<&str> = scopes
                            .iter()
                            .filter(|scope| !had.is_some_and(|(_, old)| old.contains(scope)))
                            .copied()
                            .collect();
                        if !missing.is_empty() {
                            self.report(
                                Rule::SecurityScopeAdded,
                                after.at.clone(),
                                format!("`{scheme}` now needs scope {}", quote_all(&missing)),
                            );
                        }
                    }
                    for (scheme, scopes) in from.scopes() {
                        let has = to.scopes();
                        let has = has.iter().find(|(name, _)| *name == scheme);
                        let dropped: Vec<&str> = scopes
                            .iter()
                            .filter(|scope| !has.is_some_and(|(_, new)| new.contains(scope)))
                            .copied()
                            .collect();
                        if !dropped.is_empty() {
                            self.report(
                                Rule::SecurityScopeRemoved,
                                after.at.clone(),
                                format!("`{scheme}` no longer needs scope {}", quote_all(&dropped)),
                            );
                        }
                    }
                }
                for (index, requirement) in before.requirements.iter().enumerate() {
                    if lost.contains(&index) && !rescoped.iter().any(|(old, _)| *old == index) {
                        self.report(
                            Rule::SecurityAlternativeRemoved,
                            after.at.clone(),
                            format!("{} is no longer accepted", requirement.label),
                        );
                    }
                }
                for (index, requirement) in after.requirements.iter().enumerate() {
                    if gained.contains(&index) && !rescoped.iter().any(|(_, new)| *new == index) {
                        self.report(
                            Rule::SecurityAlternativeAdded,
                            after.at.clone(),
                            format!("{} is now accepted", requirement.label),
                        );
                    }
                }
            }
            (true, true) => {}
        }
    }
}

/// The rules a `content` comparison reports under: request or response ones.
struct ContentRules {
    removed: Rule,
    added: Rule,
    changed: Rule,
}

/// The media types of a request body or response, as written.
fn media_types<'a>(owner: &Node<'a>) -> Vec<(&'a str, Node<'a>)> {
    owner.entries("content")
}

/// Media types compare without case or spaces (`application/json; charset=utf-8`).
fn same_media_type(left: &str, right: &str) -> bool {
    let normal = |text: &str| -> String {
        text.chars()
            .filter(|character| !character.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    normal(left) == normal(right)
}

/// A response as listed under its status, and with its `$ref` followed.
struct Response<'a> {
    listed: Node<'a>,
    node: Node<'a>,
}

/// The responses of an operation by status (`2XX` in upper case).
fn responses<'a>(document: &Document<'a>, operation: &Node<'a>) -> BTreeMap<String, Response<'a>> {
    operation
        .entries("responses")
        .into_iter()
        .map(|(status, listed)| {
            let node = document.resolve(&listed);
            (status.to_ascii_uppercase(), Response { listed, node })
        })
        .collect()
}

/// A parameter as declared on the path item or the operation, `$ref` followed.
struct Parameter<'a> {
    /// The entry of the `parameters` list, which may be a `$ref`.
    listed: Node<'a>,
    /// The parameter, `$ref` followed.
    node: Node<'a>,
    name: &'a str,
    location: &'a str,
    required: bool,
}

impl<'a> Parameter<'a> {
    fn describe(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }

    /// Where `keyword` is written, or the parameter when it is not.
    fn at(&self, keyword: &str) -> String {
        self.node
            .member(keyword)
            .map_or_else(|| self.node.at.clone(), |member| member.at)
    }

    /// `style` and `explode`, with the defaults of the parameter's location spelled out.
    fn style(&self) -> (&'a str, bool) {
        let style = self
            .node
            .value
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or(match self.location {
                "query" | "cookie" => "form",
                _ => "simple",
            });
        let explode = self
            .node
            .value
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == "form");
        (style, explode)
    }

    /// What holds the parameter's schema: itself, or its one `content` entry.
    fn schema_owner(&self) -> Node<'a> {
        if self.node.value.get("schema").is_none()
            && let Some((_, media)) = media_types(&self.node).into_iter().next()
        {
            return media;
        }
        self.node.clone()
    }
}

/// The parameters of an operation (path item ones overridden by the operation's), by location
/// and name; path parameters by their position in the template, since names are ignored.
fn parameters<'a>(
    document: &Document<'a>,
    site: &Site<'a>,
) -> BTreeMap<(String, String), Parameter<'a>> {
    let positions = path_parameter_names(site.path);
    let mut parameters = BTreeMap::new();
    for declared in site
        .item
        .elements("parameters")
        .into_iter()
        .chain(site.operation.elements("parameters"))
    {
        let node = document.resolve(&declared);
        let (Some(name), Some(location)) = (
            node.value.get("name").and_then(Value::as_str),
            node.value.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let identity = match location {
            "path" => match positions.iter().position(|known| *known == name) {
                Some(position) => format!("#{position}"),
                None => name.to_owned(),
            },
            "header" => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        };
        let required = location == "path" || node.value.get("required") == Some(&Value::Bool(true));
        let parameter = Parameter {
            listed: declared,
            node,
            name,
            location,
            required,
        };
        parameters.insert((location.to_owned(), identity), parameter);
    }
    parameters
}

/// The security an operation requires: its own `security`, or else the document's.
struct Security<'a> {
    requirements: Vec<Requirement<'a>>,
    /// The `security` list that applies, or the operation when there is none.
    at: String,
}

/// One way to authenticate: every scheme of one entry of a `security` list, with its scopes.
struct Requirement<'a> {
    /// Each scheme's definition (its name does not matter, its description neither) and scopes.
    schemes: Vec<(Value, Vec<&'a str>)>,
    /// The schemes' names, in the order of `schemes`.
    names: Vec<&'a str>,
    label: String,
}

impl<'a> Security<'a> {
    fn of(document: &Document<'a>, operation: &Node<'a>) -> Self {
        let declared = operation
            .member("security")
            .or_else(|| document.root().member("security"));
        let Some(declared) = declared else {
            return Self {
                requirements: Vec::new(),
                at: operation.at.clone(),
            };
        };
        let requirements = declared
            .value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|entry| Requirement::of(document, entry))
            .collect();
        Self {
            requirements,
            at: declared.at,
        }
    }

    /// Whether a call without credentials is accepted.
    fn anonymous(&self) -> bool {
        self.requirements.is_empty()
            || self
                .requirements
                .iter()
                .any(|requirement| requirement.schemes.is_empty())
    }

    fn describe(&self) -> String {
        self.requirements
            .iter()
            .map(|requirement| requirement.label.clone())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

impl<'a> Requirement<'a> {
    fn of(document: &Document<'a>, entry: &'a serde_json::Map<String, Value>) -> Self {
        let mut names: Vec<&String> = entry.keys().collect();
        names.sort();
        let mut schemes = Vec::new();
        let mut labels = Vec::new();
        let mut scheme_names = Vec::new();
        for name in names {
            scheme_names.push(name.as_str());
            let mut scopes: Vec<&str> = entry[name]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            scopes.sort_unstable();
            let definition = document
                .root()
                .member("components")
                .and_then(|components| components.member("securitySchemes"))
                .and_then(|schemes| schemes.member(name))
                .map(|scheme| document.resolve(&scheme).value.clone());
            let definition = match definition {
                Some(Value::Object(mut definition)) => {
                    definition.retain(|key, _| key != "description" && !key.starts_with("x-"));
                    Value::Object(definition)
                }
                // An undefined scheme is known by its name alone.
                _ => Value::String(name.clone()),
            };
            labels.push(if scopes.is_empty() {
                format!("`{name}`")
            } else {
                format!(
                    "`{name}` (scopes {})",
                    scopes
                        .iter()
                        .map(|scope| format!("`{scope}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            schemes.push((definition, scopes));
        }
        Self {
            schemes,
            names: scheme_names,
            label: labels.join(" and "),
        }
    }

    /// Whether both use the same schemes, whatever their scopes.
    fn same_schemes(&self, other: &Requirement<'_>) -> bool {
        self.schemes.len() == other.schemes.len()
            && self
                .schemes
                .iter()
                .all(|(definition, _)| other.schemes.iter().any(|(theirs, _)| theirs == definition))
    }

    /// Each scheme's name and scopes.
    fn scopes(&self) -> Vec<(&'a str, &[&'a str])> {
        self.names
            .iter()
            .zip(&self.schemes)
            .map(|(name, (_, scopes))| (*name, scopes.as_slice()))
            .collect()
    }

    fn same(&self, other: &Requirement<'_>) -> bool {
        self.schemes.len() == other.schemes.len()
            && self
                .schemes
                .iter()
                .all(|scheme| other.schemes.iter().any(|theirs| theirs == scheme))
    }
}

fn quote_all(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
