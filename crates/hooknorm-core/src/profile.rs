//! A read-only description of a compiled connector: what its signature covers, where the
//! signature and timestamp are, and which raw event types it maps. For testing tools (the
//! property checks, `hooknorm test`) and for spec warnings; handling webhooks does not use it.

use serde_json::Value as Json;

use crate::model::{
    Algorithm, BodyFormat, KeyEncoding, KeySpec, Scope, SigFormat, TimeUnit, UrlPart,
};
use crate::plan::{Connector, Source, SourceKind};
pub(crate) use crate::project::steps_pointer;
use crate::project::Step;
use crate::types::WebhookEventType;

/// Where a value of the request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A header (the first present of these names).
    Header(Vec<String>),
    /// A parameter of the parsed signature value (`t` of `t=..,v1=..`).
    Param(String),
    /// A query parameter of the URL.
    Query(String),
    /// A field of a form body.
    FormField(String),
    /// A field of the item, as a plain chain of steps when the path is one.
    Field(Option<Vec<Step>>),
    /// Literal text of the spec.
    Literal,
    /// A named secret.
    Secret(String),
    /// The raw body.
    Body,
    /// The URL or a part of it.
    Url(UrlPart),
}

impl Location {
    fn of(s: &Source) -> Location {
        match &s.kind {
            SourceKind::Header(names) => Location::Header(names.clone()),
            SourceKind::Param(p) => Location::Param(p.clone()),
            SourceKind::Query(q) => Location::Query(q.clone()),
            SourceKind::FormField(f) => Location::FormField(f.clone()),
            SourceKind::Field(p) => Location::Field(p.steps().map(<[Step]>::to_vec)),
            SourceKind::Literal(_) => Location::Literal,
            SourceKind::Secret(n) => Location::Secret(n.clone()),
            SourceKind::Body => Location::Body,
            SourceKind::Url(part) => Location::Url(*part),
        }
    }

    /// True for request material (not literals or secrets).
    pub fn is_request_material(&self) -> bool {
        !matches!(self, Location::Literal | Location::Secret(_))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Header(names) => write!(f, "header `{}`", names.join("` / `")),
            Location::Param(p) => write!(f, "signature parameter `{p}`"),
            Location::Query(q) => write!(f, "query parameter `{q}`"),
            Location::FormField(n) => write!(f, "form field `{n}`"),
            Location::Field(Some(steps)) => write!(f, "item field `{}`", steps_pointer(steps)),
            Location::Field(None) => f.write_str("an item field"),
            Location::Literal => f.write_str("literal text"),
            Location::Secret(n) => write!(f, "secret `{n}`"),
            Location::Body => f.write_str("body"),
            Location::Url(part) => write!(f, "URL ({part:?})"),
        }
    }
}

/// One signature scheme.
#[derive(Debug, Clone)]
pub struct SchemeProfile {
    pub name: String,
    /// Verified per batch item.
    pub item_scope: bool,
    pub algorithm: Algorithm,
    pub key: KeySpec,
    /// Where the signature is read.
    pub signature_from: Location,
    pub format: SigFormat,
    /// The parts of the signed message, in order.
    pub signed: Vec<Location>,
}

impl SchemeProfile {
    /// The key is a public key or certificate: signing needs a different (private) key.
    pub fn asymmetric(&self) -> bool {
        matches!(
            self.algorithm,
            Algorithm::RsaPkcs1v15Sha256 | Algorithm::Ed25519
        ) || self.key.encoding == KeyEncoding::Pem
    }

    /// The raw body is part of the signed message.
    pub fn signs_body(&self) -> bool {
        self.signed.contains(&Location::Body)
    }
}

/// The replay check.
#[derive(Debug, Clone)]
pub struct TimestampProfile {
    pub from: Location,
    pub unit: TimeUnit,
    pub past_seconds: Option<u64>,
    pub future_seconds: Option<u64>,
}

/// The signature section.
#[derive(Debug, Clone)]
pub struct SignatureProfile {
    /// A request without any signature is an error (otherwise accepted unverified).
    pub required: bool,
    pub schemes: Vec<SchemeProfile>,
    pub timestamp: Option<TimestampProfile>,
}

