//! The client crate: progenitor's builder client over the shared types crate, plus what
//! progenitor does not know about this API: a constructor that authenticates every request with
//! an API key, the retry and idempotency-key options (progenitor's client hooks), and a
//! `stream()` on the builder of every operation the spec marks `x-pagination`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ir::{Content, Operation};
use super::naming;
use super::pagination::{End, Pagination};

/// The client module's items: progenitor's output with `types` re-exported from the types
/// crate at `types_crate`, and a `stream()` added to the builders of paginated operations.
pub fn generate(
    mut client_items: Vec<syn::Item>,
    operations: &[Operation],
    types_crate: &syn::Ident,
) -> TokenStream {
    let streams: Vec<syn::Item> = operations
        .iter()
        .filter_map(|operation| {
            let pagination = operation.pagination.as_ref()?;
            Some(syn::parse2(stream_method(operation, pagination)).expect("a stream impl parses"))
        })
        .collect();
    let paginated = !streams.is_empty();
    for item in client_items.iter_mut() {
        if let syn::Item::Mod(module) = item
            && module.ident == "builder"
            && let Some((_, items)) = module.content.as_mut()
        {
            items.extend(streams.iter().cloned());
        }
    }
    let pagination_module = paginated.then(pagination_module);
    let options = options_module();
    quote! {
        pub use #types_crate as types;

        #(#client_items)*

        #options

        #pagination_module
    }
}

