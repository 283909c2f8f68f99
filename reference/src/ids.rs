//! Identifiers, timestamps and API keys in the shapes Novu uses.

use chrono::{SecondsFormat, Utc};
use hmac::{Hmac, Mac};
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

/// HMAC-SHA256 of `message` keyed with `key`, in hex: Novu's `createHash(key, message)`, which
/// subscriber HMAC hashes are checked against.
pub(crate) fn hmac_sha256_hex(key: &str, message: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A short random suffix, like the `shortid` values Novu appends to taken identifiers.
pub(crate) fn short_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-";
    let random: [u8; 9] = rand::random();
    random
        .iter()
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect()
}

/// Novu's `slugify`: lowercase, runs of anything but letters and digits become one `-`, no
/// leading or trailing `-`.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for character in text.to_lowercase().chars() {
        if character.is_alphanumeric() {
            slug.push(character);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A random version-4 UUID, the `uuid` of workflow steps.
pub(crate) fn uuid() -> String {
    let mut random: [u8; 16] = rand::random();
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    let text = hex(&random);
    format!(
        "{}-{}-{}-{}-{}",
        &text[0..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            super::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
