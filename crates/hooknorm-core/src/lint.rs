//! Warnings for specs that are legal but risky, and for secrets too short to be safe. Loading
//! keeps them on the connector ([`Connector::warnings`]); `hooknorm validate` and
//! `hooknorm test` print them.

use crate::contract::WebhookSecrets;
use crate::plan::{At, Connector, SourceKind};
use crate::projection::{steps_pointer, CompiledPath, Step};
use crate::spec::{Algorithm, BodyFormat, KeyEncoding, UrlPart};

/// Secrets shorter than this many bytes are flagged where the key is the secret's text.
pub const MIN_SECRET_BYTES: usize = 16;

fn timestamp_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("timestamp") || n == "t" || n == "ts"
}

fn covered(conn: &Connector, steps: &[Step]) -> bool {
    conn.schemes().any(|x| {
        x.message.iter().any(|l| match &l.kind {
            SourceKind::Field(path) => path.steps() == Some(steps),
            // Every leaf outside the exclusions is signed (its value, not its key).
            SourceKind::JsonLeafValues(lv) => lv.covers(steps),
            SourceKind::FormField(f) => {
                conn.document_form_field().is_none() && steps == [Step::Name(f.clone())]
            }
            _ => false,
        })
    })
}

/// Whether every scheme's signature covers a request value read from `kind` (a header, query
/// parameter, form field, URL part, ...). Literals and secrets are not request material.
fn source_covered(conn: &Connector, kind: &SourceKind) -> bool {
    let form_body_signed = conn.body.format != BodyFormat::Json
        && conn.body.format != BodyFormat::Xml
        && conn.document_form_field().is_none();
    conn.signature.is_some()
        && conn.schemes().all(|s| {
            s.message.iter().any(|part| match (kind, &part.kind) {
                (SourceKind::Literal(_) | SourceKind::Secret(_), _) => true,
                (SourceKind::Header(a), SourceKind::Header(b)) => a
                    .iter()
                    .all(|n| b.iter().any(|m| m.eq_ignore_ascii_case(n))),
                (SourceKind::Param(a), SourceKind::Param(b))
                | (SourceKind::Query(a), SourceKind::Query(b))
                | (SourceKind::FormField(a), SourceKind::FormField(b)) => a == b,
                (SourceKind::Query(q), SourceKind::Url(u)) => {
                    matches!(
                        u.part,
                        UrlPart::Full | UrlPart::Query | UrlPart::PathAndQuery
                    ) && !u.remove_query.contains(q)
                }
                (SourceKind::Query(q), SourceKind::SortedParams(p)) => {
                    p.reads_query() && !p.exclude.contains(q)
                }
                (SourceKind::FormField(f), SourceKind::SortedParams(p)) => {
                    p.reads_form() && !p.exclude.contains(f)
                }
                (SourceKind::FormField(_), SourceKind::Body) => form_body_signed,
                (SourceKind::Body, SourceKind::Body) => true,
                (SourceKind::Url(a), SourceKind::Url(b)) => {
                    b.remove_query.is_empty() && (b.part == UrlPart::Full || a.part == b.part)
                }
                (SourceKind::Field(a), _) => a.steps().is_some_and(|st| covered(conn, st)),
                (SourceKind::SortedParams(a), SourceKind::SortedParams(b)) => a == b,
                (SourceKind::JsonLeafValues(a), SourceKind::JsonLeafValues(b)) => a == b,
                _ => false,
            })
        })
}

/// Warnings of a compiled spec, each at the plan node it is about.
pub(crate) fn spec_warnings(conn: &Connector) -> Vec<(At, String)> {
    let mut out = Vec::new();
    let Some(sig) = &conn.signature else {
        return out;
    };
    let schemes = &sig.schemes;

    // Values that drive classification or a resource, read from material the signature does
    // not cover: one signed webhook could be replayed with another value there.
    let whole_document_signed = schemes.iter().any(|s| {
        s.signs_body()
            || conn.document_form_field().is_some_and(|f| {
                s.message
                    .iter()
                    .any(|l| matches!(&l.kind, SourceKind::FormField(x) if x == f))
            })
    });
    let events = &conn.events;
    let values = conn
        .fields
        .iter()
        .map(|(_, v)| v)
        .chain(std::iter::once(&events.event_type))
        .chain(events.id.as_ref())
        .chain(conn.payment.iter().flat_map(|p| p.values()))
        .chain(conn.refund.iter().flat_map(|p| p.values()))
        .chain(conn.dispute.iter().flat_map(|p| p.values()));
    for value in values {
        if !whole_document_signed {
            let paths = value.paths.iter().filter_map(CompiledPath::steps);
            for steps in paths.filter(|s| !covered(conn, s)) {
                out.push((
                    value.at.clone(),
                    format!(
                        "`{}` is read from the body, but the signature covers only part of the \
                         request and not this field: a captured webhook can be replayed with \
                         another value here",
                        steps_pointer(steps)
                    ),
                ));
            }
        }
        if let Some(from) = value
            .from
            .as_ref()
            .filter(|f| !source_covered(conn, &f.kind))
        {
            out.push((
                value.at.clone(),
                format!(
                    "{} is read, but the signature does not cover it: a captured webhook can be \
                     replayed with another value here (another event type, another resource)",
                    from.kind
                ),
            ));
        }
    }

    // A signed timestamp without a replay window.
    let limited = sig
        .timestamp
        .as_ref()
        .is_some_and(|t| t.past.is_some() || t.future.is_some());
    if !limited {
        let stamped = schemes
            .iter()
            .flat_map(|s| &s.message)
            .find_map(|l| match &l.kind {
                SourceKind::Header(names) => names.iter().find(|n| timestamp_like(n)).cloned(),
                SourceKind::Param(n) | SourceKind::FormField(n) if timestamp_like(n) => {
                    Some(n.clone())
                }
                SourceKind::Field(path) => match path.steps().and_then(<[Step]>::last) {
                    Some(Step::Name(n)) if timestamp_like(n) => Some(n.clone()),
                    _ => None,
                },
                _ => None,
            });
        if let Some(name) = stamped {
            out.push((
                sig.timestamp.as_ref().map_or(&sig.at, |t| &t.at).clone(),
                format!(
                    "the processor signs a timestamp (`{name}`) but no replay window is set \
                     (`signature.timestamp` with `past_seconds` / `future_seconds`): a captured \
                     webhook verifies forever"
                ),
            ));
        }
    }
    out
}

impl Connector {
    /// Warnings about supplied secrets: those shorter than [`MIN_SECRET_BYTES`] where the key
    /// is the secret's own text (HMAC keys used as-is, secrets inside plain digests), so a short
    /// chosen secret is a weak key. The values are never part of the message.
    pub fn secret_warnings(&self, secrets: &WebhookSecrets) -> Vec<String> {
        let mut names: Vec<&str> = Vec::new();
        for s in self.schemes() {
            let hmac = matches!(
                s.algorithm,
                Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512
            );
            if hmac && s.key.encoding == KeyEncoding::Utf8 && s.key.prefix.is_none() {
                names.extend(s.key.secrets.iter().map(String::as_str));
            }
            for l in &s.message {
                if let SourceKind::Secret(n) = &l.kind {
                    names.push(n);
                }
            }
        }
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|n| {
                let len = secrets.get(n)?.expose().len();
                (len < MIN_SECRET_BYTES).then(|| {
                    format!(
                        "secret `{n}` has {len} bytes; a key this short can be guessed \
                         (use at least {MIN_SECRET_BYTES})"
                    )
                })
            })
            .collect()
    }
}
