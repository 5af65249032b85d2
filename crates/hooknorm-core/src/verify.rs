//! Signature verification: find the signatures, build the signed message byte-exact, check it
//! with every supplied key in constant time, then the replay window. Fails closed.

use std::borrow::Cow;

use serde_json::Value as Json;
use smallvec::SmallVec;

use crate::convert;
use crate::crypto::{self, VerifyKey};
use crate::error::{ErrorKind, HandleError, Report, ReportStep};
use crate::message::{SignedMessage, Unbuilt};
use crate::plan::{Check, Scheme, Signature, Timestamp};
use crate::request::{Req, Scope};
use crate::spec::Algorithm;
use crate::spec::SigFormat;
use crate::value::Val;

/// A successful verification.
pub(crate) struct Verified<'b> {
    /// The signature that matched, as sent (borrowed from the request where it can be): input
    /// to the default idempotency key.
    pub signature: Cow<'b, str>,
}

/// The outcome of verification.
pub(crate) enum Outcome<'b> {
    Verified(Verified<'b>),
    /// The spec allows unsigned requests (`required: false`) and none was signed.
    Unsigned,
}

fn step(
    report: &mut Report,
    step: &'static str,
    ok: bool,
    detail: impl Into<std::borrow::Cow<'static, str>>,
) {
    report.push(ReportStep {
        step: step.into(),
        ok,
        detail: detail.into(),
    });
}

fn fail(report: &mut Report, name: &'static str, kind: ErrorKind, msg: String) -> HandleError {
    step(report, name, false, msg.clone());
    HandleError::new(kind, msg)
}

/// Parsed signature value: parameters and candidate signatures, borrowed from the value (on
/// the stack for the usual few).
struct Parsed<'v> {
    params: SmallVec<[(&'v str, &'v str); 4]>,
    candidates: SmallVec<[&'v str; 4]>,
    malformed: bool,
}

