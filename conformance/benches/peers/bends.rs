//! The bends of the fault table: each bends one behaviour of the reference through the test
//! proxy (`tests/it/proxy.rs`) on a few operations, which both tools are then limited to.
//!
//! `tests/it/peers.rs` includes this file too and asserts that the suite finds every bend, so
//! the table's "found by ours" column is also checked by `cargo test`.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

use crate::proxy::{Answer, Breakage, Outgoing};

/// One bend: a name for the table, what it breaks, the operations it concerns (both tools run
/// on these alone) and the breakage itself.
pub struct Bend {
    /// A short name, kebab-case.
    pub name: &'static str,
    /// What the bent server does, in one line.
    pub description: &'static str,
    /// The `operationId`s the bend concerns.
    pub operations: &'static [&'static str],
    /// Makes the breakage (a fresh one for every run: some remember what they saw).
    pub breakage: fn() -> Breakage,
}

/// Every bend, in the order of the table.
pub const BENDS: &[Bend] = &[
    Bend {
        name: "drop-required-field",
        description: "GET /v1/environments/me answers without the required data._id",
        operations: &["environments_retrieve_current"],
        breakage: drop_required_field,
    },
    Bend {
        name: "wrong-field-type",
        description: "GET /v1/topics answers page as a string",
        operations: &["topics_list"],
        breakage: wrong_field_type,
    },
    Bend {
        name: "undocumented-status",
        description: "GET /v1/feeds answers 203 instead of 200",
        operations: &["feeds_list"],
        breakage: undocumented_status,
    },
    Bend {
        name: "read-refused-401",
        description: "GET /v1/subscribers answers the documented 401 to a valid key",
        operations: &["subscribers_list"],
        breakage: read_refused,
    },
    Bend {
        name: "server-error",
        description: "POST /v1/tenants answers 500 with the error body",
        operations: &["tenants_create"],
        breakage: server_error,
    },
    Bend {
        name: "invalid-body-accepted",
        description: "POST /v1/topics turns every invalid body into a valid one (201)",
        operations: &["topics_create"],
        breakage: invalid_body_accepted,
    },
    Bend {
        name: "valid-body-refused",
        description: "POST /v1/notification-groups answers 400 to every body",
        operations: &["workflow_groups_create"],
        breakage: valid_body_refused,
    },
    Bend {
        name: "wrong-content-type",
        description: "GET /v1/environments answers its JSON as text/plain",
        operations: &["environments_list"],
        breakage: wrong_content_type,
    },
    Bend {
        name: "garbage-body",
        description: "GET /v1/organizations/me answers truncated JSON as application/json",
        operations: &["organizations_retrieve_current"],
        breakage: garbage_body,
    },
    Bend {
        name: "delete-ignored",
        description: "DELETE /v1/tenants/{identifier} answers 204 and deletes nothing",
        operations: &[
            "tenants_create",
            "tenants_list",
            "tenants_get",
            "tenants_update",
            "tenants_delete",
        ],
        breakage: delete_ignored,
    },
    Bend {
        name: "missing-key-accepted",
        description: "GET /v1/workflows without a key is let in",
        operations: &["workflows_list"],
        breakage: missing_key_accepted,
    },
    Bend {
        name: "wrong-key-accepted",
        description: "GET /v1/tenants with a wrong key is let in",
        operations: &["tenants_list"],
        breakage: wrong_key_accepted,
    },
    Bend {
        name: "deleted-still-readable",
        description: "GET /v1/notification-groups/{id} answers 200 after the group was deleted",
        operations: &[
            "workflow_groups_create",
            "workflow_groups_list",
            "workflow_groups_retrieve",
            "workflow_groups_delete",
        ],
        breakage: deleted_still_readable,
    },
    Bend {
        name: "bad-header-value",
        description: "GET /v1/layouts sends RateLimit-Remaining: plenty",
        operations: &["layouts_list"],
        breakage: bad_header_value,
    },
    Bend {
        name: "idempotency-key-ignored",
        description: "POST /v1/topics echoes Idempotency-Key but runs every repeat again",
        operations: &["topics_create"],
        breakage: idempotency_key_ignored,
    },
];

/// The error body every 4xx and 5xx answer of the contract carries.
fn error_body(status: u16, path: &str, message: &str) -> Value {
    json!({
        "statusCode": status,
        "timestamp": "2026-12-05T00:00:00.000Z",
        "path": path,
        "message": message,
    })
}

fn answer_with(answer: &mut Answer, status: u16, body: &Value) {
    answer.status = status;
    answer.headers = vec![("content-type".into(), "application/json".into())];
    answer.set_json(body);
}

fn drop_required_field() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/environments/me") || answer.status != 200 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let removed = body["data"]
            .as_object_mut()
            .and_then(|data| data.remove("_id"));
        answer.set_json(&body);
        removed.is_some()
    })
}

fn wrong_field_type() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/topics") || answer.status != 200 {
            return false;
        }
        let Some(mut body) = answer.json() else {
            return false;
        };
        let Some(page) = body["page"].as_i64() else {
            return false;
        };
        body["page"] = json!(page.to_string());
        answer.set_json(&body);
        true
    })
}

fn undocumented_status() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/feeds") || answer.status != 200 {
            return false;
        }
        answer.status = 203;
        true
    })
}

fn read_refused() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/subscribers") || answer.status != 200 {
            return false;
        }
        answer_with(
            answer,
            401,
            &error_body(401, &outgoing.path, "API Key not found"),
        );
        true
    })
}

