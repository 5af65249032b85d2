//! The plan: a compiled connector spec, the only thing `handle` and `sign` run on. Built by
//! [`crate::compile`] from the spec model; read by the engine, by `sign`, by the spec warnings
//! ([`crate::lint`]) and by the property checks. Immutable and `Send + Sync`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json_path::JsonPath;

use crate::contract::{Acknowledgement, WebhookEventType};
use crate::error::SpecError;
use crate::projection::{CompiledPath, Projection};
use crate::resource::{DisputePlan, PaymentPlan, RefundPlan};
use crate::spec::*;

/// A compiled connector, ready to handle webhooks. Immutable and `Send + Sync`.
pub struct Connector {
    /// The connector's name (`stripe`).
    pub name: String,
    /// The spec's free-form version.
    pub version: Option<String>,
    /// What the connector is, for people.
    pub description: Option<String>,
    /// Declared secrets: name → description.
    pub secrets: BTreeMap<String, String>,
    pub(crate) body: Body,
    pub(crate) projection: Projection,
    pub(crate) items: Option<JsonPath>,
    pub(crate) signature: Option<Signature>,
    pub(crate) fields: Vec<(String, ValuePlan)>,
    pub(crate) events: Events,
    pub(crate) payment: Option<PaymentPlan>,
    pub(crate) refund: Option<RefundPlan>,
    pub(crate) dispute: Option<DisputePlan>,
    pub(crate) idempotency: Option<Text>,
    pub(crate) ack: Acknowledgement,
    pub(crate) sign: Option<SignPlan>,
    pub(crate) env: minijinja::Environment<'static>,
    /// Legal but risky choices of the spec, located: routing read from unsigned fields, a signed
    /// timestamp without a replay window.
    pub warnings: Vec<SpecError>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("name", &self.name)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// Where a plan node was written in its spec: the key path (`events.rules[0].when`) and the
/// 1-based line and column, for messages about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct At {
    pub key: String,
    pub line: usize,
    pub column: usize,
}

/// How the body is decoded (the spec's `body`).
pub(crate) struct Body {
    pub format: BodyFormat,
    /// Larger bodies are rejected before anything else is done.
    pub max_bytes: usize,
    /// The document is taken from one form field and decoded in steps.
    pub document: Option<Document>,
}

/// A document taken from one form field (the spec's `body.document`).
pub(crate) struct Document {
    pub form_field: String,
    pub decode: Vec<DecodeStep>,
}

/// Where a key comes from and how it is decoded (a scheme's `key` or `signing_key`).
pub(crate) struct Key {
    /// Named secrets to try, in order.
    pub secrets: Vec<String>,
    pub encoding: KeyEncoding,
    /// A prefix removed before decoding (`whsec_`).
    pub prefix: Option<String>,
    /// A secret without the prefix is not a key of this scheme.
    pub prefix_required: bool,
}

impl From<&KeySpec> for Key {
    fn from(k: &KeySpec) -> Key {
        Key {
            secrets: k.secrets.clone(),
            encoding: k.encoding,
            prefix: k.prefix.clone(),
            prefix_required: k.prefix_required,
        }
    }
}

impl From<&BodySpec> for Body {
    fn from(b: &BodySpec) -> Body {
        Body {
            format: b.format,
            max_bytes: b.max_bytes,
            document: b.document.as_ref().map(|d| Document {
                form_field: d.form_field.clone(),
                decode: d.decode.clone(),
            }),
        }
    }
}

pub(crate) struct Signature {
    /// Where the `signature` section is.
    pub at: At,
    pub required: bool,
    /// The schemes verify each batch item (`scope: item`), not the request.
    pub item_scope: bool,
    pub schemes: Vec<Scheme>,
    pub timestamp: Option<Timestamp>,
    pub checks: Vec<Check>,
}

