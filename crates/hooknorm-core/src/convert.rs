//! Time and amount conversions: the signed timestamp of the replay window ([`parse_time`]),
//! timestamps read from a webhook body ([`timestamp`]) and amounts in minor units
//! ([`amount`], exact, never rounded).
//!
//! Each returns `None` or an error text without the key; the caller makes the error.

use serde_json::Value as Json;

use crate::spec::{AmountUnit, Convert, TimeUnit};

/// The value of a run of ASCII decimal digits. The caller checks they are digits, and few
/// enough for its type: up to 19 always fit a `u64`, up to 18 an `i64`.
#[inline]
pub(crate) fn decimal(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// Parses a timestamp to unix seconds.
pub(crate) fn parse_time(text: &str, unit: TimeUnit) -> Option<i64> {
    let digits = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| i64::try_from(decimal(t.as_bytes())).ok())
            .flatten()
    };
    match unit {
        TimeUnit::Seconds => digits(text),
        TimeUnit::Milliseconds => digits(text).map(|ms| ms.div_euclid(1000)),
        TimeUnit::SecondsOrMilliseconds if text.len() >= 13 => {
            digits(text).map(|ms| ms.div_euclid(1000))
        }
        TimeUnit::SecondsOrMilliseconds => digits(text),
        TimeUnit::Rfc3339 => chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|d| d.timestamp()),
    }
}

/// Converts a timestamp value of a webhook to unix seconds: a JSON integer or a digit string
/// (unix seconds, or milliseconds with `convert: unix_millis`), else RFC 3339 text (always
/// with `convert: rfc3339`).
pub(crate) fn timestamp(raw: &Json, convert: Option<Convert>) -> Result<i64, String> {
    let millis = convert == Some(Convert::UnixMillis);
    let from_int = |i: i64| if millis { i.div_euclid(1000) } else { i };
    match raw {
        Json::Number(n) => n
            .as_i64()
            .map(from_int)
            .ok_or_else(|| format!("`{n}` is not a whole-second timestamp")),
        Json::String(s)
            if convert != Some(Convert::Rfc3339)
                && !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse::<i64>()
                .map(from_int)
                .map_err(|_| "timestamp out of range".to_string())
        }
        Json::String(s) => {
            parse_time(s, TimeUnit::Rfc3339).ok_or_else(|| format!("`{s}` is not a timestamp"))
        }
        other => Err(format!("`{other}` is not a timestamp")),
    }
}

/// The ISO 4217 minor-unit exponent of a currency.
pub(crate) fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Converts an amount (JSON number or numeric string) to minor units, exactly.
pub(crate) fn amount(raw: &Json, unit: AmountUnit, currency: &str) -> Result<i64, String> {
    if let (Json::Number(n), AmountUnit::Minor) = (raw, unit) {
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
    }
    let text = match raw {
        Json::Number(n) => n.to_string(),
        Json::String(s) => s.trim().to_string(),
        other => return Err(format!("`{other}` is not an amount")),
    };
    match unit {
        AmountUnit::Minor => {
            let t = text.strip_prefix('-').unwrap_or(&text);
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`{text}` is not a whole number of minor units"));
            }
            text.parse::<i64>()
                .map_err(|_| format!("`{text}` is out of range"))
        }
        AmountUnit::Major => major_to_minor(&text, currency_exponent(currency))
            .ok_or_else(|| format!("`{text}` is not an exact {currency} amount")),
    }
}

