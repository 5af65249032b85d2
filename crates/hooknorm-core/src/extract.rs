//! Classification and extraction for one item: named fields, the event type, and the
//! payment / refund / dispute response with typed conversions.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::contract::*;
use crate::convert;
use crate::error::{ErrorKind, HandleError};
use crate::plan::{Connector, MoneyPlan, Template, Text, TextSeg, ValuePlan};
use crate::request::{json_text, Scope};
use crate::spec::{AmountUnit, Convert};
use crate::value::{Found, Val};

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
    /// Declared fields, computed on first use. Their cells are made on first use too: most
    /// events read no declared field (only rules' `when` and templates do).
    pub fields: OnceCell<Box<[OnceCell<Option<Json>>]>>,
    pub builtins: Builtins<'b>,
    /// Optional values left out, as (spec key, reason).
    pub warnings: std::cell::RefCell<Vec<(&'static str, String)>>,
}

/// Appends non-empty text; whether it did.
fn push_nonempty(out: &mut String, text: &str) -> bool {
    out.push_str(text);
    !text.is_empty()
}

fn malformed(key: &str, msg: impl std::fmt::Display) -> HandleError {
    HandleError::new(ErrorKind::MalformedBody, format!("{key}: {msg}"))
}

impl<'c, 'b> Item<'c, '_, 'b> {
    /// An optional value that could not be read: left out, and named in the outcome.
    pub fn left_out<T>(&self, key: &'static str, e: HandleError) -> Option<T> {
        let message = e
            .message
            .strip_prefix(key)
            .and_then(|m| m.strip_prefix(": "))
            .unwrap_or(&e.message)
            .to_string();
        self.warnings.borrow_mut().push((key, message));
        None
    }

    /// Declared field `i` (fields never refer to fields, so this does not recurse).
    fn field(&self, i: usize) -> Result<Option<&Json>, HandleError> {
        let Some(cell) = self.field_cells().get(i) else {
            return Ok(None);
        };
        if let Some(v) = cell.get() {
            return Ok(v.as_ref());
        }
        let v = self.eval(&self.conn.fields[i].1)?.map(Val::into_json);
        Ok(cell.get_or_init(|| v).as_ref())
    }

    /// The cells of the declared fields, made on first use.
    fn field_cells(&self) -> &[OnceCell<Option<Json>>] {
        self.fields.get_or_init(|| {
            (0..self.conn.fields.len())
                .map(|_| OnceCell::new())
                .collect()
        })
    }

    /// Computes every declared field (for template contexts); errors surface here.
    fn all_fields(&self) -> Result<(), HandleError> {
        for i in 0..self.conn.fields.len() {
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

    fn context(&self) -> Result<minijinja::Value, HandleError> {
        self.all_fields()?;
        let mut m: BTreeMap<String, minijinja::Value> = BTreeMap::new();
        for name in crate::plan::TEMPLATE_BUILTINS {
            if let Some(v) = self.builtin(name) {
                m.insert(name.to_string(), minijinja::Value::from_serialize(&v));
            }
        }
        for (i, (name, _)) in self.conn.fields.iter().enumerate() {
            if let Some(Some(v)) = self.field_cells().get(i).and_then(OnceCell::get) {
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
                let mut out = String::with_capacity(64);
                let mut complete = true;
                for s in segs {
                    match s {
                        TextSeg::Lit(l) => out.push_str(l),
                        TextSeg::Var(v) => {
                            // Built-ins first, then declared fields, each copied once into `out`.
                            let pushed = match self.builtin_text(v) {
                                Some(t) => push_nonempty(&mut out, &t),
                                None => match self.conn.fields.iter().position(|(n, _)| n == v) {
                                    Some(i) => self
                                        .field(i)?
                                        .and_then(json_text)
                                        .is_some_and(|t| push_nonempty(&mut out, &t)),
                                    None => false,
                                },
                            };
                            complete &= pushed;
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
            .map_err(|e| malformed(&t.at.key, format!("template failed: {e}")))
    }

    /// Evaluates a value: paths (the first non-null, non-empty value), then `from`, `field`,
    /// `template`; then `map`, `default`,
    /// `convert` (text conversions only; typed conversions are the caller's). Borrows from the
    /// document where it can.
    ///
    /// A value that is only paths (most of them) is read inline at the call; the rest of the
    /// evaluation is a call of its own.
    #[inline]
    pub fn eval<'s>(&'s self, v: &'s ValuePlan) -> Result<Option<Val<'s>>, HandleError> {
        if v.only_paths {
            return Ok(self.first_of_paths(v));
        }
        self.eval_beyond_paths(v)
    }

    /// The first of a value's paths that has a value (not null, not an empty string).
    #[inline]
    fn first_of_paths<'s>(&'s self, v: &'s ValuePlan) -> Option<Val<'s>> {
        self.find_first_of_paths(v).map(Found::val)
    }

    /// [`Item::first_of_paths`], found where it is (see [`Found`]).
    #[inline]
    fn find_first_of_paths<'s>(&'s self, v: &'s ValuePlan) -> Option<Found<'s>> {
        let item = self.scope.item?;
        v.paths.iter().find_map(|p| {
            // An empty string is no value: the next fallback path gets its turn.
            p.find(item, self.scope.slots)
                .filter(|v| v.as_str() != Some(""))
        })
    }

    /// [`Item::eval`] of a value with more than paths.
    fn eval_beyond_paths<'s>(&'s self, v: &'s ValuePlan) -> Result<Option<Val<'s>>, HandleError> {
        let mut found = self.first_of_paths(v);
        if found.is_none() {
            if let Some(src) = &v.from {
                found = self
                    .scope
                    .text(src)?
                    .map(|t| Val::Text(Cow::Owned(t.into_owned())));
            }
        }
        if found.is_none() {
            if let Some(i) = v.field {
                found = self.field(i)?.map(|j| Val::Json(Cow::Borrowed(j)));
            }
        }
        if found.is_none() {
            if let Some(t) = &v.template {
                let s = self.render(t)?;
                if !s.is_empty() {
                    found = Some(Val::Text(Cow::Owned(s)));
                }
            }
        }
        if let Some(map) = &v.map {
            found = found
                .as_ref()
                .and_then(Val::text)
                .and_then(|k| map.get(k.as_ref()))
                .map(|j| Val::Json(Cow::Borrowed(j)));
        }
        if found.is_none() {
            found = v.default.as_deref().map(|d| Val::Text(Cow::Borrowed(d)));
        }
        if let (Some(Convert::Text), Some(Val::Json(value))) = (v.convert, &found) {
            if let Json::Bool(_) | Json::Number(_) = **value {
                found = json_text(value).map(|t| Val::Text(Cow::Owned(t.into_owned())));
            }
        }
        if let (Some(c @ (Convert::Upper | Convert::Lower)), Some(s)) =
            (v.convert, found.as_ref().and_then(Val::as_str))
        {
            let converted = if c == Convert::Upper {
                s.to_ascii_uppercase()
            } else {
                s.to_ascii_lowercase()
            };
            found = Some(Val::Text(Cow::Owned(converted)));
        }
        Ok(found)
    }

    /// A value's text.
    #[inline]
    pub fn eval_text(&self, v: &ValuePlan) -> Result<Option<String>, HandleError> {
        if v.only_paths {
            // The text is copied from where it was found, without a `Val` in between.
            return Ok(self
                .find_first_of_paths(v)
                .and_then(Found::text)
                .map(Cow::into_owned));
        }
        Ok(self
            .eval_beyond_paths(v)?
            .and_then(Val::into_text)
            .map(Cow::into_owned))
    }

    /// A value as text.
    pub fn text(&self, v: &'b Option<ValuePlan>) -> Result<Option<String>, HandleError> {
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
        v: &'b Option<ValuePlan>,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        Ok(self.eval(v)?.as_ref().and_then(Val::as_str).and_then(parse))
    }

    pub(crate) fn time(
        &self,
        key: &str,
        v: &'b Option<ValuePlan>,
    ) -> Result<Option<i64>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        let Some(raw) = self.eval(v)? else {
            return Ok(None);
        };
        convert::timestamp(&raw.json(), v.convert)
            .map(Some)
            .map_err(|e| malformed(key, e))
    }

    pub(crate) fn money(
        &self,
        key: &str,
        m: &'b Option<MoneyPlan>,
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
        let minor =
            convert::amount(&raw.json(), m.unit, &currency).map_err(|e| malformed(key, e))?;
        Ok(Some(Money {
            minor_amount: minor,
            currency,
        }))
    }

    pub(crate) fn minor_like(
        &self,
        key: &str,
        v: &'b Option<ValuePlan>,
        unit: AmountUnit,
        currency: Option<&str>,
    ) -> Result<Option<i64>, HandleError> {
        let Some(v) = v else { return Ok(None) };
        let Some(raw) = self.eval(v)? else {
            return Ok(None);
        };
        // Without the amount's currency the exponent is unknown: never guess one.
        let Some(currency) = currency else {
            return Err(malformed(
                key,
                "the amount's currency is unknown, so its minor units cannot be known",
            ));
        };
        convert::amount(&raw.json(), unit, currency)
            .map(Some)
            .map_err(|e| malformed(key, e))
    }

    pub(crate) fn error_details(
        &self,
        code: &'b Option<ValuePlan>,
        message: &'b Option<ValuePlan>,
    ) -> Result<Option<ErrorDetails>, HandleError> {
        let code = self.text(code)?;
        let message = self.text(message)?;
        Ok((code.is_some() || message.is_some()).then_some(ErrorDetails { code, message }))
    }
}
