//! How a reference server is started.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// Where the server listens, where it keeps its data, which API key it accepts, which of
/// Novu's cross-cutting behaviours (idempotency keys, rate limits) it applies, and which
/// deployment credentials it plays holding (Novu's own providers).
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The SQLite database file, created when missing; `:memory:` keeps everything in memory.
    pub database: PathBuf,
    /// The development environment's API key. When absent, the key stored in the database is
    /// kept, or a new one is generated for a new database.
    pub api_key: Option<String>,
    /// The production environment's API key, kept, or generated for a new database, in the
    /// same way as [`Config::api_key`].
    pub production_api_key: Option<String>,
    /// Whether POST and PATCH requests with an `Idempotency-Key` header are answered once per
    /// key (on by default, as on Novu Cloud).
    pub idempotency: bool,
    /// The per-second figures API-key requests are limited to; `None` (the default) sends no
    /// `RateLimit-*` headers and never answers 429.
    pub rate_limits: Option<RateLimits>,
    /// Whether the server holds the credentials of Novu's own email and SMS providers
    /// (`novu-email`, `novu-sms`), as a Novu deployment with `NOVU_EMAIL_INTEGRATION_API_KEY`
    /// and the `NOVU_SMS_INTEGRATION_*` variables set does: an environment may then create one
    /// of each, and a new organization starts with both as its primary integrations. Off by
    /// default: they are refused with 400, as on a deployment without those credentials.
    /// Nothing is sent either way; a delivery through them is recorded as through any provider.
    pub novu_providers: bool,
}

impl Config {
    /// A server on `127.0.0.1:0` over an in-memory database, as tests want it.
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: PathBuf::from(":memory:"),
            ..Self::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database: PathBuf::from("novu-reference.db"),
            api_key: None,
            production_api_key: None,
            idempotency: true,
            rate_limits: None,
            novu_providers: false,
        }
    }
}

/// Requests per second allowed per environment in each of Novu's rate-limit categories, and the
/// service level the `RateLimit-Policy` header names.
///
/// Parsed from a service level (`free`, `business`, `enterprise`, `unlimited`: Novu's figures
/// for it), from figures (`trigger=60,configuration=20,global=30`; a category left out keeps
/// the `unlimited` figure, and the level reads `custom`), or both (`free,trigger=5`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// `free`, `business`, `enterprise`, `unlimited`, or `custom` when figures were given.
    pub service_level: String,
    /// Requests per second for the events operations.
    pub trigger: u32,
    /// Requests per second for subscribers, topics and tenants.
    pub configuration: u32,
    /// Requests per second for every other operation.
    pub global: u32,
}

impl RateLimits {
    /// Novu's figures for a service level, or `None` for a name that is not one.
    pub fn service_level(name: &str) -> Option<Self> {
        let (trigger, configuration, global) = match name {
            "free" => (60, 20, 30),
            "business" => (600, 200, 300),
            "enterprise" | "unlimited" => (6000, 2000, 3000),
            _ => return None,
        };
        Some(Self {
            service_level: name.to_owned(),
            trigger,
            configuration,
            global,
        })
    }
}

/// Why a `--rate-limit` value could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitsError(String);

impl fmt::Display for RateLimitsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for RateLimitsError {}

impl FromStr for RateLimits {
    type Err = RateLimitsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "expected a service level (free, business, enterprise, unlimited) \
            and/or CATEGORY=PER_SECOND figures separated by commas, e.g. \
            `free` or `trigger=60,configuration=20,global=30`";
        let mut limits: Option<Self> = None;
        let mut figures: Vec<(&str, u32)> = Vec::new();
        for part in text.split(',').map(str::trim) {
            match part.split_once('=') {
                None => {
                    if limits.is_some() || !figures.is_empty() {
                        return Err(RateLimitsError(format!(
                            "`{part}`: the service level must come first and only once; {EXPECTED}"
                        )));
                    }
                    limits = Some(Self::service_level(part).ok_or_else(|| {
                        RateLimitsError(format!("`{part}` is no service level; {EXPECTED}"))
                    })?);
                }
                Some((category, figure)) => {
                    let category = category.trim();
                    if !["trigger", "configuration", "global"].contains(&category) {
                        return Err(RateLimitsError(format!(
                            "`{category}` is no category (trigger, configuration or global); {EXPECTED}"
                        )));
                    }
                    if figures.iter().any(|(seen, _)| *seen == category) {
                        return Err(RateLimitsError(format!(
                            "`{category}` is given twice; give each category once"
                        )));
                    }
                    let figure = figure.trim().parse::<u32>().ok().filter(|value| *value > 0);
                    let Some(figure) = figure else {
                        return Err(RateLimitsError(format!(
                            "`{part}`: requests per second must be a whole number from 1 to {}",
                            u32::MAX
                        )));
                    };
                    figures.push((category, figure));
                }
            }
        }
        let mut limits = match limits {
            Some(limits) => limits,
            None if figures.is_empty() => return Err(RateLimitsError(EXPECTED.to_owned())),
            None => Self::service_level("unlimited").expect("unlimited is a service level"),
        };
        for (category, figure) in &figures {
            limits.service_level = "custom".to_owned();
            match *category {
                "trigger" => limits.trigger = *figure,
                "configuration" => limits.configuration = *figure,
                _ => limits.global = *figure,
            }
        }
        Ok(limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_read_a_level_figures_or_both() {
        let free = "free".parse::<RateLimits>().unwrap();
        assert_eq!(
            (free.trigger, free.configuration, free.global),
            (60, 20, 30)
        );
        assert_eq!(free.service_level, "free");
        let custom = "trigger=5, global=2".parse::<RateLimits>().unwrap();
        assert_eq!(
            (custom.trigger, custom.configuration, custom.global),
            (5, 2000, 2)
        );
        assert_eq!(custom.service_level, "custom");
        let mixed = "business,configuration=7".parse::<RateLimits>().unwrap();
        assert_eq!(
            (mixed.trigger, mixed.configuration, mixed.global),
            (600, 7, 300)
        );
    }

    #[test]
    fn bad_rate_limits_say_what_was_expected() {
        for (text, says) in [
            ("", "expected a service level"),
            ("gold", "`gold` is no service level"),
            ("events=5", "`events` is no category"),
            ("trigger=0", "whole number"),
            ("trigger=x", "whole number"),
            ("trigger=1,trigger=2", "given twice"),
            ("trigger=1,free", "must come first"),
        ] {
            let error = text.parse::<RateLimits>().unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
