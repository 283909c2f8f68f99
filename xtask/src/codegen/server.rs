//! The server crate in the strict-server style: one trait method per operation taking a typed
//! request and returning a per-operation response enum, and an axum router that authenticates,
//! decodes and validates every input before the trait is called.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::ir::{Content, Operation, Param, Response, RustType};
use super::naming::{self, ident};

/// The server module's items.
pub fn generate(
    operations: &[Operation],
    components: &Value,
    types_crate: &syn::Ident,
) -> TokenStream {
    let methods = operations.iter().map(trait_method);
    let request_types = operations
        .iter()
        .map(|operation| request_types(operation, components));
    let response_types = operations.iter().map(response_type);
    let handlers = operations.iter().map(handler);
    let descriptors = operations
        .iter()
        .map(|operation| descriptor(operation, components));
    let routes = routes(operations);
    quote! {
        use std::future::Future;
        use std::sync::Arc;

        use axum::extract::{Request, State};
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};

        pub use crate::runtime::{AuthError, RequestContext};
        use crate::runtime;
        pub use #types_crate as types;

        /// The API, one method per operation. Implement it and serve it with [`router`].
        ///
        /// The router has already authenticated the caller (through [`NovuApi::authenticate`])
        /// and validated every parameter and body against the spec when a method is called; a
        /// method only decides which documented response to give.
        pub trait NovuApi: Send + Sync + 'static {
            /// Who a valid API key belongs to (an environment, typically).
            type Caller: Send + Sync + 'static;

            /// Resolves the key of `Authorization: ApiKey <key>`; an error is answered with 401
            /// and its message (`API Key not found`).
            fn authenticate(&self, api_key: &str) -> impl Future<Output = Result<Self::Caller, AuthError>> + Send;

            #(#methods)*
        }

        #(#request_types)*
        #(#response_types)*

        /// The axum router of the whole API over `api`. Unknown routes and methods are answered
        /// with the API's 404 error body.
        pub fn router<A: NovuApi>(api: Arc<A>) -> axum::Router {
            axum::Router::new()
                #routes
                .fallback(runtime::not_found)
                .method_not_allowed_fallback(runtime::not_found)
                .with_state(api)
        }

        #(#handlers)*

        mod operations {
            use crate::runtime::{Operation, Parameter, Scalar};
            #(#descriptors)*
        }
    }
}

