//! Classification and extraction for one item: named fields, the event type, and the
//! payment / refund / dispute response with typed conversions.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::error::{ErrorKind, HandleError};
use crate::model::{AmountUnit, Convert};
use crate::plan::{Connector, Money as MoneyC, Template, Text, TextSeg, Value};
use crate::request::{first, json_text, Scope};
use crate::types::*;

/// Built-in template variables of one item.
#[derive(Default)]
pub(crate) struct Builtins<'r> {
    pub connector: &'r str,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub item_index: usize,
    /// The verified signature (None when unsigned): `signed_sha256` is derived from it, or
    /// from the body when unsigned.
    pub signature: Option<&'r str>,
    pub merchant_event_id: Option<&'r str>,
}

/// Everything needed to evaluate values of one item.
pub(crate) struct Item<'c, 'a, 'b> {
    pub conn: &'c Connector,
    pub scope: Scope<'a, 'b>,
    /// Declared fields, computed on first use.
    pub fields: Vec<OnceCell<Option<Json>>>,
    pub builtins: Builtins<'b>,
}

fn malformed(key: &str, msg: impl std::fmt::Display) -> HandleError {
    HandleError::new(ErrorKind::MalformedBody, format!("{key}: {msg}"))
}

impl<'c, 'b> Item<'c, '_, 'b> {
    /// Declared field `i` (fields never refer to fields, so this does not recurse).
    fn field(&self, i: usize) -> Result<Option<&Json>, HandleError> {
        let Some(cell) = self.fields.get(i) else {
            return Ok(None);
        };
        if let Some(v) = cell.get() {
            return Ok(v.as_ref());
        }
        let v = self.eval(&self.conn.fields[i].1)?.map(Cow::into_owned);
        Ok(cell.get_or_init(|| v).as_ref())
    }

    /// Computes every declared field (for template contexts); errors surface here.
    fn all_fields(&self) -> Result<(), HandleError> {
        for i in 0..self.fields.len() {
            self.field(i)?;
        }
        Ok(())
    }

    /// A built-in variable as text (`None` when unset or not a built-in).
    fn builtin_text(&self, name: &str) -> Option<Cow<'_, str>> {
        let b = &self.builtins;
        match name {
            "connector" => Some(Cow::Borrowed(b.connector)),
            "event_type" => b.event_type.as_deref().map(Cow::Borrowed),
            "event_id" => b.event_id.as_deref().map(Cow::Borrowed),
            "item_index" => Some(Cow::Owned(b.item_index.to_string())),
            "signed_sha256" => Some(Cow::Owned(self.signed_sha256())),
            "merchant_event_id" => b.merchant_event_id.map(Cow::Borrowed),
            _ => None,
        }
    }

    fn builtin(&self, name: &str) -> Option<Json> {
        if name == "item_index" {
            return Some(Json::from(self.builtins.item_index));
        }
        self.builtin_text(name)
            .map(|t| Json::String(t.into_owned()))
    }

    /// SHA-256 (hex) of the verified signature, or of the body when unsigned.
    pub fn signed_sha256(&self) -> String {
        match self.builtins.signature {
            Some(sig) => crate::crypto::sha256_hex(&[sig.as_bytes()]),
            None => crate::crypto::sha256_hex(&[&self.scope.req.details.body]),
        }
    }

    fn var(&self, name: &str) -> Result<Option<Json>, HandleError> {
        if let Some(b) = self.builtin(name) {
            return Ok(Some(b));
        }
        match self.conn.fields.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(self.field(i)?.cloned()),
            None => Ok(None),
        }
    }

    fn context(&self) -> Result<minijinja::Value, HandleError> {
        self.all_fields()?;
        let mut m: BTreeMap<String, minijinja::Value> = BTreeMap::new();
        for name in crate::plan::TEMPLATE_BUILTINS {
            if let Some(v) = self.builtin(name) {
                m.insert(name.to_string(), minijinja::Value::from_serialize(&v));
            }
        }
        for (i, (name, _)) in self.conn.fields.iter().enumerate() {
            if let Some(Some(v)) = self.fields.get(i).and_then(OnceCell::get) {
                m.insert(name.clone(), minijinja::Value::from_serialize(v));
            }
        }
        Ok(minijinja::Value::from(m))
    }

    /// Renders a template.
    pub fn render(&self, t: &Text) -> Result<String, HandleError> {
        Ok(self.render_inner(t)?.0)
    }

    /// Renders a template that must be complete (an idempotency key): `None` when a plain
    /// template lacks one of its variables, or any template renders empty.
    pub fn render_complete(&self, t: &Text) -> Result<Option<String>, HandleError> {
        let (out, complete) = self.render_inner(t)?;
        Ok((complete && !out.is_empty()).then_some(out))
    }

    /// The rendered text, and whether every variable of a plain template had a value.
    fn render_inner(&self, t: &Text) -> Result<(String, bool), HandleError> {
        match t {
            Text::Simple(segs) => {
                let mut out = String::new();
                let mut complete = true;
                for s in segs {
                    match s {
                        TextSeg::Lit(l) => out.push_str(l),
                        TextSeg::Var(v) => {
                            let text = match self.builtin_text(v) {
                                Some(t) => Some(t.into_owned()),
                                None => self
                                    .var(v)?
                                    .as_ref()
                                    .and_then(json_text)
                                    .map(Cow::into_owned),
                            };
                            match text.filter(|t| !t.is_empty()) {
                                Some(t) => out.push_str(&t),
                                None => complete = false,
                            }
                        }
                    }
                }
                Ok((out, complete))
            }
            Text::Jinja(t) => Ok((self.render_template(t)?, true)),
        }
    }

    fn render_template(&self, t: &Template) -> Result<String, HandleError> {
        t.render(&self.conn.env, self.context()?)
            .map_err(|e| malformed(&t.key, format!("template failed: {e}")))
    }

    /// Evaluates a value: paths (the first non-null, non-empty value), then `from`, `field`,
    /// `template`; then `map`, `default`,
    /// `convert` (text conversions only; typed conversions are the caller's). Borrows from the
    /// document where it can.
    pub fn eval<'s>(&'s self, v: &'s Value) -> Result<Option<Cow<'s, Json>>, HandleError> {
        let mut found: Option<Cow<'s, Json>> = None;
        if let Some(item) = self.scope.item {
            found = v
                .paths
                .iter()
                .find_map(|p| {
                    // An empty string is no value: the next fallback path gets its turn.
                    first(p, item, self.scope.slots).filter(|v| v.as_str() != Some(""))
                })
                .map(Cow::Borrowed);
        }
        if found.is_none() {
            if let Some(src) = &v.from {
                found = self
                    .scope
                    .text(src)?
                    .map(|t| Cow::Owned(Json::String(t.into_owned())));
            }
        }
        if found.is_none() {
            if let Some(i) = v.field {
                found = self.field(i)?.map(Cow::Borrowed);
            }
        }
        if found.is_none() {
            if let Some(t) = &v.template {
                let s = self.render(t)?;
                if !s.is_empty() {
                    found = Some(Cow::Owned(Json::String(s)));
                }
            }
        }
        if let Some(map) = &v.map {
            found = found
                .as_deref()
                .and_then(json_text)
                .and_then(|k| map.get(k.as_ref()))
                .map(|t| Cow::Owned(Json::String(t.clone())));
        }
        if found.is_none() {
            found = v.default.clone().map(|d| Cow::Owned(Json::String(d)));
        }
        if let (Some(c @ (Convert::Upper | Convert::Lower)), Some(Json::String(s))) =
            (v.convert, found.as_deref())
        {
            let converted = if c == Convert::Upper {
                s.to_ascii_uppercase()
            } else {
                s.to_ascii_lowercase()
            };
            found = Some(Cow::Owned(Json::String(converted)));
        }
        Ok(found)
    }

    /// A value's text.
    pub fn eval_text(&self, v: &Value) -> Result<Option<String>, HandleError> {
        Ok(self
            .eval(v)?
            .as_deref()
            .and_then(json_text)
            .map(Cow::into_owned))
    }

    /// A value as text.
    pub fn text(&self, v: &'b Option<Value>) -> Result<Option<String>, HandleError> {
        match v {
            Some(v) => self.eval_text(v),
            None => Ok(None),
        }
    }

    /// Whether a rule's `when` holds.
    pub fn holds(&self, template: &Template) -> Result<bool, HandleError> {
        Ok(self.render_template(template)? == "1")
    }

    /// Classifies the item: (event type, status override of the matching rule).
    pub fn classify(&self) -> Result<(WebhookEventType, Option<&'c str>), HandleError> {
        let conn: &'c Connector = self.conn;
        let events = &conn.events;
        let raw = self.builtins.event_type.as_deref();
        let candidates = raw
            .and_then(|r| events.rules_by_type.get(r))
            .unwrap_or(&events.untyped_rules);
        for &i in candidates {
            let rule = &events.rules[i];
            if let Some(w) = &rule.when {
                if !self.holds(w)? {
                    continue;
                }
            }
            return Ok((rule.event, rule.status.as_deref()));
        }
        Ok((
            raw.and_then(|r| events.map.get(r).copied())
                .unwrap_or(WebhookEventType::EventNotSupported),
            None,
        ))
    }

    /// A value read as a contract enum name.
    pub(crate) fn enum_value<T>(
        &self,
        v: &'b Option<Value>,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        Ok(self
            .eval(v)?
            .as_deref()
            .and_then(Json::as_str)
            .and_then(parse))
    }

    pub(crate) fn time(&self, key: &str, v: &'b Option<Value>) -> Result<Option<i64>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        let Some(raw) = self.eval(v)? else {
            return Ok(None);
        };
        let millis = v.convert == Some(Convert::UnixMillis);
        let from_int = |i: i64| if millis { i.div_euclid(1000) } else { i };
        match &*raw {
            Json::Number(n) => n
                .as_i64()
                .map(from_int)
                .map(Some)
                .ok_or_else(|| malformed(key, format!("`{n}` is not a whole-second timestamp"))),
            Json::String(s)
                if v.convert != Some(Convert::Rfc3339)
                    && !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.parse::<i64>()
                    .map(|i| Some(from_int(i)))
                    .map_err(|_| malformed(key, "timestamp out of range"))
            }
            Json::String(s) => crate::verify::parse_time(s, crate::model::TimeUnit::Rfc3339)
                .map(Some)
                .ok_or_else(|| malformed(key, format!("`{s}` is not a timestamp"))),
            other => Err(malformed(key, format!("`{other}` is not a timestamp"))),
        }
    }

    pub(crate) fn money(
        &self,
        key: &str,
        m: &'b Option<MoneyC>,
    ) -> Result<Option<Money>, HandleError> {
        let Some(m) = m else { return Ok(None) };
        let currency = self.eval_text(&m.currency)?.map(|mut c| {
            c.make_ascii_uppercase();
            c
        });
        let Some(raw) = self.eval(&m.value)? else {
            return Ok(None);
        };
        let Some(currency) = currency else {
            return Err(malformed(key, "an amount without a currency"));
        };
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(malformed(
                key,
                format!("`{currency}` is not an ISO 4217 currency code"),
            ));
        }
        let minor = amount(&raw, m.unit, &currency).map_err(|e| malformed(key, e))?;
        Ok(Some(Money {
            minor_amount: minor,
            currency,
        }))
    }

    pub(crate) fn minor_like(
        &self,
        key: &str,
        v: &'b Option<Value>,
        unit: AmountUnit,
        currency: Option<&str>,
    ) -> Result<Option<i64>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        let Some(raw) = self.eval(v)? else {
            return Ok(None);
        };
        amount(&raw, unit, currency.unwrap_or("USD"))
            .map(Some)
            .map_err(|e| malformed(key, e))
    }

    pub(crate) fn error_details(
        &self,
        code: &'b Option<Value>,
        message: &'b Option<Value>,
    ) -> Result<Option<ErrorDetails>, HandleError> {
        let code = self.text(code)?;
        let message = self.text(message)?;
        Ok((code.is_some() || message.is_some()).then_some(ErrorDetails { code, message }))
    }
}

/// The ISO 4217 minor-unit exponent of a currency.
pub fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Converts an amount (JSON number or numeric string) to minor units, exactly.
pub fn amount(raw: &Json, unit: AmountUnit, currency: &str) -> Result<i64, String> {
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
pub fn major_to_minor(text: &str, exp: u32) -> Option<i64> {
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
