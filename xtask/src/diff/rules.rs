//! The catalogue of changes `cargo xtask diff` reports. Every rule has a stable id, a fixed
//! level and a one-line doc (`cargo xtask diff --rules`), and a fixture pair under
//! `xtask/tests/diff/<id>/` that shows it firing.
//!
//! Levels follow the direction of the data: what a client sends (parameters, request bodies)
//! may accept more and must not accept less; what a client receives (responses) may promise
//! more and must not promise less. What breaks every client that uses the changed thing is an
//! error; what breaks only clients that rely on something the contract never promised (an
//! exhaustive match on a response enum, a check for exactly `200`) is a warning.

use std::fmt;

/// How much a change can hurt: the order is the report's, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Breaks a client or an implementation written against the older document: a request it
    /// sends is refused, or a response it receives no longer matches what it was written for.
    Error,
    /// May break some clients: those that rely on something the contract only implied (every
    /// enum value known, a default applied, a pattern that let their values through).
    Warning,
    /// Every client written against the older document keeps working.
    Info,
}

impl Level {
    /// Every level, most serious first.
    pub const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }

    /// Whether this level is `threshold` or more serious.
    pub fn reaches(self, threshold: Level) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident $id:literal $level:ident $doc:literal,)*) => {
        /// One kind of change between two documents.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(#[doc = $doc] $variant,)*
        }

        impl Rule {
            /// Every rule, in the order `--rules` lists them.
            pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

            /// The stable id: reports, fixtures, ignore files and CI filters use it.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            pub fn level(self) -> Level {
                match self {
                    $(Rule::$variant => Level::$level,)*
                }
            }

            /// What the rule reports, in one line.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Rule::$variant => $doc,)*
                }
            }

            /// The rule with this id.
            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|rule| rule.id() == id)
            }
        }
    };
}