fn doc_lines(operation: &Operation) -> TokenStream {
    let mut lines = Vec::new();
    if let Some(summary) = &operation.summary {
        lines.push(summary.clone());
        lines.push(String::new());
    }
    lines.push(format!("`{} {}`", operation.method, operation.path));
    if operation.deprecated {
        lines.push(String::new());
        lines.push("Deprecated by the API.".into());
    }
    let lines = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

fn request_name(operation: &Operation) -> syn::Ident {
    format_ident!("{}Request", operation.type_name)
}

fn response_name(operation: &Operation) -> syn::Ident {
    format_ident!("{}Response", operation.type_name)
}

fn trait_method(operation: &Operation) -> TokenStream {
    let docs = doc_lines(operation);
    let name = ident(&operation.id);
    let request = request_name(operation);
    let response = response_name(operation);
    let request_type = if operation.authenticated {
        quote!(#request<Self::Caller>)
    } else {
        quote!(#request)
    };
    quote! {
        #docs
        fn #name(&self, request: #request_type) -> impl Future<Output = #response> + Send;
    }
}

fn rust_type(rust_type: &RustType) -> TokenStream {
    match rust_type {
        RustType::Named(name) => {
            let name = format_ident!("{}", name);
            quote!(types::#name)
        }
        RustType::Text => quote!(String),
        RustType::Integer => quote!(i64),
        RustType::Number => quote!(f64),
        RustType::Boolean => quote!(bool),
        RustType::List(item) => {
            let item = self::rust_type(item);
            quote!(Vec<#item>)
        }
        RustType::Json => quote!(serde_json::Value),
    }
}

fn params_struct(
    name: &syn::Ident,
    what: &str,
    operation: &Operation,
    params: &[Param],
) -> TokenStream {
    let doc = format!(" The {what} parameters of `{}`.", operation.id);
    let fields = params.iter().map(|param| {
        let field = ident(&param.field_name);
        let wire = &param.wire_name;
        let mut ty = rust_type(&param.rust_type);
        if !param.required && param.schema.get("default").is_none() {
            ty = quote!(Option<#ty>);
        }
        let doc = param.description.as_ref().map(|text| {
            let text = format!(" {}", text.trim());
            quote!(#[doc = #text])
        });
        quote! {
            #doc
            #[serde(rename = #wire)]
            pub #field: #ty,
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
    }
}

fn request_types(operation: &Operation, _components: &Value) -> TokenStream {
    let request = request_name(operation);
    let doc = format!(
        " The decoded, validated input of `{}` (`{} {}`).",
        operation.id, operation.method, operation.path
    );
    let mut fields = Vec::new();
    let mut extra = Vec::new();
    let generics = if operation.authenticated {
        fields.push(quote! {
            /// The authenticated caller.
            pub caller: C,
        });
        quote!(<C>)
    } else {
        quote!()
    };
    if !operation.path_params.is_empty() {
        let name = format_ident!("{}Path", operation.type_name);
        extra.push(params_struct(
            &name,
            "path",
            operation,
            &operation.path_params,
        ));
        fields.push(quote!(pub path: #name,));
    }
    if !operation.query_params.is_empty() {
        let name = format_ident!("{}Query", operation.type_name);
        extra.push(params_struct(
            &name,
            "query",
            operation,
            &operation.query_params,
        ));
        fields.push(quote!(pub query: #name,));
    }
    if let Some(body) = &operation.body {
        let ty = rust_type(&RustType::Named(naming::type_name(&body.schema)));
        fields.push(if body.required {
            quote!(pub body: #ty,)
        } else {
            quote!(pub body: Option<#ty>,)
        });
    }
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub struct #request #generics {
            #(#fields)*
            /// The request's path, query string and headers as sent.
            pub context: RequestContext,
        }
        #(#extra)*
    }
}

fn variant_fields(response: &Response) -> Vec<(syn::Ident, TokenStream)> {
    let mut fields = Vec::new();
    match &response.content {
        Content::None => {}
        Content::Json(schema) => {
            fields.push((
                format_ident!("body"),
                rust_type(&RustType::Named(naming::type_name(schema))),
            ));
        }
        Content::Text(_) => fields.push((format_ident!("body"), quote!(String))),
    }
    for header in &response.headers {
        let ty = if header.required {
            quote!(String)
        } else {
            quote!(Option<String>)
        };
        fields.push((ident(&header.field_name), ty));
    }
    fields
}

fn response_type(operation: &Operation) -> TokenStream {
    let name = response_name(operation);
    let doc = format!(
        " Every documented answer of `{}`; the variant owns the status code.",
        operation.id
    );
    let variants = operation.responses.iter().map(|response| {
        let variant = format_ident!("{}", response.variant);
        let doc = format!(
            " {} {}",
            response.status,
            response.description.trim().replace('\n', " ")
        );
        let fields = variant_fields(response);
        let shape = match fields.as_slice() {
            [] => quote!(),
            [(field, ty)] if field == "body" => quote!((#ty)),
            fields => {
                let fields = fields.iter().map(|(field, ty)| quote!(#field: #ty));
                quote!({ #(#fields),* })
            }
        };
        quote! {
            #[doc = #doc]
            #variant #shape,
        }
    });
    let arms = operation.responses.iter().map(|response| {
        let variant = format_ident!("{}", response.variant);
        let status = Literal::u16_unsuffixed(response.status);
        let status = quote!(StatusCode::from_u16(#status).expect("documented statuses are valid"));
        let fields = variant_fields(response);
        let headers = response.headers.iter().map(|header| {
            let wire = &header.wire_name;
            let field = ident(&header.field_name);
            if header.required {
                quote!((#wire, Some(#field)))
            } else {
                quote!((#wire, #field))
            }
        });
        let headers = quote!(vec![#(#headers),*]);
        let answer = match &response.content {
            Content::None => quote!(runtime::empty(#status, #headers)),
            Content::Json(_) => quote!(runtime::json(#status, &body, #headers)),
            Content::Text(media_type) => {
                let media_type = format!("{media_type}; charset=utf-8");
                quote!(runtime::text(#status, #media_type, body, #headers))
            }
        };
        let pattern = match fields.as_slice() {
            [] => quote!(Self::#variant),
            [(field, _)] if field == "body" => quote!(Self::#variant(body)),
            fields => {
                let names = fields.iter().map(|(field, _)| field);
                quote!(Self::#variant { #(#names),* })
            }
        };
        quote!(#pattern => #answer,)
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub enum #name {
            #(#variants)*
        }

        impl IntoResponse for #name {
            fn into_response(self) -> Response {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

fn descriptor_name(operation: &Operation) -> syn::Ident {
    format_ident!("{}", operation.id.to_uppercase())
}

fn handler_name(operation: &Operation) -> syn::Ident {
    format_ident!("handle_{}", operation.id)
}

fn handler(operation: &Operation) -> TokenStream {
    let name = handler_name(operation);
    let method = ident(&operation.id);
    let descriptor = descriptor_name(operation);
    let request = request_name(operation);
    let path_type = if operation.path_params.is_empty() {
        quote!(runtime::Nothing)
    } else {
        let name = format_ident!("{}Path", operation.type_name);
        quote!(#name)
    };
    let query_type = if operation.query_params.is_empty() {
        quote!(runtime::Nothing)
    } else {
        let name = format_ident!("{}Query", operation.type_name);
        quote!(#name)
    };
    let body_type = match &operation.body {
        None => quote!(()),
        Some(body) => {
            let ty = rust_type(&RustType::Named(naming::type_name(&body.schema)));
            if body.required {
                ty
            } else {
                quote!(Option<#ty>)
            }
        }
    };
    let authenticate = operation.authenticated.then(|| {
        quote! {
            let caller = match runtime::authenticate(&*api, &parts).await {
                Ok(caller) => caller,
                Err(rejection) => return rejection,
            };
        }
    });
    let mut fields = Vec::new();
    if operation.authenticated {
        fields.push(quote!(caller,));
    }
    if !operation.path_params.is_empty() {
        fields.push(quote!(path: input.path,));
    }
    if !operation.query_params.is_empty() {
        fields.push(quote!(query: input.query,));
    }
    if operation.body.is_some() {
        fields.push(quote!(body: input.body,));
    }
    quote! {
        async fn #name<A: NovuApi>(State(api): State<Arc<A>>, request: Request) -> Response {
            let (parts, body) = request.into_parts();
            #authenticate
            let input = match runtime::decode::<#path_type, #query_type, #body_type>(&operations::#descriptor, parts, body).await {
                Ok(input) => input,
                Err(rejection) => return rejection,
            };
            let request = #request {
                #(#fields)*
                context: input.context,
            };
            api.#method(request).await.into_response()
        }
    }
}

/// How a parameter's text becomes JSON: by the type of its (resolved) schema.
fn scalar(schema: &Value, components: &Value) -> (TokenStream, bool) {
    let schema = resolve(schema, components);
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            (scalar(&item, components).0, true)
        }
        Some("string") => (quote!(Scalar::Text), false),
        Some("integer") => (quote!(Scalar::Integer), false),
        Some("number") => (quote!(Scalar::Number), false),
        Some("boolean") => (quote!(Scalar::Boolean), false),
        _ => (quote!(Scalar::Json), false),
    }
}

fn resolve<'a>(schema: &'a Value, components: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
    {
        Some(name) => components
            .get(name)
            .map(|target| resolve(target, components))
            .unwrap_or(schema),
        None => schema,
    }
}

fn parameters(params: &[Param], components: &Value) -> TokenStream {
    let entries = params.iter().map(|param| {
        let name = &param.wire_name;
        let (scalar, list) = scalar(&param.schema, components);
        let default = match param
            .schema
            .get("default")
            .or_else(|| resolve(&param.schema, components).get("default"))
        {
            Some(default) => {
                let text = default.to_string();
                quote!(Some(#text))
            }
            None => quote!(None),
        };
        quote!(Parameter { name: #name, scalar: #scalar, list: #list, default: #default })
    });
    quote!(&[#(#entries),*])
}

fn descriptor(operation: &Operation, components: &Value) -> TokenStream {
    let name = descriptor_name(operation);
    let template = &operation.path;
    let path_params = parameters(&operation.path_params, components);
    let query_params = parameters(&operation.query_params, components);
    let parameters_schema = format!("/operations/{}/parameters", operation.id);
    let (body_schema, body_required) = match &operation.body {
        Some(body) => {
            let pointer = format!("/components/schemas/{}", crate::spec::escape(&body.schema));
            (quote!(Some(#pointer)), body.required)
        }
        None => (quote!(None), false),
    };
    let body_limit = Literal::usize_unsuffixed(operation.body_limit);
    quote! {
        pub(crate) static #name: Operation = Operation {
            template: #template,
            path_params: #path_params,
            query_params: #query_params,
            parameters_schema: #parameters_schema,
            body_schema: #body_schema,
            body_required: #body_required,
            body_limit: #body_limit,
        };
    }
}

/// The route shape of a template, with parameters renamed positionally so that operations
/// whose templates differ only in parameter names share one axum route.
fn shape(template: &str) -> Vec<Option<String>> {
    template
        .trim_matches('/')
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                None
            } else {
                Some(segment.to_owned())
            }
        })
        .collect()
}

fn shape_text(shape: &[Option<String>]) -> String {
    let mut position = 0;
    let segments: Vec<String> = shape
        .iter()
        .map(|segment| match segment {
            Some(text) => text.clone(),
            None => {
                position += 1;
                format!("{{p{position}}}")
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Whether every path of `specific` also matches `general`.
fn shadows(specific: &[Option<String>], general: &[Option<String>]) -> bool {
    specific.len() == general.len()
        && specific != general
        && specific
            .iter()
            .zip(general)
            .all(|(specific, general)| match (specific, general) {
                (_, None) => true,
                (Some(a), Some(b)) => a == b,
                (None, Some(_)) => false,
            })
}

/// The router's routes. axum prefers a static segment over a parameter whatever the method,
/// so `GET /v1/subscribers/bulk` would meet the `POST`-only bulk route and get 405; the Novu
/// server instead serves it as "get subscriber `bulk`". Every method a parameter route has
/// and a static route shadowing it lacks is therefore registered on the static route too,
/// with the parameter route's handler (which reads its parameters from the path itself).
fn routes(operations: &[Operation]) -> TokenStream {
    let mut table: BTreeMap<Vec<Option<String>>, BTreeMap<String, &Operation>> = BTreeMap::new();
    for operation in operations {
        table
            .entry(shape(&operation.path))
            .or_default()
            .insert(operation.method.clone(), operation);
    }
    let shapes: Vec<Vec<Option<String>>> = table.keys().cloned().collect();
    for specific in &shapes {
        // The closest general routes first: those with the most static segments.
        let mut generals: Vec<&Vec<Option<String>>> = shapes
            .iter()
            .filter(|general| shadows(specific, general))
            .collect();
        generals.sort_by_key(|general| {
            std::cmp::Reverse(general.iter().filter(|segment| segment.is_some()).count())
        });
        for general in generals {
            let inherited: Vec<(String, &Operation)> = table[general]
                .iter()
                .map(|(method, operation)| (method.clone(), *operation))
                .collect();
            let routes = table.get_mut(specific).expect("every shape has an entry");
            for (method, operation) in inherited {
                routes.entry(method).or_insert(operation);
            }
        }
    }
    let routes = table.iter().map(|(shape, methods)| {
        let path = shape_text(shape);
        let methods = methods.iter().map(|(method, operation)| {
            let filter = format_ident!("{}", method.to_lowercase());
            let handler = handler_name(operation);
            quote!(.#filter(#handler::<A>))
        });
        quote!(.route(#path, axum::routing::MethodRouter::new() #(#methods)*))
    });
    quote!(#(#routes)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_routes_shadow_parameter_routes_of_the_same_length() {
        let bulk = shape("/v1/subscribers/bulk");
        let one = shape("/v1/subscribers/{subscriberId}");
        assert!(shadows(&bulk, &one));
        assert!(!shadows(&one, &bulk));
        assert!(!shadows(&bulk, &shape("/v1/subscribers")));
        assert_eq!(
            shape_text(&shape("/v1/topics/{topicKey}/subscribers/{id}")),
            "/v1/topics/{p1}/subscribers/{p2}"
        );
    }
}
