//! The `tamper` property: changed signed material never verifies.

use proptest::prelude::*;
use serde_json::Value as Json;

use crate::projection::Step;

use super::*;

/// A place to tamper with.
#[derive(Clone, Copy)]
pub(super) enum Target<'a> {
    Signed(&'a SourceKind),
    /// An extra header nobody signs.
    UnsignedHeader,
}

/// The same place of the request: literals are one place whatever their text, item fields
/// compare by their plain chain of steps.
fn same_place(a: &SourceKind, b: &SourceKind) -> bool {
    use SourceKind::*;
    match (a, b) {
        (Header(x), Header(y)) => x == y,
        (Param(x), Param(y))
        | (Query(x), Query(y))
        | (FormField(x), FormField(y))
        | (Secret(x), Secret(y)) => x == y,
        (Field(x), Field(y)) => x.steps() == y.steps(),
        (Literal(_), Literal(_)) | (Body, Body) => true,
        (Url(x), Url(y)) => x == y,
        (SortedParams(x), SortedParams(y)) => x == y,
        (JsonLeafValues(x), JsonLeafValues(y)) => x == y,
        _ => false,
    }
}

pub(super) fn tamper_targets(conn: &Connector) -> Vec<Target<'_>> {
    let mut locs: Vec<&SourceKind> = Vec::new();
    if let Some(sig) = &conn.signature {
        let signed = sig.schemes.iter().flat_map(|s| &s.message).map(|l| &l.kind);
        let stamp = sig.timestamp.iter().map(|t| &t.from.kind);
        for l in signed.filter(|l| l.is_request_material()).chain(stamp) {
            if !locs.iter().any(|x| same_place(x, l)) {
                locs.push(l);
            }
        }
    }
    let mut out: Vec<Target> = locs.into_iter().map(Target::Signed).collect();
    out.push(Target::UnsignedHeader);
    out
}

/// Whether every signed part read from this place keeps only the text after its last `/`.
fn signs_after_last_slash(conn: &Connector, target: &SourceKind) -> bool {
    let Some(sig) = &conn.signature else {
        return false;
    };
    let mut parts = sig
        .schemes
        .iter()
        .flat_map(|s| &s.message)
        .filter(|l| same_place(&l.kind, target))
        .peekable();
    parts.peek().is_some()
        && parts.all(|l| l.transforms.first() == Some(&crate::spec::Transform::AfterLastSlash))
}

/// A different printable character at a position of a text.
pub(super) fn flip_char(s: &str, pos: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return "x".into();
    }
    let i = pos % chars.len();
    let c = chars[i];
    // Never only a change of case: some schemes sign a lower-cased value (Mercado Pago's
    // alphanumeric ids), and then a case change is not a change of the signed material.
    let repl = if c.is_ascii_digit() {
        char::from(b'0' + ((c as u8 - b'0' + 1) % 10))
    } else if c.eq_ignore_ascii_case(&'a') {
        'b'
    } else {
        'a'
    };
    chars
        .iter()
        .enumerate()
        .map(|(j, &x)| if j == i { repl } else { x })
        .collect()
}

/// Bumps a number (a timestamp stays within any window) or flips a character.
pub(super) fn alter_value(s: &str, pos: usize) -> String {
    match s.parse::<i64>() {
        Ok(n) => (n + 1).to_string(),
        Err(_) => flip_char(s, pos),
    }
}

pub(super) fn header_key(req: &HandleRequest, names: &[String]) -> Option<String> {
    names.iter().find_map(|n| {
        req.request_details
            .headers
            .keys()
            .find(|k| k.eq_ignore_ascii_case(n))
            .cloned()
    })
}

