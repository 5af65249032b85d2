//! Signature verification: find the signatures, build the signed message byte-exact, check it
//! with every supplied key in constant time, then the replay window. Fails closed.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::compile::{Check, Scheme, Signature, Timestamp};
use crate::crypto::{self, VerifyKey};
use crate::error::{ErrorKind, HandleError, ReportStep};
use crate::model::{SigFormat, TimeUnit};
use crate::request::{Req, Scope};

/// A successful verification.
pub(crate) struct Verified {
    /// Parameters parsed from the signature value of the scheme that verified.
    pub params: Vec<(String, String)>,
    /// The signature that matched, as sent: input to the default idempotency key.
    pub signature: String,
}

/// The outcome of verification.
pub(crate) enum Outcome {
    Verified(Verified),
    /// The spec allows unsigned requests (`required: false`) and none was signed.
    Unsigned,
}

fn step(report: &mut Vec<ReportStep>, step: &str, ok: bool, detail: impl Into<String>) {
    report.push(ReportStep {
        step: step.into(),
        ok,
        detail: detail.into(),
    });
}

fn fail(report: &mut Vec<ReportStep>, name: &str, kind: ErrorKind, msg: String) -> HandleError {
    step(report, name, false, msg.clone());
    HandleError::new(kind, msg)
}

/// Parsed signature value: parameters and candidate signatures.
struct Parsed {
    params: Vec<(String, String)>,
    candidates: Vec<String>,
    malformed: bool,
}

