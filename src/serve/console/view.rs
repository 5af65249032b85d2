//! What the console's pages show, taken from the stored events: a row per event (its delivered
//! line read for the event type, resource, amount and `source_verified`), the events filter from
//! the query string, and times as UTC text.

use serde::Serialize;
use serde_json::Value;

use crate::queue::{EventInfo, EventQuery, State};

/// Events per page.
pub(super) const PAGE: usize = 50;

/// One row of the events and dead-letter lists.
#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub id: i64,
    pub time: String,
    pub connector: String,
    pub account: String,
    pub event_type: String,
    pub resource_id: String,
    pub amount: String,
    pub source_verified: Option<bool>,
    pub state: &'static str,
    pub attempts: u32,
}

/// The resource of the line's event (`event.event_response.<kind>`), if any.
fn resource(line: &Value) -> Option<&serde_json::Map<String, Value>> {
    line.pointer("/event/event_response")?
        .as_object()?
        .values()
        .next()?
        .as_object()
}

/// The resource's processor id: its first `connector_..._id` field.
fn resource_id(line: &Value) -> String {
    resource(line)
        .and_then(|r| {
            r.iter()
                .find(|(k, v)| k.starts_with("connector_") && k.ends_with("_id") && v.is_string())
                .and_then(|(_, v)| v.as_str())
        })
        .unwrap_or("")
        .to_string()
}

/// The resource's amount as `123.45 EUR` style text: minor units and the currency code.
fn amount(line: &Value) -> String {
    let money = resource(line).and_then(|r| {
        r.values()
            .find(|v| v.get("minor_amount").is_some() && v.get("currency").is_some())
    });
    match money {
        Some(m) => format!(
            "{} {}",
            m["minor_amount"],
            m["currency"].as_str().unwrap_or("")
        ),
        None => String::new(),
    }
}

/// The row of a stored event.
pub(super) fn row(info: &EventInfo, line: &str) -> Row {
    let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
    Row {
        id: info.id,
        time: utc(info.created_ms),
        connector: info.connector.clone(),
        account: info.account.clone(),
        event_type: v
            .pointer("/event/event_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        resource_id: resource_id(&v),
        amount: amount(&v),
        source_verified: v.pointer("/event/source_verified").and_then(Value::as_bool),
        state: info.state.as_str(),
        attempts: info.attempts,
    }
}

/// Unix milliseconds as `2026-01-31 12:00:00.123Z`.
pub(super) fn utc(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{milli:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The events filter as the form gives it back (empty fields left out).
#[derive(Debug, Default, Serialize)]
pub(super) struct Filter {
    pub connector: String,
    pub account: String,
    pub event_type: String,
    pub state: String,
    pub since: String,
    pub until: String,
    pub page: usize,
}

impl Filter {
    /// From the query string; an error names the bad field.
    pub(super) fn parse(query: &str) -> Result<Filter, String> {
        let mut f = Filter::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.trim().to_string();
            match &*k {
                "connector" => f.connector = v,
                "account" => f.account = v,
                "event_type" => f.event_type = v,
                "state" => f.state = v,
                "since" => f.since = v,
                "until" => f.until = v,
                "page" if v.is_empty() => {}
                "page" => f.page = v.parse().map_err(|_| "page must be a number".to_string())?,
                _ => {}
            }
        }
        Ok(f)
    }

    /// The store query of this filter's page.
    pub(super) fn query(&self) -> Result<EventQuery, String> {
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        let time = |s: &String| -> Result<Option<i64>, String> {
            if s.is_empty() {
                Ok(None)
            } else {
                crate::queue::parse_time(s).map(Some)
            }
        };
        let state = match self.state.as_str() {
            "" => None,
            s => Some(
                State::parse(s)
                    .ok_or_else(|| "state must be pending, delivered or dead".to_string())?,
            ),
        };
        Ok(EventQuery {
            state,
            connector: some(&self.connector),
            account: some(&self.account),
            event_type: some(&self.event_type),
            since_ms: time(&self.since)?,
            until_ms: time(&self.until)?,
            offset: self.page.saturating_mul(PAGE),
            // One more than a page: whether there is a next page.
            limit: PAGE + 1,
        })
    }

    /// The query string of this filter at another page.
    pub(super) fn at_page(&self, page: usize) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("connector", &self.connector),
            ("account", &self.account),
            ("event_type", &self.event_type),
            ("state", &self.state),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &page.to_string());
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_text() {
        assert_eq!(utc(0), "1970-01-01 00:00:00.000Z");
        assert_eq!(utc(1_700_000_000_500), "2023-11-14 22:13:20.500Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00.000Z");
    }

    #[test]
    fn filter_round_trip() {
        let f = Filter::parse("connector=razorpay&state=dead&since=2026-01-01T00:00:00Z&page=2")
            .unwrap();
        let q = f.query().unwrap();
        assert_eq!(q.connector.as_deref(), Some("razorpay"));
        assert_eq!(q.state, Some(State::Dead));
        assert_eq!(q.offset, 2 * PAGE);
        assert!(q.since_ms.is_some() && q.until_ms.is_none());
        assert!(f.at_page(3).contains("page=3"));
        assert!(Filter::parse("state=nope").unwrap().query().is_err());
        assert!(Filter::parse("page=x").is_err());
    }

    #[test]
    fn row_of_a_line() {
        let info = EventInfo {
            id: 7,
            idempotency_key: "k".into(),
            connector: "c".into(),
            account: "default".into(),
            state: State::Dead,
            attempts: 3,
            created_ms: 0,
            updated_ms: 0,
            next_attempt_ms: 0,
        };
        let line = r#"{"event":{"event_type":"PAYMENT_INTENT_SUCCESS","source_verified":true,
            "event_response":{"payments_response":{"connector_transaction_id":"pay_1",
            "amount":{"minor_amount":499,"currency":"INR"}}}}}"#;
        let r = row(&info, line);
        assert_eq!(r.event_type, "PAYMENT_INTENT_SUCCESS");
        assert_eq!(r.resource_id, "pay_1");
        assert_eq!(r.amount, "499 INR");
        assert_eq!(r.source_verified, Some(true));
        assert_eq!(r.state, "dead");
    }
}
