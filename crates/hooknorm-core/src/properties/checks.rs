//! The round_trip, rotation, replay, robustness, classification and stability properties.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use serde_json::Value as Json;

use super::*;

// 1. Round trip.
pub(super) fn round_trip(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    run(
        ctx,
        "round_trip",
        (any::<usize>(), any::<u64>()),
        |&(i, seed)| {
            let base = pick(ctx, i);
            let body = match json_body(ctx, base) {
                Some(mut doc) if seed != 0 => {
                    vary_json(&mut doc, &mut Mix(seed), Vary::SAFE);
                    doc.to_string().into_bytes()
                }
                _ => base.request.request_details.body.clone(),
            };
            let req = sign_case(ctx, base, body, base.now)?;
            let result = ctx.engine.handle_at(&req, base.now);
            match &result {
                Ok(o) if all_verified(o) && types_of(o) == base.event_types => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: expected verified {:?}, got {}",
                        base.name,
                        base.event_types,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &req,
                        base.now,
                        format!("round trip of `{}` (property counterexample)", base.name),
                        Ok(expect_types(&base.event_types)),
                    ),
                }),
            }
        },
    )
}

/// A fresh secret of the shape a key expects.
pub(super) fn fresh_secret(key: &Key, like: Option<&str>, mix: &mut Mix) -> String {
    let prefix = key.prefix.clone().unwrap_or_default();
    let bytes: Vec<u8> = (0..32).map(|_| mix.next() as u8).collect();
    match key.encoding {
        KeyEncoding::Hex => {
            let n = like.map_or(32, |l| (l.len() / 2).max(16));
            let b: Vec<u8> = (0..n).map(|_| mix.next() as u8).collect();
            let upper = like.is_some_and(|l| l.chars().any(|c| c.is_ascii_uppercase()));
            let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("{prefix}{}", if upper { h.to_uppercase() } else { h })
        }
        KeyEncoding::Base64 => format!(
            "{prefix}{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes[..24])
        ),
        _ => {
            // Keep a recognisable prefix of the example (`whsec_`, `sk_test_`).
            let keep = like
                .and_then(|l| l.rfind('_').map(|i| &l[..=i]))
                .unwrap_or("");
            format!("{prefix}{keep}{}", mix.alnum(32))
        }
    }
}

pub(super) fn with_secret(secrets: &WebhookSecrets, name: &str, value: &str) -> WebhookSecrets {
    let mut s = secrets.clone();
    s.set(name, Secret::new(value));
    s
}

// 3. Rotation.
pub(super) fn rotation(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let Some(scheme) = ctx
        .conn
        .schemes()
        .find(|s| !s.asymmetric() && s.key.secrets.len() >= 2)
    else {
        return Verdict::NotApplicable {
            reason: "no symmetric scheme takes several secrets".into(),
        };
    };
    let slots = scheme.key.secrets.clone();
    run(
        ctx,
        "rotation",
        (any::<usize>(), any::<u64>(), 0..slots.len()),
        |&(i, seed, slot)| {
            let base = pick(ctx, i);
            let mut mix = Mix(seed);
            let like = base.signing.get(&slots[0]).map(|s| s.expose().to_string());
            let [a, b, c] = [0; 3].map(|_| fresh_secret(&scheme.key, like.as_deref(), &mut mix));
            let mut signing = base.signing.clone();
            for s in &slots {
                signing = with_secret(&signing, s, "");
            }
            signing = with_secret(&signing, &slots[slot], &a);
            let req = match resign(
                ctx.engine,
                base,
                base.request.request_details.body.clone(),
                base.now,
                &signing,
            ) {
                Ok(r) => r,
                Err(m) => {
                    return Err(Failure {
                        message: format!(
                            "from `{}`: signing with a fresh secret failed: {m}",
                            base.name
                        ),
                        fixture: counterexample(
                            &base.request,
                            base.now,
                            m,
                            Err("InvalidSignature"),
                        ),
                    })
                }
            };
            // The signing secret in its slot, another secret in every other slot.
            let mut verify = req.webhook_secrets.clone();
            for (n, s) in slots.iter().enumerate() {
                verify = with_secret(&verify, s, if n == slot { &a } else { &b });
            }
            let mut ok_req = req.clone();
            ok_req.webhook_secrets = verify.clone();
            let r = ctx.engine.handle_at(&ok_req, base.now);
            if !r.as_ref().is_ok_and(all_verified) {
                return Err(Failure {
                    message: format!(
                        "from `{}`: signed with the secret in `{}`, not verified when other slots hold other secrets: {}",
                        base.name,
                        slots[slot],
                        describe(&r)
                    ),
                    fixture: counterexample(
                        &ok_req,
                        base.now,
                        "any supplied secret may verify (property counterexample)".into(),
                        Ok(expect_types(&base.event_types)),
                    ),
                });
            }
            let mut wrong = req;
            for (n, s) in slots.iter().enumerate() {
                wrong.webhook_secrets =
                    with_secret(&wrong.webhook_secrets, s, if n == 0 { &b } else { &c });
            }
            let r = ctx.engine.handle_at(&wrong, base.now);
            match &r {
                Err(e) if e.kind == ErrorKind::InvalidSignature => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: verified with none of the signing secrets supplied: {}",
                        base.name,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &wrong,
                        base.now,
                        "no supplied secret signed this (property counterexample)".into(),
                        Err("InvalidSignature"),
                    ),
                }),
            }
        },
    )
}

