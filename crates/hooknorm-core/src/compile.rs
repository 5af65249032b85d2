//! Compiling a spec into a plan: parse the YAML, validate everything that can be checked before
//! a webhook arrives, and build the [`crate::plan`] that `handle` runs on (compiled JSONPaths,
//! templates, the projection tree). All problems of a file are collected and located.

use std::collections::{HashMap, HashSet};

use serde_json_path::JsonPath;

use crate::contract::{
    Acknowledgement, DisputeStage, DisputeStatus, PaymentStatus, RefundStatus, ResourceKind,
    WebhookEventType,
};
use crate::error::SpecError;
use crate::plan::*;
use crate::projection::{plain_prefix, CompiledPath, Node, Projection, Seg, Step};
use crate::resource::{DisputePlan, PaymentPlan, RefundPlan};
use crate::spec::*;
use crate::spec_yaml;

/// Variables of `sign` templates.
const SIGN_VARS: &[&str] = &[
    "now",
    "now_rfc3339",
    "body_sha256",
    "params",
    "signature",
    "scheme",
    "key_id",
];

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
        env: minijinja::Environment::new(),
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

    /// The projection tree: items path from the root, item paths below each item.
    fn projection(&self) -> Projection {
        let mut root = Node::default();
        if self.has_items {
            // Items are found by their own path; item paths are kept in the tree below it.
            let (item_prefix, item_plain) = self.items_prefix.clone().unwrap_or((Vec::new(), true));
            root.insert(&item_prefix);
            for (segs, _) in &self.item_prefixes {
                let mut full: Vec<Seg> = item_prefix.clone();
                if item_plain {
                    full.extend(segs.iter().cloned());
                }
                root.insert(&full);
            }
        } else {
            for (segs, simple) in &self.item_prefixes {
                if !simple {
                    root.insert(segs);
                }
            }
            for (slot, steps) in self.slots.iter().enumerate() {
                root.insert_slot(steps, slot);
            }
        }
        Projection::new(root)
    }

    /// The items path, read once for the evaluator and for the projection.
    fn jsonpath(&mut self, key: &str, path: &str) -> Option<JsonPath> {
        match JsonPath::parse(path) {
            Ok(p) => {
                self.items_prefix = Some(plain_prefix(path));
                Some(p)
            }
            Err(e) => {
                self.err(key, format!("invalid JSONPath `{path}`: {e}"));
                None
            }
        }
    }

    fn item_path(&mut self, key: &str, path: &str) -> Option<CompiledPath> {
        match CompiledPath::parse_with_prefix(path) {
            Ok((mut p, segs, _)) => {
                self.item_prefixes.push((segs, p.steps().is_some()));
                if let (false, Some(steps)) = (self.has_items, p.steps()) {
                    let slot = match self.slots.iter().position(|s| s == steps) {
                        Some(i) => i,
                        None => {
                            self.slots.push(steps.to_vec());
                            self.slots.len() - 1
                        }
                    };
                    p.set_slot(slot);
                }
                Some(p)
            }
            Err(e) => {
                self.err(key, format!("invalid JSONPath `{path}`: {e}"));
                None
            }
        }
    }

    fn secret_ref(&mut self, key: &str, name: &str) {
        if !self.secrets.contains(name) {
            self.err(
                key,
                format!("secret `{name}` is not declared under `secrets`"),
            );
        }
    }

    /// Compiles a source. `request_level` forbids `field` (no item exists yet).
    fn source(&mut self, key: &str, s: &SourceSpec, request_level: bool) -> Source {
        let mut kinds = Vec::new();
        if let Some(h) = &s.header {
            let names = h.to_vec();
            if names.is_empty() || names.iter().any(|n| n.is_empty()) {
                self.err(key, "header names cannot be empty");
            }
            kinds.push(SourceKind::Header(names));
        }
        if let Some(p) = &s.param {
            kinds.push(SourceKind::Param(p.clone()));
        }
        if let Some(q) = &s.query {
            kinds.push(SourceKind::Query(q.clone()));
        }
        if let Some(f) = &s.form_field {
            kinds.push(SourceKind::FormField(f.clone()));
        }
        if let Some(f) = &s.field {
            if request_level {
                self.err(
                    &format!("{key}.field"),
                    "a request-level value cannot read a field of the document; use `scope: item` for signatures inside the body",
                );
            }
            if let Some(p) = self.item_path(&format!("{key}.field"), f) {
                kinds.push(SourceKind::Field(p));
            } else {
                kinds.push(SourceKind::Literal(String::new()));
            }
        }
        if let Some(l) = &s.literal {
            kinds.push(SourceKind::Literal(l.clone()));
        }
        if let Some(sec) = &s.secret {
            self.secret_ref(&format!("{key}.secret"), sec);
            kinds.push(SourceKind::Secret(sec.clone()));
        }
        if let Some(b) = s.body {
            if !b {
                self.err(&format!("{key}.body"), "write `body: true` or leave it out");
            }
            kinds.push(SourceKind::Body);
        }
        if let Some(u) = s.url {
            kinds.push(SourceKind::Url(u));
        }
        if kinds.len() != 1 {
            self.err(
                key,
                format!(
                    "give exactly one of header, param, query, form_field, field, literal, secret, body, url (found {})",
                    kinds.len()
                ),
            );
        }
        Source {
            kind: kinds.pop().unwrap_or(SourceKind::Literal(String::new())),
            default: s.default.clone(),
            transforms: s.transform.clone(),
        }
    }

    fn signature(&mut self, s: &SignatureSpec) -> Option<Signature> {
        if s.schemes.is_empty() {
            self.err("signature.schemes", "give at least one scheme");
        }
        let scopes: HashSet<Scope> = s.schemes.iter().map(|x| x.scope).collect();
        if scopes.len() > 1 {
            self.err("signature.schemes", "all schemes must have the same scope");
        }
        let schemes: Vec<Scheme> = s
            .schemes
            .iter()
            .enumerate()
            .map(|(i, sc)| self.scheme(&format!("signature.schemes[{i}]"), sc))
            .collect();
        let has_params = s
            .schemes
            .iter()
            .any(|x| matches!(x.signature.format, SigFormat::Params { .. }));
        let timestamp = s.timestamp.as_ref().map(|t| {
            let from = self.source("signature.timestamp.from", &t.from, true);
            if matches!(from.kind, SourceKind::Param(_)) && !has_params {
                self.err(
                    "signature.timestamp.from.param",
                    "`param` needs a scheme whose signature format is `params`",
                );
            }
            Timestamp {
                at: self.at("signature.timestamp"),
                from,
                unit: t.unit,
                past: t.past_seconds,
                future: t.future_seconds,
            }
        });
        let checks = s
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key = format!("signature.checks[{i}]");
                if c.one_of.is_empty() && c.https_host.is_empty() {
                    self.err(&key, "a check needs `one_of` or `https_host`");
                }
                Check {
                    value: self.source(&format!("{key}.value"), &c.value, true),
                    one_of: c.one_of.clone(),
                    https_host: c
                        .https_host
                        .iter()
                        .map(|h| h.to_ascii_lowercase())
                        .collect(),
                    error: c.error.unwrap_or(CheckError::InvalidSignature),
                }
            })
            .collect();
        Some(Signature {
            at: self.at("signature"),
            required: s.required,
            item_scope: scopes.contains(&Scope::Item),
            schemes,
            timestamp,
            checks,
        })
    }

    fn key_spec(&mut self, key: &str, k: &KeySpec, alg: Algorithm, signing: bool) {
        if k.secrets.is_empty() {
            self.err(&format!("{key}.secrets"), "name at least one secret");
        }
        for (i, s) in k.secrets.iter().enumerate() {
            self.secret_ref(&format!("{key}.secrets[{i}]"), s);
        }
        if k.prefix_required && k.prefix.is_none() {
            self.err(&format!("{key}.prefix_required"), "needs `prefix`");
        }
        let ok = match alg {
            Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512 => {
                k.encoding != KeyEncoding::Pem
            }
            Algorithm::Sha256 | Algorithm::Sha512 => true,
            Algorithm::RsaPkcs1v15Sha256 => k.encoding == KeyEncoding::Pem,
            Algorithm::Ed25519 => matches!(
                k.encoding,
                KeyEncoding::Pem | KeyEncoding::Base64 | KeyEncoding::Hex
            ),
        };
        if !ok {
            let what = if signing { "signing key" } else { "key" };
            self.err(
                &format!("{key}.encoding"),
                format!("this {what} encoding does not fit algorithm {alg:?}"),
            );
        }
    }

    fn scheme(&mut self, key: &str, s: &SchemeSpec) -> Scheme {
        let request_level = s.scope == Scope::Request;
        self.key_spec(&format!("{key}.key"), &s.key, s.algorithm, false);
        if let Some(sk) = &s.signing_key {
            self.key_spec(&format!("{key}.signing_key"), sk, s.algorithm, true);
        }
        let sig_from = self.source(
            &format!("{key}.signature.from"),
            &s.signature.from,
            request_level,
        );
        if !matches!(
            sig_from.kind,
            SourceKind::Header(_)
                | SourceKind::FormField(_)
                | SourceKind::Field(_)
                | SourceKind::Query(_)
        ) {
            self.err(
                &format!("{key}.signature.from"),
                "a signature comes from a header, form field, query parameter or body field",
            );
        }
        let is_params = matches!(s.signature.format, SigFormat::Params { .. });
        match &s.signature.format {
            SigFormat::Params {
                separator,
                assign,
                signatures,
                key_equals_secret,
                ..
            } => {
                if separator.is_empty() || assign.is_empty() {
                    self.err(
                        &format!("{key}.signature.format"),
                        "`separator` and `assign` cannot be empty",
                    );
                }
                if signatures.is_empty() && key_equals_secret.is_none() {
                    self.err(
                        &format!("{key}.signature.format"),
                        "name the signature keys (`signatures`) or `key_equals_secret`",
                    );
                }
                if let Some(sec) = key_equals_secret {
                    self.secret_ref(&format!("{key}.signature.format.key_equals_secret"), sec);
                }
            }
            SigFormat::List { separator, .. } if separator.is_empty() => {
                self.err(
                    &format!("{key}.signature.format.separator"),
                    "cannot be empty",
                );
            }
            SigFormat::Prefixed { prefix, .. } if prefix.is_empty() => {
                self.err(&format!("{key}.signature.format.prefix"), "cannot be empty");
            }
            _ => {}
        }
        if s.message.is_empty() {
            self.err(
                &format!("{key}.message"),
                "the signed message needs at least one part",
            );
        }
        let message: Vec<Source> = s
            .message
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let pk = format!("{key}.message[{i}]");
                let src = self.source(&pk, p, request_level);
                if matches!(src.kind, SourceKind::Param(_)) && !is_params {
                    self.err(
                        &format!("{pk}.param"),
                        "`param` needs the signature format `params`",
                    );
                }
                src
            })
            .collect();
        if matches!(s.algorithm, Algorithm::Sha256 | Algorithm::Sha512)
            && !message
                .iter()
                .any(|p| matches!(p.kind, SourceKind::Secret(_)))
        {
            self.err(
                &format!("{key}.message"),
                "a plain digest proves nothing unless the message contains a `secret` part",
            );
        }
        let name = s
            .name
            .clone()
            .unwrap_or_else(|| format!("{:?}", s.algorithm).to_lowercase());
        Scheme {
            name,
            scope: s.scope,
            algorithm: s.algorithm,
            key: Key::from(&s.key),
            signing_key: Key::from(s.signing_key.as_ref().unwrap_or(&s.key)),
            sig_from,
            format: s.signature.format.clone(),
            encoding: s.encoding,
            message,
            join: s.join.clone(),
        }
    }

    /// Compiles a value. `target` names the enum its `map` targets must belong to;
    /// `may_ref_fields` false (inside `fields`) forbids references to other fields, so fields
    /// never depend on each other.
    fn value(
        &mut self,
        key: &str,
        v: &ValueSpec,
        target: Option<Target>,
        may_ref_fields: bool,
    ) -> ValuePlan {
        let full = match v {
            ValueSpec::Path(p) => FullValueSpec {
                path: Some(OneOrMany::One(p.clone())),
                ..Default::default()
            },
            ValueSpec::Full(f) => (**f).clone(),
        };
        let mut paths = Vec::new();
        if let Some(ps) = &full.path {
            for (i, p) in ps.to_vec().iter().enumerate() {
                let pk = match ps {
                    OneOrMany::One(_) => format!("{key}.path"),
                    OneOrMany::Many(_) => format!("{key}.path[{i}]"),
                };
                let pk = if matches!(v, ValueSpec::Path(_)) {
                    key.to_string()
                } else {
                    pk
                };
                if let Some(jp) = self.item_path(&pk, p) {
                    paths.push(jp);
                }
            }
        }
        let from = full
            .from
            .as_ref()
            .map(|s| self.source(&format!("{key}.from"), s, false));
        let field = full.field.as_ref().and_then(|f| {
            if !may_ref_fields {
                self.err(
                    &format!("{key}.field"),
                    "a field cannot refer to another field",
                );
                return None;
            }
            match self.fields.iter().position(|n| n == f) {
                Some(i) => Some(i),
                None => {
                    self.err(
                        &format!("{key}.field"),
                        format!("no field `{f}` is declared under `fields`"),
                    );
                    None
                }
            }
        });
        let template = full.template.as_ref().map(|t| {
            if may_ref_fields {
                self.text(&format!("{key}.template"), t)
            } else {
                // Templates inside `fields` may use built-ins only.
                self.text_with_vars(&format!("{key}.template"), t, TEMPLATE_BUILTINS)
            }
        });
        let has_path = full.path.as_ref().is_some_and(|p| !p.to_vec().is_empty());
        if !has_path
            && full.from.is_none()
            && full.field.is_none()
            && full.template.is_none()
            && full.default.is_none()
        {
            self.err(
                key,
                "give a `path`, `from`, `field`, `template` or `default`",
            );
        }
        if let (Some(map), Some(t)) = (&full.map, target) {
            for (raw, to) in &map.0 {
                if !t.accepts(to) {
                    self.err(
                        &format!("{key}.map.{raw}"),
                        format!("`{to}` is not a {} value (one of: {})", t.name(), t.names()),
                    );
                }
            }
        }
        if let (Some(d), Some(t)) = (&full.default, target) {
            if !t.accepts(d) {
                self.err(
                    &format!("{key}.default"),
                    format!("`{d}` is not a {} value (one of: {})", t.name(), t.names()),
                );
            }
        }
        ValuePlan {
            at: self.at(key),
            paths,
            from,
            field,
            template,
            map: full.map.map(|m| m.0.into_iter().collect()),
            default: full.default,
            convert: full.convert,
        }
    }

    fn text(&mut self, key: &str, t: &str) -> Text {
        let mut vars: Vec<&str> = TEMPLATE_BUILTINS.to_vec();
        let fields = self.fields.clone();
        vars.extend(fields.iter().map(|s| s.as_str()));
        self.text_with_vars(key, t, &vars)
    }

    fn text_with_vars(&mut self, key: &str, t: &str, vars: &[&str]) -> Text {
        if let Some(segs) = simple_template(t) {
            for s in &segs {
                if let TextSeg::Var(v) = s {
                    if !vars.contains(&v.as_str()) {
                        self.err(key, format!("unknown variable `{v}` in template"));
                    }
                }
            }
            return Text::Simple(segs);
        }
        Text::Jinja(self.template(key, t.to_string(), vars))
    }

    /// Compiles a minijinja template named by its spec key; its variables must be `vars`.
    fn template(&mut self, key: &str, source: String, vars: &[&str]) -> Template {
        let mut template = Template {
            at: self.at(key),
            uses_signature: false,
        };
        if let Err(e) = self.env.add_template_owned(key.to_string(), source) {
            self.err(key, format!("template does not compile: {e}"));
            return template;
        }
        let tmpl = self.env.get_template(key).expect("template was just added");
        let declared = tmpl.undeclared_variables(false);
        template.uses_signature = declared.contains("signature");
        let mut unknown: Vec<String> = declared
            .into_iter()
            .filter(|v| !vars.contains(&v.as_str()))
            .collect();
        unknown.sort();
        for v in unknown {
            self.err(key, format!("unknown variable `{v}` in template"));
        }
        template
    }

    fn events(&mut self, spec: &ConnectorSpec) -> Events {
        let e = &spec.events;
        let event_type = self.value("events.type", &e.event_type, None, true);
        let id =
            e.id.as_ref()
                .map(|v| self.value("events.id", v, None, true));
        let mut map = HashMap::new();
        for (raw, name) in &e.map.0 {
            match WebhookEventType::from_name(name) {
                Some(t) => {
                    map.insert(raw.clone(), t);
                }
                None => self.err(
                    &format!("events.map.{raw}"),
                    format!("`{name}` is not a WebhookEventType"),
                ),
            }
        }
        let mut rules = Vec::new();
        for (i, r) in e.rules.iter().enumerate() {
            let key = format!("events.rules[{i}]");
            let event = match WebhookEventType::from_name(&r.event) {
                Some(t) => t,
                None => {
                    self.err(
                        &format!("{key}.event"),
                        format!("`{}` is not a WebhookEventType", r.event),
                    );
                    WebhookEventType::EventNotSupported
                }
            };
            if let Some(st) = &r.status {
                match Target::for_event(event) {
                    Some(t) if t.accepts(st) => {}
                    Some(t) => self.err(
                        &format!("{key}.status"),
                        format!("`{st}` is not a {} value (one of: {})", t.name(), t.names()),
                    ),
                    None => self.err(
                        &format!("{key}.status"),
                        format!("{event} has no resource to give a status to"),
                    ),
                }
            }
            let when = r.when.as_ref().map(|w| {
                let mut vars: Vec<&str> = TEMPLATE_BUILTINS.to_vec();
                let fields = self.fields.clone();
                vars.extend(fields.iter().map(|s| s.as_str()));
                self.template(
                    &format!("{key}.when"),
                    format!("{{% if {w} %}}1{{% endif %}}"),
                    &vars,
                )
            });
            if r.types.is_none() && r.when.is_none() {
                self.err(&key, "a rule needs `types`, `when` or both");
            }
            rules.push(Rule {
                types: r.types.as_ref().map(|t| t.to_vec().into_iter().collect()),
                when,
                event,
                status: r.status.clone(),
            });
        }
        let untyped_rules: Vec<usize> = (0..rules.len())
            .filter(|&i| rules[i].types.is_none())
            .collect();
        let mut rules_by_type: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for t in r.types.iter().flatten() {
                rules_by_type
                    .entry(t.clone())
                    .or_insert_with(|| untyped_rules.clone())
                    .push(i);
            }
        }
        for list in rules_by_type.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Events {
            event_type,
            id,
            rules,
            rules_by_type,
            untyped_rules,
            map,
            incomplete: e.incomplete,
        }
    }

    /// Every event type the spec can yield needs its resource section.
    fn check_resources(&mut self, spec: &ConnectorSpec, events: &Events) {
        let mut yielded: Vec<(String, WebhookEventType)> = events
            .map
            .iter()
            .map(|(raw, t)| (format!("events.map.{raw}"), *t))
            .collect();
        yielded.extend(
            events
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("events.rules[{i}].event"), r.event)),
        );
        yielded.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, t) in yielded {
            let (missing, section) = match t.resource() {
                Some(ResourceKind::Payment) => (spec.payment.is_none(), "payment"),
                Some(ResourceKind::Refund) => (spec.refund.is_none(), "refund"),
                Some(ResourceKind::Dispute) => (spec.dispute.is_none(), "dispute"),
                None => (false, ""),
            };
            if missing {
                self.err(
                    &key,
                    format!("{t} needs a `{section}` section to extract from"),
                );
            }
        }
    }

    /// Compiles an optional value.
    pub(crate) fn opt(
        &mut self,
        key: &str,
        v: &Option<ValueSpec>,
        t: Option<Target>,
    ) -> Option<ValuePlan> {
        v.as_ref().map(|v| self.value(key, v, t, true))
    }

    /// Compiles an optional amount.
    pub(crate) fn money(&mut self, key: &str, m: &Option<MoneySpec>) -> Option<MoneyPlan> {
        m.as_ref().map(|m| MoneyPlan {
            value: self.value(&format!("{key}.value"), &m.value, None, true),
            currency: self.value(&format!("{key}.currency"), &m.currency, None, true),
            unit: m.unit,
        })
    }

    fn sign_recipe(&mut self, r: &SignRecipe, spec: &ConnectorSpec) -> SignPlan {
        let params = r
            .params
            .0
            .iter()
            .map(|(name, t)| {
                (
                    name.clone(),
                    self.sign_template(&format!("sign.params.{name}"), t),
                )
            })
            .collect();
        let headers = r
            .headers
            .0
            .iter()
            .map(|(name, t)| {
                (
                    name.clone(),
                    self.sign_template(&format!("sign.headers.{name}"), t),
                )
            })
            .collect();
        let form_field = r.form_field.as_ref().map(|f| {
            if !matches!(spec.body.format, BodyFormat::Form | BodyFormat::FormOrQuery) {
                self.err("sign.form_field", "needs `body.format: form`");
            }
            (
                f.name.clone(),
                self.sign_template("sign.form_field.value", &f.value),
            )
        });
        let item_scope = spec
            .signature
            .as_ref()
            .is_some_and(|s| s.schemes.iter().any(|x| x.scope == Scope::Item));
        match (&r.item_field, item_scope) {
            (Some(f), true) if f.is_empty() || f.split('.').any(str::is_empty) => {
                self.err("sign.item_field", "dot-separated member names")
            }
            (Some(_), false) => self.err("sign.item_field", "only for `scope: item` schemes"),
            (None, true) => self.err("sign", "item-scope signatures need `item_field`"),
            _ => {}
        }
        SignPlan {
            params,
            headers,
            item_field: r.item_field.clone(),
            form_field,
        }
    }

    fn sign_template(&mut self, key: &str, t: &str) -> Template {
        self.template(key, t.to_string(), SIGN_VARS)
    }
}

/// `Some` when a template is only literal text and `{{ name }}` substitutions.
fn simple_template(t: &str) -> Option<Vec<TextSeg>> {
    if t.contains("{%") || t.contains("{#") {
        return None;
    }
    let mut segs = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            segs.push(TextSeg::Lit(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        segs.push(TextSeg::Var(name.to_string()));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return None;
    }
    if !rest.is_empty() {
        segs.push(TextSeg::Lit(rest.to_string()));
    }
    Some(segs)
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
