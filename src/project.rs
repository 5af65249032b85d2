//! Projected JSON parsing: build only the parts of a document that a spec's paths can reach.
//!
//! Every JSONPath a spec uses is reduced, at load time, to its prefix of plain segments (member
//! names, indexes, wildcards). Those prefixes form a tree; parsing a body walks the JSON once,
//! materializes the members on the tree and skips everything else without allocating. Where a
//! path has a segment the tree does not model (filters, descendants, slices), the whole subtree
//! from there is kept, so JSONPath evaluation on the projection gives the same result as on the
//! full document.

use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::{Map, Value};

/// A node of the projection tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Node {
    /// Nothing below is needed.
    #[default]
    Skip,
    /// The whole value is needed.
    All,
    /// Some members and/or array elements are needed.
    Select {
        /// Few per node: a list is faster to search than a hash map.
        members: Vec<(String, Node)>,
        elements: Option<Box<Node>>,
    },
}

/// A plain path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Name(String),
    /// An index or a wildcard over array elements (all elements are kept).
    Elements,
    /// A wildcard (`.*`, `[*]`): everything below is kept.
    AnyMember,
}

/// Splits a JSONPath into its leading plain segments; the flag says whether the whole path was
/// plain.
pub fn plain_prefix(path: &str) -> (Vec<Seg>, bool) {
    let b = path.as_bytes();
    let mut segs = Vec::new();
    if b.first() != Some(&b'$') {
        return (segs, false);
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'.' => {
                i += 1;
                if i < b.len() && b[i] == b'*' {
                    segs.push(Seg::AnyMember);
                    i += 1;
                    continue;
                }
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                {
                    i += 1;
                }
                if start == i || b[start].is_ascii_digit() {
                    return (segs, false);
                }
                segs.push(Seg::Name(path[start..i].to_string()));
            }
            b'[' => {
                let rest = &path[i + 1..];
                let Some(end) = rest.find(']') else {
                    return (segs, false);
                };
                let inner = rest[..end].trim();
                if inner == "*" {
                    // `[*]` selects object members as well as array elements.
                    segs.push(Seg::AnyMember);
                } else if !inner.is_empty()
                    && inner
                        .trim_start_matches('-')
                        .bytes()
                        .all(|c| c.is_ascii_digit())
                    && inner != "-"
                {
                    segs.push(Seg::Elements);
                } else if let Some(name) = quoted(inner) {
                    segs.push(Seg::Name(name));
                } else {
                    return (segs, false);
                }
                i += end + 2;
            }
            _ => return (segs, false),
        }
    }
    (segs, true)
}

fn quoted(s: &str) -> Option<String> {
    let q = s.chars().next()?;
    if (q != '\'' && q != '"') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    if inner.contains('\\') || inner.contains(q) {
        return None;
    }
    Some(inner.to_string())
}

impl Node {
    /// Adds a path (as segments) to the tree; everything below its last segment is kept.
    pub fn insert(&mut self, segs: &[Seg]) {
        if matches!(self, Node::All) {
            return;
        }
        let Some((first, rest)) = segs.split_first() else {
            *self = Node::All;
            return;
        };
        if matches!(self, Node::Skip) {
            *self = Node::Select {
                members: Vec::new(),
                elements: None,
            };
        }
        let Node::Select { members, elements } = self else {
            return;
        };
        match first {
            Seg::AnyMember => *self = Node::All,
            Seg::Name(n) => {
                let i = match members.iter().position(|(k, _)| k == n) {
                    Some(i) => i,
                    None => {
                        members.push((n.clone(), Node::Skip));
                        members.len() - 1
                    }
                };
                members[i].1.insert(rest)
            }
            Seg::Elements => elements
                .get_or_insert_with(|| Box::new(Node::Skip))
                .insert(rest),
        }
    }

    /// Parses JSON bytes keeping only what this tree selects.
    pub fn parse(&self, bytes: &[u8]) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let v = Seed(self).deserialize(&mut de)?;
        de.end()?;
        Ok(v)
    }
}

struct Seed<'a>(&'a Node);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Node::All => serde::Deserialize::deserialize(d),
            Node::Skip => {
                IgnoredAny::deserialize(d)?;
                Ok(Value::Null)
            }
            Node::Select { .. } => d.deserialize_any(SelectVisitor(self.0)),
        }
    }
}

use serde::Deserialize as _;

struct SelectVisitor<'a>(&'a Node);