pub(crate) struct Scheme {
    pub name: String,
    pub scope: Scope,
    pub algorithm: Algorithm,
    pub key: Key,
    pub signing_key: Key,
    pub sig_from: Source,
    pub format: SigFormat,
    pub encoding: SigEncoding,
    pub message: Vec<Source>,
    pub join: String,
}

pub(crate) struct Timestamp {
    /// Where the replay window is (`signature.timestamp`).
    pub at: At,
    pub from: Source,
    pub unit: TimeUnit,
    pub past: Option<u64>,
    pub future: Option<u64>,
}

pub(crate) struct Check {
    pub value: Source,
    pub equals: Option<Source>,
    pub one_of: Vec<String>,
    pub https_host: Vec<String>,
    pub error: CheckError,
}

/// A compiled value source.
pub(crate) struct Source {
    pub kind: SourceKind,
    pub default: Option<String>,
    pub transforms: Vec<Transform>,
}

pub(crate) enum SourceKind {
    Header(Vec<String>),
    Param(String),
    Query(String),
    FormField(String),
    Field(CompiledPath),
    Literal(String),
    Secret(String),
    Body,
    Url(UrlSource),
    SortedParams(SortedParams),
    JsonLeafValues(LeafValues),
}

/// A URL source: the part, query parameters removed from it, and whether the scheme's default
/// port is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlSource {
    pub part: UrlPart,
    pub remove_query: Vec<String>,
    pub port_optional: bool,
}

/// The `sorted_params` message part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortedParams {
    pub from: ParamsFrom,
    pub exclude: Vec<String>,
    pub assign: String,
    pub separator: String,
    pub repeated: bool,
}

impl SortedParams {
    /// Reads the query string's parameters.
    pub fn reads_query(&self) -> bool {
        matches!(self.from, ParamsFrom::Query | ParamsFrom::QueryAndForm)
    }

    /// Reads the form body's parameters.
    pub fn reads_form(&self) -> bool {
        matches!(self.from, ParamsFrom::Form | ParamsFrom::QueryAndForm)
    }
}

/// The `json_leaf_values` message part: every leaf of the item but the excluded subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeafValues {
    /// Plain chains of steps (relative to the item) left out with everything below them.
    pub exclude: Vec<Vec<Step>>,
    /// Numbers with exactly this many decimals; `None`: the parsed number's JSON text.
    pub number_decimals: Option<u8>,
    /// The text of a null.
    pub null: String,
    pub order: LeafOrder,
    pub separator: String,
}

impl LeafValues {
    /// Whether the value at `steps` is part of the message: not at or below an excluded path.
    /// Negative indexes in exclusions count from the end and cannot be decided without the
    /// document, so a path through one is treated as excluded.
    pub fn covers(&self, steps: &[Step]) -> bool {
        !self.exclude.iter().any(|x| {
            x.len() <= steps.len()
                && x.iter().zip(steps).all(|(a, b)| match (a, b) {
                    (Step::Index(i), Step::Index(_)) if *i < 0 => true,
                    _ => a == b,
                })
        })
    }
}

/// A compiled output value.
pub(crate) struct ValuePlan {
    /// Where the value is written (`payment.amount.value`).
    pub at: At,
    pub paths: Vec<CompiledPath>,
    pub from: Option<Source>,
    pub field: Option<usize>,
    pub template: Option<Text>,
    /// Raw value → mapped value, kept as JSON strings so a hit is borrowed, not copied.
    pub map: Option<Lookup<serde_json::Value>>,
    pub default: Option<String>,
    pub convert: Option<Convert>,
    /// Only `paths` is set (the usual case): evaluation ends after them.
    pub only_paths: bool,
}

/// A text template: plain `{{ name }}` substitutions run without the template engine.
pub(crate) enum Text {
    Simple(Vec<TextSeg>),
    Jinja(Template),
}