fn parse_sig(format: &SigFormat, value: &str, scope: &Scope) -> Result<Parsed, HandleError> {
    let mut out = Parsed {
        params: Vec::new(),
        candidates: Vec::new(),
        malformed: false,
    };
    match format {
        SigFormat::Plain => {
            if !value.is_empty() {
                out.candidates.push(value.to_string());
            }
        }
        SigFormat::Prefixed {
            prefix,
            ignore_case,
        } => {
            let ok = value.len() >= prefix.len()
                && value.is_char_boundary(prefix.len())
                && if *ignore_case {
                    value[..prefix.len()].eq_ignore_ascii_case(prefix)
                } else {
                    value.starts_with(prefix.as_str())
                };
            if ok {
                out.candidates.push(value[prefix.len()..].to_string());
            } else {
                out.malformed = true;
            }
        }
        SigFormat::Params {
            separator,
            assign,
            signatures,
            key_equals_secret,
            trim,
        } => {
            let wanted_key = match key_equals_secret {
                Some(name) => Some(
                    scope
                        .req
                        .secrets
                        .get(name)
                        .ok_or_else(|| {
                            HandleError::new(
                                ErrorKind::MissingSecret,
                                format!("secret `{name}` is needed to choose the signature"),
                            )
                        })?
                        .expose()
                        .to_string(),
                ),
                None => None,
            };
            for entry in value.split(separator.as_str()) {
                let entry = if *trim { entry.trim() } else { entry };
                if entry.is_empty() {
                    continue;
                }
                let Some((k, v)) = entry.split_once(assign.as_str()) else {
                    out.malformed = true;
                    continue;
                };
                let (k, v) = if *trim { (k.trim(), v.trim()) } else { (k, v) };
                let is_sig = signatures.iter().any(|s| s == k)
                    || wanted_key.as_deref().is_some_and(|w| w == k);
                if is_sig {
                    out.candidates.push(v.to_string());
                }
                out.params.push((k.to_string(), v.to_string()));
            }
        }
        SigFormat::List {
            separator,
            version_separator,
            split_last,
            versions,
        } => {
            for entry in value.split(separator.as_str()).filter(|e| !e.is_empty()) {
                match version_separator {
                    None => out.candidates.push(entry.to_string()),
                    Some(vs) => {
                        let split = if *split_last {
                            entry.rsplit_once(vs.as_str())
                        } else {
                            entry.split_once(vs.as_str())
                        };
                        match split {
                            Some((ver, sig)) => {
                                if versions.is_empty() || versions.iter().any(|v| v == ver) {
                                    out.candidates.push(sig.to_string());
                                }
                            }
                            None => out.malformed = true,
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Runs the spec's checks on the request.
fn run_checks(
    checks: &[Check],
    scope: &Scope,
    report: &mut Vec<ReportStep>,
) -> Result<(), HandleError> {
    for c in checks {
        let what = Scope::describe(&c.value);
        let Some(v) = scope.text(&c.value)? else {
            return Err(fail(
                report,
                "checks",
                ErrorKind::MissingSignature,
                format!("{what} is missing"),
            ));
        };
        let kind = match c.error {
            crate::model::CheckError::InvalidSignature => ErrorKind::InvalidSignature,
            crate::model::CheckError::UntrustedCertificate => ErrorKind::UntrustedCertificate,
            crate::model::CheckError::MalformedSignature => ErrorKind::MalformedSignature,
        };
        if !c.one_of.is_empty() && !c.one_of.iter().any(|x| *x == *v) {
            return Err(fail(
                report,
                "checks",
                kind,
                format!("{what} has a value this connector does not accept"),
            ));
        }
        if !c.https_host.is_empty() {
            let ok = url::Url::parse(&v).ok().is_some_and(|u| {
                u.scheme() == "https"
                    && u.username().is_empty()
                    && u.password().is_none()
                    && u.host_str().is_some_and(|h| {
                        let h = h.to_ascii_lowercase();
                        c.https_host
                            .iter()
                            .any(|allowed| h == *allowed || h.ends_with(&format!(".{allowed}")))
                    })
            });
            if !ok {
                return Err(fail(
                    report,
                    "checks",
                    kind,
                    format!("{what} is not an https URL on an allowed host"),
                ));
            }
        }
    }
    if !checks.is_empty() {
        step(
            report,
            "checks",
            true,
            format!("{} check(s) passed", checks.len()),
        );
    }
    Ok(())
}

/// Decodes the scheme's keys from the supplied secrets: (keys, how many secrets were supplied).
fn keys(scheme: &Scheme, scope: &Scope) -> (Vec<VerifyKey>, usize) {
    let mut out = Vec::new();
    let mut supplied = 0;
    for name in &scheme.key.secrets {
        let Some(secret) = scope.req.secrets.get(name) else {
            continue;
        };
        supplied += 1;
        if let Some(text) = crypto::key_text(&scheme.key, secret.expose()) {
            if let Ok(k) = crypto::verify_key(scheme.algorithm, scheme.key.encoding, text) {
                out.push(k);
            }
        }
    }
    (out, supplied)
}

/// Builds the signed message parts of a scheme.
fn message<'b>(
    scheme: &'b Scheme,
    scope: &Scope<'_, 'b>,
) -> Result<Vec<Cow<'b, [u8]>>, HandleError> {
    let mut parts = Vec::with_capacity(scheme.message.len() * 2);
    for (i, p) in scheme.message.iter().enumerate() {
        if i > 0 && !scheme.join.is_empty() {
            parts.push(Cow::Borrowed(scheme.join.as_bytes()));
        }
        match scope.get(p)? {
            Some(v) => parts.push(v),
            None => {
                return Err(HandleError::new(
                    ErrorKind::MissingSignature,
                    format!("the signed {} is missing", Scope::describe(p)),
                ))
            }
        }
    }
    Ok(parts)
}

fn scheme_matches(
    scheme: &Scheme,
    keys: &[VerifyKey],
    parts: &[Cow<[u8]>],
    candidates: &[String],
) -> Option<usize> {
    if crypto::is_symmetric(scheme.algorithm) {
        let slices: Vec<&[u8]> = parts.iter().map(|p| &p[..]).collect();
        for k in keys {
            let key: &[u8] = match k {
                VerifyKey::Mac(b) => b,
                _ => &[],
            };
            let expected = crypto::mac(scheme.algorithm, key, &slices);
            // Check every candidate (no early exit on the comparison itself).
            let mut hit = None;
            for (i, c) in candidates.iter().enumerate() {
                if crypto::encoded_matches(scheme.encoding, &expected, c) && hit.is_none() {
                    hit = Some(i);
                }
            }
            if hit.is_some() {
                return hit;
            }
        }
        None
    } else {
        let msg: Vec<u8> = parts.concat();
        for k in keys {
            for (i, c) in candidates.iter().enumerate() {
                if let Some(sig) = crypto::decode_sig(scheme.encoding, c) {
                    if crypto::verify_asym(k, &msg, &sig) {
                        return Some(i);
                    }
                }
            }
        }
        None
    }
}

/// Verifies the schemes of one scope (`item` is the batch item for item-scope schemes).
pub(crate) fn verify(
    sig: &Signature,
    req: &Req,
    item: Option<&Json>,
    what: &str,
    report: &mut Vec<ReportStep>,
) -> Result<Outcome, HandleError> {
    let scope_base = Scope {
        req,
        params: &[],
        item,
    };
    let mut found_any = false;
    let mut malformed = false;
    let mut keys_supplied = 0;
    let mut keys_usable = 0;
    let mut checked = false;
    for scheme in &sig.schemes {
        let raw = match scope_base.text(&scheme.sig_from) {
            Ok(r) => r,
            Err(e) => return Err(fail(report, "signature", e.kind, e.message)),
        };
        let Some(raw) = raw else { continue };
        let parsed = parse_sig(&scheme.format, &raw, &scope_base)
            .map_err(|e| fail(report, "signature", e.kind, e.message))?;
        malformed |= parsed.malformed;
        if parsed.candidates.is_empty() {
            continue;
        }
        found_any = true;
        if !checked {
            run_checks(&sig.checks, &scope_base, report)?;
            checked = true;
        }
        let (keys, supplied) = keys(scheme, &scope_base);
        keys_supplied += supplied;
        keys_usable += keys.len();
        if keys.is_empty() {
            continue;
        }
        let scope = Scope {
            req,
            params: &parsed.params,
            item,
        };
        let parts =
            message(scheme, &scope).map_err(|e| fail(report, "signature", e.kind, e.message))?;
        if let Some(i) = scheme_matches(scheme, &keys, &parts, &parsed.candidates) {
            step(
                report,
                "signature",
                true,
                format!("{what}: scheme `{}` verified", scheme.name),
            );
            let signature = parsed.candidates[i].clone();
            return Ok(Outcome::Verified(Verified {
                params: parsed.params,
                signature,
            }));
        }
    }
    if !found_any {
        if malformed {
            return Err(fail(
                report,
                "signature",
                ErrorKind::MalformedSignature,
                format!("{what}: the signature value cannot be parsed"),
            ));
        }
        if !sig.required {
            step(
                report,
                "signature",
                true,
                format!("{what}: unsigned, accepted unverified"),
            );
            return Ok(Outcome::Unsigned);
        }
        return Err(fail(
            report,
            "signature",
            ErrorKind::MissingSignature,
            format!("{what}: no signature found for this connector"),
        ));
    }
    if keys_usable == 0 {
        let (kind, msg) = if keys_supplied == 0 {
            (
                ErrorKind::MissingSecret,
                format!("{what}: the secret this connector verifies with was not supplied"),
            )
        } else {
            (
                ErrorKind::InvalidSecret,
                format!("{what}: the supplied secret is not a usable key for this connector"),
            )
        };
        return Err(fail(report, "signature", kind, msg));
    }
    Err(fail(
        report,
        "signature",
        ErrorKind::InvalidSignature,
        format!("{what}: no signature matched"),
    ))
}

/// Checks the replay window with the verified scheme's parameters.
pub(crate) fn check_timestamp(
    ts: &Timestamp,
    req: &Req,
    params: &[(String, String)],
    now: i64,
    report: &mut Vec<ReportStep>,
) -> Result<(), HandleError> {
    let scope = Scope {
        req,
        params,
        item: None,
    };
    let what = Scope::describe(&ts.from);
    let text = scope
        .text(&ts.from)
        .map_err(|e| fail(report, "timestamp", e.kind, e.message))?
        .ok_or_else(|| {
            fail(
                report,
                "timestamp",
                ErrorKind::MissingSignature,
                format!("the signed timestamp ({what}) is missing"),
            )
        })?;
    let at = parse_time(&text, ts.unit).ok_or_else(|| {
        fail(
            report,
            "timestamp",
            ErrorKind::MalformedSignature,
            format!(
                "the signed timestamp ({what}) is not a valid {:?} value",
                ts.unit
            ),
        )
    })?;
    let delta = now.saturating_sub(at);
    let too_old = ts.past.is_some_and(|p| delta > p as i64);
    let too_new = ts.future.is_some_and(|f| delta < -(f as i64));
    if too_old || too_new {
        let mut e = fail(
            report,
            "timestamp",
            ErrorKind::TimestampOutOfTolerance,
            format!(
                "the signed timestamp is {} s in the {} (allowed: {} s past, {} s future)",
                delta.unsigned_abs(),
                if delta > 0 { "past" } else { "future" },
                ts.past.map_or("any".into(), |p| p.to_string()),
                ts.future.map_or("any".into(), |f| f.to_string()),
            ),
        );
        e.delta_seconds = Some(delta);
        return Err(e);
    }
    step(
        report,
        "timestamp",
        true,
        format!("{delta} s old, within the window"),
    );
    Ok(())
}

/// Parses a timestamp to unix seconds.
pub(crate) fn parse_time(text: &str, unit: TimeUnit) -> Option<i64> {
    let digits = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    match unit {
        TimeUnit::Seconds => digits(text),
        TimeUnit::Milliseconds => digits(text).map(|ms| ms.div_euclid(1000)),
        TimeUnit::Rfc3339 => chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|d| d.timestamp()),
    }
}