fn parse_sig<'v>(
    format: &'v SigFormat,
    value: &'v str,
    scope: &Scope,
) -> Result<Parsed<'v>, HandleError> {
    let mut out = Parsed {
        params: SmallVec::new(),
        candidates: SmallVec::new(),
        malformed: false,
    };
    match format {
        SigFormat::Plain => {
            if !value.is_empty() {
                out.candidates.push(value);
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
                out.candidates.push(&value[prefix.len()..]);
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
                        .expose(),
                ),
                None => None,
            };
            for entry in split(value, separator.as_str()) {
                let entry = if *trim { entry.trim() } else { entry };
                if entry.is_empty() {
                    continue;
                }
                let Some((k, v)) = split_once(entry, assign) else {
                    out.malformed = true;
                    continue;
                };
                let (k, v) = if *trim { (k.trim(), v.trim()) } else { (k, v) };
                let is_sig =
                    signatures.iter().any(|s| s == k) || wanted_key.is_some_and(|w| w == k);
                if is_sig {
                    out.candidates.push(v);
                }
                out.params.push((k, v));
            }
        }
        SigFormat::Fields {
            separator,
            names,
            signatures,
        } => {
            let parts: Vec<&str> = value.splitn(names.len(), separator.as_str()).collect();
            if value.is_empty() || parts.len() != names.len() {
                out.malformed = true;
            } else {
                for (name, part) in names.iter().zip(parts) {
                    if signatures.iter().any(|s| s == name) {
                        if !part.is_empty() {
                            out.candidates.push(part);
                        }
                    } else {
                        out.params.push((name.as_str(), part));
                    }
                }
            }
        }
        SigFormat::List {
            separator,
            version_separator,
            split_last,
            versions,
        } => {
            for entry in split(value, separator.as_str()).filter(|e| !e.is_empty()) {
                match version_separator {
                    None => out.candidates.push(entry),
                    Some(vs) => {
                        let split = if *split_last {
                            entry.rsplit_once(vs.as_str())
                        } else {
                            split_once(entry, vs)
                        };
                        match split {
                            Some((ver, sig)) => {
                                if versions.is_empty() || versions.iter().any(|v| v == ver) {
                                    out.candidates.push(sig);
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

/// The position of a non-empty separator: one-byte separators (the common case) are found a
/// word at a time, inline ([`find_byte`]), instead of by the substring searcher. A one-byte
/// `str` is ASCII, so its position is a char boundary.
#[inline]
fn find(hay: &str, sep: &str) -> Option<usize> {
    match sep.as_bytes() {
        [b] => find_byte(*b, hay.as_bytes()),
        _ => hay.find(sep),
    }
}

/// The first position of `b` in `hay`, eight bytes at a time. Signature values are short (a
/// Stripe header is about 80 bytes): a call into `memchr` costs more than the search.
#[inline]
fn find_byte(b: u8, hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    let mut at = 0;
    while let Some(chunk) = hay.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ (ONES * u64::from(b));
        // The high bit of each zero byte of `x` (bytes after the first zero may be flagged
        // falsely; only the lowest is read).
        let zero = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    hay[at..].iter().position(|&c| c == b).map(|i| at + i)
}

/// `str::split_once` with [`find`].
fn split_once<'v>(value: &'v str, sep: &str) -> Option<(&'v str, &'v str)> {
    let i = find(value, sep)?;
    Some((&value[..i], &value[i + sep.len()..]))
}

/// Splits by a non-empty separator, like `str::split`, with [`find`].
fn split<'v, 's>(value: &'v str, sep: &'s str) -> Split<'v, 's> {
    Split {
        rest: Some(value),
        sep,
    }
}

struct Split<'v, 's> {
    rest: Option<&'v str>,
    sep: &'s str,
}

impl<'v> Iterator for Split<'v, '_> {
    type Item = &'v str;
    fn next(&mut self) -> Option<&'v str> {
        let rest = self.rest?;
        match find(rest, self.sep) {
            Some(i) => {
                self.rest = Some(&rest[i + self.sep.len()..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// `part`, a slice of `whole`, as a slice of `whole` with `whole`'s lifetime (`None` when it
/// is not one).
fn within<'w>(whole: &'w str, part: &str) -> Option<&'w str> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    whole.get(start..start.checked_add(part.len())?)
}

/// Runs the spec's checks on the request.
fn run_checks(checks: &[Check], scope: &Scope, report: &mut Report) -> Result<(), HandleError> {
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
            crate::spec::CheckError::InvalidSignature => ErrorKind::InvalidSignature,
            crate::spec::CheckError::UntrustedCertificate => ErrorKind::UntrustedCertificate,
            crate::spec::CheckError::MalformedSignature => ErrorKind::MalformedSignature,
        };
        if !c.one_of.is_empty() && !c.one_of.iter().any(|x| *x == *v) {
            return Err(fail(
                report,
                "checks",
                kind,
                format!("{what} has a value this connector does not accept"),
            ));
        }
        if let Some(other) = &c.equals {
            let Some(expected) = scope.get(other)? else {
                return Err(fail(
                    report,
                    "checks",
                    ErrorKind::MissingSignature,
                    format!("{} is missing", Scope::describe(other)),
                ));
            };
            let same: bool = subtle::ConstantTimeEq::ct_eq(v.as_bytes(), &expected[..]).into();
            if !same {
                return Err(fail(
                    report,
                    "checks",
                    kind,
                    format!("{what} does not equal the {}", Scope::describe(other)),
                ));
            }
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
fn keys<'s>(scheme: &Scheme, scope: &Scope<'_, 's>) -> (SmallVec<[VerifyKey<'s>; 2]>, usize) {
    let mut out = SmallVec::new();
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

/// Builds the signed message of a scheme; a missing part is a missing secret or signature.
fn message<'b>(
    scheme: &'b Scheme,
    scope: &Scope<'_, 'b>,
) -> Result<SignedMessage<'b>, HandleError> {
    SignedMessage::build(scheme, scope).map_err(|e| match e {
        Unbuilt::Failed(e) => e,
        // A secret part (a PayPal webhook id) is the host's to supply, not the request's.
        Unbuilt::Missing(m) if m.secret => HandleError::new(
            ErrorKind::MissingSecret,
            format!(
                "the {} the signed message needs was not supplied",
                Scope::describe(m.part)
            ),
        ),
        Unbuilt::Missing(m) => HandleError::new(
            ErrorKind::MissingSignature,
            format!("the signed {} is missing", Scope::describe(m.part)),
        ),
    })
}

fn scheme_matches(
    scheme: &Scheme,
    keys: &[VerifyKey],
    msg: &SignedMessage,
    candidates: &[&str],
) -> Option<usize> {
    if scheme.algorithm == Algorithm::Token {
        // The token is the (secret-only) message itself; every candidate is compared.
        let token = msg.concat();
        let mut hit = None;
        for (i, c) in candidates.iter().enumerate() {
            if crypto::token_matches(&token, c) && hit.is_none() {
                hit = Some(i);
            }
        }
        return hit;
    }
    if crypto::is_symmetric(scheme.algorithm) {
        for k in keys {
            let key: &[u8] = match k {
                VerifyKey::Mac(b) => b,
                _ => &[],
            };
            let expected = crypto::mac(scheme.algorithm, key, msg.parts());
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
        let msg = msg.concat();
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
///
/// Schemes are tried in order; a scheme whose input is missing or unreadable (no signature in
/// the place it reads, a signed header absent, a form field of a body that is not a form) does
/// not match and the next one is tried, so the order of schemes never changes the outcome. When
/// none verifies, the error says why the most relevant one failed: a wrong signature over a
/// signature whose signed input was missing, and the first scheme's reason otherwise.
///
/// With `now`, the replay window is checked too, with the verifying scheme's parameters.
pub(crate) fn verify<'b>(
    sig: &'b Signature,
    req: &'b Req,
    item: Option<&'b Json>,
    slots: Option<&'b [Option<Val<'b>>]>,
    what: &str,
    now: Option<i64>,
    report: &mut Report,
) -> Result<Outcome<'b>, HandleError> {
    let scope_base = Scope {
        req,
        params: &[],
        item,
        slots,
        alt_port: false,
    };
    let mut found_any = false;
    let mut malformed = false;
    let mut keys_supplied = 0;
    let mut keys_usable = 0;
    let mut checked = false;
    // Whether a signature was compared with a built message, and the first reason a scheme
    // could not be tried.
    let mut compared = false;
    let mut unreadable: Option<HandleError> = None;
    for scheme in &sig.schemes {
        let raw = match scope_base.text(&scheme.sig_from) {
            Ok(r) => r,
            Err(e) => {
                unreadable.get_or_insert(e);
                continue;
            }
        };
        let Some(raw) = raw else { continue };
        let parsed = match parse_sig(&scheme.format, &raw, &scope_base) {
            Ok(p) => p,
            Err(e) => {
                unreadable.get_or_insert(e);
                continue;
            }
        };
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
        // The URL as sent, then (for `default_port: optional`) with the default port toggled.
        let variants: &[bool] = if scheme.port_optional()
            && crate::request::toggle_default_port(&req.details.url).is_some()
        {
            &[false, true]
        } else {
            &[false]
        };
        for &alt_port in variants {
            let scope = Scope {
                req,
                params: &parsed.params,
                item,
                slots,
                alt_port,
            };
            let msg = match message(scheme, &scope) {
                Ok(m) => m,
                Err(e) => {
                    unreadable.get_or_insert(e);
                    break;
                }
            };
            compared = true;
            if let Some(i) = scheme_matches(scheme, &keys, &msg, &parsed.candidates) {
                step(report, "signature", true, "verified");
                if let (Some(ts), Some(now)) = (&sig.timestamp, now) {
                    check_timestamp(ts, req, &parsed.params, now, report)?;
                }
                // A token is the same in every webhook: the default idempotency key is then
                // derived from the body instead (and the token never becomes key material).
                let signature = if scheme.algorithm == Algorithm::Token {
                    Cow::Owned(format!("body:{}", crypto::sha256_hex(&[&req.details.body])))
                } else {
                    // Borrowed from the request when the signature value was; copied when
                    // a transform made it.
                    let candidate = parsed.candidates[i];
                    let in_request = match &raw {
                        Cow::Borrowed(value) => within(value, candidate),
                        Cow::Owned(_) => None,
                    };
                    in_request.map_or_else(|| Cow::Owned(candidate.to_string()), Cow::Borrowed)
                };
                return Ok(Outcome::Verified(Verified { signature }));
            }
        }
    }
    if !found_any {
        if let Some(e) = unreadable {
            return Err(fail(report, "signature", e.kind, e.message));
        }
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
    if let Some(e) = unreadable.filter(|_| !compared) {
        return Err(fail(report, "signature", e.kind, e.message));
    }
    Err(fail(
        report,
        "signature",
        ErrorKind::InvalidSignature,
        format!("{what}: no signature matched"),
    ))
}

/// Checks the replay window with the verified scheme's parameters.
fn check_timestamp(
    ts: &Timestamp,
    req: &Req,
    params: &[(&str, &str)],
    now: i64,
    report: &mut Report,
) -> Result<(), HandleError> {
    let scope = Scope {
        req,
        params,
        item: None,
        slots: None,
        alt_port: false,
    };
    let what = || Scope::describe(&ts.from);
    let text = scope
        .text(&ts.from)
        .map_err(|e| fail(report, "timestamp", e.kind, e.message))?
        .ok_or_else(|| {
            fail(
                report,
                "timestamp",
                ErrorKind::MissingSignature,
                format!("the signed timestamp ({}) is missing", what()),
            )
        })?;
    let at = convert::parse_time(&text, ts.unit).ok_or_else(|| {
        fail(
            report,
            "timestamp",
            ErrorKind::MalformedSignature,
            format!(
                "the signed timestamp ({}) is not a valid {:?} value",
                what(),
                ts.unit
            ),
        )
    })?;
    let delta = now.saturating_sub(at);
    let too_old = ts.past.is_some_and(|p| i128::from(delta) > i128::from(p));
    let too_new = ts
        .future
        .is_some_and(|f| i128::from(delta) < -i128::from(f));
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
    step(report, "timestamp", true, "within the replay window");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds, for any byte
        /// (0x00, 0x80 and 0xff included) at any position of any length.
        #[test]
        fn find_byte_agrees_with_a_byte_loop(
            hay in proptest::collection::vec(
                prop_oneof![Just(b','), Just(0u8), Just(0x80u8), Just(0xffu8), any::<u8>()],
                0..40,
            ),
            b in prop_oneof![Just(b','), Just(b'='), Just(0u8), Just(0x80u8), any::<u8>()],
        ) {
            prop_assert_eq!(find_byte(b, &hay), hay.iter().position(|&c| c == b));
        }
    }

    /// `format: fields` splits positionally (the last field keeps further separators), names
    /// parameters, and treats any other number of parts as malformed.
    #[test]
    fn fields_format_splits_into_named_parts() {
        let format = SigFormat::Fields {
            separator: ":".into(),
            names: vec!["t".into(), "signature".into()],
            signatures: vec!["signature".into()],
        };
        let details = crate::contract::RequestDetails::default();
        let secrets = crate::contract::WebhookSecrets::default();
        let req = Req::new(&details, &secrets);
        let scope = Scope {
            req: &req,
            params: &[],
            item: None,
            slots: None,
            alt_port: false,
        };
        let p = parse_sig(&format, "1700000000:abc:def", &scope).unwrap();
        assert_eq!(p.params.as_slice(), [("t", "1700000000")]);
        assert_eq!(p.candidates.as_slice(), ["abc:def"]);
        assert!(!p.malformed);
        for bad in ["1700000000", ""] {
            let p = parse_sig(&format, bad, &scope).unwrap();
            assert!(p.malformed && p.candidates.is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn a_missing_secret_message_part_is_a_missing_secret() {
        let spec = r#"
connector: t
secrets:
  secret: { description: signed in the message }
  additional_secret: { description: the key }
signature:
  schemes:
    - algorithm: hmac-sha256
      key: { secrets: [additional_secret] }
      signature: { from: { header: X-Sig } }
      encoding: hex
      message:
        - secret: secret
        - header: X-Id
        - body: true
events:
  type: $.type
"#;
        let engine = crate::Engine::from_sources([("t.yaml".to_string(), spec.to_string())])
            .expect("spec compiles");
        let mut req = crate::HandleRequest {
            connector: "t".into(),
            ..Default::default()
        };
        req.request_details.body = br#"{"type":"x"}"#.to_vec();
        let headers = &mut req.request_details.headers;
        headers.insert("X-Sig".into(), "00".into());
        headers.insert("X-Id".into(), "1".into());
        req.webhook_secrets.additional_secret = Some(crate::Secret::new("key"));
        let err = engine.handle_at(&req, 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingSecret, "{}", err.message);
        // A signed value missing from the request stays a missing signature.
        req.webhook_secrets.secret = Some(crate::Secret::new("id"));
        req.request_details.headers.remove("X-Id");
        let err = engine.handle_at(&req, 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingSignature, "{}", err.message);
    }

    /// The matched signature is handed back as a slice of the header it came from, never of
    /// anything else.
    #[test]
    fn within_finds_a_part_only_inside_its_whole() {
        let header = String::from("t=1,v1=abcdef,v1=0123");
        let part = &header[7..13];
        let got = within(&header, part).unwrap();
        assert_eq!(got, "abcdef");
        assert_eq!(got.as_ptr(), part.as_ptr());
        assert_eq!(within(&header, &header[..0]), Some(""));
        assert_eq!(within(&header, &header), Some(header.as_str()));
        // The same text elsewhere is not a slice of the header.
        let elsewhere = String::from("abcdef");
        assert_eq!(within(&header, &elsewhere), None);
        // Nor is a slice that runs past its end.
        let longer = format!("{header}xyz");
        assert_eq!(within(&longer[..header.len()], &longer[20..]), None);
    }

    #[test]
    fn split_matches_str_split() {
        for (v, sep) in [
            ("t=1,v1=a,v1=b", ","),
            ("", ","),
            (",,", ","),
            ("a;;b;", ";;"),
            ("v1,x v1a,y", " "),
            ("ünï,cödé", ","),
            ("abc", "abc"),
        ] {
            let ours: Vec<&str> = split(v, sep).collect();
            let std: Vec<&str> = v.split(sep).collect();
            assert_eq!(ours, std, "{v:?} by {sep:?}");
        }
    }
}