/// `"10.5"` with exponent 2 → 1050. Rejects more fractional digits than the currency has
/// (unless they are zeros), exponents, and anything that is not a plain decimal.
pub(crate) fn major_to_minor(text: &str, exp: u32) -> Option<i64> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if t.contains('.') && frac.is_empty() {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > exp as usize {
        return None;
    }
    let mut digits = String::with_capacity(int.len() + exp as usize);
    digits.push_str(int);
    digits.push_str(frac);
    for _ in frac.len()..exp as usize {
        digits.push('0');
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_parse_strictly() {
        assert_eq!(
            parse_time("1700000000", TimeUnit::Seconds),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_time("1700000000123", TimeUnit::Milliseconds),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_time("2023-11-14T22:13:20Z", TimeUnit::Rfc3339),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_time("2023-11-14T23:13:20+01:00", TimeUnit::Rfc3339),
            Some(1_700_000_000)
        );
        for bad in ["", " 1", "1.5", "-1", "+1", "1e9", "99999999999999999999"] {
            assert_eq!(parse_time(bad, TimeUnit::Seconds), None, "{bad:?}");
        }
        assert_eq!(parse_time("yesterday", TimeUnit::Rfc3339), None);
    }

    #[test]
    fn seconds_or_milliseconds_tells_the_units_apart_by_digits() {
        for (text, at) in [
            ("1700000000", 1_700_000_000),
            ("1700000000123", 1_700_000_000),
            ("999999999999", 999_999_999_999),
        ] {
            assert_eq!(
                parse_time(text, TimeUnit::SecondsOrMilliseconds),
                Some(at),
                "{text}"
            );
        }
        assert_eq!(parse_time("1.7e9", TimeUnit::SecondsOrMilliseconds), None);
    }

    #[test]
    fn body_timestamps_from_json() {
        let at = 1_700_000_000;
        assert_eq!(timestamp(&json!(at), None), Ok(at));
        assert_eq!(timestamp(&json!("1700000000"), None), Ok(at));
        assert_eq!(
            timestamp(&json!(1_700_000_000_999i64), Some(Convert::UnixMillis)),
            Ok(at)
        );
        assert_eq!(
            timestamp(&json!("1700000000999"), Some(Convert::UnixMillis)),
            Ok(at)
        );
        assert_eq!(timestamp(&json!("2023-11-14T22:13:20Z"), None), Ok(at));
        assert_eq!(
            timestamp(&json!("1700000000"), Some(Convert::Rfc3339)),
            Err("`1700000000` is not a timestamp".into())
        );
        assert_eq!(
            timestamp(&json!(1.5), None),
            Err("`1.5` is not a whole-second timestamp".into())
        );
        assert_eq!(
            timestamp(&json!("99999999999999999999"), None),
            Err("timestamp out of range".into())
        );
        assert_eq!(
            timestamp(&json!(true), None),
            Err("`true` is not a timestamp".into())
        );
    }

    #[test]
    fn major_units_convert_exactly() {
        assert_eq!(major_to_minor("10.5", 2), Some(1050));
        assert_eq!(major_to_minor("10.50", 2), Some(1050));
        assert_eq!(major_to_minor("1000", 0), Some(1000));
        assert_eq!(major_to_minor("1.234", 3), Some(1234));
        assert_eq!(major_to_minor("0.10", 0), None);
        assert_eq!(major_to_minor("1.005", 2), None);
        assert_eq!(major_to_minor("1e3", 2), None);
        assert_eq!(major_to_minor("1.", 2), None);
        assert_eq!(major_to_minor("-2.5", 2), Some(-250));
        assert_eq!(major_to_minor("99999999999999999999", 2), None);
    }

    proptest::proptest! {
        /// Every minor amount written in major units converts back exactly, for every currency
        /// exponent; one digit more than the currency has is refused, never rounded.
        #[test]
        fn major_amounts_are_exact_for_every_exponent(
            minor in -1_000_000_000_000_000i64..1_000_000_000_000_000,
            currency in proptest::sample::select(vec!["JPY", "KRW", "USD", "EUR", "INR", "KWD", "BHD", "TND", "CLF", "UYW"]),
            zeros in 0usize..3,
            extra in 1u8..10,
        ) {
            let exp = currency_exponent(currency);
            let scale = 10i64.pow(exp);
            let sign = if minor < 0 { "-" } else { "" };
            let (int, frac) = (minor.unsigned_abs() / scale as u64, minor.unsigned_abs() % scale as u64);
            let text = if exp == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac:0w$}{}", "0".repeat(zeros), w = exp as usize)
            };
            proptest::prop_assert_eq!(major_to_minor(&text, exp), Some(minor));
            proptest::prop_assert_eq!(amount(&json!(text.clone()), AmountUnit::Major, currency), Ok(minor));
            proptest::prop_assert_eq!(amount(&json!(minor), AmountUnit::Minor, currency), Ok(minor));
            let finer = if exp == 0 { format!("{text}.{extra}") } else { format!("{text}{extra}") };
            proptest::prop_assert_eq!(major_to_minor(&finer, exp), None);
        }
    }

    #[test]
    fn amounts_from_json() {
        assert_eq!(amount(&json!(2000), AmountUnit::Minor, "USD"), Ok(2000));
        assert_eq!(amount(&json!("2000"), AmountUnit::Minor, "USD"), Ok(2000));
        assert!(amount(&json!(20.5), AmountUnit::Minor, "USD").is_err());
        assert_eq!(amount(&json!("12.34"), AmountUnit::Major, "EUR"), Ok(1234));
        assert_eq!(amount(&json!(12.34), AmountUnit::Major, "EUR"), Ok(1234));
        assert_eq!(amount(&json!("1500"), AmountUnit::Major, "JPY"), Ok(1500));
        assert_eq!(amount(&json!("1.500"), AmountUnit::Major, "KWD"), Ok(1500));
        assert!(amount(&json!(true), AmountUnit::Minor, "USD").is_err());
    }
}
