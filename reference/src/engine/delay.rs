//! Delay steps and the times a waiting job resumes: `amount` `unit`s from now, a `scheduled`
//! date in the payload, or a timed schedule (the next allowed time of day). A waiting job is
//! `delayed`, with its due time stored in `jobs.due_at` for the scheduler.

use chrono::{DateTime, Datelike, Months, NaiveTime, TimeDelta, Utc};
use rusqlite::Transaction;
use serde_json::{Value, json};

use super::state::{Run, Stop};
use crate::failure::Outcome;

impl Run<'_> {
    /// A delay step: the job waits until its due time, or fails when a `scheduled` delay has
    /// no future date.
    pub(super) fn delay(
        &self,
        transaction: &Transaction,
        step: &Value,
        job: &mut Value,
    ) -> Outcome<Result<Option<i64>, Stop>> {
        let due = match delay_until(&step["metadata"], &self.payload) {
            Ok(due) => due,
            Err(stop) => return Ok(Err(stop)),
        };
        self.wait(transaction, job, due).map(Ok)
    }

    /// Makes `job` wait until `due`, recording the wait (in milliseconds) as Novu does for
    /// every job it queues with a delay; answers the due time in Unix milliseconds.
    pub(super) fn wait(
        &self,
        transaction: &Transaction,
        job: &mut Value,
        due: DateTime<Utc>,
    ) -> Outcome<Option<i64>> {
        job["status"] = json!("delayed");
        let delay = (due - Utc::now()).num_milliseconds().max(0);
        let raw = json!({ "delay": delay }).to_string();
        self.detail(
            transaction,
            job,
            "Step delayed",
            "Pending",
            Some(&raw),
            None,
        )?;
        Ok(Some(due.timestamp_millis()))
    }
}

/// When a delay step's job resumes: `amount` `unit`s from now, or for a `scheduled` delay the
/// date at `delayPath` in the payload, which must be in the future.
fn delay_until(metadata: &Value, payload: &Value) -> Result<DateTime<Utc>, Stop> {
    let now = Utc::now();
    if metadata["type"] != "scheduled" {
        return Ok(shift(now, &metadata["amount"], &metadata["unit"], 1));
    }
    let path = metadata["delayPath"].as_str().unwrap_or_default();
    let value = trigger_variable(&json!({ "payload": payload }), path);
    match value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
    {
        Some(at) if at > now => Ok(at.with_timezone(&Utc)),
        _ => Err(Stop {
            raw: Some(json!({ "delayPath": path, "value": value }).to_string()),
            ..Stop::new(
                "failed",
                "Failed",
                "Delay date at the delay path must be a future date",
            )
        }),
    }
}