// 4. Replay.
pub(super) fn replay(ctx: &Ctx) -> Verdict {
    let Some(ts) = ctx
        .conn
        .signature
        .as_ref()
        .and_then(|s| s.timestamp.as_ref())
    else {
        return Verdict::NotApplicable {
            reason: "the spec checks no timestamp".into(),
        };
    };
    if ts.past.is_none() && ts.future.is_none() {
        return Verdict::NotApplicable {
            reason: "the timestamp has no tolerance either way".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    // (base, direction: false = past, inside offset fraction, outside offset)
    run(
        ctx,
        "replay",
        (any::<usize>(), any::<bool>(), 0u32..=1000, 1i64..=100_000),
        |&(i, future, frac, beyond)| {
            let base = pick(ctx, i);
            let Some(limit) = (if future { ts.future } else { ts.past }) else {
                return Ok(());
            };
            let limit = limit as i64;
            let sign = if future { 1 } else { -1 };
            let inside = limit * i64::from(frac) / 1000;
            let body = base.request.request_details.body.clone();
            for (offset, should_pass) in [(inside, true), (limit, true), (limit + beyond, false)] {
                let at = base.now + sign * offset;
                let req = sign_case(ctx, base, body.clone(), at)?;
                let r = ctx.engine.handle_at(&req, base.now);
                let good = match &r {
                    Ok(o) => should_pass && all_verified(o),
                    Err(e) => !should_pass && e.kind == ErrorKind::TimestampOutOfTolerance,
                };
                if !good {
                    let dir = if future { "ahead" } else { "old" };
                    return Err(Failure {
                        message: format!(
                            "from `{}`: a webhook signed {offset} s {dir} (tolerance {limit} s) gave {}",
                            base.name,
                            describe(&r)
                        ),
                        fixture: counterexample(
                            &req,
                            base.now,
                            format!("signed {offset} s {dir}, tolerance {limit} s (property counterexample)"),
                            if should_pass {
                                Ok(expect_types(&base.event_types))
                            } else {
                                Err("TimestampOutOfTolerance")
                            },
                        ),
                    });
                }
            }
            Ok(())
        },
    )
}

// 5. Robustness.
pub(super) fn robustness(ctx: &Ctx) -> Verdict {
    let mut names: Vec<String> = vec!["Content-Type".into(), "X-Random".into()];
    for s in ctx.conn.schemes() {
        for l in std::iter::once(&s.sig_from).chain(&s.message) {
            if let SourceKind::Header(h) = &l.kind {
                names.extend(h.iter().cloned());
            }
        }
    }
    let headers = prop::collection::btree_map(
        prop_oneof![prop::sample::select(names), "[A-Za-z-]{1,12}"],
        ".{0,80}",
        0..6,
    );
    let secrets = ctx
        .bases
        .first()
        .map(|b| b.request.webhook_secrets.clone())
        .unwrap_or_else(|| WebhookSecrets::with_secret("hooknorm-robustness-secret"));
    let url = prop_oneof![
        Just("https://example.com/webhooks".to_string()),
        ".{0,40}",
        Just("https://example.com/webhooks?data.id=1&x=%ff".to_string()),
    ];
    let name = ctx.conn.name.clone();
    run(
        ctx,
        "robustness",
        (arb_body(), headers, url),
        |(body, headers, url)| {
            let mut req = HandleRequest {
                connector: name.clone(),
                merchant_event_id: Some("robustness".into()),
                request_details: Default::default(),
                webhook_secrets: secrets.clone(),
            };
            req.request_details.body = body.clone();
            req.request_details.headers = headers.clone();
            req.request_details.url = url.clone();
            let r = catch_unwind(AssertUnwindSafe(|| {
                ctx.engine.handle_at(&req, 1_700_000_000)
            }));
            let problem = match &r {
                Err(_) => Some("panicked".to_string()),
                Ok(Ok(o)) if any_verified(o) => Some(format!(
                    "verified random input: {}",
                    describe(&Ok(o.clone()))
                )),
                Ok(_) => None,
            };
            match problem {
                None => Ok(()),
                Some(message) => Err(Failure {
                    message,
                    fixture: counterexample(
                        &req,
                        1_700_000_000,
                        "random input (property counterexample)".into(),
                        Err("InvalidSignature"),
                    ),
                }),
            }
        },
    )
}

// 6. Classification.
pub(super) fn classification(ctx: &Ctx) -> Verdict {
    let p = ctx.conn;
    let type_paths = p.event_type_paths();
    if !p.event_type_only_from_paths() || type_paths.is_empty() {
        return Verdict::NotApplicable {
            reason: "the raw event type is computed, not read from one plain path".into(),
        };
    }
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let mapped = p.mapped();
    let untyped_rules = p.untyped_rules();
    let rule_types = p.rule_types();
    let candidates: Vec<(String, Option<String>)> = mapped
        .iter()
        .filter(|(raw, _)| !untyped_rules && !rule_types.contains(raw))
        .map(|(raw, ev)| (raw.to_string(), Some(ev.as_str().to_string())))
        .collect();
    let steps = type_paths[0];
    let usable: Vec<usize> = (0..ctx.bases.len())
        .filter(|&i| {
            json_body(ctx, &ctx.bases[i]).is_some_and(|doc| {
                let items = ctx.conn.item_pointers(&doc);
                !items.is_empty()
                    && items.iter().all(|it| {
                        doc.pointer(&format!("{it}{}", steps_pointer(steps)))
                            .is_some_and(Json::is_string)
                    })
            })
        })
        .collect();
    if usable.is_empty() {
        return Verdict::NotApplicable {
            reason: "no verified JSON fixture has the type at the type path".into(),
        };
    }
    let n = candidates.len();
    run(
        ctx,
        "classification",
        (any::<usize>(), 0..n + 1, "[a-z]{1,10}"),
        |(i, c, junk)| {
            let (raw, expected) = if *c < n {
                candidates[*c].clone()
            } else if untyped_rules {
                return Ok(());
            } else {
                let raw = format!("hooknorm.unmapped.{junk}");
                if mapped.iter().any(|(m, _)| *m == raw) {
                    return Ok(());
                }
                (raw, Some("EVENT_NOT_SUPPORTED".to_string()))
            };
            let Some(expected) = expected else {
                return Ok(());
            };
            // A base about the same kind of resource, so the body has what extraction needs.
            let kind = WebhookEventType::from_name(&expected).and_then(WebhookEventType::resource);
            let unsupported = expected == WebhookEventType::EventNotSupported.as_str();
            let same: Vec<usize> = usable
                .iter()
                .copied()
                .filter(|&b| {
                    unsupported
                        || ctx.bases[b].event_types.iter().all(|t| {
                            WebhookEventType::from_name(t).and_then(WebhookEventType::resource)
                                == kind
                        })
                })
                .collect();
            let Some(&b) = same.get(i % same.len().max(1)) else {
                return Ok(());
            };
            let base = &ctx.bases[b];
            let mut doc = json_body(ctx, base).unwrap_or(Json::Null);
            for it in ctx.conn.item_pointers(&doc) {
                if let Some(v) = doc.pointer_mut(&format!("{it}{}", steps_pointer(steps))) {
                    *v = Json::from(raw.as_str());
                }
            }
            let req = sign_case(ctx, base, doc.to_string().into_bytes(), base.now)?;
            let r = ctx.engine.handle_at(&req, base.now);
            let want = vec![expected.clone(); base.event_types.len()];
            match &r {
                Ok(o) if types_of(o) == want => Ok(()),
                other => Err(Failure {
                    message: format!(
                        "from `{}`: raw type `{raw}` should give {expected}, got {}",
                        base.name,
                        describe(other)
                    ),
                    fixture: counterexample(
                        &req,
                        base.now,
                        format!("raw type `{raw}` (property counterexample)"),
                        Ok(expect_types(&want)),
                    ),
                }),
            }
        },
    )
}

/// The outcome without what legitimately depends on the exact signed bytes: the idempotency key
/// (it may be derived from the signature) and, when the signer generated different headers for
/// the two bodies (an id derived from the body), the event id.
pub(super) fn comparable(o: &HandleOutcome, drop_event_id: bool) -> Json {
    let mut v = serde_json::to_value(o).unwrap_or(Json::Null);
    if let Some(events) = v.get_mut("events").and_then(Json::as_array_mut) {
        for e in events {
            if let Some(m) = e.as_object_mut() {
                m.remove("idempotency_key");
                if drop_event_id {
                    m.remove("connector_event_id");
                }
            }
        }
    }
    v
}

/// Headers other than the signatures differ between two signed requests.
pub(super) fn regenerated_headers_differ(ctx: &Ctx, a: &HandleRequest, b: &HandleRequest) -> bool {
    let sig_headers: Vec<String> = ctx
        .conn
        .signature_locations()
        .filter_map(|l| match l {
            SourceKind::Header(h) => Some(h.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let strip = |r: &HandleRequest| -> Vec<(String, String)> {
        r.request_details
            .headers
            .iter()
            .filter(|(k, _)| !sig_headers.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect()
    };
    strip(a) != strip(b)
}

// 7. Stability.
pub(super) fn stability(ctx: &Ctx) -> Verdict {
    if let Some(v) = no_bases(ctx) {
        return v;
    }
    let usable: Vec<usize> = (0..ctx.bases.len())
        .filter(|&i| json_body(ctx, &ctx.bases[i]).is_some())
        .collect();
    if usable.is_empty() {
        return Verdict::NotApplicable {
            reason: "no verified fixture has a JSON body".into(),
        };
    }
    run(
        ctx,
        "stability",
        (any::<usize>(), any::<u64>()),
        |&(i, seed)| {
            let base = &ctx.bases[usable[i % usable.len()]];
            let doc = json_body(ctx, base).unwrap_or(Json::Null);
            let plain = resign(
                ctx.engine,
                base,
                doc.to_string().into_bytes(),
                base.now,
                &base.signing,
            );
            let mut mix = Mix(seed);
            // Only unknown fields are added and keys reordered; the values stay.
            let mut extra = doc.clone();
            add_unknown(&mut extra, &mut mix);
            let mut text = String::new();
            write_shuffled(&extra, &mut mix, &mut text);
            let shuffled = resign(ctx.engine, base, text.into_bytes(), base.now, &base.signing);
            let (Ok(plain), Ok(shuffled)) = (plain, shuffled) else {
                return Ok(());
            };
            let drop_key = regenerated_headers_differ(ctx, &plain, &shuffled);
            let a = ctx.engine.handle_at(&plain, base.now);
            let b = ctx.engine.handle_at(&shuffled, base.now);
            match (&a, &b) {
            (Ok(x), Ok(y)) if comparable(x, drop_key) == comparable(y, drop_key) => Ok(()),
            _ => Err(Failure {
                message: format!(
                    "from `{}`: reordered keys and unknown fields changed the outcome: {} vs {}",
                    base.name,
                    a.as_ref().map_or_else(|e| e.message.clone(), |o| comparable(o, drop_key).to_string()),
                    b.as_ref().map_or_else(|e| e.message.clone(), |o| comparable(o, drop_key).to_string()),
                ),
                fixture: counterexample(
                    &shuffled,
                    base.now,
                    "keys reordered and unknown fields added (property counterexample)".into(),
                    a.as_ref().map(|o| comparable(o, drop_key)).map_err(|_| "InvalidSignature"),
                ),
            }),
        }
        },
    )
}
