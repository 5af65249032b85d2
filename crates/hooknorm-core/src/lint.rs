//! Warnings for specs that are legal but risky, and for secrets too short to be safe. Loading
//! keeps them on the connector ([`Connector::warnings`]); `hooknorm validate` and
//! `hooknorm test` print them.

use crate::model::{Algorithm, KeyEncoding};
use crate::plan::Connector;
use crate::profile::{steps_pointer, Location, SpecProfile};
use crate::project::Step;
use crate::types::WebhookSecrets;

/// Secrets shorter than this many bytes are flagged where the key is the secret's text.
pub const MIN_SECRET_BYTES: usize = 16;

fn timestamp_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("timestamp") || n == "t" || n == "ts"
}

fn covered(p: &SpecProfile, steps: &[Step]) -> bool {
    p.signature.iter().flat_map(|s| &s.schemes).any(|x| {
        x.signed.iter().any(|l| match l {
            Location::Field(Some(s)) => s == steps,
            Location::FormField(f) => {
                p.document_form_field.is_none() && steps == [Step::Name(f.clone())]
            }
            _ => false,
        })
    })
}

/// `(key, message)` warnings of a compiled spec.
pub(crate) fn spec_warnings(conn: &Connector) -> Vec<(String, String)> {
    let p = conn.profile();
    let mut out = Vec::new();
    let Some(sig) = &p.signature else {
        return out;
    };
    let schemes = &sig.schemes;

    // Routing read from material the signature does not cover.
    let whole_document_signed = schemes.iter().any(|s| {
        s.signs_body()
            || p.document_form_field
                .as_ref()
                .is_some_and(|f| s.signed.contains(&Location::FormField(f.clone())))
    });
    if !whole_document_signed {
        for (key, paths) in [
            ("events.type", &p.event_type_paths),
            ("events.id", &p.event_id_paths),
        ] {
            for steps in paths.iter().filter(|s| !covered(&p, s)) {
                out.push((
                    key.to_string(),
                    format!(
                        "`{}` is read from the body, but the signature covers only part of the \
                         request and not this field: a captured webhook can be replayed with \
                         another value here",
                        steps_pointer(steps)
                    ),
                ));
            }
        }
    }

    // A signed timestamp without a replay window.
    let limited = sig
        .timestamp
        .as_ref()
        .is_some_and(|t| t.past_seconds.is_some() || t.future_seconds.is_some());
    if !limited {
        let stamped = schemes
            .iter()
            .flat_map(|s| &s.signed)
            .find_map(|l| match l {
                Location::Header(names) => names.iter().find(|n| timestamp_like(n)).cloned(),
                Location::Param(n) | Location::FormField(n) if timestamp_like(n) => Some(n.clone()),
                Location::Field(Some(steps)) => match steps.last() {
                    Some(Step::Name(n)) if timestamp_like(n) => Some(n.clone()),
                    _ => None,
                },
                _ => None,
            });
        if let Some(name) = stamped {
            out.push((
                if sig.timestamp.is_some() {
                    "signature.timestamp".to_string()
                } else {
                    "signature".to_string()
                },
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
        let p = self.profile();
        let mut names: Vec<&str> = Vec::new();
        for s in p.signature.iter().flat_map(|s| &s.schemes) {
            let hmac = matches!(
                s.algorithm,
                Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512
            );
            if hmac && s.key.encoding == KeyEncoding::Utf8 && s.key.prefix.is_none() {
                names.extend(s.key.secrets.iter().map(String::as_str));
            }
            for l in &s.signed {
                if let Location::Secret(n) = l {
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
