use novu_server as _; use novu_client as _; use tokio as _; use reqwest as _; use serde_json as _; use axum as _; #[test] fn placeholder() {}
