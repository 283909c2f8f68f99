//! The catalogue of changes `cargo xtask diff` reports. Every rule has a stable id, a fixed
//! severity and a one-line doc (`cargo xtask diff --rules`), and a fixture pair under
//! `xtask/tests/diff/<id>/` that shows it firing.
//!
//! Severity follows the direction of the data: what a client sends (parameters, request bodies)
//! may accept more and must not accept less; what a client receives (responses) may promise
//! more and must not promise less.

use std::fmt;

/// Whether existing clients keep working after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Some existing client can fail: a request it sends is refused, or a response it receives
    /// no longer matches what it was written against.
    Breaking,
    /// Every existing client keeps working.
    Compatible,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Compatible => "compatible",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident $id:literal $severity:ident $doc:literal,)*) => {
        /// One kind of change between two documents.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(#[doc = $doc] $variant,)*
        }

        impl Rule {
            /// Every rule, in the order `--rules` lists them.
            pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

            /// The stable id: reports, fixtures and CI filters use it.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)*
                }
            }

            /// What the rule reports, in one line.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Rule::$variant => $doc,)*
                }
            }
        }
    };
}

rules! {
    OperationRemoved "operation-removed" Breaking
        "An operation (method and path template) is gone; removing a whole path removes each of its operations.",
    OperationAdded "operation-added" Compatible
        "A new operation (method and path template).",
    OperationDeprecated "operation-deprecated" Compatible
        "An operation is now marked `deprecated`.",

    ParameterRequiredAdded "parameter-required-added" Breaking
        "A new required parameter: existing calls lack it.",
    ParameterOptionalAdded "parameter-optional-added" Compatible
        "A new optional parameter.",
    ParameterRemoved "parameter-removed" Compatible
        "A query, header or cookie parameter is no longer declared; clients that still send it are not refused.",
    ParameterBecameRequired "parameter-became-required" Breaking
        "An optional parameter is now required.",
    ParameterBecameOptional "parameter-became-optional" Compatible
        "A required parameter is now optional.",
    ParameterLocationChanged "parameter-location-changed" Breaking
        "A parameter moved between query, header, path and cookie.",
    ParameterStyleChanged "parameter-style-changed" Breaking
        "The serialization (`style`, `explode`) of an array, object or path parameter changed.",

    RequestBodyRequiredAdded "request-body-required-added" Breaking
        "An operation that took no body now requires one.",
    RequestBodyOptionalAdded "request-body-optional-added" Compatible
        "An operation that took no body now accepts an optional one.",
    RequestBodyRemoved "request-body-removed" Compatible
        "An operation no longer declares a request body.",
    RequestBodyBecameRequired "request-body-became-required" Breaking
        "An optional request body is now required.",
    RequestBodyBecameOptional "request-body-became-optional" Compatible
        "A required request body is now optional.",
    RequestContentTypeRemoved "request-content-type-removed" Breaking
        "A request content type is no longer accepted.",
    RequestContentTypeAdded "request-content-type-added" Compatible
        "A further request content type is accepted.",
    RequestContentTypeChanged "request-content-type-changed" Breaking
        "The only request content type was replaced by another.",

    RequestFieldRequiredAdded "request-field-required-added" Breaking
        "A new required field in a request body or object parameter.",
    RequestFieldOptionalAdded "request-field-optional-added" Compatible
        "A new optional field in a request body or object parameter.",
    RequestFieldRemoved "request-field-removed" Compatible
        "A request field is no longer declared.",
    RequestFieldBecameRequired "request-field-became-required" Breaking
        "An optional request field is now required.",
    RequestFieldBecameOptional "request-field-became-optional" Compatible
        "A required request field is now optional.",
    RequestTypeChanged "request-type-changed" Breaking
        "A request value's type or format changed to one that refuses values it accepted.",
    RequestTypeWidened "request-type-widened" Compatible
        "A request value's type widened (`integer` to `number`, or any type).",
    RequestEnumValueRemoved "request-enum-value-removed" Breaking
        "A request enum no longer accepts a value (or an enum now limits a free value).",
    RequestEnumValueAdded "request-enum-value-added" Compatible
        "A request enum accepts a further value (or no longer limits the value).",
    RequestBoundsTightened "request-bounds-tightened" Breaking
        "A request constraint tightened: `maxLength`, `maximum`, `maxItems` lowered; `minLength`, `minimum`, `minItems` raised; `pattern`, `format`, `multipleOf`, `uniqueItems` or `additionalProperties: false` added.",
    RequestBoundsLoosened "request-bounds-loosened" Compatible
        "A request constraint loosened: the mirror of `request-bounds-tightened`.",
    RequestNullableRemoved "request-nullable-removed" Breaking
        "A request value no longer accepts `null`.",
    RequestNullableAdded "request-nullable-added" Compatible
        "A request value now accepts `null`.",
    RequestVariantRemoved "request-variant-removed" Breaking
        "A `oneOf`/`anyOf` alternative of a request value is gone.",
    RequestVariantAdded "request-variant-added" Compatible
        "A request value accepts a further `oneOf`/`anyOf` alternative.",

    SuccessStatusRemoved "success-status-removed" Breaking
        "A documented 2xx status is gone.",
    SuccessStatusAdded "success-status-added" Compatible
        "A further 2xx status is documented.",
    SuccessStatusChanged "success-status-changed" Breaking
        "The only documented 2xx status was replaced by another (`200` to `201`).",
    ErrorStatusAdded "error-status-added" Compatible
        "A further non-2xx status (or `default`) is documented.",
    ErrorStatusRemoved "error-status-removed" Compatible
        "A documented non-2xx status (or `default`) is no longer listed.",
    ResponseContentTypeRemoved "response-content-type-removed" Breaking
        "A response no longer offers a content type (or its body is gone).",
    ResponseContentTypeAdded "response-content-type-added" Compatible
        "A response offers a further content type (or a body where it had none).",
    ResponseContentTypeChanged "response-content-type-changed" Breaking
        "The only content type of a response was replaced by another.",

    ResponseFieldRemoved "response-field-removed" Breaking
        "A response field is gone.",
    ResponseFieldBecameOptional "response-field-became-optional" Breaking
        "A required response field is now optional: clients may not find it.",
    ResponseFieldAdded "response-field-added" Compatible
        "A new response field.",
    ResponseFieldBecameRequired "response-field-became-required" Compatible
        "An optional response field is now always present.",
    ResponseTypeChanged "response-type-changed" Breaking
        "A response value's type or format changed to one that sends values clients did not expect.",
    ResponseTypeNarrowed "response-type-narrowed" Compatible
        "A response value's type narrowed (`number` to `integer`, or any type to one).",
    ResponseEnumValueAdded "response-enum-value-added" Breaking
        "A response enum has a further value that clients may not handle (or no longer limits the value).",
    ResponseEnumValueRemoved "response-enum-value-removed" Compatible
        "A response enum no longer sends a value (or an enum now limits a free value).",
    ResponseBoundsLoosened "response-bounds-loosened" Breaking
        "A response constraint loosened: the server may send longer, larger or unlisted values.",
    ResponseBoundsTightened "response-bounds-tightened" Compatible
        "A response constraint tightened: the mirror of `response-bounds-loosened`.",
    ResponseNullableAdded "response-nullable-added" Breaking
        "A response value may now be `null`.",
    ResponseNullableRemoved "response-nullable-removed" Compatible
        "A response value is no longer `null`.",
    ResponseVariantAdded "response-variant-added" Breaking
        "A response value has a further `oneOf`/`anyOf` alternative.",
    ResponseVariantRemoved "response-variant-removed" Compatible
        "A `oneOf`/`anyOf` alternative of a response value is gone.",

    SecurityAdded "security-added" Breaking
        "An operation that could be called without credentials now requires them.",
    SecurityRemoved "security-removed" Compatible
        "An operation that required credentials can now be called without.",
    SecurityAlternativeRemoved "security-alternative-removed" Breaking
        "A way to authenticate an operation (a security requirement, its schemes and scopes) is no longer accepted.",
    SecurityAlternativeAdded "security-alternative-added" Compatible
        "A further way to authenticate an operation is accepted.",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in Rule::ALL {
            assert!(seen.insert(rule.id()), "{} twice", rule.id());
            assert!(
                rule.id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.id()
            );
            assert!(!rule.doc().contains('\n'), "{}", rule.id());
        }
    }
}
