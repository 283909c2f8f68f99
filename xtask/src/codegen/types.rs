//! The type space: progenitor (with typify inside) generates the client, and its `types`
//! module is lifted into a crate of its own so that the client and the server share one copy of
//! every schema's type.

use std::panic::{AssertUnwindSafe, catch_unwind};

use anyhow::{Result, anyhow, bail};
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle};

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
        .with_interface(InterfaceStyle::Positional)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings).generate_tokens(document)
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
    Ok(Split {
        types: types.ok_or_else(|| anyhow!("progenitor produced no `types` module"))?,
        client,
    })
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
