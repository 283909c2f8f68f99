//! The server crate in the strict-server style: one trait method per operation taking a typed
//! request and returning a per-operation response enum, and an axum router that authenticates,
//! decodes and validates every input before the trait is called.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::ir::{Content, DashboardRoute, Operation, Param, Response, RustType};
use super::naming::{self, ident};

/// The server module's items.
pub fn generate(
    operations: &[Operation],
    dashboard_routes: &[DashboardRoute],
    components: &Value,
    tags: &Value,
    types_crate: &syn::Ident,
) -> TokenStream {
    let groups = by_tag(operations);
    let traits = groups.iter().map(|group| tag_trait(group, tags));
    let trait_names: Vec<syn::Ident> = groups
        .iter()
        .map(|group| group.trait_name.clone())
        .collect();
    let request_types = operations
        .iter()
        .map(|operation| request_types(operation, components));
    let response_types = operations.iter().map(response_type);
    let handlers = groups.iter().flat_map(|group| {
        group
            .operations
            .iter()
            .map(|operation| handler(operation, &group.trait_name))
    });
    let descriptors = operations
        .iter()
        .map(|operation| descriptor(operation, components));
    let table = route_table(operations, dashboard_routes);
    let routes = routes(&table);
    let dashboard_only = dashboard_only_routes(&table);
    quote! {
        use std::future::Future;
        use std::sync::Arc;

        use axum::extract::{Request, State};
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};
        use novu_server_runtime as runtime;

        pub use runtime::{AuthError, Authenticate, Documented, RequestContext, Unrouted, cors};
        pub use #types_crate as types;

        #(#traits)*

        /// The whole API: every per-tag trait, implemented for any type that implements them
        /// all. Serve it with [`router`].
        ///
        /// The router has already authenticated the caller (through
        /// [`Authenticate::authenticate`]) and validated every parameter and body against the
        /// spec when a method is called; a method only decides which documented response to give.
        pub trait NovuApi: #(#trait_names)+* {}

        impl<A: #(#trait_names)+*> NovuApi for A {}

        #(#request_types)*
        #(#response_types)*

        /// The axum router of the whole API over `api`. Unknown routes and methods are answered
        /// with the API's 404 error body (without `Allow`); routes the API serves to its
        /// dashboard only with 401; `OPTIONS` on any path with the CORS layer's 204.
        pub fn router<A: NovuApi>(api: Arc<A>) -> axum::Router {
            runtime::cors(routes(api))
        }

        /// [`router`] without the CORS layer, for an implementation that adds layers of its
        /// own around the routes only (`axum::Router::route_layer`: what the API does once a
        /// route is found, such as idempotency keys). Serve it inside [`cors`].
        pub fn routes<A: NovuApi>(api: Arc<A>) -> axum::Router {
            axum::Router::new()
                #routes
                .fallback(runtime::not_found)
                .method_not_allowed_fallback(runtime::not_found)
                .with_state(api)
        }

        /// The routes (method, and path as [`routes`] registers it, which
        /// `axum::extract::MatchedPath` gives a layer) that the API serves to its dashboard
        /// only. The API refuses an API key there before anything else looks at the request,
        /// so an implementation's own route layers leave these alone.
        pub const DASHBOARD_ONLY_ROUTES: &[(&str, &str)] = &[#dashboard_only];

        #(#handlers)*

        mod operations {
            use novu_server_runtime::{Operation, Parameter, Scalar};
            use crate::schemas::SCHEMAS;
            #(#descriptors)*
        }
    }
}

/// The operations of one tag, which become one trait.
struct TagGroup<'a> {
    tag: Option<String>,
    trait_name: syn::Ident,
    operations: Vec<&'a Operation>,
}

/// Operations grouped by their first tag, in the order the tags first appear; untagged
/// operations form `DefaultApi`.
fn by_tag(operations: &[Operation]) -> Vec<TagGroup<'_>> {
    let mut groups: Vec<TagGroup<'_>> = Vec::new();
    for operation in operations {
        match groups.iter_mut().find(|group| group.tag == operation.tag) {
            Some(group) => group.operations.push(operation),
            None => groups.push(TagGroup {
                tag: operation.tag.clone(),
                trait_name: format_ident!(
                    "{}Api",
                    naming::type_name(operation.tag.as_deref().unwrap_or("Default"))
                ),
                operations: vec![operation],
            }),
        }
    }
    groups
}

fn tag_trait(group: &TagGroup<'_>, tags: &Value) -> TokenStream {
    let name = &group.trait_name;
    let mut lines = match &group.tag {
        Some(tag) => vec![format!(" The operations tagged `{tag}`.")],
        None => vec![" The operations without a tag.".to_owned()],
    };
    let description = tags.as_array().and_then(|tags| {
        tags.iter()
            .find(|entry| entry.get("name").and_then(Value::as_str) == group.tag.as_deref())
            .and_then(|entry| entry.get("description"))
            .and_then(Value::as_str)
    });
    if let Some(description) = description {
        lines.push(String::new());
        lines.extend(description.trim().lines().map(|line| format!(" {line}")));
    }
    let docs = lines.iter().map(|line| quote!(#[doc = #line]));
    let methods = group
        .operations
        .iter()
        .map(|operation| trait_method(operation));
    quote! {
        #(#docs)*
        pub trait #name: Authenticate {
            #(#methods)*
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
    // The router builds it; implementations read it. Non-exhaustive, so that a parameter the
    // spec gains is an addition for them, not a break (`cargo xtask diff --bindings`).
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, serde::Deserialize)]
        #[non_exhaustive]
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
    for header in &operation.header_params {
        let name = ident(&header.field_name);
        let doc = format!(
            " The `{}` header as sent (not validated: the implementation checks it).",
            header.wire_name
        );
        fields.push(quote! {
            #[doc = #doc]
            pub #name: Option<String>,
        });
    }
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        #[non_exhaustive]
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
    let documented = documented_impl(operation);
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

        #documented
    }
}

