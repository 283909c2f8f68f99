//! The deprecation policy: an operation or response field may be removed once it has been
//! `deprecated` long enough (`x-deprecated-since: YYYY-MM-DD` at least `--deprecation-days`
//! before `--today`) or once its `x-sunset: YYYY-MM-DD` date has come. Removing it then is a
//! warning; removing it sooner, or without a date to measure the notice by, stays an error.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// A calendar day, as days since 1970-01-01 (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(i64);

impl Date {
    /// Today in UTC, from the system clock.
    pub fn today() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Date(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// Parses `YYYY-MM-DD` (a date-time's date part is taken too: `2024-06-01T00:00:00Z`).
    pub fn parse(text: &str) -> Option<Self> {
        let date = text.get(..10)?;
        let mut parts = date.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    pub fn plus_days(self, days: u32) -> Self {
        Date(self.0 + i64::from(days))
    }

    fn civil(self) -> (i64, u32, u32) {
        // Howard Hinnant's `civil_from_days`.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        (year, month as u32, day as u32)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// When something that was removed may be removed.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub today: Date,
    /// How long something must have been deprecated (by `x-deprecated-since`).
    pub deprecation_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            today: Date::today(),
            deprecation_days: DEFAULT_DEPRECATION_DAYS,
        }
    }
}

/// `--deprecation-days` when not given.
pub const DEFAULT_DEPRECATION_DAYS: u32 = 90;

/// What the older document said about the removed thing.
pub enum Notice {
    /// Not deprecated at all: the removal came without notice.
    None,
    /// Deprecated, and the notice ran out: `why` says how.
    Served { why: String },
    /// Deprecated, but the notice has not run out (or cannot be measured): `why` says so.
    Short { why: String },
}

impl Policy {
    /// The notice the older `schema_or_operation` gave before its removal.
    pub fn notice(&self, old: &Value) -> Notice {
        let deprecated = old.get("deprecated") == Some(&Value::Bool(true));
        let date = |key: &str| old.get(key).and_then(Value::as_str);
        let sunset = date("x-sunset");
        let since = date("x-deprecated-since");
        if !deprecated && sunset.is_none() && since.is_none() {
            return Notice::None;
        }
        if let Some(text) = sunset {
            match Date::parse(text) {
                Some(day) if day <= self.today => {
                    return Notice::Served {
                        why: format!("its sunset date {day} has passed"),
                    };
                }
                Some(day) if since.is_none() => {
                    return Notice::Short {
                        why: format!("its sunset date is {day}, after {}", self.today),
                    };
                }
                Some(_) => {}
                None => {
                    return Notice::Short {
                        why: format!("`x-sunset: {text}` is not a YYYY-MM-DD date"),
                    };
                }
            }
        }
        match since {
            Some(text) => match Date::parse(text) {
                Some(day) => {
                    let due = day.plus_days(self.deprecation_days);
                    if due <= self.today {
                        Notice::Served {
                            why: format!(
                                "deprecated since {day}, at least {} days before {}",
                                self.deprecation_days, self.today
                            ),
                        }
                    } else {
                        Notice::Short {
                            why: format!(
                                "deprecated since {day} only: {} days of notice end on {due}",
                                self.deprecation_days
                            ),
                        }
                    }
                }
                None => Notice::Short {
                    why: format!("`x-deprecated-since: {text}` is not a YYYY-MM-DD date"),
                },
            },
            None => Notice::Short {
                why: "deprecated, but with no `x-deprecated-since` or `x-sunset` date to measure the notice by".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_round_trip_and_refuse_nonsense() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "2025-03-01"] {
            assert_eq!(Date::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Date::parse("2024-02-28").unwrap().plus_days(2).to_string(),
            "2024-03-01"
        );
        for text in ["2023-02-29", "2024-13-01", "2024-1-1", "yesterday", ""] {
            assert!(Date::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn notice_is_served_by_age_or_sunset() {
        let policy = Policy {
            today: Date::parse("2024-06-01").unwrap(),
            deprecation_days: 90,
        };
        let served = |value: Value| matches!(policy.notice(&value), Notice::Served { .. });
        assert!(served(
            json!({"deprecated": true, "x-deprecated-since": "2024-03-03"})
        ));
        assert!(!served(
            json!({"deprecated": true, "x-deprecated-since": "2024-03-04"})
        ));
        assert!(served(
            json!({"deprecated": true, "x-sunset": "2024-06-01"})
        ));
        assert!(!served(
            json!({"deprecated": true, "x-sunset": "2024-06-02"})
        ));
        assert!(!served(json!({"deprecated": true})));
        assert!(matches!(policy.notice(&json!({})), Notice::None));
    }
}
