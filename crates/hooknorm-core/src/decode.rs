//! Body decoding: forms, XML and base64 into the JSON document that paths run against.

use base64::Engine as _;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::spec::DecodeStep;

/// Maximum XML nesting accepted.
const MAX_XML_DEPTH: usize = 128;

/// Parses an `application/x-www-form-urlencoded` body into (name, value) pairs. A repeated name
/// is an error: which of two signatures or payloads to trust would be ambiguous.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(body) {
        if out.iter().any(|(n, _)| *n == k) {
            return Err(format!("form field `{k}` appears more than once"));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// The form as a JSON object of strings.
pub fn form_document(form: &[(String, String)]) -> Value {
    Value::Object(
        form.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Applies decoding steps to a text, ending in a JSON document.
pub fn decode_steps(input: &str, steps: &[DecodeStep]) -> Result<Value, String> {
    let mut bytes: Vec<u8> = input.as_bytes().to_vec();
    let mut doc: Option<Value> = None;
    for step in steps {
        if doc.is_some() {
            return Err("no decoding step can follow `xml` or `json`".into());
        }
        match step {
            DecodeStep::Base64 => {
                let cleaned: Vec<u8> = bytes
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                bytes = base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .map_err(|e| format!("not base64: {e}"))?;
            }
            DecodeStep::Xml => doc = Some(xml_to_json(&bytes)?),
            DecodeStep::Json => {
                doc = Some(serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?)
            }
        }
    }
    match doc {
        Some(d) => Ok(d),
        None => Ok(Value::String(
            String::from_utf8(bytes).map_err(|_| "decoded bytes are not UTF-8".to_string())?,
        )),
    }
}

/// Converts XML to JSON: the root element becomes `{name: content}`; an element with only text
/// becomes its text; attributes become `@name` members; mixed text is `#text`; repeated child
/// elements become arrays.
pub fn xml_to_json(bytes: &[u8]) -> Result<Value, String> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(true);
    config.expand_empty_elements = true;
    // Stack of (element name, members, text).
    let mut stack: Vec<(String, Map<String, Value>, String)> = Vec::new();
    let mut root: Option<Value> = None;
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("not XML: {e}"))?;
        match ev {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("not XML: content after the root element".into());
                }
                if stack.len() >= MAX_XML_DEPTH {
                    return Err("XML nested too deeply".into());
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut members = Map::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("not XML: {e}"))?;
                    let key = format!("@{}", String::from_utf8_lossy(a.key.as_ref()));
                    let val = a
                        .unescape_value()
                        .map_err(|e| format!("not XML: {e}"))?
                        .into_owned();
                    members.insert(key, Value::String(val));
                }
                stack.push((name, members, String::new()));
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| format!("not XML: {e}"))?;
                if let Some(top) = stack.last_mut() {
                    top.2.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.2.push_str(&String::from_utf8_lossy(&t.into_inner()));
                }
            }
            Event::End(_) => {
                let (name, mut members, text) = stack.pop().ok_or("not XML: unbalanced end tag")?;
                let value = if members.is_empty() {
                    Value::String(text)
                } else {
                    if !text.is_empty() {
                        members.insert("#text".into(), Value::String(text));
                    }
                    Value::Object(members)
                };
                match stack.last_mut() {
                    Some((_, parent, _)) => match parent.get_mut(&name) {
                        Some(Value::Array(list)) => list.push(value),
                        Some(existing) => {
                            let first = existing.take();
                            *existing = Value::Array(vec![first, value]);
                        }
                        None => {
                            parent.insert(name, value);
                        }
                    },
                    None => {
                        let mut m = Map::new();
                        m.insert(name, value);
                        root = Some(Value::Object(m));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err("not XML: unclosed element".into());
    }
    root.ok_or_else(|| "not XML: no root element".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_becomes_json() {
        let xml = br#"<notification><kind>dispute_opened</kind><timestamp type="datetime">2024-01-01T00:00:00Z</timestamp><subject><dispute><id>d1</id><amount>10.00</amount></dispute></subject><n>1</n><n>2</n></notification>"#;
        let v = xml_to_json(xml).unwrap();
        assert_eq!(
            v,
            json!({"notification": {
                "kind": "dispute_opened",
                "timestamp": {"@type": "datetime", "#text": "2024-01-01T00:00:00Z"},
                "subject": {"dispute": {"id": "d1", "amount": "10.00"}},
                "n": ["1", "2"]
            }})
        );
    }

    #[test]
    fn bad_xml_is_an_error() {
        assert!(xml_to_json(b"<a><b></a>").is_err());
        assert!(xml_to_json(b"<a>").is_err());
        assert!(xml_to_json(b"").is_err());
        assert!(xml_to_json(b"<a/><b/>").is_err());
    }

    #[test]
    fn base64_with_line_breaks_then_xml() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("<a><b>x</b></a>");
        let wrapped = format!("{}\n{}\n", &b64[..8], &b64[8..]);
        let v = decode_steps(&wrapped, &[DecodeStep::Base64, DecodeStep::Xml]).unwrap();
        assert_eq!(v, json!({"a": {"b": "x"}}));
    }

    #[test]
    fn repeated_form_fields_are_rejected() {
        assert!(parse_form(b"a=1&b=2").is_ok());
        assert!(parse_form(b"a=1&a=2").is_err());
        assert_eq!(
            parse_form(b"bt_payload=a%2Bb%0A&x=").unwrap(),
            vec![
                ("bt_payload".into(), "a+b\n".into()),
                ("x".into(), "".into())
            ]
        );
    }
}
