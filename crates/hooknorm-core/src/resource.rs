//! The resources an event carries (`payments_response`, `refunds_response`,
//! `disputes_response`), each declared once as a table of fields.
//!
//! A table row is `name: OutputType => Kind`. From the table follow the spec section (the YAML
//! keys, with their JSON Schema), its compiled plan, the extraction, and the output type. The
//! kind says how a field is read: [`Text`], [`Time`], [`Amount`], [`MinorOfAmount`],
//! [`Status`] or [`Error`]. Adding an optional text field to `payments_response` is one row:
//!
//! ```text
//! /// The processor's reference for the payment attempt.
//! connector_response_reference_id: String => Text,
//! ```
//!
//! after which a spec can write `payment: { connector_response_reference_id: $.data.ref }`.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, MapAccess};
use serde_json::{Map, Value as Json};

use crate::compile::{Compiler, Target};
use crate::contract::{
    DisputeStage, DisputeStatus, ErrorDetails, Money, PaymentStatus, RefundStatus, WebhookEventType,
};
use crate::error::HandleError;
use crate::extract::Item;
use crate::plan::{MoneyPlan, ValuePlan};
use crate::spec::{AmountUnit, MoneySpec, ValueSpec};

/// What extraction of one resource knows besides the item: the classified event, the matching
/// rule's status, and the amount read so far (for amounts in its unit and currency).
pub(crate) struct Ctx<'r> {
    pub event: WebhookEventType,
    pub rule_status: Option<&'r str>,
    pub amount_unit: AmountUnit,
    /// The amount's currency: an ISO 4217 code (three uppercase letters, checked by
    /// `Item::money`), kept inline rather than as one more copy on the heap.
    pub currency: Option<[u8; 3]>,
}

/// How one output field of a resource is declared, compiled and extracted.
pub(crate) trait FieldKind {
    /// What the spec gives for the field (one or more YAML keys).
    type Spec: Default;
    /// The compiled form.
    type Plan;
    /// The output value.
    type Out;

    /// The YAML keys of the field named `field`.
    fn keys(field: &'static str, out: &mut Vec<&'static str>);

    /// Takes `key` from a spec map if it is one of this field's keys.
    fn take<'de, A: MapAccess<'de>>(
        spec: &mut Self::Spec,
        field: &'static str,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Adds the field's keys to a JSON Schema's `properties`.
    fn schema(g: &mut SchemaGenerator, field: &str, doc: &str, props: &mut Map<String, Json>);

    /// Compiles the field; `section` is the resource's spec key (`payment`).
    fn compile(c: &mut Compiler, section: &str, field: &str, spec: &Self::Spec) -> Self::Plan;

    /// The compiled values the field reads (for the spec warnings).
    fn values<'p>(plan: &'p Self::Plan, out: &mut Vec<&'p ValuePlan>);

    /// Reads the field from an item; `key` (`payment.amount`) names it in errors.
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        key: &'static str,
        plan: &'b Self::Plan,
        ctx: &mut Ctx,
    ) -> Result<Option<Self::Out>, HandleError>;
}

/// One `Option<T>` spec key named like the field.
fn take_one<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    name: &'static str,
    key: &str,
    map: &mut A,
) -> Result<bool, A::Error> {
    if key != name {
        return Ok(false);
    }
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(true)
}

/// A property `Option<T>`, with a description when the doc is not empty.
fn property<T: JsonSchema>(
    g: &mut SchemaGenerator,
    name: &str,
    doc: &str,
    props: &mut Map<String, Json>,
) {
    let mut s = g.subschema_for::<Option<T>>();
    if !doc.is_empty() {
        if let Some(obj) = s.as_object_mut() {
            let mut with_doc = Map::new();
            with_doc.insert("description".into(), Json::from(doc));
            with_doc.extend(std::mem::take(obj));
            *obj = with_doc;
        }
    }
    props.insert(name.to_string(), s.to_value());
}