/// Applies a tamper; `None` when the request does not have that part.
pub(super) fn apply_tamper(
    ctx: &Ctx,
    req: &HandleRequest,
    target: &SourceKind,
    pos: usize,
    byte: u8,
) -> Option<HandleRequest> {
    let mut out = req.clone();
    let d = &mut out.request_details;
    match target {
        SourceKind::Body => {
            if d.body.is_empty() {
                return None;
            }
            let i = pos % d.body.len();
            d.body[i] ^= byte.max(1);
        }
        SourceKind::Header(names) => {
            let k = header_key(req, names)?;
            let v = d.headers.get(&k)?.clone();
            // A header signed through `after_last_slash` is signed only after its last `/`:
            // change that part (the rest is not signed material).
            let altered = match v.rsplit_once('/') {
                Some((head, tail)) if signs_after_last_slash(ctx.conn, target) => {
                    format!("{head}/{}", alter_value(tail, pos))
                }
                _ => alter_value(&v, pos),
            };
            d.headers.insert(k, altered);
        }
        SourceKind::Param(p) => {
            // The parameter lives in the signature value of a `params` scheme.
            let sig = ctx.conn.signature.as_ref()?;
            let (names, sep, assign) =
                sig.schemes
                    .iter()
                    .find_map(|s| match (&s.sig_from.kind, &s.format) {
                        (
                            SourceKind::Header(n),
                            SigFormat::Params {
                                separator, assign, ..
                            },
                        ) => Some((n.clone(), separator.clone(), assign.clone())),
                        _ => None,
                    })?;
            let k = header_key(req, &names)?;
            let v = d.headers.get(&k)?.clone();
            let mut found = false;
            let parts: Vec<String> = v
                .split(sep.as_str())
                .map(|e| match e.split_once(assign.as_str()) {
                    Some((key, val)) if key.trim() == p && !found => {
                        found = true;
                        format!("{key}{assign}{}", alter_value(val, pos))
                    }
                    _ => e.to_string(),
                })
                .collect();
            if !found {
                return None;
            }
            d.headers.insert(k, parts.join(&sep));
        }
        SourceKind::Query(q) => {
            let mut url = url::Url::parse(&d.url).ok()?;
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            if !pairs.iter().any(|(k, _)| k == q) {
                return None;
            }
            url.query_pairs_mut()
                .clear()
                .extend_pairs(pairs.iter().map(|(k, v)| {
                    (
                        k.clone(),
                        if k == q {
                            alter_value(v, pos)
                        } else {
                            v.clone()
                        },
                    )
                }));
            d.url = url.to_string();
        }
        SourceKind::FormField(f) => {
            let mut pairs = form_pairs(&d.body);
            let entry = pairs.iter_mut().find(|(k, _)| k == f)?;
            entry.1 = alter_value(&entry.1, pos);
            d.body = form_body(&pairs);
        }
        SourceKind::Field(path) => {
            let steps = path.steps()?;
            let mut doc: Json = serde_json::from_slice(&d.body).ok()?;
            let items = ctx.conn.item_pointers(&doc);
            if items.is_empty() {
                return None;
            }
            let ptr = format!("{}{}", items[pos % items.len()], steps_pointer(steps));
            let v = doc.pointer_mut(&ptr)?;
            *v = match v {
                Json::String(s) => Json::from(alter_value(s, pos)),
                Json::Number(n) => Json::from(n.as_i64().map_or(1, |x| x.wrapping_add(1))),
                Json::Bool(b) => Json::Bool(!*b),
                _ => return None,
            };
            d.body = doc.to_string().into_bytes();
        }
        SourceKind::Url(_) => {
            let mut url = url::Url::parse(&d.url).ok()?;
            let path = format!("{}x", url.path());
            url.set_path(&path);
            d.url = url.to_string();
        }
        SourceKind::SortedParams(sp) => {
            // A parameter that is not excluded: in the form body, else in the query string.
            let signed = |k: &str| !sp.exclude.iter().any(|x| x == k);
            let mut pairs = form_pairs(&d.body);
            let in_form = sp.reads_form() && pairs.iter().any(|(k, _)| signed(k));
            if in_form {
                let n = pairs.iter().filter(|(k, _)| signed(k)).count();
                let entry = pairs.iter_mut().filter(|(k, _)| signed(k)).nth(pos % n)?;
                entry.1 = alter_value(&entry.1, pos);
                d.body = form_body(&pairs);
            } else if sp.reads_query() {
                let mut url = url::Url::parse(&d.url).ok()?;
                let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                let n = pairs.iter().filter(|(k, _)| signed(k)).count();
                if n == 0 {
                    return None;
                }
                let entry = pairs.iter_mut().filter(|(k, _)| signed(k)).nth(pos % n)?;
                entry.1 = alter_value(&entry.1, pos);
                url.query_pairs_mut().clear().extend_pairs(pairs);
                d.url = url.to_string();
            } else {
                return None;
            }
        }
        SourceKind::JsonLeafValues(lv) => {
            // One signed leaf of one item gets another value (moving values between keys is
            // not a change of this material: only the values are signed).
            let mut doc: Json = serde_json::from_slice(&d.body).ok()?;
            let items = ctx.conn.item_pointers(&doc);
            if items.is_empty() {
                return None;
            }
            let item_ptr = items[pos % items.len()].clone();
            let leaves: Vec<String> = signed_leaves(doc.pointer(&item_ptr)?, lv);
            if leaves.is_empty() {
                return None;
            }
            let v = doc.pointer_mut(&format!("{item_ptr}{}", leaves[pos % leaves.len()]))?;
            *v = altered_leaf(v, pos, lv);
            d.body = doc.to_string().into_bytes();
        }
        SourceKind::Literal(_) | SourceKind::Secret(_) => return None,
    }
    Some(out)
}