fn server_error() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("POST", "/v1/tenants") {
            return false;
        }
        answer_with(
            answer,
            500,
            &error_body(500, &outgoing.path, "Internal server error"),
        );
        true
    })
}

fn invalid_body_accepted() -> Breakage {
    let repaired = AtomicU32::new(0);
    Breakage::request(move |outgoing: &mut Outgoing| {
        if !outgoing.is("POST", "/v1/topics") {
            return false;
        }
        let valid = outgoing.json().is_some_and(|body| {
            body["key"].as_str().is_some_and(|key| !key.is_empty())
                && body["name"].as_str().is_some_and(|name| !name.is_empty())
        });
        if valid {
            return false;
        }
        let number = repaired.fetch_add(1, Ordering::SeqCst);
        outgoing.set_json(&json!({"key": format!("repaired-{number}"), "name": "repaired"}));
        outgoing.set_header("content-type", "application/json");
        true
    })
}

fn valid_body_refused() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("POST", "/v1/notification-groups") || !(200..300).contains(&answer.status) {
            return false;
        }
        answer_with(
            answer,
            400,
            &error_body(400, &outgoing.path, "name is not allowed"),
        );
        true
    })
}

fn wrong_content_type() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/environments") || answer.status != 200 {
            return false;
        }
        answer.set_header("content-type", Some("text/plain"));
        true
    })
}

fn garbage_body() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/organizations/me") || answer.status != 200 {
            return false;
        }
        let cut = answer.body.len() / 2;
        answer.body.truncate(cut);
        true
    })
}

fn delete_ignored() -> Breakage {
    // The delete reaches the reference as a read of the same tenant, so nothing is deleted;
    // where the read finds the tenant, the answer is the delete's documented 204 (counted as
    // the bend, the rewritten request alone changes nothing a client sees).
    Breakage::both(
        |outgoing: &mut Outgoing| {
            if !outgoing.is("DELETE", "/v1/tenants/{identifier}") {
                return false;
            }
            outgoing.method = "GET".to_owned();
            // The answer sees the request as the reference saw it: this marks a delete.
            outgoing.set_header("x-peers-delete", "1");
            false
        },
        |outgoing: &Outgoing, answer: &mut Answer| {
            if !outgoing.is("GET", "/v1/tenants/{identifier}")
                || answer.status != 200
                || outgoing.header("x-peers-delete").is_none()
            {
                return false;
            }
            answer.status = 204;
            answer.body.clear();
            answer.headers.retain(|(name, _)| name != "content-type");
            true
        },
    )
}

fn missing_key_accepted() -> Breakage {
    Breakage::request(|outgoing: &mut Outgoing| {
        if !outgoing.is("GET", "/v1/workflows") || outgoing.header("authorization").is_some() {
            return false;
        }
        let key = format!("ApiKey {}", outgoing.reference_key);
        outgoing.set_header("authorization", &key);
        true
    })
}

fn wrong_key_accepted() -> Breakage {
    Breakage::request(|outgoing: &mut Outgoing| {
        let key = format!("ApiKey {}", outgoing.reference_key);
        if !outgoing.is("GET", "/v1/tenants")
            || outgoing
                .header("authorization")
                .is_none_or(|given| given == key)
        {
            return false;
        }
        outgoing.set_header("authorization", &key);
        true
    })
}

fn deleted_still_readable() -> Breakage {
    // The ids of the groups deleted through the proxy; a read of one of them that the
    // reference answers 404 is turned into a 200 with a plausible group.
    let deleted: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    Breakage::answer(move |outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.path.starts_with("/v1/notification-groups/") {
            return false;
        }
        let id = outgoing
            .path
            .trim_start_matches("/v1/notification-groups/")
            .to_owned();
        let mut deleted = deleted.lock().expect("the set of deleted groups");
        if outgoing.method == "DELETE" && (200..300).contains(&answer.status) {
            deleted.insert(id);
            return false;
        }
        if outgoing.method != "GET" || answer.status != 404 || !deleted.contains(&id) {
            return false;
        }
        let group = json!({"data": {
            "_id": id,
            "name": "still here",
            "_environmentId": "6b1355a6027dc8c70889d594",
            "_organizationId": "6b1355a6f34873ad3e26e034",
        }});
        answer_with(answer, 200, &group);
        true
    })
}

fn bad_header_value() -> Breakage {
    Breakage::answer(|outgoing: &Outgoing, answer: &mut Answer| {
        if !outgoing.is("GET", "/v1/layouts") || answer.status != 200 {
            return false;
        }
        answer.set_header("ratelimit-remaining", Some("plenty"));
        true
    })
}

fn idempotency_key_ignored() -> Breakage {
    // The key is taken off the request, so the reference runs it as a new one, and put back
    // on the answer as the echo of a server that claims to keep keys.
    Breakage::both(
        |outgoing: &mut Outgoing| {
            let Some(key) = outgoing.header("idempotency-key").map(str::to_owned) else {
                return false;
            };
            if !outgoing.is("POST", "/v1/topics") {
                return false;
            }
            outgoing
                .headers
                .retain(|(name, _)| name != "idempotency-key");
            outgoing.set_header("x-peers-idempotency-key", &key);
            true
        },
        |outgoing: &Outgoing, answer: &mut Answer| {
            let Some(key) = outgoing.header("x-peers-idempotency-key") else {
                return false;
            };
            answer.set_header("idempotency-key", Some(key));
            false
        },
    )
}