/// A minijinja template compiled into the connector's environment ([`Connector::env`]).
pub(crate) struct Template {
    /// Where it was written; its key (`events.rules[0].when`) is its name in the
    /// environment, and what errors name.
    pub at: At,
    /// It reads the `signature` variable (`sign` templates rendered after signing).
    pub uses_signature: bool,
}

impl Template {
    /// Renders the template with a context.
    pub fn render<S: serde::Serialize>(
        &self,
        env: &minijinja::Environment<'static>,
        ctx: S,
    ) -> Result<String, minijinja::Error> {
        env.get_template(&self.at.key)?.render(ctx)
    }
}

/// How `sign` builds a webhook as the processor sends it (the spec's `sign` recipe).
pub(crate) struct SignPlan {
    /// Signature parameters (`param:` message parts), by name.
    pub params: Vec<(String, Template)>,
    /// Headers to send, by name; those whose template uses `signature` are rendered last.
    pub headers: Vec<(String, Template)>,
    /// Item scope: the dot-separated path, in each item, that receives the signature.
    pub item_field: Option<String>,
    /// Form bodies: the field (name, value template) that receives the signature.
    pub form_field: Option<(String, Template)>,
}

pub(crate) enum TextSeg {
    Lit(String),
    Var(String),
}

/// A table read per webhook by text keys that come from the spec (foldhash: a fraction of
/// SipHash's cost on short keys; the tables never grow from request data).
pub(crate) type Lookup<V> = HashMap<String, V, foldhash::fast::RandomState>;

pub(crate) struct Events {
    pub event_type: ValuePlan,
    pub id: Option<ValuePlan>,
    pub rules: Vec<Rule>,
    /// Raw event type → indexes of the rules that may apply to it, in order (typed rules
    /// naming it and the untyped ones).
    pub rules_by_type: Lookup<Vec<usize>>,
    /// Indexes of rules without `types`.
    pub untyped_rules: Vec<usize>,
    pub map: Lookup<WebhookEventType>,
    /// Events only reference their resource: `INCOMPLETE` even when verified.
    pub incomplete: bool,
}

pub(crate) struct Rule {
    pub types: Option<HashSet<String, foldhash::fast::RandomState>>,
    /// The compiled `{% if %}` template of `when`.
    pub when: Option<Template>,
    pub event: WebhookEventType,
    pub status: Option<String>,
}

pub(crate) struct MoneyPlan {
    pub value: ValuePlan,
    pub currency: ValuePlan,
    pub unit: AmountUnit,
}

/// Variables every template may use besides the declared fields.
pub(crate) const TEMPLATE_BUILTINS: &[&str] = &[
    "connector",
    "event_type",
    "event_id",
    "item_index",
    "signed_sha256",
    "merchant_event_id",
];

use crate::projection::{steps_pointer, Step};

/// The descriptions warnings and property reports give of a source.
impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceKind::Header(names) => write!(f, "header `{}`", names.join("` / `")),
            SourceKind::Param(p) => write!(f, "signature parameter `{p}`"),
            SourceKind::Query(q) => write!(f, "query parameter `{q}`"),
            SourceKind::FormField(n) => write!(f, "form field `{n}`"),
            SourceKind::Field(path) => match path.steps() {
                Some(steps) => write!(f, "item field `{}`", steps_pointer(steps)),
                None => f.write_str("an item field"),
            },
            SourceKind::Literal(_) => f.write_str("literal text"),
            SourceKind::Secret(n) => write!(f, "secret `{n}`"),
            SourceKind::Body => f.write_str("body"),
            SourceKind::Url(u) => write!(f, "URL ({:?})", u.part),
            SourceKind::SortedParams(p) => write!(f, "sorted parameters ({:?})", p.from),
            SourceKind::JsonLeafValues(_) => f.write_str("leaf values of the item"),
        }
    }
}

