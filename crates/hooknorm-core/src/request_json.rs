//! The `Handle` request's JSON form, read fast.
//!
//! When the webhook body comes as `body_text`, unescaping that JSON string is most of the work
//! of reading the request (a 3 KB pretty-printed webhook is several hundred escapes). Here it is
//! unescaped eight bytes at a time, and the rest of the request (the body text cut out) is read
//! by `serde_json` as usual. Anything out of the ordinary (no `body_text`, a repeated or escaped
//! key, a surrogate escape, a syntax error) gives up, and the whole request is read by
//! `serde_json`, which gives the result or the error: the result never depends on which path
//! read it. A property test checks both agree on random and on damaged requests.

use crate::contract::HandleRequest;
use crate::projection::scan::{is_special, special_bits, Scan};

impl HandleRequest {
    /// Parses the JSON form of a `Handle` request (as `/v1/events/handle` receives it): the
    /// same result or error as `serde_json::from_slice`, faster when the body is `body_text`.
    ///
    /// ```
    /// let req = hooknorm_core::HandleRequest::from_json(
    ///     br#"{"connector": "stripe", "request_details": {"body_text": "{\"id\": \"evt_1\"}"}}"#,
    /// )
    /// .unwrap();
    /// assert_eq!(req.request_details.body, br#"{"id": "evt_1"}"#);
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<HandleRequest, serde_json::Error> {
        match fast(bytes) {
            Some(req) => Ok(req),
            None => serde_json::from_slice(bytes),
        }
    }
}

/// The fast path: `None` when it gives up.
fn fast(bytes: &[u8]) -> Option<HandleRequest> {
    let (start, end, text) = body_text(bytes)?;
    // The request with the body text cut out (`"body_text": ""`), read by serde_json.
    let mut rest = Vec::with_capacity(bytes.len() - (end - start));
    rest.extend_from_slice(&bytes[..start]);
    rest.extend_from_slice(&bytes[end..]);
    let mut req: HandleRequest = serde_json::from_slice(&rest).ok()?;
    if !req.request_details.body.is_empty() {
        return None;
    }
    req.request_details.body = text.into_bytes();
    Some(req)
}

/// Finds `request_details.body_text` (a string, given once, no key escaped at either level):
/// where its text starts and ends, and the text unescaped.
fn body_text(bytes: &[u8]) -> Option<(usize, usize, String)> {
    let mut s = Scan::new(bytes);
    let mut found = None;
    let mut details_seen = false;
    s.ws();
    if s.peek().ok()? != b'{' {
        return None;
    }
    let mut more = s.open(0, b'}').ok()?;
    while more {
        if member(&mut s)? == b"request_details" {
            if details_seen || s.peek().ok()? != b'{' {
                return None;
            }
            details_seen = true;
            let mut inner = s.open(1, b'}').ok()?;
            while inner {
                if member(&mut s)? == b"body_text" {
                    if found.is_some() || s.peek().ok()? != b'"' {
                        return None;
                    }
                    let start = s.i + 1;
                    let (text, end) = unescape(bytes, start)?;
                    s.i = end + 1;
                    found = Some((start, end, text));
                } else {
                    s.skip(2).ok()?;
                }
                inner = s.more(b'}').ok()?;
            }
        } else {
            s.skip(1).ok()?;
        }
        more = s.more(b'}').ok()?;
    }
    s.ws();
    if s.i != bytes.len() {
        return None;
    }
    found
}

/// A member's name, its colon and the whitespace before its value.
fn member<'a>(s: &mut Scan<'a>) -> Option<&'a [u8]> {
    let key = s.key().ok()?;
    s.colon().ok()?;
    Some(key)
}