rules! {
    OperationRemoved "operation-removed" Error
        "An operation (method and path template) is gone; removing a whole path removes each of its operations.",
    OperationAdded "operation-added" Info
        "A new operation (method and path template).",
    OperationDeprecated "operation-deprecated" Info
        "An operation is now marked `deprecated`.",

    ParameterRequiredAdded "parameter-required-added" Error
        "A new required parameter: existing calls lack it.",
    ParameterOptionalAdded "parameter-optional-added" Info
        "A new optional parameter.",
    ParameterRemoved "parameter-removed" Warning
        "A query, header or cookie parameter is no longer declared: calls that send it are not refused, but what it did (a filter, a page size) may be gone.",
    ParameterBecameRequired "parameter-became-required" Error
        "An optional parameter is now required.",
    ParameterBecameOptional "parameter-became-optional" Info
        "A required parameter is now optional.",
    ParameterLocationChanged "parameter-location-changed" Error
        "A parameter moved between query, header, path and cookie.",
    ParameterStyleChanged "parameter-style-changed" Error
        "The serialization (`style`, `explode`) of an array, object or path parameter changed.",

    RequestBodyRequiredAdded "request-body-required-added" Error
        "An operation that took no body now requires one.",
    RequestBodyOptionalAdded "request-body-optional-added" Info
        "An operation that took no body now accepts an optional one.",
    RequestBodyRemoved "request-body-removed" Warning
        "An operation no longer declares a request body: the body clients send is ignored or refused.",
    RequestBodyBecameRequired "request-body-became-required" Error
        "An optional request body is now required.",
    RequestBodyBecameOptional "request-body-became-optional" Info
        "A required request body is now optional.",
    RequestContentTypeRemoved "request-content-type-removed" Error
        "A request content type is no longer accepted.",
    RequestContentTypeAdded "request-content-type-added" Info
        "A further request content type is accepted.",
    RequestContentTypeChanged "request-content-type-changed" Error
        "The only request content type was replaced by another.",

    RequestFieldRequiredAdded "request-field-required-added" Error
        "A new required field in a request body or object parameter.",
    RequestFieldOptionalAdded "request-field-optional-added" Info
        "A new optional field in a request body or object parameter.",
    RequestFieldRemoved "request-field-removed" Warning
        "A request field is no longer declared: clients that send it are ignored (or refused where extra fields are).",
    RequestFieldBecameRequired "request-field-became-required" Error
        "An optional request field is now required.",
    RequestFieldBecameOptional "request-field-became-optional" Info
        "A required request field is now optional.",
    RequestTypeChanged "request-type-changed" Error
        "A request value's type or format changed to one that refuses values it accepted.",
    RequestTypeWidened "request-type-widened" Info
        "A request value's type widened (`integer` to `number`, or any type).",
    RequestEnumValueRemoved "request-enum-value-removed" Error
        "A request enum no longer accepts a value (or an enum now limits a free value).",
    RequestEnumValueAdded "request-enum-value-added" Info
        "A request enum accepts a further value (or no longer limits the value).",
    RequestBoundsTightened "request-bounds-tightened" Error
        "A request constraint tightened: `maxLength`, `maximum`, `maxItems` lowered; `minLength`, `minimum`, `minItems` raised; `format`, `multipleOf` or `uniqueItems` added.",
    RequestBoundsLoosened "request-bounds-loosened" Info
        "A request constraint loosened: the mirror of `request-bounds-tightened`, or a `pattern` removed.",
    RequestPatternTightened "request-pattern-tightened" Warning
        "A request string must now match a `pattern` it did not have, or a different one: some values clients send may no longer match.",
    RequestAdditionalPropertiesTightened "request-additional-properties-tightened" Warning
        "A request object no longer accepts fields it does not list (`additionalProperties: false`), or only ones matching a schema: clients that send extra fields are refused.",
    RequestAdditionalPropertiesLoosened "request-additional-properties-loosened" Info
        "A request object now accepts fields it does not list, or any such field.",
    RequestNullableRemoved "request-nullable-removed" Error
        "A request value no longer accepts `null`.",
    RequestNullableAdded "request-nullable-added" Info
        "A request value now accepts `null`.",
    RequestVariantRemoved "request-variant-removed" Error
        "A `oneOf`/`anyOf` alternative of a request value is gone.",
    RequestVariantAdded "request-variant-added" Info
        "A request value accepts a further `oneOf`/`anyOf` alternative.",

    SuccessStatusRemoved "success-status-removed" Error
        "A documented 2xx status is gone.",
    SuccessStatusAdded "success-status-added" Warning
        "A further 2xx status is documented: clients that expect exactly the old ones may not handle it.",
    SuccessStatusChanged "success-status-changed" Error
        "The only documented 2xx status was replaced by another (`200` to `201`).",
    ErrorStatusAdded "error-status-added" Info
        "A further non-2xx status (or `default`) is documented.",
    ErrorStatusRemoved "error-status-removed" Info
        "A documented non-2xx status (or `default`) is no longer listed.",
    ResponseContentTypeRemoved "response-content-type-removed" Error
        "A response no longer offers a content type (or its body is gone).",
    ResponseContentTypeAdded "response-content-type-added" Info
        "A response offers a further content type (or a body where it had none).",
    ResponseContentTypeChanged "response-content-type-changed" Error
        "The only content type of a response was replaced by another.",

    ResponseFieldRemoved "response-field-removed" Error
        "A response field is gone.",
    ResponseFieldBecameOptional "response-field-became-optional" Error
        "A required response field is now optional: clients may not find it.",
    ResponseFieldAdded "response-field-added" Info
        "A new response field.",
    ResponseFieldBecameRequired "response-field-became-required" Info
        "An optional response field is now always present.",
    ResponseTypeChanged "response-type-changed" Error
        "A response value's type or format changed to one that sends values clients did not expect.",
    ResponseTypeNarrowed "response-type-narrowed" Info
        "A response value's type narrowed (`number` to `integer`, or any type to one).",
    ResponseEnumValueAdded "response-enum-value-added" Warning
        "A response enum has a further value that clients with an exhaustive match may not handle (or no longer limits the value).",
    ResponseEnumValueRemoved "response-enum-value-removed" Info
        "A response enum no longer sends a value (or an enum now limits a free value).",
    ResponseBoundsLoosened "response-bounds-loosened" Warning
        "A response constraint loosened: the server may send longer, larger or unlisted values than strict clients accept.",
    ResponseBoundsTightened "response-bounds-tightened" Info
        "A response constraint tightened: the mirror of `response-bounds-loosened`.",
    ResponseAdditionalPropertiesLoosened "response-additional-properties-loosened" Warning
        "A response object may now carry fields it does not list: clients that decode strictly refuse them.",
    ResponseAdditionalPropertiesTightened "response-additional-properties-tightened" Info
        "A response object no longer carries fields it does not list.",
    ResponseNullableAdded "response-nullable-added" Error
        "A response value may now be `null`.",
    ResponseNullableRemoved "response-nullable-removed" Info
        "A response value is no longer `null`.",
    ResponseVariantAdded "response-variant-added" Warning
        "A response value has a further `oneOf`/`anyOf` alternative that clients which decode every alternative may not know.",
    ResponseVariantRemoved "response-variant-removed" Info
        "A `oneOf`/`anyOf` alternative of a response value is gone.",

    SecurityAdded "security-added" Error
        "An operation that could be called without credentials now requires them.",
    SecurityRemoved "security-removed" Info
        "An operation that required credentials can now be called without.",
    SecurityAlternativeRemoved "security-alternative-removed" Error
        "A way to authenticate an operation (a security requirement, its schemes and scopes) is no longer accepted.",
    SecurityAlternativeAdded "security-alternative-added" Info
        "A further way to authenticate an operation is accepted.",

    OperationRemovedAfterDeprecation "operation-removed-after-deprecation" Warning
        "A deprecated operation is gone after its notice: deprecated since (`x-deprecated-since`) at least `--deprecation-days`, or past its `x-sunset` date.",
    OperationRemovedBeforeSunset "operation-removed-before-sunset" Error
        "A deprecated operation is gone before its notice ran out (or with no `x-deprecated-since`/`x-sunset` date to measure it).",
    ResponseFieldRemovedAfterDeprecation "response-field-removed-after-deprecation" Warning
        "A deprecated response field is gone after its notice (`x-deprecated-since` at least `--deprecation-days` ago, or past `x-sunset`).",
    ResponseFieldRemovedBeforeSunset "response-field-removed-before-sunset" Error
        "A deprecated response field is gone before its notice ran out (or with no date to measure it).",

    ResponseHeaderAdded "response-header-added" Info
        "A response documents a further header.",
    ResponseHeaderRemoved "response-header-removed" Error
        "A required response header is gone: clients that read it find nothing.",
    ResponseOptionalHeaderRemoved "response-optional-header-removed" Warning
        "An optional response header is no longer documented: clients that use it when present lose it.",
    ResponseHeaderBecameOptional "response-header-became-optional" Error
        "A required response header is now optional: clients may not find it.",
    ResponseHeaderBecameRequired "response-header-became-required" Info
        "An optional response header is now always sent.",

    PropertyBecameReadOnly "property-became-read-only" Warning
        "A request field is now `readOnly`: what clients send in it is ignored.",
    PropertyBecameWriteOnly "property-became-write-only" Error
        "A field is now `writeOnly`: responses no longer carry it.",
    PropertyNoLongerReadOnly "property-no-longer-read-only" Info
        "A `readOnly` field may now be sent in requests.",
    PropertyNoLongerWriteOnly "property-no-longer-write-only" Info
        "A `writeOnly` field now appears in responses.",

    DefaultAdded "default-added" Info
        "A value that had no `default` now has one.",
    DefaultChanged "default-changed" Warning
        "A `default` changed: clients that leave the value out (or rely on the documented default in responses) get another behaviour.",
    DefaultRemoved "default-removed" Warning
        "A `default` is gone: what a client that leaves the value out gets is no longer promised.",

    DiscriminatorPropertyChanged "discriminator-property-changed" Error
        "The `discriminator` of a `oneOf`/`anyOf` names another property, or was added or removed: clients pick the alternative by another field.",
    DiscriminatorMappingChanged "discriminator-mapping-changed" Error
        "A `discriminator` value maps to another schema, or is no longer mapped.",
    DiscriminatorMappingAdded "discriminator-mapping-added" Info
        "A `discriminator` maps a further value.",

    SecuritySchemeRemoved "security-scheme-removed" Error
        "A security scheme of `components.securitySchemes` is gone.",
    SecuritySchemeChanged "security-scheme-changed" Error
        "A security scheme changed how credentials are sent (`type`, `in`, `name`, `scheme`, flows or URLs).",
    SecuritySchemeAdded "security-scheme-added" Info
        "A further security scheme is defined.",
    SecurityScopeAdded "security-scope-added" Error
        "A way to authenticate an operation now needs a further OAuth scope: existing tokens lack it.",
    SecurityScopeRemoved "security-scope-removed" Info
        "A way to authenticate an operation needs fewer OAuth scopes.",

    ServerRemoved "server-removed" Warning
        "A server URL is no longer listed: clients configured with it must move (clients that set their own base URL do not care).",
    ServerAdded "server-added" Info
        "A further server URL is listed.",

    ExampleInvalid "example-invalid" Warning
        "An example of the newer document does not validate against its schema (and did not fail there before): the documentation now shows what the API refuses or never sends.",
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