/// `impl<'a> builder::TopicsList<'a> { pub fn stream(self) -> … }`: walks the pages by the
/// operation's `x-pagination` rule.
fn stream_method(operation: &Operation, pagination: &Pagination) -> TokenStream {
    let builder = format_ident!("{}", naming::type_name(&operation.id));
    let page_setter = naming::ident(&naming::field_name(&pagination.page));
    let items = naming::ident(&naming::field_name(&pagination.items));
    let item_type = format_ident!("{}", pagination.item_type);
    let error_type = operation
        .responses
        .iter()
        .filter(|response| response.status >= 400)
        .find_map(|response| match &response.content {
            Content::Json(name) => {
                let name = format_ident!("{}", naming::type_name(name));
                Some(quote!(types::#name))
            }
            _ => None,
        })
        .unwrap_or_else(|| quote!(()));
    let first = pagination.first;
    let (more, rule) = match &pagination.end {
        End::More(field) => {
            let field = naming::ident(&naming::field_name(field));
            (
                quote! {
                    super::pagination::Flag::flag(&answer.#field).unwrap_or(false)
                },
                format!("the answer's `{}` is false", pagination.end.field()),
            )
        }
        End::Total { total, page_size } => {
            let total_field = naming::ident(&naming::field_name(total));
            let size_field = naming::ident(&naming::field_name(page_size));
            (
                quote! {
                    match (
                        super::pagination::Count::count(&answer.#total_field),
                        super::pagination::Count::count(&answer.#size_field),
                    ) {
                        (Some(total), Some(size)) => (page.saturating_sub(#first) + 1).saturating_mul(size) < total,
                        _ => false,
                    }
                },
                format!("the pages so far hold `{total}` items (pages of `{page_size}` items)"),
            )
        }
    };
    let doc = format!(
        " Every item of every page of `{} {}`, from the builder's `{}` on (page {first} when unset), \
         ending when {rule}.\n\n An empty page also ends the stream, and a stream that fetched the client's \
         `max_pages` (see [`super::Client::with_max_pages`]) yields an error and ends, so that a \
         server that never says \"last page\" cannot keep it going. The first error ends the \
         stream too.",
        operation.method, operation.path, pagination.page,
    );
    let page_field = &page_setter;
    quote! {
        impl<'a> #builder<'a> {
            #[doc = #doc]
            pub fn stream(
                self,
            ) -> impl futures_core::Stream<Item = Result<types::#item_type, Error<#error_type>>> + Unpin + 'a {
                let max_pages = self.client.inner.max_pages;
                let first = match &self.#page_field {
                    Ok(Some(page)) => super::pagination::Count::count(page).unwrap_or(#first),
                    _ => #first,
                };
                super::pagination::walk(first, max_pages, move |page| {
                    let request = self.clone().#page_setter(page);
                    async move {
                        let answer = request.send().await?.into_inner();
                        let more = #more;
                        Ok(super::pagination::Page { items: answer.#items, more })
                    }
                })
            }
        }
    }
}

/// The support code of every `stream()`: spec-independent, so it is the same in every client.
fn pagination_module() -> TokenStream {
    quote! {
        /// Walking a paginated list operation page by page: the machinery behind the `stream()`
        /// of the builders whose operation the spec marks `x-pagination`.
        pub mod pagination {
            use std::collections::VecDeque;
            use std::future::Future;

            use super::Error;

            /// One fetched page: its items and whether the rule says another follows.
            pub struct Page<T> {
                /// The page's items, in the server's order.
                pub items: Vec<T>,
                /// Whether another page follows.
                pub more: bool,
            }

            /// A number a page carries (`totalCount`, `pageSize`, the page number), whatever its
            /// generated Rust type.
            pub trait Count {
                /// The number, if present and not negative.
                fn count(&self) -> Option<u64>;
            }

            impl Count for u64 {
                fn count(&self) -> Option<u64> {
                    Some(*self)
                }
            }

            impl Count for i64 {
                fn count(&self) -> Option<u64> {
                    u64::try_from(*self).ok()
                }
            }

            impl Count for f64 {
                fn count(&self) -> Option<u64> {
                    (self.is_finite() && *self >= 0.0).then(|| *self as u64)
                }
            }

            impl<T: Count> Count for Option<T> {
                fn count(&self) -> Option<u64> {
                    self.as_ref().and_then(Count::count)
                }
            }

            /// A flag a page carries (`hasMore`), required or optional.
            pub trait Flag {
                /// The flag, if present.
                fn flag(&self) -> Option<bool>;
            }

            impl Flag for bool {
                fn flag(&self) -> Option<bool> {
                    Some(*self)
                }
            }

            impl Flag for Option<bool> {
                fn flag(&self) -> Option<bool> {
                    *self
                }
            }

            struct Walk<T, F> {
                fetch: F,
                next_page: u64,
                pages: u64,
                buffer: VecDeque<T>,
                more: bool,
            }

            /// The items of pages `first`, `first + 1`, … as `fetch` answers them, until a page
            /// says it is the last, a page is empty, `fetch` fails (its error is the last item)
            /// or `max_pages` pages were fetched (an error is the last item).
            pub(crate) fn walk<'a, T, E, F, Fut>(
                first: u64,
                max_pages: u64,
                fetch: F,
            ) -> impl futures_core::Stream<Item = Result<T, Error<E>>> + Unpin + 'a
            where
                T: 'a,
                E: 'a,
                F: FnMut(u64) -> Fut + 'a,
                Fut: Future<Output = Result<Page<T>, Error<E>>> + 'a,
            {
                let state = Walk {
                    fetch,
                    next_page: first,
                    pages: 0,
                    buffer: VecDeque::new(),
                    more: true,
                };
                Box::pin(futures_util::stream::unfold(state, move |mut state| async move {
                    loop {
                        if let Some(item) = state.buffer.pop_front() {
                            return Some((Ok(item), state));
                        }
                        if !state.more {
                            return None;
                        }
                        if state.pages >= max_pages {
                            state.more = false;
                            let message = format!(
                                "the stream stopped after {max_pages} pages: the server still announced another page"
                            );
                            return Some((Err(Error::Custom(message)), state));
                        }
                        let page = state.next_page;
                        match (state.fetch)(page).await {
                            Err(error) => {
                                state.more = false;
                                return Some((Err(error), state));
                            }
                            Ok(fetched) => {
                                state.pages += 1;
                                state.next_page = page.saturating_add(1);
                                state.more = fetched.more && !fetched.items.is_empty();
                                state.buffer.extend(fetched.items);
                            }
                        }
                    }
                }))
            }
        }
    }
}

/// The client's options (retries, idempotency keys), the hooks that apply them, and the
/// API-key constructors.
fn options_module() -> TokenStream {
    quote! {
        /// The header that makes a POST or PATCH safe to repeat: the server answers a repeat
        /// with the same key and body as it answered the first request.
        pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

        /// How the client repeats a request the server asked it to send again later
        /// (`429 Too Many Requests`, `503 Service Unavailable`).
        ///
        /// GET, PUT, DELETE, HEAD and OPTIONS are repeated; POST and PATCH only when the
        /// request carries an `Idempotency-Key` (set one with the builder's `idempotency_key`,
        /// or let [`Client::auto_idempotency_keys`] do it), since the server may have acted
        /// on the first.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct RetryPolicy {
            /// How many times a request is sent at most, the first time included: `1` never
            /// repeats.
            pub max_attempts: u32,
            /// The longest wait the client accepts: an answer whose `Retry-After` asks for
            /// more is returned to the caller as it is.
            pub max_wait: std::time::Duration,
            /// The wait when the answer has no `Retry-After` the client can read.
            pub default_wait: std::time::Duration,
        }

        impl RetryPolicy {
            /// Never repeat a request.
            pub fn none() -> Self {
                Self {
                    max_attempts: 1,
                    ..Self::default()
                }
            }
        }

        impl Default for RetryPolicy {
            /// Three attempts, waits of at most 30 s, 1 s when the server does not say.
            fn default() -> Self {
                Self {
                    max_attempts: 3,
                    max_wait: std::time::Duration::from_secs(30),
                    default_wait: std::time::Duration::from_secs(1),
                }
            }
        }

        /// What the client does beyond sending a request: the client's inner value, read by its
        /// hooks.
        #[derive(Clone, Debug)]
        pub struct ClientOptions {
            /// When a request is repeated.
            pub retry: RetryPolicy,
            /// Whether every POST and PATCH without an `Idempotency-Key` gets a fresh one.
            pub auto_idempotency_keys: bool,
            /// The most pages a builder's `stream()` fetches before it ends with an error.
            pub max_pages: u64,
        }

        impl Default for ClientOptions {
            /// The default retry policy, no automatic idempotency keys, streams of at most
            /// 10,000 pages.
            fn default() -> Self {
                Self {
                    retry: RetryPolicy::default(),
                    auto_idempotency_keys: false,
                    max_pages: 10_000,
                }
            }
        }

        impl Client {
            /// A client for the server at `baseurl` (`https://api.novu.co`) that sends
            /// `Authorization: ApiKey <api_key>` with every request, with the default
            /// [`RetryPolicy`] and no automatic idempotency keys.
            ///
            /// Fails when `api_key` cannot be sent in a header (it contains a control character).
            pub fn with_api_key(baseurl: &str, api_key: &str) -> Result<Self, ApiKeyError> {
                Self::with_api_key_and_builder(baseurl, api_key, reqwest::ClientBuilder::new())
            }

            /// Like [`Client::with_api_key`], on a `reqwest::ClientBuilder` the caller configured
            /// (timeouts, proxies, …).
            pub fn with_api_key_and_builder(
                baseurl: &str,
                api_key: &str,
                builder: reqwest::ClientBuilder,
            ) -> Result<Self, ApiKeyError> {
                let mut value = reqwest::header::HeaderValue::from_str(&format!("ApiKey {api_key}"))
                    .map_err(|_| ApiKeyError::InvalidKey)?;
                value.set_sensitive(true);
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert(reqwest::header::AUTHORIZATION, value);
                let client = builder
                    .default_headers(headers)
                    .build()
                    .map_err(ApiKeyError::Client)?;
                Ok(Self::new_with_client(baseurl, client, ClientOptions::default()))
            }

            /// The same client with another retry policy ([`RetryPolicy::none`] turns retries off).
            pub fn with_retries(mut self, policy: RetryPolicy) -> Self {
                self.inner.retry = policy;
                self
            }

            /// The same client, giving (`true`) or not every POST and PATCH that has no
            /// `Idempotency-Key` a fresh one, which also lets the retry policy repeat them.
            pub fn auto_idempotency_keys(mut self, on: bool) -> Self {
                self.inner.auto_idempotency_keys = on;
                self
            }

            /// The same client, whose page streams end with an error after `pages` pages (at
            /// least 1) instead of 10,000.
            pub fn with_max_pages(mut self, pages: u64) -> Self {
                self.inner.max_pages = pages.max(1);
                self
            }

            /// The options the client applies to every request.
            pub fn options(&self) -> &ClientOptions {
                &self.inner
            }
        }

        impl ClientHooks<ClientOptions> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                let unsafe_method = matches!(*request.method(), reqwest::Method::POST | reqwest::Method::PATCH);
                if self.inner.auto_idempotency_keys
                    && unsafe_method
                    && !request.headers().contains_key(IDEMPOTENCY_KEY)
                {
                    let key = uuid::Uuid::new_v4().to_string();
                    let value = reqwest::header::HeaderValue::from_str(&key)
                        .map_err(|error| Error::InvalidRequest(error.to_string()))?;
                    request.headers_mut().insert(IDEMPOTENCY_KEY, value);
                }
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                let policy = &self.inner.retry;
                let repeatable = match *request.method() {
                    reqwest::Method::POST | reqwest::Method::PATCH => {
                        request.headers().contains_key(IDEMPOTENCY_KEY)
                    }
                    _ => true,
                };
                let mut request = request;
                let mut attempt = 1;
                loop {
                    // A body that cannot be copied (a stream) is sent once.
                    let spare = if repeatable && attempt < policy.max_attempts {
                        request.try_clone()
                    } else {
                        None
                    };
                    let Some(spare) = spare else {
                        return self.client.execute(request).await;
                    };
                    let response = self.client.execute(request).await?;
                    let status = response.status();
                    if status != reqwest::StatusCode::TOO_MANY_REQUESTS
                        && status != reqwest::StatusCode::SERVICE_UNAVAILABLE
                    {
                        return Ok(response);
                    }
                    let wait = retry_after(response.headers(), std::time::SystemTime::now())
                        .unwrap_or(policy.default_wait);
                    if wait > policy.max_wait {
                        return Ok(response);
                    }
                    drop(response);
                    tokio::time::sleep(wait).await;
                    request = spare;
                    attempt += 1;
                }
            }
        }

        /// How long a `Retry-After` header asks to wait, as seconds (`120`) or an HTTP date
        /// (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`; a past date is no wait).
        /// `None` when the header is absent or unreadable.
        pub fn retry_after(
            headers: &reqwest::header::HeaderMap,
            now: std::time::SystemTime,
        ) -> Option<std::time::Duration> {
            let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
            if let Ok(seconds) = text.parse::<u64>() {
                return Some(std::time::Duration::from_secs(seconds));
            }
            let date = httpdate::parse_http_date(text).ok()?;
            Some(date.duration_since(now).unwrap_or_default())
        }

        /// Why [`Client::with_api_key`] could not build a client.
        #[derive(Debug)]
        pub enum ApiKeyError {
            /// The key contains characters a header cannot carry.
            InvalidKey,
            /// reqwest could not build the HTTP client.
            Client(reqwest::Error),
        }

        impl std::fmt::Display for ApiKeyError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Self::InvalidKey => f.write_str("the API key contains characters that cannot be sent in a header"),
                    Self::Client(error) => write!(f, "cannot build the HTTP client: {error}"),
                }
            }
        }

        impl std::error::Error for ApiKeyError {}
    }
}