/// Implements the spec and plan side of kinds read from one `ValueSpec` key named like the
/// field and compiled to one optional value; `$target` is the contract enum a `map` of it must
/// name (`None`: any text).
macro_rules! one_value {
    ($target:expr) => {
        type Spec = Option<ValueSpec>;
        type Plan = Option<ValuePlan>;
        fn values<'p>(plan: &'p Self::Plan, out: &mut Vec<&'p ValuePlan>) {
            out.extend(plan.iter());
        }
        fn compile(c: &mut Compiler, section: &str, field: &str, spec: &Self::Spec) -> Self::Plan {
            c.opt(&format!("{section}.{field}"), spec, $target)
        }
        fn keys(field: &'static str, out: &mut Vec<&'static str>) {
            out.push(field);
        }
        fn take<'de, A: MapAccess<'de>>(
            spec: &mut Self::Spec,
            field: &'static str,
            key: &str,
            map: &mut A,
        ) -> Result<bool, A::Error> {
            take_one(spec, field, key, map)
        }
        fn schema(g: &mut SchemaGenerator, field: &str, doc: &str, props: &mut Map<String, Json>) {
            property::<ValueSpec>(g, field, doc, props);
        }
    };
}

/// Text: strings as they are, numbers and booleans as their JSON text.
pub(crate) struct Text;

impl FieldKind for Text {
    one_value!(None);
    type Out = String;
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        _key: &'static str,
        plan: &'b Self::Plan,
        _ctx: &mut Ctx,
    ) -> Result<Option<String>, HandleError> {
        item.text(plan)
    }
}

/// A timestamp, as unix seconds (from unix seconds, `convert: unix_millis`, or RFC 3339 text).
pub(crate) struct Time;

impl FieldKind for Time {
    one_value!(None);
    type Out = i64;
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        key: &'static str,
        plan: &'b Self::Plan,
        _ctx: &mut Ctx,
    ) -> Result<Option<i64>, HandleError> {
        item.time(key, plan)
    }
}

/// An amount with its currency (a `MoneySpec`); later [`MinorOfAmount`] fields use its unit
/// and currency.
pub(crate) struct Amount;

impl FieldKind for Amount {
    type Spec = Option<MoneySpec>;
    type Plan = Option<MoneyPlan>;
    type Out = Money;
    fn values<'p>(plan: &'p Self::Plan, out: &mut Vec<&'p ValuePlan>) {
        out.extend(plan.iter().flat_map(|m| [&m.value, &m.currency]));
    }
    fn keys(field: &'static str, out: &mut Vec<&'static str>) {
        out.push(field);
    }
    fn take<'de, A: MapAccess<'de>>(
        spec: &mut Self::Spec,
        field: &'static str,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        take_one(spec, field, key, map)
    }
    fn schema(g: &mut SchemaGenerator, field: &str, doc: &str, props: &mut Map<String, Json>) {
        property::<MoneySpec>(g, field, doc, props);
    }
    fn compile(c: &mut Compiler, section: &str, field: &str, spec: &Self::Spec) -> Self::Plan {
        c.money(&format!("{section}.{field}"), spec)
    }
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        key: &'static str,
        plan: &'b Self::Plan,
        ctx: &mut Ctx,
    ) -> Result<Option<Money>, HandleError> {
        let money = item.money(key, plan)?;
        ctx.amount_unit = plan.as_ref().map_or(AmountUnit::Minor, |m| m.unit);
        ctx.currency = money
            .as_ref()
            .and_then(|m| <[u8; 3]>::try_from(m.currency.as_bytes()).ok());
        Ok(money)
    }
}

/// An amount in the unit and currency of the resource's [`Amount`] field, declared before it.
pub(crate) struct MinorOfAmount;

impl FieldKind for MinorOfAmount {
    one_value!(None);
    type Out = i64;
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        key: &'static str,
        plan: &'b Self::Plan,
        ctx: &mut Ctx,
    ) -> Result<Option<i64>, HandleError> {
        let currency = ctx
            .currency
            .as_ref()
            .and_then(|c| std::str::from_utf8(c).ok());
        item.minor_like(key, plan, ctx.amount_unit, currency)
    }
}

/// A contract enum read through the spec's `map` (whose targets are checked at load).
pub(crate) trait StatusEnum: Copy + Sized + 'static {
    /// The enum the spec's `map` targets must name.
    const TARGET: Target;
    /// The value of a contract name.
    fn parse(name: &str) -> Option<Self>;
    /// The value, given the extracted one, the matching rule's status and the event type.
    fn resolve(
        extracted: Option<Self>,
        rule_status: Option<&str>,
        event: WebhookEventType,
    ) -> Option<Self>;
}

