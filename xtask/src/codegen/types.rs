//! The type space: progenitor (with typify inside) generates the client, and its `types`
//! module is lifted into a crate of its own so that the client and the server share one copy of
//! every schema's type.

use std::panic::{AssertUnwindSafe, catch_unwind};

use std::collections::BTreeSet;

use anyhow::{Result, anyhow, bail};
use openapiv3::{ReferenceOr, SchemaKind, Type};
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle};
use quote::quote;

/// Progenitor's output, split: the `types` module's items and the client's items.
pub struct Split {
    pub types: Vec<syn::Item>,
    pub client: Vec<syn::Item>,
}

/// Runs progenitor over `document`. Progenitor panics on some shapes it does not support
/// (operations whose error responses have different bodies, among others): the panic is
/// caught and reported as an error naming the problem.
pub fn generate(document: &openapiv3::OpenAPI) -> Result<Split> {
    let mut settings = GenerationSettings::default();
    settings
        // Builders: a new optional parameter adds a setter, not an argument every caller must
        // pass. The client's retry and idempotency options ride in progenitor's inner value,
        // and the client module implements the hooks that read them (see `client.rs`).
        .with_interface(InterfaceStyle::Builder)
        .with_inner_type(quote!(ClientOptions))
        .with_hooks(HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    // Types are read from one object where `anyOf` members are all objects, nulls kept apart
    // in those objects too.
    let document = &super::alternatives::merged(document);
    let (renamed_document, renamed) = with_rust_names(document);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(&renamed_document)
    }));
    std::panic::set_hook(previous_hook);
    let tokens = match outcome {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(error)) => bail!("progenitor rejected the document: {error}"),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                .unwrap_or_else(|| "unknown reason".into());
            bail!(
                "progenitor panicked: {reason} (an operation's success responses or its error responses \
                 do not share one body schema; run `cargo xtask lint` to find it)"
            );
        }
    };
    let file: syn::File = syn::parse2(tokens)
        .map_err(|error| anyhow!("progenitor produced unparsable code: {error}"))?;
    let mut types = None;
    let mut client = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                let (_, items) = module
                    .content
                    .ok_or_else(|| anyhow!("progenitor's `types` module is empty"))?;
                types = Some(items);
            }
            other => client.push(other),
        }
    }
    let mut types = types.ok_or_else(|| anyhow!("progenitor produced no `types` module"))?;
    keep_null_apart(&mut types, document);
    restore_wire_names(&mut types, &renamed);
    Ok(Split { types, client })
}

/// The extension naming a property's Rust field, for a property whose wire name would give
/// the same field name as another's (`_id` and `id` both give `id`).
pub const RUST_NAME: &str = "x-rust-name";

/// A property given its Rust name: (Rust type name, Rust field name, wire name).
type Renamed = BTreeSet<(String, String, String)>;

/// `document` with every property that has an `x-rust-name` named so, and the renamed
/// properties. typify names a field after its property, so it then names it as the spec
/// says; [`restore_wire_names`] puts the wire name back into serde's attributes.
fn with_rust_names(document: &openapiv3::OpenAPI) -> (openapiv3::OpenAPI, Renamed) {
    let mut document = document.clone();
    let mut renamed = Renamed::new();
    let Some(components) = document.components.as_mut() else {
        return (document, renamed);
    };
    for (name, schema) in components.schemas.iter_mut() {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::Object(object)) = &mut schema.schema_kind else {
            continue;
        };
        let rust_name = |schema: &ReferenceOr<Box<openapiv3::Schema>>| match schema {
            ReferenceOr::Item(schema) => schema
                .schema_data
                .extensions
                .get(RUST_NAME)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            ReferenceOr::Reference { .. } => None,
        };
        if !object
            .properties
            .values()
            .any(|schema| rust_name(schema).is_some())
        {
            continue;
        }
        let properties = std::mem::take(&mut object.properties);
        for (wire, schema) in properties {
            let Some(field) = rust_name(&schema) else {
                object.properties.insert(wire, schema);
                continue;
            };
            for required in object
                .required
                .iter_mut()
                .filter(|required| **required == wire)
            {
                required.clone_from(&field);
            }
            renamed.insert((super::naming::type_name(name), field.clone(), wire));
            object.properties.insert(field, schema);
        }
    }
    (document, renamed)
}