/// What a connector spec does, as far as testing tools need to know.
#[derive(Debug, Clone)]
pub struct SpecProfile {
    pub connector: String,
    pub body_format: BodyFormat,
    /// The spec has an `items` path (a batch).
    pub batch: bool,
    pub signature: Option<SignatureProfile>,
    /// Plain-chain paths of the raw event type (relative to the item), in fallback order.
    /// Empty when the type is computed (a template, a source, a non-plain path).
    pub event_type_paths: Vec<Vec<Step>>,
    /// The event type has no other way in than these paths (no template, source or default).
    pub event_type_only_from_paths: bool,
    /// Plain-chain paths of the event id (relative to the item).
    pub event_id_paths: Vec<Vec<Step>>,
    /// The form field the document is decoded from (`body.document.form_field`).
    pub document_form_field: Option<String>,
    /// The `map` table: raw type → event type.
    pub mapped: Vec<(String, WebhookEventType)>,
    /// Raw types named by `rules`.
    pub rule_types: Vec<String>,
    /// Some rule applies to every type (it has no `types`).
    pub untyped_rules: bool,
    /// The idempotency key is the default one (derived from the signature or the body).
    pub default_idempotency: bool,
    /// The spec has a `sign` recipe.
    pub can_sign: bool,
}

impl SpecProfile {
    /// Where each scheme reads its signature.
    pub fn signature_locations(&self) -> impl Iterator<Item = &Location> {
        self.signature
            .iter()
            .flat_map(|s| &s.schemes)
            .map(|x| &x.signature_from)
    }
}

impl Connector {
    /// Describes the compiled spec.
    pub fn profile(&self) -> SpecProfile {
        let signature = self.signature.as_ref().map(|s| SignatureProfile {
            required: s.required,
            schemes: s
                .schemes
                .iter()
                .map(|x| SchemeProfile {
                    name: x.name.clone(),
                    item_scope: x.scope == Scope::Item,
                    algorithm: x.algorithm,
                    key: x.key.clone(),
                    signature_from: Location::of(&x.sig_from),
                    format: x.format.clone(),
                    signed: x.message.iter().map(Location::of).collect(),
                })
                .collect(),
            timestamp: s.timestamp.as_ref().map(|t| TimestampProfile {
                from: Location::of(&t.from),
                unit: t.unit,
                past_seconds: t.past,
                future_seconds: t.future,
            }),
        });
        let et = &self.events.event_type;
        let mut mapped: Vec<_> = self
            .events
            .map
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        mapped.sort_by(|a, b| a.0.cmp(&b.0));
        let mut rule_types: Vec<String> = self
            .events
            .rules
            .iter()
            .filter_map(|r| r.types.as_ref())
            .flatten()
            .cloned()
            .collect();
        rule_types.sort();
        rule_types.dedup();
        SpecProfile {
            connector: self.name.clone(),
            body_format: self.body.format,
            batch: self.items.is_some(),
            signature,
            event_type_paths: et
                .paths
                .iter()
                .filter_map(|p| p.steps().map(<[Step]>::to_vec))
                .collect(),
            event_type_only_from_paths: !et.paths.is_empty()
                && et.paths.iter().all(|p| p.steps().is_some())
                && et.from.is_none()
                && et.field.is_none()
                && et.template.is_none()
                && et.map.is_none()
                && et.default.is_none(),
            event_id_paths: self
                .events
                .id
                .iter()
                .flat_map(|v| &v.paths)
                .filter_map(|p| p.steps().map(<[Step]>::to_vec))
                .collect(),
            document_form_field: self.body.document.as_ref().map(|d| d.form_field.clone()),
            mapped,
            rule_types,
            untyped_rules: !self.events.untyped_rules.is_empty(),
            default_idempotency: self.idempotency.is_none(),
            can_sign: self.sign.is_some(),
        }
    }

    /// JSON pointers of the batch items in a decoded document (the whole document when the
    /// spec has no `items`).
    pub fn item_pointers(&self, doc: &Json) -> Vec<String> {
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
