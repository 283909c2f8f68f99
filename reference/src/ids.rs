//! Identifiers, timestamps and API keys in the shapes Novu uses.

use chrono::{SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// A fresh 24-hex identifier shaped like a MongoDB ObjectId: four bytes of Unix seconds, then
/// eight random bytes, so ids sort roughly by creation time as Novu's do.
pub(crate) fn object_id() -> String {
    let seconds = Utc::now().timestamp() as u32;
    let random: [u8; 8] = rand::random();
    let mut bytes = seconds.to_be_bytes().to_vec();
    bytes.extend_from_slice(&random);
    hex(&bytes)
}

/// The current time as JavaScript's `Date.toISOString()` writes it.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A new API key: 32 hex digits, like the keys Novu issues.
pub(crate) fn api_key() -> String {
    let random: [u8; 16] = rand::random();
    hex(&random)
}

/// A short random environment identifier.
pub(crate) fn environment_identifier() -> String {
    let random: [u8; 6] = rand::random();
    hex(&random)
}

/// The SHA-256 of an API key, the form in which keys are looked up.
pub(crate) fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