/// Unescapes the JSON string whose text starts at `start`, as `serde_json` does: the text and
/// the index of its closing quote. `None` for a control character, an invalid escape, a
/// surrogate escape (left to `serde_json`), invalid UTF-8, or no closing quote.
fn unescape(b: &[u8], start: usize) -> Option<(String, usize)> {
    let s = b.get(start..)?;
    // Unescaping never lengthens: eight spare bytes let every step write a whole chunk.
    let mut out = vec![0u8; s.len() + 8];
    let (mut i, mut o) = (0, 0);
    loop {
        // Copy eight bytes at a time up to the next quote, backslash or control character.
        while let Some(chunk) = s.get(i..i + 8) {
            let chunk: [u8; 8] = chunk.try_into().unwrap_or_default();
            out[o..o + 8].copy_from_slice(&chunk);
            let hits = special_bits(u64::from_le_bytes(chunk));
            if hits != 0 {
                let n = (hits.trailing_zeros() / 8) as usize;
                i += n;
                o += n;
                break;
            }
            i += 8;
            o += 8;
        }
        if s.get(i..i + 8).is_none() {
            while let Some(&c) = s.get(i) {
                if is_special(c) {
                    break;
                }
                out[o] = c;
                i += 1;
                o += 1;
            }
        }
        match s.get(i)? {
            b'"' => break,
            b'\\' => {}
            _ => return None,
        }
        let unescaped = match s.get(i + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = 0;
                for &h in s.get(i + 2..i + 6)? {
                    code = code * 16 + char::from(h).to_digit(16)?;
                }
                // Surrogates (pairs, and lone ones `serde_json` refuses) are left to it.
                let c = char::from_u32(code).filter(|_| !(0xD800..0xE000).contains(&code))?;
                o += c.encode_utf8(&mut out[o..o + 4]).len();
                i += 6;
                continue;
            }
            _ => return None,
        };
        out[o] = unescaped;
        o += 1;
        i += 2;
    }
    out.truncate(o);
    Some((String::from_utf8(out).ok()?, start + i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// Both paths on the same bytes: the same request, or both an error. Returns whether the
    /// fast path answered.
    fn agree(bytes: &[u8]) -> bool {
        let reference = serde_json::from_slice::<HandleRequest>(bytes);
        let got = HandleRequest::from_json(bytes);
        match (&reference, &got) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.connector, b.connector);
                assert_eq!(a.merchant_event_id, b.merchant_event_id);
                assert_eq!(a.request_details, b.request_details);
                assert_eq!(
                    serde_json::to_value(&a.webhook_secrets).unwrap(),
                    serde_json::to_value(&b.webhook_secrets).unwrap()
                );
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!(
                "serde_json: {:?}, from_json: {:?}, on {:?}",
                reference.as_ref().err(),
                got.as_ref().err(),
                String::from_utf8_lossy(bytes)
            ),
        }
        fast(bytes).is_some()
    }

    fn request(body_text: &str, headers: Value, pretty: bool) -> Vec<u8> {
        let v = json!({
            "connector": "stripe",
            "merchant_event_id": "mev_1",
            "request_details": {
                "method": "POST",
                "url": "https://shop.example/webhooks/stripe",
                "headers": headers,
                "body_text": body_text,
            },
            "webhook_secrets": { "secret": "whsec_test" },
        });
        if pretty {
            serde_json::to_vec_pretty(&v).unwrap()
        } else {
            serde_json::to_vec(&v).unwrap()
        }
    }

    /// JSON string text made of escapes of every kind, raw characters and broken escapes.
    fn escaped_text() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "a",
            "é",
            "\u{1F600}",
            " ",
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\n",
            "\\r",
            "\\t",
            "\\u00e9",
            "\\u0000",
            "\\uFFFF",
            "\\ud83d\\ude00",
            "\\ud800",
            "\\udc00x",
            "\\x",
            "\\u12",
            "\\u12g4",
            "\t",
            "\u{1}",
            "\"",
        ]);
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    proptest! {
        /// Any body text, any headers, compact or pretty: the fast path answers, with
        /// serde_json's request.
        #[test]
        fn the_fast_path_reads_any_body_text_as_serde_json_does(
            text in any::<String>(),
            headers in proptest::collection::btree_map(any::<String>(), any::<String>(), 0..3),
            pretty in any::<bool>(),
        ) {
            let bytes = request(&text, json!(headers), pretty);
            prop_assert!(agree(&bytes));
        }

        /// Escapes of every kind written by hand (surrogates, broken ones): wherever the fast
        /// path answers, it agrees; and it answers for those without surrogates or errors.
        #[test]
        fn escapes_are_unescaped_as_serde_json_does(text in escaped_text()) {
            let bytes = format!(r#"{{"connector":"x","request_details":{{"body_text":"{text}"}}}}"#);
            let answered = agree(bytes.as_bytes());
            let plain = serde_json::from_str::<String>(&format!("\"{text}\"")).is_ok()
                && !text.contains("\\ud") && !text.contains("\\uD");
            prop_assert_eq!(answered, plain, "{}", text);
        }

        /// Damaged requests: never accepted where serde_json refuses them, the same otherwise.
        #[test]
        fn damaged_requests_get_serde_jsons_answer(
            text in escaped_text(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..4u8, proptest::sample::select(b"{}[]:,\"\\ \nu0aZ\x01\xff".to_vec())), 1..3),
        ) {
            let mut bytes = request(&text, json!({"Stripe-Signature": "t=1,v1=ab"}), true);
            for (at, kind, byte) in edits {
                let i = at.index(bytes.len() + 1);
                match kind {
                    0 if i < bytes.len() => { bytes.remove(i); }
                    1 if i < bytes.len() => bytes[i] = byte,
                    2 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            agree(&bytes);
        }
    }

    #[test]
    fn unusual_requests_go_to_serde_json() {
        // (request, whether the body text is found: then serde_json reads the rest, and its
        // error, if any, is the answer).
        for (bytes, found) in [
            (&br#"{"connector":"x","request_details":{"body_text":"a\"b"}}"#[..], true),
            (br#" {"request_details":{"headers":{"body_text":"x"},"body_text":""},"connector":"x"} "#, true),
            // Both body and body_text; an unknown key: serde_json's errors.
            (br#"{"connector":"x","request_details":{"body":"aGk=","body_text":"hi"}}"#, true),
            (br#"{"connector":"x","request_details":{"body_text":"a","extra":1}}"#, true),
            // No body_text, or not a string.
            (br#"{"connector":"x","request_details":{"body":"aGk="}}"#, false),
            (br#"{"connector":"x","request_details":{"body_text":null}}"#, false),
            // Repeated or escaped keys.
            (br#"{"connector":"x","request_details":{"body_text":"a","body_text":"b"}}"#, false),
            (br#"{"connector":"x","request_details":{"body_text":"a"},"request_details":{}}"#, false),
            (br#"{"connector":"x","request_details":{"body\u005ftext":"a"}}"#, false),
            (br#"{"connector":"x","request\u005fdetails":{"body_text":"a"}}"#, false),
            // Trailing text, a raw control character, a surrogate pair, invalid UTF-8.
            (br#"{"connector":"x","request_details":{"body_text":"a"}} x"#, false),
            (b"{\"connector\":\"x\",\"request_details\":{\"body_text\":\"a\x01\"}}", false),
            (br#"{"connector":"x","request_details":{"body_text":"\ud83d\ude00"}}"#, false),
            (b"{\"connector\":\"x\",\"request_details\":{\"body_text\":\"\xff\"}}", false),
        ] {
            assert_eq!(body_text(bytes).is_some(), found, "{}", String::from_utf8_lossy(bytes));
            agree(bytes);
        }
        // An escaped key is the key it spells, for serde_json and so for `from_json`.
        let req = HandleRequest::from_json(
            br#"{"connector":"x","request_details":{"body\u005ftext":"hi"}}"#,
        )
        .unwrap();
        assert_eq!(req.request_details.body, b"hi");
        let req = HandleRequest::from_json(
            br#"{"connector":"x","request_details":{"body_text":"\u00e9\n\/"}}"#,
        )
        .unwrap();
        assert_eq!(req.request_details.body, "é\n/".as_bytes());
    }
}