/// JSON pointers (relative to the item) of the leaves `json_leaf_values` signs.
fn signed_leaves(item: &Json, lv: &crate::plan::LeafValues) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Json, Vec<Step>)> = vec![(item, Vec::new())];
    while let Some((v, steps)) = stack.pop() {
        if !lv.covers(&steps) {
            continue;
        }
        match v {
            Json::Object(m) => {
                for (k, child) in m {
                    let mut s = steps.clone();
                    s.push(Step::Name(k.clone()));
                    stack.push((child, s));
                }
            }
            Json::Array(a) => {
                for (j, child) in a.iter().enumerate() {
                    let mut s = steps.clone();
                    s.push(Step::Index(j as i64));
                    stack.push((child, s));
                }
            }
            _ => out.push(steps_pointer(&steps)),
        }
    }
    out.sort();
    out
}

/// A leaf with a value whose rendered text differs: strings altered, numbers moved by one
/// (or to 0 when too large for that to show), booleans flipped, null replaced by text.
fn altered_leaf(v: &Json, pos: usize, lv: &crate::plan::LeafValues) -> Json {
    match v {
        Json::String(s) => Json::from(alter_value(s, pos)),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) if i.unsigned_abs() < 1 << 52 => Json::from(i + 1),
            (None, Some(f)) if f.abs() < 1e12 => Json::from(f + 1.0),
            _ => Json::from(0),
        },
        Json::Bool(b) => Json::Bool(!b),
        _ => Json::from(if lv.null == "x" { "y" } else { "x" }),
    }
}

// 2. Tamper.
pub(super) fn tamper(ctx: &Ctx) -> Verdict {
    if ctx.conn.signature.is_none() {
        return Verdict::NotApplicable {
            reason: "the spec verifies no signature".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let targets = tamper_targets(ctx.conn);
    run(
        ctx,
        "tamper",
        (any::<usize>(), 0..targets.len(), any::<usize>(), 1u8..=255),
        |&(i, t, pos, byte)| {
            let base = pick(ctx, i);
            let Ok(req) = resign(
                ctx.engine,
                base,
                base.request.request_details.body.clone(),
                base.now,
                &base.signing,
            ) else {
                return Ok(());
            };
            match &targets[t] {
                Target::UnsignedHeader => {
                    let mut probe = req.clone();
                    probe
                        .request_details
                        .headers
                        .insert("X-Hooknorm-Probe".into(), format!("probe-{pos}"));
                    let r = ctx.engine.handle_at(&probe, base.now);
                    match &r {
                        Ok(o) if all_verified(o) && types_of(o) == base.event_types => Ok(()),
                        other => Err(Failure {
                            message: format!(
                                "from `{}`: an extra unsigned header changed the outcome: {}",
                                base.name,
                                describe(other)
                            ),
                            fixture: counterexample(
                                &probe,
                                base.now,
                                "an unsigned header must not matter (property counterexample)"
                                    .into(),
                                Ok(expect_types(&base.event_types)),
                            ),
                        }),
                    }
                }
                Target::Signed(loc) => {
                    let Some(bad) = apply_tamper(ctx, &req, loc, pos, byte) else {
                        return Ok(());
                    };
                    let r = ctx.engine.handle_at(&bad, base.now);
                    match &r {
                        Ok(o) if any_verified(o) => Err(Failure {
                            message: format!(
                                "from `{}`: changing the {loc} (signed material or the timestamp) still verified: {}",
                                base.name,
                                describe(&r)
                            ),
                            fixture: counterexample(
                                &bad,
                                base.now,
                                format!("the {loc} was changed after signing (property counterexample)"),
                                Err("InvalidSignature"),
                            ),
                        }),
                        _ => Ok(()),
                    }
                }
            }
        },
    )
}