/// Implements [`StatusEnum`] for a contract enum with its `map` target and resolution.
macro_rules! status_enum {
    ($t:ident, $target:expr, |$x:ident, $rule:ident, $event:ident| $resolve:expr) => {
        impl StatusEnum for $t {
            const TARGET: Target = $target;
            fn parse(name: &str) -> Option<Self> {
                $t::from_name(name)
            }
            fn resolve(
                $x: Option<Self>,
                $rule: Option<&str>,
                $event: WebhookEventType,
            ) -> Option<Self> {
                $resolve
            }
        }
    };
}

// The rule's status, else the extracted one, else what the event type implies.
status_enum!(PaymentStatus, Target::Payment, |x, rule, event| rule
    .and_then(Self::parse)
    .or(x)
    .or(event.default_payment_status()));
status_enum!(RefundStatus, Target::Refund, |x, rule, event| rule
    .and_then(Self::parse)
    .or(x)
    .or(event.default_refund_status()));
// The event type is authoritative for disputes (its status is what the host acts on): the
// rule's status, else the event's, else the extracted one.
status_enum!(DisputeStatus, Target::Dispute, |x, rule, event| rule
    .and_then(Self::parse)
    .or(event.default_dispute_status())
    .or(x));
// The extracted stage, else `ACTIVE_DISPUTE`; rules do not set stages.
status_enum!(DisputeStage, Target::Stage, |x, _rule, _event| x
    .or(Some(DisputeStage::ActiveDispute)));

/// A status or stage: see each enum's [`StatusEnum::resolve`] for how the extracted value, the
/// rule and the event type combine. The field is resolved even when the spec does not read it.
pub(crate) struct Status<T>(PhantomData<T>);

impl<T: StatusEnum> FieldKind for Status<T> {
    one_value!(Some(T::TARGET));
    type Out = T;
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        key: &'static str,
        plan: &'b Self::Plan,
        ctx: &mut Ctx,
    ) -> Result<Option<T>, HandleError> {
        // A status that cannot be read still resolves from the rule and the event type.
        let extracted = item
            .enum_value(plan, T::parse)
            .unwrap_or_else(|e| item.left_out(key, e));
        Ok(T::resolve(extracted, ctx.rule_status, ctx.event))
    }
}

/// The processor's error: the keys `error_code` and `error_message`, output as one `error`.
pub(crate) struct Error;

/// The two keys of an [`Error`] field.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorSpec {
    code: Option<ValueSpec>,
    message: Option<ValueSpec>,
}

impl FieldKind for Error {
    type Spec = ErrorSpec;
    type Plan = (Option<ValuePlan>, Option<ValuePlan>);
    type Out = ErrorDetails;
    fn values<'p>((code, message): &'p Self::Plan, out: &mut Vec<&'p ValuePlan>) {
        out.extend(code.iter().chain(message.iter()));
    }
    fn keys(_: &'static str, out: &mut Vec<&'static str>) {
        out.extend(["error_code", "error_message"]);
    }
    fn take<'de, A: MapAccess<'de>>(
        spec: &mut ErrorSpec,
        _: &'static str,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        Ok(take_one(&mut spec.code, "error_code", key, map)?
            || take_one(&mut spec.message, "error_message", key, map)?)
    }
    fn schema(g: &mut SchemaGenerator, _: &str, _: &str, props: &mut Map<String, Json>) {
        property::<ValueSpec>(g, "error_code", "", props);
        property::<ValueSpec>(g, "error_message", "", props);
    }
    fn compile(c: &mut Compiler, section: &str, _: &str, spec: &ErrorSpec) -> Self::Plan {
        (
            c.opt(&format!("{section}.error_code"), &spec.code, None),
            c.opt(&format!("{section}.error_message"), &spec.message, None),
        )
    }
    fn extract<'b>(
        item: &Item<'_, '_, 'b>,
        _key: &'static str,
        (code, message): &'b Self::Plan,
        _ctx: &mut Ctx,
    ) -> Result<Option<ErrorDetails>, HandleError> {
        item.error_details(code, message)
    }
}

