//! Rendering: Handlebars templates as Novu compiles them, and the rendered fields of a message
//! (content, subject, title, and for in-app messages the feed, actor and call to action).

use handlebars::Handlebars;
use novu_server::types::{
    MessageContentBlock, MessageCtaActionButtonsItem, NotificationFeedItemActor,
};
use serde_json::{Value, json};

/// What message templates see: the payload's keys at the top level beside `subscriber`, `step`,
/// `tenant` and `actor` (`{{name}}`, not `{{payload.name}}`, which is how conditions address
/// it); those four win over a payload key of the same name.
fn compile_context(variables: &Value) -> Value {
    let mut context = match &variables["payload"] {
        Value::Object(payload) => payload.clone(),
        _ => serde_json::Map::new(),
    };
    if let Value::Object(rest) = variables {
        for (key, value) in rest.iter().filter(|(key, _)| *key != "payload") {
            context.insert(key.clone(), value.clone());
        }
    }
    Value::Object(context)
}

/// Fills the rendered fields of `message` from the step's template; a `user` actor shows
/// the triggering `actor`'s avatar.
pub(super) fn render_message(
    template: &Value,
    variables: &Value,
    actor: Option<&Value>,
    message: &mut Value,
) -> Result<(), String> {
    let context = &compile_context(variables);
    message["content"] = match &template["content"] {
        Value::String(text) => json!(render(text, context)?),
        Value::Array(blocks) => {
            let mut rendered = Vec::new();
            for block in blocks {
                let mut block = block.clone();
                for field in ["content", "url"] {
                    if let Some(text) = block[field].as_str().map(str::to_owned) {
                        block[field] = json!(render(&text, context)?);
                    }
                }
                // Steps are stored unvalidated; a block the message schema cannot carry
                // is left out.
                if serde_json::from_value::<MessageContentBlock>(block.clone()).is_ok() {
                    rendered.push(block);
                }
            }
            Value::Array(rendered)
        }
        _ => json!(""),
    };
    for field in ["subject", "title"] {
        if let Some(text) = template[field].as_str() {
            message[field] = json!(render(text, context)?);
        }
    }
    if message["channel"] == "in_app" {
        message["_feedId"] = template
            .get("_feedId")
            .or_else(|| template.get("feedId"))
            .filter(|feed| feed.is_string())
            .cloned()
            .unwrap_or(Value::Null);
        message["actor"] = match template.get("actor").filter(|actor| {
            serde_json::from_value::<NotificationFeedItemActor>((*actor).clone()).is_ok()
        }) {
            Some(actor) => actor.clone(),
            None => json!({ "type": "none", "data": null }),
        };
        // A `user` actor shows the triggering actor's avatar.
        if let Some(actor) = actor {
            message["_actorId"] = actor["_id"].clone();
            if message["actor"]["type"] == "user" {
                message["actor"]["data"] = actor["avatar"].clone();
            }
        }
        let cta = &template["cta"];
        let mut url = Value::Null;
        if let Some(text) = cta["data"]["url"].as_str() {
            url = json!(render(text, context)?);
        }
        let mut buttons = Vec::new();
        for button in cta["action"]["buttons"].as_array().into_iter().flatten() {
            let mut button = button.clone();
            for field in ["content", "resultContent"] {
                if let Some(text) = button[field].as_str().map(str::to_owned) {
                    button[field] = json!(render(&text, context)?);
                }
            }
            if serde_json::from_value::<MessageCtaActionButtonsItem>(button.clone()).is_ok() {
                buttons.push(button);
            }
        }
        let mut data = json!({});
        if !url.is_null() {
            data["url"] = url;
        }
        message["cta"] = json!({
            "type": "redirect",
            "data": data,
            "action": {
                "status": "pending",
                "buttons": buttons,
                "result": { "payload": {}, "type": null },
            },
        });
    }
    Ok(())
}

/// Renders a Handlebars template the way Novu's `CompileTemplate` does: `{{…}}` escaped,
/// `{{{…}}}` raw, missing variables empty.
fn render(template: &str, context: &Value) -> Result<String, String> {
    // Missing values render empty, as Novu's helpers answer `undefined` for them.
    handlebars::handlebars_helper!(uppercase: |value: Json| value.as_str().map(str::to_uppercase).unwrap_or_default());
    handlebars::handlebars_helper!(lowercase: |value: Json| value.as_str().map(str::to_lowercase).unwrap_or_default());
    handlebars::handlebars_helper!(titlecase: |value: Json| value.as_str().map(title_case).unwrap_or_default());
    // One registry for every render: building one registers Handlebars' built-in helpers,
    // which costs more than rendering a short template.
    static REGISTRY: std::sync::LazyLock<Handlebars<'static>> = std::sync::LazyLock::new(|| {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(false);
        // A few of the helpers Novu registers for its templates.
        registry.register_helper("uppercase", Box::new(uppercase));
        registry.register_helper("lowercase", Box::new(lowercase));
        registry.register_helper("titlecase", Box::new(titlecase));
        registry.register_helper(LENGTH_HELPER, Box::new(length_of));
        registry
    });
    REGISTRY
        .render_template(&with_lengths(template), context)
        .map_err(|error| error.to_string())
}

/// The helper a `.length` path is rewritten to.
const LENGTH_HELPER: &str = "novu_length_of";

// JavaScript's `length` of an array (its items) or a string (its UTF-16 units); nothing else
// has one.
handlebars::handlebars_helper!(length_of: |value: Json| match value {
    Value::Array(items) => json!(items.len()),
    Value::String(text) => json!(text.encode_utf16().count()),
    _ => Value::Null,
});

/// Rewrites each mustache that is a path ending in `.length` (`{{step.events.length}}`) into a
/// call of [`LENGTH_HELPER`]: Handlebars.js reads an array's `length` as JavaScript does, while
/// this Handlebars refuses a string index on an array.
fn with_lengths(template: &str) -> std::borrow::Cow<'_, str> {
    if !template.contains(".length") {
        return std::borrow::Cow::Borrowed(template);
    }
    let mut rewritten = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let (before, from_open) = rest.split_at(open);
        rewritten.push_str(before);
        let braces = if from_open.starts_with("{{{") { 3 } else { 2 };
        let Some(close) = from_open[braces..].find("}}") else {
            rest = from_open;
            break;
        };
        let inner = &from_open[braces..braces + close];
        let path = inner.trim().strip_suffix(".length").filter(|path| {
            !path.is_empty()
                && path
                    .chars()
                    .all(|character| character.is_alphanumeric() || "_.@$[]".contains(character))
        });
        rewritten.push_str(&from_open[..braces]);
        match path {
            Some(path) => rewritten.push_str(&format!("{LENGTH_HELPER} {path}")),
            None => rewritten.push_str(inner),
        }
        rest = &from_open[braces + close..];
    }
    rewritten.push_str(rest);
    std::borrow::Cow::Owned(rewritten)
}

/// Novu's `titlecase`: each space-separated word capitalized, the rest lowercased.
fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut characters = word.chars();
            match characters.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(characters.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::render;

    #[test]
    fn a_length_path_reads_as_javascript_reads_it() {
        let context = json!({ "step": { "events": [1, 2, 3] }, "name": "Ada" });
        let rendered = render(
            "{{step.events.length}} {{{ name.length }}} {{missing.length}}{{name}}",
            &context,
        );
        assert_eq!(rendered.as_deref(), Ok("3 3 Ada"));
    }
}