/// Gives each field [`with_rust_names`] renamed its wire name back: `#[serde(rename = …)]`.
fn restore_wire_names(types: &mut [syn::Item], renamed: &Renamed) {
    for item in types.iter_mut() {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let type_name = item.ident.to_string();
        for field in item.fields.iter_mut() {
            let Some(ident) = &field.ident else { continue };
            let field_name = ident.to_string();
            let Some((.., wire)) = renamed
                .iter()
                .find(|(owner, name, _)| *owner == type_name && *name == field_name)
            else {
                continue;
            };
            field
                .attrs
                .push(syn::parse_quote!(#[serde(rename = #wire)]));
        }
    }
}

/// Optional properties the spec marks `nullable` in schemas a request body can hold, as (Rust
/// type name, wire name): the API may give `null` a meaning of its own there (clearing a
/// value), unlike leaving them out.
fn nullable_optional_properties(
    document: &openapiv3::OpenAPI,
    in_requests: &BTreeSet<String>,
) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let Some(components) = &document.components else {
        return found;
    };
    for (name, schema) in &components.schemas {
        if !in_requests.contains(name) {
            continue;
        }
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            continue;
        };
        for (property, schema) in &object.properties {
            let nullable =
                matches!(schema, ReferenceOr::Item(schema) if schema.schema_data.nullable);
            if nullable && !object.required.contains(property) {
                found.insert((super::naming::type_name(name), property.clone()));
            }
        }
    }
    found
}

/// The component schemas a request body reaches through `$ref`s, transitively.
fn request_schemas(document: &openapiv3::OpenAPI) -> BTreeSet<String> {
    fn walk(value: &serde_json::Value, schemas: &serde_json::Value, found: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                let target = map
                    .get("$ref")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|reference| reference.strip_prefix("#/components/schemas/"));
                if let Some(name) = target
                    && found.insert(name.to_owned())
                    && let Some(schema) = schemas.get(name)
                {
                    walk(schema, schemas, found);
                }
                map.values().for_each(|value| walk(value, schemas, found));
            }
            serde_json::Value::Array(items) => {
                items.iter().for_each(|value| walk(value, schemas, found));
            }
            _ => {}
        }
    }
    let raw = serde_json::to_value(document).unwrap_or_default();
    let schemas = raw
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let mut found = BTreeSet::new();
    for item in raw["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
    {
        for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
            if let Some(body) = operation.get("requestBody") {
                walk(body, &schemas, &mut found);
            }
        }
    }
    for body in raw
        .pointer("/components/requestBodies")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|bodies| bodies.values())
    {
        walk(body, &schemas, &mut found);
    }
    found
}