impl<'de> Visitor<'de> for SelectVisitor<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        match self.0 {
            Node::Select {
                elements: Some(el), ..
            } => {
                while let Some(v) = seq.next_element_seed(Seed(el))? {
                    out.push(v);
                }
            }
            _ => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Node::Select { members, .. } = self.0 else {
            unreachable!("SelectVisitor only runs on Select nodes")
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<KeyStr<'de>>()? {
            // Linear: equality rejects on length first, which beats ordered search here.
            match members.iter().find(|(k, _)| k == key.as_str()) {
                Some((_, child)) => {
                    let v = map.next_value_seed(Seed(child))?;
                    out.insert(key.into_string(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A map key, borrowed from the input when it has no escapes.
enum KeyStr<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyStr<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyStr::Borrowed(s) => s,
            KeyStr::Owned(s) => s,
        }
    }
    fn into_string(self) -> String {
        match self {
            KeyStr::Borrowed(s) => s.to_string(),
            KeyStr::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Owned(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSONPath compiled for evaluation: plain member/index chains are walked directly; anything
/// else goes through the full RFC 9535 evaluator.
#[derive(Debug)]
pub enum CompiledPath {
    Simple(Vec<Step>),
    Full(Box<serde_json_path::JsonPath>),
}

/// A step of a plain chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Name(String),
    Index(i64),
}

impl CompiledPath {
    /// Compiles a JSONPath (RFC 9535).
    pub fn parse(path: &str) -> Result<CompiledPath, serde_json_path::ParseError> {
        let full = serde_json_path::JsonPath::parse(path)?;
        Ok(match simple_steps(path) {
            Some(steps) => CompiledPath::Simple(steps),
            None => CompiledPath::Full(Box::new(full)),
        })
    }

    /// The first non-null node selected.
    pub fn first<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        match self {
            CompiledPath::Simple(steps) => {
                let mut cur = doc;
                for s in steps {
                    cur = match (s, cur) {
                        (Step::Name(n), Value::Object(m)) => m.get(n)?,
                        (Step::Index(i), Value::Array(a)) => {
                            let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                            a.get(usize::try_from(idx).ok()?)?
                        }
                        _ => return None,
                    };
                }
                (!cur.is_null()).then_some(cur)
            }
            CompiledPath::Full(p) => p.query(doc).all().into_iter().find(|v| !v.is_null()),
        }
    }
}

/// The steps of a path made only of member names and single indexes.
fn simple_steps(path: &str) -> Option<Vec<Step>> {
    let (segs, complete) = plain_prefix(path);
    if !complete {
        return None;
    }
    // Re-read indexes: `plain_prefix` keeps only their kind.
    let mut steps = Vec::with_capacity(segs.len());
    let mut rest = &path[1..];
    for seg in segs {
        match seg {
            Seg::AnyMember => return None,
            Seg::Name(n) => {
                let skip = if rest.starts_with('.') {
                    1 + n.len()
                } else {
                    rest.find(']')? + 1
                };
                rest = &rest[skip..];
                steps.push(Step::Name(n));
            }
            Seg::Elements => {
                let end = rest.find(']')?;
                let idx: i64 = rest[1..end].trim().parse().ok()?;
                rest = &rest[end + 1..];
                steps.push(Step::Index(idx));
            }
        }
    }
    rest.is_empty().then_some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(paths: &[&str]) -> Node {
        let mut n = Node::Skip;
        for p in paths {
            // An incomplete prefix keeps everything below it, like a complete one ending there.
            n.insert(&plain_prefix(p).0);
        }
        n
    }

    #[test]
    fn plain_prefixes() {
        assert_eq!(
            plain_prefix("$.data.object['id']"),
            (
                vec![
                    Seg::Name("data".into()),
                    Seg::Name("object".into()),
                    Seg::Name("id".into())
                ],
                true
            )
        );
        assert_eq!(plain_prefix("$.a[0].b").0.len(), 3);
        assert!(!plain_prefix("$.a[?@.x == 1]").1);
        assert!(!plain_prefix("$..x").1);
        assert!(!plain_prefix("a.b").1);
    }

    #[test]
    fn projection_keeps_only_selected_members() {
        let body = br#"{"type":"x","id":"evt","data":{"object":{"id":"pi","big":[1,2,3],"s":"y"}},"junk":{"a":[{"b":1}]}}"#;
        let v = tree(&["$.type", "$.data.object.id"]).parse(body).unwrap();
        assert_eq!(v, json!({"type":"x","data":{"object":{"id":"pi"}}}));
    }

    #[test]
    fn arrays_and_unmodelled_segments_keep_enough() {
        let body = br#"{"items":[{"a":1,"b":2},{"a":3,"b":4}],"f":{"x":[{"k":1}]}}"#;
        let v = tree(&["$.items[*].a", "$.f.x[?@.k==1]"])
            .parse(body)
            .unwrap();
        assert_eq!(
            v,
            json!({"items":[{"a":1,"b":2},{"a":3,"b":4}],"f":{"x":[{"k":1}]}})
        );
        let v = tree(&["$.items[1].a"]).parse(body).unwrap();
        assert_eq!(v, json!({"items":[{"a":1},{"a":3}]}));
    }

    #[test]
    fn simple_paths_agree_with_the_full_evaluator() {
        let doc = json!({"a": {"b": [10, {"c": "x"}, null]}, "k y": 1, "n": null});
        for p in [
            "$.a.b[1].c",
            "$.a.b[-2].c",
            "$.a.b[0]",
            "$['k y']",
            "$.a['b'][5]",
            "$.n",
            "$.a.b[2]",
            "$.zz.q",
            "$.a.b.c",
        ] {
            let fast = CompiledPath::parse(p).unwrap();
            assert!(
                matches!(fast, CompiledPath::Simple(_)),
                "{p} should be simple"
            );
            let full = serde_json_path::JsonPath::parse(p).unwrap();
            let want = full.query(&doc).all().into_iter().find(|v| !v.is_null());
            assert_eq!(fast.first(&doc), want, "{p}");
        }
        assert!(matches!(
            CompiledPath::parse("$.a.b[*]").unwrap(),
            CompiledPath::Full(_)
        ));
        assert!(matches!(
            CompiledPath::parse("$..c").unwrap(),
            CompiledPath::Full(_)
        ));
        assert_eq!(
            CompiledPath::parse("$..c").unwrap().first(&doc),
            Some(&json!("x"))
        );
    }

    #[test]
    fn invalid_json_is_an_error_even_in_skipped_parts() {
        assert!(tree(&["$.a"]).parse(br#"{"a":1,"b":[1,}"#).is_err());
        assert!(tree(&["$.a"]).parse(br#"{"a":1} trailing"#).is_err());
    }
}
