//! The client crate: progenitor's client over the shared types crate, plus a constructor that
//! authenticates every request with an API key.

use proc_macro2::TokenStream;
use quote::quote;

/// The client module's items: progenitor's output with `types` re-exported from the types
/// crate at `types_crate`.
pub fn generate(client_items: Vec<syn::Item>, types_crate: &syn::Ident) -> TokenStream {
    quote! {
        pub use #types_crate as types;

        #(#client_items)*

        impl Client {
            /// A client for the server at `baseurl` (`https://api.novu.co`) that sends
            /// `Authorization: ApiKey <api_key>` with every request.
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
                Ok(Self::new_with_client(baseurl, client))
            }
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