/// Makes bodies say what was sent. typify reads `null` and an absent property alike (`None`),
/// and an absent array or map as empty, which it then leaves out when written. An optional
/// array or map becomes `Option<…>` (`None` only when absent), so that an empty one is read
/// and written back as sent; in the schemas a request body reaches, a nullable optional
/// property becomes `Option<Option<T>>` (`Some(None)` for `null`), so that a server can tell
/// "clear it" from "leave it" and a client can send either.
fn keep_null_apart(types: &mut Vec<syn::Item>, document: &openapiv3::OpenAPI) {
    let in_requests = request_schemas(document);
    let nullable = nullable_optional_properties(document, &in_requests);
    // The Rust names of those schemas, as typify names their structs.
    let request_types: BTreeSet<String> = in_requests
        .iter()
        .map(|name| super::naming::type_name(name))
        .collect();
    let mut changed = false;
    // (struct, field) whose type became `Option<…>` of what it was, for typify's builders.
    let mut retyped: Vec<(String, String)> = Vec::new();
    for item in types.iter_mut() {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let type_name = item.ident.to_string();
        let in_request = request_types.contains(&type_name);
        for field in item.fields.iter_mut() {
            let Some(ident) = &field.ident else { continue };
            let wire = serde_rename(&field.attrs)
                .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
            if in_request && nullable.contains(&(type_name.clone(), wire)) {
                let inner = &field.ty;
                field.ty = syn::parse_quote!(::std::option::Option<#inner>);
                field.attrs.push(
                    syn::parse_quote!(#[serde(default, deserialize_with = "nullable::deserialize")]),
                );
                retyped.push((type_name.clone(), ident.to_string()));
                changed = true;
            } else if skips_when_empty(&field.attrs) {
                let inner = &field.ty;
                field.ty = syn::parse_quote!(::std::option::Option<#inner>);
                for attr in field.attrs.iter_mut() {
                    *attr = skip_when_absent(attr);
                }
                retyped.push((type_name.clone(), ident.to_string()));
            }
        }
    }
    retype_builders(types, &retyped);
    if changed {
        types.push(syn::parse2(quote! {
            /// Reading nullable optional properties as `Option<Option<T>>`.
            pub mod nullable {
                /// A present property: `Some(None)` for `null`, `Some(Some(value))` otherwise.
                /// An absent one never reaches here; `#[serde(default)]` makes it `None`.
                pub(super) fn deserialize<'de, D, T>(
                    deserializer: D,
                ) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                    T: ::serde::Deserialize<'de>,
                {
                    <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer)
                        .map(::std::option::Option::Some)
                }
            }
        })
        .expect("the helper module parses"));
    }
}

/// Gives the fields of typify's struct builders (`types::builder::X`) the types
/// [`keep_null_apart`] gave the structs' fields, `Option<…>` of what they were: the builder's
/// field (`Result<T, String>`) and its setter's bound (`T: TryInto<…>`).
fn retype_builders(types: &mut [syn::Item], retyped: &[(String, String)]) {
    if retyped.is_empty() {
        return;
    }
    let Some(items) = types.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "builder" => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    }) else {
        return;
    };
    let is_retyped = |owner: &syn::Ident, field: &str| {
        retyped
            .iter()
            .any(|(name, candidate)| owner == name && candidate == field)
    };
    // `Result<T, String>` → `T`.
    let first_argument = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(arguments) = &path.path.segments.last()?.arguments
        else {
            return None;
        };
        match arguments.args.first()? {
            syn::GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        }
    };
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(item) => {
                for field in item.fields.iter_mut() {
                    let Some(name) = &field.ident else { continue };
                    if is_retyped(&item.ident, &name.to_string())
                        && let Some(inner) = first_argument(&field.ty)
                    {
                        field.ty = syn::parse_quote!(
                            ::std::result::Result<::std::option::Option<#inner>, ::std::string::String>
                        );
                    }
                }
            }
            syn::Item::Impl(item) if item.trait_.is_none() => {
                let syn::Type::Path(owner) = item.self_ty.as_ref() else {
                    continue;
                };
                let Some(owner) = owner.path.get_ident().cloned() else {
                    continue;
                };
                for member in item.items.iter_mut() {
                    let syn::ImplItem::Fn(setter) = member else {
                        continue;
                    };
                    if !is_retyped(&owner, &setter.sig.ident.to_string()) {
                        continue;
                    }
                    if let Some(clause) = setter.sig.generics.where_clause.as_mut()
                        && let Some(syn::WherePredicate::Type(predicate)) =
                            clause.predicates.first_mut()
                        && let Some(syn::TypeParamBound::Trait(bound)) =
                            predicate.bounds.first_mut()
                        && let Some(segment) = bound.path.segments.last_mut()
                        && let syn::PathArguments::AngleBracketed(arguments) =
                            &mut segment.arguments
                        && let Some(syn::GenericArgument::Type(target)) = arguments.args.first_mut()
                    {
                        let inner = target.clone();
                        *target = syn::parse_quote!(::std::option::Option<#inner>);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether typify made the field an empty-by-default collection (`skip_serializing_if =
/// "…::is_empty"`).
fn skips_when_empty(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
        .any(|attr| quote!(#attr).to_string().contains("::is_empty\""))
}

/// The same attribute skipping the field only when it is `None`: typify's
/// `skip_serializing_if = "<collection>::is_empty"` (a `Vec`, a `serde_json::Map`, a
/// `HashMap`, …) becomes `"::std::option::Option::is_none"`.
fn skip_when_absent(attr: &syn::Attribute) -> syn::Attribute {
    if !attr.path().is_ident("serde") {
        return attr.clone();
    }
    let mut text = quote!(#attr).to_string();
    let mut rewritten = String::with_capacity(text.len());
    while let Some(end) = text.find("::is_empty\"") {
        let start = text[..end].rfind('"').map_or(0, |quote| quote + 1);
        rewritten.push_str(&text[..start]);
        rewritten.push_str("::std::option::Option::is_none\"");
        text = text[end + "::is_empty\"".len()..].to_owned();
    }
    rewritten.push_str(&text);
    let parsed = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &rewritten)
        .expect("a serde attribute stays parsable");
    parsed.into_iter().next().expect("one attribute")
}

/// The wire name of a field that typify renamed: `#[serde(rename = "...")]`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Progenitor asserts that an operation's errors share one body type; the assertion is a
    /// panic, which must reach the user as an error naming the cause.
    #[test]
    fn a_progenitor_panic_becomes_an_error() {
        let text = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /v1/x:
    get:
      operationId: x_get
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: string}}}}
        '404': {description: a, content: {application/json: {schema: {type: string}}}}
        '409': {description: b, content: {application/json: {schema: {type: integer}}}}
"##;
        let spec = crate::spec::parse("t.yaml", text).expect("parses");
        let error = generate(&spec.document)
            .err()
            .expect("progenitor refuses the document");
        assert!(
            error.to_string().starts_with("progenitor panicked"),
            "{error}"
        );
    }
}
