//! Compiling a spec into a plan: parse the YAML, validate everything that can be checked before
//! a webhook arrives, and build the [`crate::plan`] that `handle` runs on (compiled JSONPaths,
//! templates, the projection tree). All problems of a file are collected and located.
//!
//! This module holds the entry point, the `Compiler` and how a connector is put together;
//! the parts are in `signature` (sources, schemes, keys), `values` (values, templates, JSONPaths
//! and the projection), `events` (event types, rules, resource sections) and `sign` (the `sign`
//! recipe).

use std::collections::HashSet;

use crate::contract::{
    Acknowledgement, DisputeStage, DisputeStatus, PaymentStatus, RefundStatus, ResourceKind,
    WebhookEventType,
};
use crate::error::SpecError;
use crate::plan::*;
use crate::projection::{Seg, Step};
use crate::resource::{DisputePlan, PaymentPlan, RefundPlan};
use crate::spec::*;
use crate::spec_yaml;

mod events;
mod sign;
mod signature;
mod values;

/// Parses and compiles one spec file. `file` is the name used in errors; `stem` the file name
/// without extension, which must equal the connector name (None skips that check).
pub fn compile_spec(
    file: &str,
    stem: Option<&str>,
    text: &str,
) -> Result<Connector, Vec<SpecError>> {
    let at = |key: String, (line, column): (usize, usize), message: String| SpecError {
        file: file.to_string(),
        line,
        column,
        key,
        message,
    };
    let doc = match spec_yaml::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let mut errors: Vec<SpecError> = e
                .duplicates
                .into_iter()
                .map(|(key, pos)| at(key, pos, "duplicate key".into()))
                .collect();
            errors.push(at(e.key, e.pos, e.message));
            return Err(errors);
        }
    };
    let locate = |key: &str, message: String| at(key.to_string(), doc.locate(key), message);
    let mut errors: Vec<SpecError> = doc
        .duplicates
        .iter()
        .map(|(key, pos)| at(key.clone(), *pos, "duplicate key".into()))
        .collect();

    let spec: ConnectorSpec = match serde_path_to_error::deserialize(doc.deserializer()) {
        Ok(s) => s,
        Err(e) => {
            let key = e.path().to_string();
            let key = if key == "." { String::new() } else { key };
            let inner = e.into_inner();
            // A duplicate key stops deserialization; it is reported above, with its position.
            if !inner.duplicate {
                let pos = inner.pos.unwrap_or_else(|| doc.locate(&key));
                errors.push(at(key, pos, inner.to_string()));
            }
            return Err(errors);
        }
    };
    if doc.more_documents {
        errors.push(locate(
            "",
            "deserializing from YAML containing more than one document is not supported".into(),
        ));
        return Err(errors);
    }

    let mut c = Compiler {
        doc: &doc,
        errors: Vec::new(),
        env: template_env(),
        fields: Vec::new(),
        secrets: spec.secrets.0.keys().cloned().collect(),
        items_prefix: None,
        item_prefixes: Vec::new(),
        has_items: spec.items.is_some(),
        slots: Vec::new(),
    };
    let connector = c.connector(&spec, stem);
    errors.extend(c.errors.into_iter().map(|(k, m)| locate(&k, m)));
    if errors.is_empty() {
        let mut connector = connector.expect("a connector is built when there are no errors");
        connector.warnings = crate::lint::spec_warnings(&connector)
            .into_iter()
            .map(|(node, m)| at(node.key, (node.line, node.column), m))
            .collect();
        Ok(connector)
    } else {
        Err(errors)
    }
}

/// Compiles one spec, collecting `(key, message)` errors.
pub(crate) struct Compiler<'d> {
    /// The parsed YAML, for the positions of plan nodes.
    doc: &'d spec_yaml::Document,
    errors: Vec<(String, String)>,
    env: minijinja::Environment<'static>,
    /// Declared field names, in order.
    fields: Vec<String>,
    secrets: HashSet<String>,
    /// The plain prefix of the items path (and whether all of it is plain).
    items_prefix: Option<(Vec<Seg>, bool)>,
    /// The plain prefixes of the JSONPaths evaluated against each item, and whether each is a
    /// plain chain (then it reads a projection slot).
    item_prefixes: Vec<(Vec<Seg>, bool)>,
    /// Whether the spec has batch items (then item paths are relative to each item and the
    /// projection keeps the items whole-tree; otherwise plain paths read projection slots).
    has_items: bool,
    /// Plain chains routed to slots, by slot number.
    slots: Vec<Vec<Step>>,
}

