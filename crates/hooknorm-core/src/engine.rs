//! The engine: a set of compiled connectors and the `handle` call.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;
use smallvec::SmallVec;

use crate::compile::compile_spec;
use crate::contract::*;
use crate::decode;
use crate::error::{ErrorKind, HandleError, LoadError, Report, ReportStep, SpecError};
use crate::extract::{Builtins, Item};
use crate::plan::{Connector, Lookup};
use crate::projection::Doc;
use crate::request::{Req, Scope};
use crate::spec::BodyFormat;
use crate::value::Val;
use crate::verify::{self, Outcome};

/// The specs shipped in `connectors/`, embedded at build time: (file name, YAML text).
pub const BUNDLED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// A set of compiled connectors. Cheap to clone (connectors are shared), `Send + Sync`, and
/// free of I/O: `handle` is a pure function of the specs, the request and the clock.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    /// By name; hashed, since every webhook looks its connector up here.
    connectors: Lookup<Arc<Connector>>,
}

impl Engine {
    /// The bundled connectors.
    pub fn bundled() -> Result<Engine, LoadError> {
        Engine::from_sources(BUNDLED.iter().map(|(f, t)| (f.to_string(), t.to_string())))
    }

    /// Compiles specs given as (file name, YAML text). Every error of every file is reported.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Engine, LoadError> {
        let mut connectors = Lookup::default();
        let mut errors = Vec::new();
        for (file, text) in sources {
            match Engine::compile_one(&file, &text) {
                Ok(c) => {
                    if connectors.contains_key(&c.name) {
                        errors.push(SpecError {
                            file: file.clone(),
                            line: 1,
                            column: 1,
                            key: "connector".into(),
                            message: format!("connector `{}` is defined twice", c.name),
                        });
                    } else {
                        connectors.insert(c.name.clone(), c);
                    }
                }
                Err(es) => errors.extend(es),
            }
        }
        if errors.is_empty() {
            Ok(Engine { connectors })
        } else {
            Err(LoadError { errors })
        }
    }

    /// An engine of connectors compiled one by one with [`Engine::compile_one`] (a registry
    /// assembles reloads this way, keeping the connectors whose files did not change).
    pub fn from_compiled(connectors: impl IntoIterator<Item = Arc<Connector>>) -> Engine {
        Engine {
            connectors: connectors
                .into_iter()
                .map(|c| (c.name.clone(), c))
                .collect(),
        }
    }

    /// Compiles one spec file on its own. `file` names it in errors; its stem must be the
    /// connector's name.
    pub fn compile_one(file: &str, text: &str) -> Result<Arc<Connector>, Vec<SpecError>> {
        let stem = Path::new(file).file_stem().and_then(|s| s.to_str());
        compile_spec(file, stem, text).map(Arc::new)
    }

    /// Names of the loaded connectors, sorted.
    pub fn connector_names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.connectors.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Whether no connector is loaded.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty()
    }

    /// A loaded connector.
    pub fn connector(&self, name: &str) -> Option<&Connector> {
        self.connectors.get(name).map(|c| &**c)
    }

    /// Handles a webhook with the system clock.
    pub fn handle(&self, req: &HandleRequest) -> Result<HandleOutcome, HandleError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        self.handle_at(req, now)
    }

    /// Handles a webhook with the clock at `now` (unix seconds).
    ///
    /// ```
    /// use hooknorm_core::{Engine, HandleRequest, RequestDetails, WebhookSecrets, ErrorKind};
    /// let engine = Engine::bundled().unwrap();
    /// let req = HandleRequest {
    ///     connector: "stripe".into(),
    ///     request_details: RequestDetails {
    ///         body: br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.to_vec(),
    ///         ..Default::default()
    ///     },
    ///     webhook_secrets: WebhookSecrets::with_secret("whsec_test"),
    ///     ..Default::default()
    /// };
    /// // No Stripe-Signature header: fails closed.
    /// let err = engine.handle_at(&req, 1_700_000_000).unwrap_err();
    /// assert_eq!(err.kind, ErrorKind::MissingSignature);
    /// ```
    pub fn handle_at(&self, req: &HandleRequest, now: i64) -> Result<HandleOutcome, HandleError> {
        let mut report = Report::new();
        let result = self.run(req, now, &mut report);
        result.map_err(|mut e| {
            if e.report.is_empty() {
                e.report = report.into_vec();
            }
            e
        })
    }

    fn run(
        &self,
        req: &HandleRequest,
        now: i64,
        report: &mut Report,
    ) -> Result<HandleOutcome, HandleError> {
        let Some(conn) = self.connectors.get(&req.connector) else {
            let mut e = HandleError::new(
                ErrorKind::UnknownConnector,
                format!(
                    "no connector named `{}` is loaded",
                    printable(&req.connector)
                ),
            );
            e.report.push(step("connector", false, e.message.clone()));
            return Err(e);
        };
        report.push(step("connector", true, "found"));
        let details = &req.request_details;
        if details.body.len() > conn.body.max_bytes {
            let msg = format!(
                "the body has {} bytes; this connector accepts at most {}",
                details.body.len(),
                conn.body.max_bytes
            );
            report.push(step("body", false, msg.clone()));
            return Err(HandleError::new(ErrorKind::BodyTooLarge, msg));
        }
        let r = Req::new(details, &req.webhook_secrets)
            .with_query_form(conn.body.format == BodyFormat::FormOrQuery);

        // Request-scope signature first: nothing of an unverified body is parsed beyond what
        // the signed message needs.
        let item_scope = conn.signature.as_ref().is_some_and(|s| s.item_scope);
        let mut request_sig: Option<verify::Verified> = None;
        let mut verified = conn.signature.is_some();
        if let Some(sig) = conn.signature.as_ref().filter(|_| !item_scope) {
            match verify::verify(sig, &r, None, None, "request", Some(now), report)? {
                Outcome::Verified(v) => request_sig = Some(v),
                Outcome::Unsigned => verified = false,
            }
        }

        let (doc, projected) = decode_document(conn, &r).map_err(|m| {
            report.push(step("document", false, m.clone()));
            HandleError::new(ErrorKind::MalformedBody, m)
        })?;
        // Projection slots hold the values of plain paths of a single-item JSON document.
        let slots = (conn.items.is_none() && projected).then_some(doc.slots.as_slice());
        let items: SmallVec<[&Json; 1]> = match &conn.items {
            Some(p) => p.query(&doc.tree).all().into(),
            None => smallvec::smallvec![&doc.tree],
        };
        if items.is_empty() {
            let m = "the body has no notification items".to_string();
            report.push(step("items", false, m.clone()));
            return Err(HandleError::new(ErrorKind::MalformedBody, m));
        }

        // Item-scope signatures: every item must verify before any event is produced.
        let mut item_sigs: Vec<Option<std::borrow::Cow<str>>> = Vec::new();
        if let Some(sig) = conn.signature.as_ref().filter(|_| item_scope) {
            item_sigs = vec![None; items.len()];
            for (i, item) in items.iter().enumerate() {
                // The replay window is request-level: checked once, with the first item.
                let at = (i == 0).then_some(now);
                let what = format!("item {i}");
                match verify::verify(sig, &r, Some(item), slots, &what, at, report)? {
                    Outcome::Verified(v) => item_sigs[i] = Some(v.signature),
                    Outcome::Unsigned => verified = false,
                }
            }
        }

        let mut events = Vec::with_capacity(items.len());
        let mut warnings = Vec::new();
        for (i, item) in items.iter().enumerate() {
            self.event(
                conn,
                req,
                &r,
                (item, slots),
                (i, &mut warnings, &mut events),
                // Item signatures, else the request's.
                item_sigs
                    .get(i)
                    .and_then(Option::as_deref)
                    .or(request_sig.as_ref().map(|v| &*v.signature)),
                verified,
            )
            .inspect_err(|e| report.push(step("extract", false, e.message.clone())))?;
        }
        Ok(HandleOutcome {
            connector: conn.name.clone(),
            acknowledgement: conn.ack.clone(),
            events,
            warnings,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        conn: &Connector,
        req: &HandleRequest,
        r: &Req,
        (item, slots): (&Json, Option<&[Option<Val>]>),
        (index, warnings, events): (usize, &mut Vec<OutcomeWarning>, &mut Vec<NormalizedEvent>),
        signature: Option<&str>,
        verified: bool,
    ) -> Result<(), HandleError> {
        let mut it = Item {
            conn,
            scope: Scope {
                req: r,
                params: &[],
                item: Some(item),
                slots,
                alt_port: false,
            },
            fields: std::cell::OnceCell::new(),
            builtins: Builtins {
                connector: &conn.name,
                item_index: index,
                signature,
                merchant_event_id: req.merchant_event_id.as_deref(),
                ..Default::default()
            },
            warnings: Default::default(),
        };
        it.builtins.event_type = it.eval_text(&conn.events.event_type)?;
        it.builtins.event_id = match &conn.events.id {
            Some(v) => it.eval_text(v)?,
            None => None,
        };
        let (event_type, rule_status) = it.classify()?;
        // The spec's key when all its parts are present, else one from the signed material.
        let idempotency_key = match &conn.idempotency {
            Some(t) => it.render_complete(t)?,
            None => None,
        };
        let idempotency_key = idempotency_key.unwrap_or_else(|| {
            let digest = it.signed_sha256();
            format!("{}:{}:{}", conn.name, &digest[..32], index)
        });
        // Nothing below fails. The event is pushed first and its resource read into it: the
        // event is a few hundred bytes, and each move of it is a copy.
        events.push(NormalizedEvent {
            event_type,
            source_verified: verified,
            merchant_event_id: req.merchant_event_id.clone(),
            event_status: if verified && !conn.events.incomplete {
                EventStatus::Complete
            } else {
                EventStatus::Incomplete
            },
            connector_event_type: None,
            connector_event_id: None,
            idempotency_key,
            event_response: None,
        });
        let Some(event) = events.last_mut() else {
            return Ok(());
        };
        event.event_response = match (
            event_type.resource(),
            &conn.payment,
            &conn.refund,
            &conn.dispute,
        ) {
            (Some(ResourceKind::Payment), Some(p), _, _) => Some(EventResponse::PaymentsResponse(
                p.extract(&it, event_type, rule_status),
            )),
            (Some(ResourceKind::Refund), _, Some(p), _) => Some(EventResponse::RefundsResponse(
                p.extract(&it, event_type, rule_status),
            )),
            (Some(ResourceKind::Dispute), _, _, Some(p)) => Some(EventResponse::DisputesResponse(
                p.extract(&it, event_type, rule_status),
            )),
            _ => None,
        };
        // Moved out only now: templates of the resource's fields may read them.
        event.connector_event_type = it.builtins.event_type.take();
        event.connector_event_id = it.builtins.event_id.take();
        warnings.extend(
            it.warnings
                .take()
                .into_iter()
                .map(|(field, message)| OutcomeWarning {
                    item: index,
                    field: field.to_string(),
                    message,
                }),
        );
        Ok(())
    }
}

fn step(
    name: &'static str,
    ok: bool,
    detail: impl Into<std::borrow::Cow<'static, str>>,
) -> ReportStep {
    ReportStep {
        step: name.into(),
        ok,
        detail: detail.into(),
    }
}

/// A name safe to echo in messages: control characters escaped, length bounded.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_default).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// Decodes the body into the document the spec's paths run against; the flag says whether it
/// came from the projection (and so has slots).
fn decode_document<'a>(conn: &Connector, r: &Req<'a>) -> Result<(Doc<'a>, bool), String> {
    let body = &r.details.body;
    let whole = |tree: Json| {
        (
            Doc {
                tree,
                slots: Vec::new(),
            },
            false,
        )
    };
    let looks_json = || {
        matches!(
            body.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{') | Some(b'[')
        )
    };
    let format = match conn.body.format {
        BodyFormat::JsonOrForm if looks_json() => BodyFormat::Json,
        BodyFormat::JsonOrForm => BodyFormat::Form,
        f => f,
    };
    match format {
        BodyFormat::Json => conn
            .projection
            .parse(body)
            .map(|d| (d, true))
            .map_err(|e| format!("the body is not valid JSON: {e}")),
        BodyFormat::Xml => decode::xml_to_json(body).map(whole),
        BodyFormat::Form | BodyFormat::JsonOrForm | BodyFormat::FormOrQuery => {
            let form = r.form().map_err(|e| e.message)?;
            match &conn.body.document {
                None => Ok(whole(decode::form_document(form))),
                Some(d) => {
                    let text = form
                        .iter()
                        .find(|(k, _)| *k == d.form_field)
                        .map(|(_, v)| v.as_str())
                        .ok_or_else(|| format!("the form has no `{}` field", d.form_field))?;
                    decode::decode_steps(text, &d.decode)
                        .map(whole)
                        .map_err(|e| format!("form field `{}`: {e}", d.form_field))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Connectors are found by name, listed sorted, and an engine without any is empty.
    #[test]
    fn connectors_are_found_by_name_and_listed_sorted() {
        let engine = Engine::bundled().unwrap();
        assert!(!engine.is_empty());
        let names: Vec<&str> = engine.connector_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(names.len() >= 21, "{names:?}");
        for n in &names {
            assert_eq!(engine.connector(n).map(|c| c.name.as_str()), Some(*n));
        }
        assert!(engine.connector("Stripe").is_none());
        assert!(engine.connector("").is_none());
        let empty = Engine::from_sources(Vec::new()).unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty.connector_names().count(), 0);
    }

    /// `algorithm: token`: the header must equal the secret byte for byte (not a prefix, not
    /// another case); a spec whose token message holds request material, or whose encoding is
    /// not `text`, does not compile; the default idempotency key comes from the body.
    #[test]
    fn token_algorithm_compares_the_secret_itself() {
        let spec = |message: &str, encoding: &str| {
            format!(
                r#"
connector: t
secrets:
  secret: {{ description: token }}
signature:
  schemes:
    - algorithm: token
      key: {{ secrets: [secret] }}
      signature: {{ from: {{ header: X-Token }} }}
      encoding: {encoding}
      message: [{message}]
events:
  type: $.type
"#
            )
        };
        let engine =
            Engine::from_sources([("t.yaml".to_string(), spec("{ secret: secret }", "text"))])
                .expect("spec compiles");
        let handle_body = |token: Option<&str>, body: &[u8]| {
            let mut req = crate::HandleRequest {
                connector: "t".into(),
                ..Default::default()
            };
            req.request_details.body = body.to_vec();
            if let Some(t) = token {
                req.request_details
                    .headers
                    .insert("X-Token".into(), t.into());
            }
            req.webhook_secrets.secret = Some(crate::Secret::new("s3cret-Token-0123456789"));
            engine.handle_at(&req, 0)
        };
        let handle = |token: Option<&str>| handle_body(token, br#"{"type":"x"}"#);
        let out = handle(Some("s3cret-Token-0123456789")).expect("the token verifies");
        assert!(out.events[0].source_verified);
        // The token is the same in every webhook: the default idempotency key follows the body.
        let other = handle_body(Some("s3cret-Token-0123456789"), br#"{"type":"y"}"#).unwrap();
        assert_ne!(
            out.events[0].idempotency_key,
            other.events[0].idempotency_key
        );
        for wrong in [
            "s3cret-Token-012345678",
            "s3cret-Token-01234567890",
            "S3CRET-TOKEN-0123456789",
        ] {
            let err = handle(Some(wrong)).expect_err(wrong);
            assert_eq!(err.kind, ErrorKind::InvalidSignature, "{wrong:?}");
        }
        assert_eq!(handle(None).unwrap_err().kind, ErrorKind::MissingSignature);
        for (message, encoding) in [("{ body: true }", "text"), ("{ secret: secret }", "hex")] {
            assert!(
                Engine::from_sources([("t.yaml".to_string(), spec(message, encoding))]).is_err(),
                "{message} / {encoding} must not compile"
            );
        }
    }

    /// `events.incomplete: true` keeps verified events `INCOMPLETE`; without it they are
    /// `COMPLETE`.
    #[test]
    fn events_incomplete_marks_verified_events_incomplete() {
        let spec = |incomplete: bool| {
            format!(
                r#"
connector: t
secrets:
  secret: {{ description: key }}
signature:
  schemes:
    - algorithm: hmac-sha256
      key: {{ secrets: [secret] }}
      signature: {{ from: {{ header: X-Sig }} }}
      encoding: hex
      message:
        - body: true
events:
  type: $.type
  incomplete: {incomplete}
"#
            )
        };
        let body = br#"{"type":"x"}"#;
        let sig = crate::crypto::sign(
            crate::spec::Algorithm::HmacSha256,
            &crate::crypto::sign_key(
                crate::spec::Algorithm::HmacSha256,
                crate::spec::KeyEncoding::Utf8,
                "k",
            )
            .unwrap(),
            body,
        )
        .unwrap();
        let sig = crate::crypto::encode_sig(crate::spec::SigEncoding::Hex, &sig);
        for (incomplete, expected) in [
            (true, EventStatus::Incomplete),
            (false, EventStatus::Complete),
        ] {
            let engine = Engine::from_sources([("t.yaml".to_string(), spec(incomplete))])
                .expect("spec compiles");
            let mut req = crate::HandleRequest {
                connector: "t".into(),
                ..Default::default()
            };
            req.request_details.body = body.to_vec();
            req.request_details
                .headers
                .insert("X-Sig".into(), sig.clone());
            req.webhook_secrets.secret = Some(crate::Secret::new("k"));
            let out = engine.handle_at(&req, 0).expect("verifies");
            assert!(out.events[0].source_verified);
            assert_eq!(
                out.events[0].event_status, expected,
                "incomplete: {incomplete}"
            );
        }
    }

    /// `body.format: form_or_query`: a form body, or the URL's query string when the body is
    /// empty (GET delivery); a non-empty body never falls back to the query string.
    #[test]
    fn form_or_query_reads_the_query_string_of_an_empty_body() {
        let spec = r#"
connector: t
secrets:
  secret: { description: key }
body: { format: form_or_query }
signature:
  schemes:
    - algorithm: sha256
      key: { secrets: [secret] }
      signature: { from: { form_field: sig } }
      encoding: hex
      message:
        - secret: secret
        - form_field: id
        - { form_field: status, default: "" }
events:
  type: $.status
  id: $.id
"#;
        let engine =
            Engine::from_sources([("t.yaml".to_string(), spec.to_string())]).expect("compiles");
        let sig = crate::crypto::sha256_hex(&[&b"k"[..], b"tx1", b"ok"]);
        let handle = |url: String, body: &[u8]| {
            let mut req = crate::HandleRequest {
                connector: "t".into(),
                ..Default::default()
            };
            req.request_details.url = url;
            req.request_details.body = body.to_vec();
            req.webhook_secrets.secret = Some(crate::Secret::new("k"));
            engine.handle_at(&req, 0)
        };
        let query = format!("id=tx1&status=ok&sig={sig}");
        // GET: everything is in the query string.
        let out = handle(format!("https://shop.example/dmn?{query}"), b"").expect("GET");
        assert!(out.events[0].source_verified);
        assert_eq!(out.events[0].connector_event_id.as_deref(), Some("tx1"));
        // POST: the body is the form.
        let out = handle("https://shop.example/dmn".into(), query.as_bytes()).expect("POST");
        assert!(out.events[0].source_verified);
        // A body without a signature does not borrow the query string's.
        let err = handle(
            format!("https://shop.example/dmn?{query}"),
            b"id=tx1&status=ok",
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingSignature);
    }

    /// Declared fields are made on first use (a rule's `when`), and a resource's templates read
    /// the event's built-ins before the event takes them as its own.
    #[test]
    fn rules_read_declared_fields_and_resource_templates_read_event_builtins() {
        let spec = r#"
connector: t
unsigned: true
fields:
  kind: $.data.kind
events:
  type: $.type
  id: $.id
  rules:
    - types: [paid]
      when: kind == 'late'
      event: PAYMENT_INTENT_PROCESSING
  map: { paid: PAYMENT_INTENT_SUCCESS }
payment:
  connector_transaction_id: $.data.id
  merchant_transaction_id: { template: "{{ event_type }}/{{ event_id }}/{{ kind }}" }
"#;
        let engine =
            Engine::from_sources([("t.yaml".to_string(), spec.to_string())]).expect("compiles");
        for (kind, expected) in [
            ("late", WebhookEventType::PaymentIntentProcessing),
            ("now", WebhookEventType::PaymentIntentSuccess),
        ] {
            let mut req = crate::HandleRequest {
                connector: "t".into(),
                ..Default::default()
            };
            req.request_details.body =
                format!(r#"{{"type":"paid","id":"ev_1","data":{{"id":"pi_1","kind":"{kind}"}}}}"#)
                    .into_bytes();
            let out = engine.handle_at(&req, 0).expect("unsigned spec");
            let event = &out.events[0];
            assert_eq!(event.event_type, expected, "{kind}");
            assert_eq!(event.connector_event_type.as_deref(), Some("paid"));
            assert_eq!(event.connector_event_id.as_deref(), Some("ev_1"));
            let Some(EventResponse::PaymentsResponse(p)) = &event.event_response else {
                panic!("a payment: {event:?}");
            };
            assert_eq!(p.connector_transaction_id.as_deref(), Some("pi_1"));
            assert_eq!(
                p.merchant_transaction_id.as_deref(),
                Some(format!("paid/ev_1/{kind}").as_str())
            );
        }
    }
}