// Used by the property checks (feature `proptest`); a build without them leaves these unused.
#[cfg_attr(not(feature = "proptest"), allow(dead_code))]
impl SourceKind {
    /// True for request material (not literals or secrets).
    pub(crate) fn is_request_material(&self) -> bool {
        !matches!(self, SourceKind::Literal(_) | SourceKind::Secret(_))
    }
}

// Used by the property checks (feature `proptest`); a build without them leaves these unused.
#[cfg_attr(not(feature = "proptest"), allow(dead_code))]
impl Scheme {
    /// The key is a public key or certificate: signing needs a different (private) key.
    pub(crate) fn asymmetric(&self) -> bool {
        matches!(
            self.algorithm,
            Algorithm::RsaPkcs1v15Sha256 | Algorithm::Ed25519
        ) || self.key.encoding == KeyEncoding::Pem
    }

    /// Some message part is a URL whose default port is optional.
    pub(crate) fn port_optional(&self) -> bool {
        self.message
            .iter()
            .any(|s| matches!(&s.kind, SourceKind::Url(u) if u.port_optional))
    }

    /// The raw body is part of the signed message.
    pub(crate) fn signs_body(&self) -> bool {
        self.message
            .iter()
            .any(|s| matches!(s.kind, SourceKind::Body))
    }
}

// Used by the property checks (feature `proptest`); a build without them leaves these unused.
/// What the spec warnings and the property checks ask of a compiled spec.
#[cfg_attr(not(feature = "proptest"), allow(dead_code))]
impl Connector {
    /// Every signature scheme, in spec order.
    pub(crate) fn schemes(&self) -> impl Iterator<Item = &Scheme> {
        self.signature.iter().flat_map(|s| &s.schemes)
    }

    /// Where each scheme reads its signature.
    pub(crate) fn signature_locations(&self) -> impl Iterator<Item = &SourceKind> {
        self.schemes().map(|s| &s.sig_from.kind)
    }

    /// Plain-chain paths of the raw event type (relative to the item), in fallback order.
    /// Empty when the type is computed (a template, a source, a non-plain path).
    pub(crate) fn event_type_paths(&self) -> Vec<&[Step]> {
        let paths = &self.events.event_type.paths;
        paths.iter().filter_map(CompiledPath::steps).collect()
    }

    /// The event type has no other way in than plain paths (no template, source or default).
    pub(crate) fn event_type_only_from_paths(&self) -> bool {
        let et = &self.events.event_type;
        !et.paths.is_empty()
            && et.paths.iter().all(|p| p.steps().is_some())
            && et.from.is_none()
            && et.field.is_none()
            && et.template.is_none()
            && et.map.is_none()
            && et.default.is_none()
    }

    /// The form field the document is decoded from (`body.document.form_field`).
    pub(crate) fn document_form_field(&self) -> Option<&str> {
        self.body.document.as_ref().map(|d| d.form_field.as_str())
    }

    /// The `map` table (raw type → event type), sorted by raw type.
    pub(crate) fn mapped(&self) -> Vec<(&str, WebhookEventType)> {
        let mut mapped: Vec<_> = self
            .events
            .map
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        mapped.sort_by(|a, b| a.0.cmp(b.0));
        mapped
    }

    /// Raw types named by `rules`, sorted, each once.
    pub(crate) fn rule_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = self
            .events
            .rules
            .iter()
            .filter_map(|r| r.types.as_ref())
            .flatten()
            .map(String::as_str)
            .collect();
        types.sort();
        types.dedup();
        types
    }

    /// Some rule applies to every type (it has no `types`).
    pub(crate) fn untyped_rules(&self) -> bool {
        !self.events.untyped_rules.is_empty()
    }

    /// JSON pointers of the batch items in a decoded document (the whole document when the
    /// spec has no `items`).
    pub(crate) fn item_pointers(&self, doc: &serde_json::Value) -> Vec<String> {
        match &self.items {
            None => vec![String::new()],
            Some(path) => path
                .query_located(doc)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect(),
        }
    }
}