/// The next `atTime` (UTC) after `now` on a day the timed configuration allows (one of
/// `weekDays` and of `monthDays`, when given). `None` without `atTime`, or with an
/// `ordinal`, which is not supported: then the digest waits its `amount` `unit`s.
pub(super) fn next_timed(now: DateTime<Utc>, timed: &Value) -> Option<DateTime<Utc>> {
    let at = timed["atTime"].as_str()?;
    if timed
        .get("ordinal")
        .is_some_and(|ordinal| !ordinal.is_null())
    {
        return None;
    }
    let time = NaiveTime::parse_from_str(at, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(at, "%H:%M"))
        .ok()?;
    let week_days: Vec<&str> = timed["weekDays"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let month_days: Vec<u64> = timed["monthDays"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    (0..=400).find_map(|offset| {
        let day = now
            .date_naive()
            .checked_add_days(chrono::Days::new(offset))?;
        let candidate = day.and_time(time).and_utc();
        let weekday = match day.weekday() {
            chrono::Weekday::Mon => "monday",
            chrono::Weekday::Tue => "tuesday",
            chrono::Weekday::Wed => "wednesday",
            chrono::Weekday::Thu => "thursday",
            chrono::Weekday::Fri => "friday",
            chrono::Weekday::Sat => "saturday",
            chrono::Weekday::Sun => "sunday",
        };
        let allowed = (week_days.is_empty() || week_days.contains(&weekday))
            && (month_days.is_empty() || month_days.contains(&u64::from(day.day())));
        (candidate > now && allowed).then_some(candidate)
    })
}

/// `from` moved by `amount` `unit`s (Novu's `DigestUnitEnum`) forward (`direction` 1) or
/// back (-1). A missing or unknown amount or unit moves nothing; a move past the calendar's
/// end stops there.
pub(super) fn shift(
    from: DateTime<Utc>,
    amount: &Value,
    unit: &Value,
    direction: i64,
) -> DateTime<Utc> {
    let amount = amount
        .as_f64()
        .or_else(|| amount.as_str().and_then(|text| text.trim().parse().ok()))
        .filter(|amount: &f64| amount.is_finite() && *amount > 0.0)
        .unwrap_or(0.0);
    let end = if direction >= 0 {
        DateTime::<Utc>::MAX_UTC
    } else {
        DateTime::<Utc>::MIN_UTC
    };
    let unit_millis = match unit.as_str() {
        Some("seconds") => 1e3,
        Some("minutes") => 6e4,
        Some("hours") => 3.6e6,
        Some("days") => 8.64e7,
        Some("weeks") => 6.048e8,
        Some("months") => {
            let months = Months::new(amount.min(f64::from(u32::MAX)) as u32);
            let moved = if direction >= 0 {
                from.checked_add_months(months)
            } else {
                from.checked_sub_months(months)
            };
            return moved.unwrap_or(end);
        }
        _ => return from,
    };
    // `as` saturates, and the checked steps catch what is still out of range.
    let millis = (amount * unit_millis) as i64;
    TimeDelta::try_milliseconds(millis.saturating_mul(direction))
        .and_then(|delta| from.checked_add_signed(delta))
        .unwrap_or(end)
}

/// The value at a lodash-style `path` of the trigger variables (`payload.group`, or a bare
/// payload path as digest keys are often written).
pub(super) fn trigger_variable(variables: &Value, path: &str) -> Value {
    let mut value = if path.starts_with("payload.") || path.starts_with("subscriber.") {
        variables
    } else {
        &variables["payload"]
    };
    for part in path.split('.') {
        value = &value[part];
    }
    value.clone()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::{delay_until, next_timed, shift};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn waits_are_amounts_of_units() {
        let from = at("2024-01-31T10:00:00Z");
        let moved = |amount: f64, unit: &str| shift(from, &json!(amount), &json!(unit), 1);
        assert_eq!(moved(90.0, "seconds"), at("2024-01-31T10:01:30Z"));
        assert_eq!(moved(1.5, "hours"), at("2024-01-31T11:30:00Z"));
        assert_eq!(moved(2.0, "weeks"), at("2024-02-14T10:00:00Z"));
        // Calendar months, clamped to the month's last day.
        assert_eq!(moved(1.0, "months"), at("2024-02-29T10:00:00Z"));
        // Amounts given as text count; missing, negative or unknown ones wait nothing.
        assert_eq!(
            shift(from, &json!("5"), &json!("minutes"), 1),
            at("2024-01-31T10:05:00Z")
        );
        assert_eq!(moved(-5.0, "minutes"), from);
        assert_eq!(moved(5.0, "fortnights"), from);
        assert_eq!(shift(from, &json!(null), &json!("days"), 1), from);
        assert_eq!(
            shift(from, &json!(3), &json!("days"), -1),
            at("2024-01-28T10:00:00Z")
        );
        // Beyond the calendar the wait ends at its end instead of overflowing.
        assert_eq!(moved(1e300, "days"), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn timed_digests_wait_for_the_next_allowed_time_of_day() {
        // A Wednesday.
        let now = at("2024-05-15T12:00:00Z");
        let next = |timed| next_timed(now, &timed);
        assert_eq!(
            next(json!({ "atTime": "13:30" })),
            Some(at("2024-05-15T13:30:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00" })),
            Some(at("2024-05-16T09:00:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00", "weekDays": ["monday"] })),
            Some(at("2024-05-20T09:00:00Z"))
        );
        assert_eq!(
            next(json!({ "atTime": "09:00:00", "monthDays": [1] })),
            Some(at("2024-06-01T09:00:00Z"))
        );
        assert_eq!(next(json!({ "weekDays": ["monday"] })), None);
        assert_eq!(
            next(json!({ "atTime": "09:00", "ordinal": "1", "ordinalValue": "monday" })),
            None
        );
        assert_eq!(next(json!({ "atTime": "9 o'clock" })), None);
    }

    #[test]
    fn scheduled_delays_need_a_future_date_at_their_path() {
        let metadata = json!({ "type": "scheduled", "delayPath": "sendAt" });
        let future = (Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
        let due = delay_until(&metadata, &json!({ "sendAt": future })).unwrap();
        assert_eq!(due, at(&future));
        for payload in [
            json!({ "sendAt": "2001-01-01T00:00:00Z" }),
            json!({ "sendAt": "tomorrow" }),
            json!({}),
        ] {
            let stop = delay_until(&metadata, &payload).unwrap_err();
            assert_eq!(stop.job_status, "failed");
            assert!(stop.raw.unwrap().contains("sendAt"));
        }
    }
}