/// The doc comment lines of a row, as one text (what schemars makes of `///` lines).
fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Declares a resource: its spec section, plan, output type and extraction, from one table.
macro_rules! resource {
    (
        $(#[doc = $spec_doc:literal])*
        spec $spec:ident, section $section:literal;
        $(#[doc = $out_doc:literal])*
        output $out:ident;
        plan $plan:ident;
        {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty => $kind:ty,
            )*
        }
    ) => {
        $(#[doc = $spec_doc])*
        #[derive(Debug, Clone, Default)]
        pub(crate) struct $spec {
            $(pub(crate) $field: <$kind as FieldKind>::Spec,)*
        }

        impl $spec {
            /// Every YAML key of the section, in table order.
            fn keys() -> &'static [&'static str] {
                static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
                KEYS.get_or_init(|| {
                    let mut out = Vec::new();
                    $(<$kind as FieldKind>::keys(stringify!($field), &mut out);)*
                    out
                })
            }
        }

        impl<'de> de::Deserialize<'de> for $spec {
            fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> de::Visitor<'de> for V {
                    type Value = $spec;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($spec)))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$spec, A::Error> {
                        let mut spec = $spec::default();
                        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                            let mut taken = false;
                            $(
                                taken = taken || <$kind as FieldKind>::take(
                                    &mut spec.$field, stringify!($field), &key, &mut map,
                                )?;
                            )*
                            if !taken {
                                return Err(de::Error::unknown_field(&key, $spec::keys()));
                            }
                        }
                        Ok(spec)
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl JsonSchema for $spec {
            fn schema_name() -> Cow<'static, str> {
                stringify!($spec).into()
            }
            fn json_schema(g: &mut SchemaGenerator) -> Schema {
                let mut props = Map::new();
                $(
                    <$kind as FieldKind>::schema(
                        g, stringify!($field), &doc_text(&[$($doc),*]), &mut props,
                    );
                )*
                let mut s = Map::new();
                s.insert("description".into(), Json::from(doc_text(&[$($spec_doc),*])));
                s.insert("type".into(), Json::from("object"));
                s.insert("properties".into(), Json::Object(props));
                s.insert("additionalProperties".into(), Json::Bool(false));
                Schema::from(s)
            }
        }

        /// The compiled section.
        pub(crate) struct $plan {
            $($field: <$kind as FieldKind>::Plan,)*
        }

        impl $plan {
            /// Compiles the section.
            pub(crate) fn compile(c: &mut Compiler, spec: &$spec) -> $plan {
                $plan {
                    $($field: <$kind as FieldKind>::compile(
                        c, $section, stringify!($field), &spec.$field,
                    ),)*
                }
            }

            /// The compiled values the section reads, in table order.
            pub(crate) fn values(&self) -> Vec<&ValuePlan> {
                let mut out = Vec::new();
                $(<$kind as FieldKind>::values(&self.$field, &mut out);)*
                out
            }

            /// Reads the resource from an item, fields in table order. It never fails: a
            /// field that cannot be read is left out and named in the outcome's warnings.
            pub(crate) fn extract<'b>(
                &'b self,
                item: &Item<'_, '_, 'b>,
                event: WebhookEventType,
                rule_status: Option<&str>,
            ) -> $out {
                let mut ctx = Ctx {
                    event,
                    rule_status,
                    amount_unit: AmountUnit::Minor,
                    currency: None,
                };
                // Every field is optional: one that cannot be read is left out and named in
                // the outcome's warnings, never a failed webhook.
                $out {
                    $($field: {
                        let key = concat!($section, ".", stringify!($field));
                        <$kind as FieldKind>::extract(item, key, &self.$field, &mut ctx)
                            .unwrap_or_else(|e| item.left_out(key, e))
                    },)*
                }
            }
        }

        $(#[doc = $out_doc])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, JsonSchema)]
        pub struct $out {
            $(
                $(#[doc = $doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }
    };
}

resource! {
    /// `payments_response` extraction.
    spec PaymentSpec, section "payment";
    /// `PaymentServiceGetResponse` (the fields a webhook can fill).
    output PaymentsResponse;
    plan PaymentPlan;
    {
        /// The processor's id of the payment.
        connector_transaction_id: String => Text,
        /// The merchant's own reference of the payment.
        merchant_transaction_id: String => Text,
        /// Mapped to `PaymentStatus` names; when absent or unmatched, the rule's `status`, then
        /// the status the event type implies.
        status: PaymentStatus => Status<PaymentStatus>,
        /// The amount and its currency.
        amount: Money => Amount,
        /// In the unit and currency of `amount`.
        captured_amount: i64 => MinorOfAmount,
        /// The processor's error code and message (spec keys `error_code`, `error_message`).
        error: ErrorDetails => Error,
        /// The payment method (`card`, `ideal`, ...), as the processor names it.
        payment_method_type: String => Text,
        /// The card network's transaction id.
        network_transaction_id: String => Text,
        /// The processor's id of the customer.
        connector_customer_id: String => Text,
        /// Unix seconds.
        created_at: i64 => Time,
    }
}

resource! {
    /// `refunds_response` extraction.
    spec RefundSpec, section "refund";
    /// `RefundResponse` (the fields a webhook can fill).
    output RefundsResponse;
    plan RefundPlan;
    {
        /// The processor's id of the refund.
        connector_refund_id: String => Text,
        /// The merchant's own reference of the refund.
        merchant_refund_id: String => Text,
        /// The processor's id of the refunded payment.
        connector_transaction_id: String => Text,
        /// Mapped to `RefundStatus` names; when absent or unmatched, the rule's `status`, then
        /// the status the event type implies.
        status: RefundStatus => Status<RefundStatus>,
        /// The refunded amount and its currency.
        refund_amount: Money => Amount,
        /// Why the refund was made.
        refund_reason: String => Text,
        /// The processor's error code and message (spec keys `error_code`, `error_message`).
        error: ErrorDetails => Error,
        /// Unix seconds.
        created_at: i64 => Time,
    }
}

resource! {
    /// `disputes_response` extraction.
    spec DisputeSpec, section "dispute";
    /// `DisputeResponse` (the fields a webhook can fill).
    output DisputesResponse;
    plan DisputePlan;
    {
        /// The processor's id of the dispute.
        connector_dispute_id: String => Text,
        /// The processor's id of the disputed payment.
        connector_transaction_id: String => Text,
        /// Mapped to `DisputeStatus` names; the rule's `status` and the status the event type
        /// implies come first.
        dispute_status: DisputeStatus => Status<DisputeStatus>,
        /// Mapped to `DisputeStage` names. Default `ACTIVE_DISPUTE`.
        dispute_stage: DisputeStage => Status<DisputeStage>,
        /// The disputed amount and its currency.
        dispute_amount: Money => Amount,
        /// The reason code of the dispute.
        dispute_reason: String => Text,
        /// The reason, for people.
        dispute_message: String => Text,
        /// The processor's own status of the dispute.
        connector_status_code: String => Text,
        /// Unix seconds.
        dispute_date: i64 => Time,
        /// Unix seconds: when evidence is due.
        due_date: i64 => Time,
        /// Unix seconds.
        created_at: i64 => Time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys a section accepts are exactly the properties its JSON Schema lists.
    #[test]
    fn schema_properties_are_the_accepted_keys() {
        fn check<T: JsonSchema>(keys: &[&str]) {
            let schema = schemars::schema_for!(T).to_value();
            let mut props: Vec<&str> = schema["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .map(String::as_str)
                .collect();
            let mut keys = keys.to_vec();
            props.sort_unstable();
            keys.sort_unstable();
            assert_eq!(props, keys, "{}", T::schema_name());
            assert_eq!(schema["additionalProperties"], Json::Bool(false));
        }
        check::<PaymentSpec>(PaymentSpec::keys());
        check::<RefundSpec>(RefundSpec::keys());
        check::<DisputeSpec>(DisputeSpec::keys());
        assert!(PaymentSpec::keys().contains(&"error_code"));
        assert!(!PaymentSpec::keys().contains(&"error"));
    }

    /// Unknown and repeated keys are errors naming the key; the two error keys fill one field.
    #[test]
    fn sections_reject_unknown_and_repeated_keys() {
        let ok: RefundSpec = serde_json::from_str(
            r#"{"connector_refund_id": "$.id", "error_code": "$.c", "error_message": "$.m"}"#,
        )
        .expect("valid section");
        assert!(ok.connector_refund_id.is_some());
        assert!(ok.error.code.is_some() && ok.error.message.is_some());
        let err = serde_json::from_str::<RefundSpec>(r#"{"refund_id": "$.id"}"#).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("unknown field `refund_id`, expected one of `connector_refund_id`"),
            "{msg}"
        );
        let err =
            serde_json::from_str::<PaymentSpec>(r#"{"error_code": "$.a", "error_code": "$.b"}"#)
                .unwrap_err();
        assert!(
            err.to_string().contains("duplicate field `error_code`"),
            "{err}"
        );
        let err = serde_json::from_str::<DisputeSpec>("[1]").unwrap_err();
        assert!(
            err.to_string().contains("expected struct DisputeSpec"),
            "{err}"
        );
    }
}