impl Compiler<'_> {
    /// Where a key is in the spec (its nearest located ancestor for keys not written out).
    fn at(&self, key: &str) -> At {
        let (line, column) = self.doc.locate(key);
        At {
            key: key.to_string(),
            line,
            column,
        }
    }

    fn err(&mut self, key: &str, msg: impl Into<String>) {
        self.errors.push((key.to_string(), msg.into()));
    }

    fn connector(&mut self, spec: &ConnectorSpec, stem: Option<&str>) -> Option<Connector> {
        let name = &spec.connector;
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            self.err("connector", "use lowercase letters, digits and `-`");
        }
        if let Some(stem) = stem {
            if stem != name {
                self.err(
                    "connector",
                    format!("the connector `{name}` must be in a file named `{name}.yaml`, not `{stem}`"),
                );
            }
        }
        if spec.body.max_bytes == 0 {
            self.err("body.max_bytes", "must be at least 1");
        }
        if let Some(doc) = &spec.body.document {
            if !matches!(
                spec.body.format,
                BodyFormat::Form | BodyFormat::JsonOrForm | BodyFormat::FormOrQuery
            ) {
                self.err(
                    "body.document",
                    "a document from a form field needs `format: form`",
                );
            }
            if doc.decode.is_empty() {
                self.err("body.document.decode", "give at least one decoding step");
            }
        }
        // Declared fields come first so that everything else can refer to them.
        self.fields = spec.fields.0.keys().cloned().collect();
        for f in self.fields.clone() {
            if TEMPLATE_BUILTINS.contains(&f.as_str()) {
                self.err(
                    &format!("fields.{f}"),
                    "this name is reserved for a built-in variable",
                );
            }
        }
        let fields: Vec<(String, ValuePlan)> = spec
            .fields
            .0
            .iter()
            .map(|(n, v)| {
                let key = format!("fields.{n}");
                (n.clone(), self.value(&key, v, None, false))
            })
            .collect();

        let items = spec
            .items
            .as_ref()
            .and_then(|it| self.jsonpath("items.path", &it.path));

        let signature = match (&spec.signature, spec.unsigned) {
            (Some(_), true) => {
                self.err(
                    "unsigned",
                    "give either `signature` or `unsigned: true`, not both",
                );
                None
            }
            (None, false) => {
                self.err(
                    "signature",
                    "a connector needs a `signature` section, or `unsigned: true` if the processor does not sign",
                );
                None
            }
            (Some(s), false) => self.signature(s),
            (None, true) => None,
        };

        let events = self.events(spec);
        let payment = spec.payment.as_ref().map(|p| PaymentPlan::compile(self, p));
        let refund = spec.refund.as_ref().map(|r| RefundPlan::compile(self, r));
        let dispute = spec.dispute.as_ref().map(|d| DisputePlan::compile(self, d));
        self.check_resources(spec, &events);

        let idempotency = spec
            .idempotency_key
            .as_ref()
            .map(|t| self.text("idempotency_key", t));
        let sign = spec.sign.as_ref().map(|r| self.sign_recipe(r, spec));
        for name in spec.secrets.0.keys() {
            if name.is_empty() {
                self.err("secrets", "a secret needs a name");
            }
        }

        let projection = self.projection();
        if !self.errors.is_empty() {
            return None;
        }
        Some(Connector {
            name: name.clone(),
            version: spec.version.clone(),
            description: spec.description.clone(),
            secrets: spec
                .secrets
                .0
                .iter()
                .map(|(k, v)| (k.clone(), v.description.clone()))
                .collect(),
            body: Body::from(&spec.body),
            projection,
            items,
            signature,
            fields,
            events,
            payment,
            refund,
            dispute,
            idempotency,
            ack: Acknowledgement {
                status: spec.acknowledgement.status,
                content_type: spec.acknowledgement.content_type.clone(),
                body: spec.acknowledgement.body.clone(),
            },
            sign,
            env: std::mem::take(&mut self.env),
            warnings: Vec::new(),
        })
    }
}

/// Enum targets of `map` tables.
#[derive(Clone, Copy)]
pub(crate) enum Target {
    Payment,
    Refund,
    Dispute,
    Stage,
}

impl Target {
    fn for_event(t: WebhookEventType) -> Option<Target> {
        t.resource().map(|r| match r {
            ResourceKind::Payment => Target::Payment,
            ResourceKind::Refund => Target::Refund,
            ResourceKind::Dispute => Target::Dispute,
        })
    }
    fn accepts(self, v: &str) -> bool {
        match self {
            Target::Payment => PaymentStatus::from_name(v).is_some(),
            Target::Refund => RefundStatus::from_name(v).is_some(),
            Target::Dispute => DisputeStatus::from_name(v).is_some(),
            Target::Stage => DisputeStage::from_name(v).is_some(),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Target::Payment => "PaymentStatus",
            Target::Refund => "RefundStatus",
            Target::Dispute => "DisputeStatus",
            Target::Stage => "DisputeStage",
        }
    }
    fn names(self) -> String {
        fn join<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> String {
            all.iter().map(|x| f(*x)).collect::<Vec<_>>().join(", ")
        }
        match self {
            Target::Payment => join(PaymentStatus::ALL, PaymentStatus::as_str),
            Target::Refund => join(RefundStatus::ALL, RefundStatus::as_str),
            Target::Dispute => join(DisputeStatus::ALL, DisputeStatus::as_str),
            Target::Stage => join(DisputeStage::ALL, DisputeStage::as_str),
        }
    }
}

/// The template environment of every spec: minijinja's built-ins plus `b64encode` (standard
/// base64 of a value's UTF-8 text), for headers that carry an encoded value such as
/// MultiSafepay's `Auth: base64(timestamp:signature)`.
fn template_env() -> minijinja::Environment<'static> {
    use base64::Engine as _;
    let mut env = minijinja::Environment::new();
    env.add_filter("b64encode", |v: String| {
        base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
    });
    env
}
