//! Rust names for wire names, chosen the way typify and progenitor choose them so that the
//! server stubs name the same types the types crate defines.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;
use quote::format_ident;

/// `subscribers_create` → `SubscribersCreate`; component names pass through unchanged when
/// they already are PascalCase.
pub fn type_name(wire: &str) -> String {
    wire.to_upper_camel_case()
}

/// `subscriberId` → `subscriber_id`.
pub fn field_name(wire: &str) -> String {
    wire.to_snake_case()
}

/// An identifier for `name`, raw (`r#type`) when it is a Rust keyword.
pub fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        format_ident!("{}", name)
    } else {
        Ident::new_raw(name, proc_macro2::Span::call_site())
    }
}

/// The response-enum variant for an HTTP status: `201` → `Created`, `404` → `NotFound`.
pub fn status_variant(status: u16) -> String {
    match status {
        200 => "Ok".into(),
        _ => match http_reason(status) {
            Some(reason) => reason.to_upper_camel_case(),
            None => format!("Status{status}"),
        },
    }
}

/// The reason phrase of the statuses a Novu server answers with.
pub fn http_reason(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_wire() {
        assert_eq!(type_name("subscribers_create"), "SubscribersCreate");
        assert_eq!(type_name("SubscriberEnvelope"), "SubscriberEnvelope");
        assert_eq!(field_name("subscriberId"), "subscriber_id");
        assert_eq!(field_name("_environmentId"), "environment_id");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(status_variant(201), "Created");
        assert_eq!(status_variant(422), "UnprocessableEntity");
        assert_eq!(status_variant(299), "Status299");
    }
}