/// `Documented` for an operation's response enum: every error status whose answer is the
/// shared error body (and at most optional headers) can be built from a status at run time.
/// Nothing is generated when the error answers do not share one body schema.
fn documented_impl(operation: &Operation) -> TokenStream {
    let name = response_name(operation);
    let errors: Vec<&Response> = operation
        .responses
        .iter()
        .filter(|response| response.status >= 400)
        .collect();
    let schemas: Vec<&String> = errors
        .iter()
        .filter_map(|response| match &response.content {
            Content::Json(schema) => Some(schema),
            _ => None,
        })
        .collect();
    let Some(schema) = schemas.first() else {
        return quote!();
    };
    if schemas.iter().any(|other| other != schema) {
        return quote!();
    }
    let buildable: Vec<&Response> = errors
        .into_iter()
        .filter(|response| matches!(response.content, Content::Json(_)))
        .filter(|response| response.headers.iter().all(|header| !header.required))
        .collect();
    let failure = rust_type(&RustType::Named(naming::type_name(schema)));
    let statuses = buildable
        .iter()
        .map(|response| Literal::u16_unsuffixed(response.status));
    let arms = buildable.iter().map(|response| {
        let status = Literal::u16_unsuffixed(response.status);
        let variant = format_ident!("{}", response.variant);
        let value = if response.headers.is_empty() {
            quote!(Self::#variant(body))
        } else {
            let headers = response.headers.iter().map(|header| {
                let field = ident(&header.field_name);
                quote!(#field: None)
            });
            quote!(Self::#variant { body, #(#headers),* })
        };
        quote!(#status => Ok(#value),)
    });
    quote! {
        impl Documented for #name {
            type Failure = #failure;

            const FAILURE_STATUSES: &'static [u16] = &[#(#statuses),*];

            fn from_failure(status: StatusCode, body: Self::Failure) -> Result<Self, Self::Failure> {
                match status.as_u16() {
                    #(#arms)*
                    _ => Err(body),
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

fn handler(operation: &Operation, api_trait: &syn::Ident) -> TokenStream {
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
    for header in &operation.header_params {
        let name = ident(&header.field_name);
        let wire = &header.wire_name;
        fields.push(quote! {
            #name: input.context.headers.get(#wire)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        });
    }
    quote! {
        async fn #name<A: #api_trait>(State(api): State<Arc<A>>, request: Request) -> Response {
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
            schemas: &SCHEMAS,
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

/// What a route and method lead to.
#[derive(Clone, Copy)]
enum Target<'a> {
    Operation(&'a Operation),
    DashboardOnly,
}

/// The router's routes. axum prefers a static segment over a parameter whatever the method,
/// so `GET /v1/subscribers/bulk` would meet the `POST`-only bulk route and get 405; the Novu
/// server instead serves it as "get subscriber `bulk`". Every method a parameter route has
/// and a static route shadowing it lacks is therefore registered on the static route too,
/// with the parameter route's handler (which reads its parameters from the path itself).
/// Dashboard-only routes take part like operations, answered by `runtime::dashboard_only`.
fn route_table<'a>(
    operations: &'a [Operation],
    dashboard_routes: &[DashboardRoute],
) -> RouteTable<'a> {
    let mut table: RouteTable<'a> = BTreeMap::new();
    for operation in operations {
        table
            .entry(shape(&operation.path))
            .or_default()
            .insert(operation.method.clone(), Target::Operation(operation));
    }
    for route in dashboard_routes {
        table
            .entry(shape(&route.path))
            .or_default()
            .entry(route.method.clone())
            .or_insert(Target::DashboardOnly);
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
            let inherited: Vec<(String, Target<'_>)> = table[general]
                .iter()
                .map(|(method, target)| (method.clone(), *target))
                .collect();
            let routes = table.get_mut(specific).expect("every shape has an entry");
            for (method, target) in inherited {
                routes.entry(method).or_insert(target);
            }
        }
    }
    table
}

/// Each route's shape, and what each of its methods leads to.
type RouteTable<'a> = BTreeMap<Vec<Option<String>>, BTreeMap<String, Target<'a>>>;

/// The `.route(…)` calls of the router.
fn routes(table: &RouteTable<'_>) -> TokenStream {
    let routes = table.iter().map(|(shape, methods)| {
        let path = shape_text(shape);
        let methods = methods.iter().map(|(method, target)| {
            let filter = format_ident!("{}", method.to_lowercase());
            match target {
                Target::Operation(operation) => {
                    let handler = handler_name(operation);
                    quote!(.#filter(#handler::<A>))
                }
                Target::DashboardOnly => quote!(.#filter(runtime::dashboard_only)),
            }
        });
        quote!(.route(#path, axum::routing::MethodRouter::new() #(#methods)*))
    });
    quote!(#(#routes)*)
}

/// The `(method, path)` items of `DASHBOARD_ONLY_ROUTES`.
fn dashboard_only_routes(table: &RouteTable<'_>) -> TokenStream {
    let items = table.iter().flat_map(|(shape, methods)| {
        let path = shape_text(shape);
        methods
            .iter()
            .filter(|(_, target)| matches!(target, Target::DashboardOnly))
            .map(move |(method, _)| {
                let method = method.to_uppercase();
                quote!((#method, #path),)
            })
    });
    quote!(#(#items)*)
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
