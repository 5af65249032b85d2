//! Projected JSON parsing: build only the parts of a document that a spec's paths can reach.
//!
//! At load time every JSONPath a spec uses is classified. A plain chain of member names and
//! indexes (`$.data.object.id`, `$.items[0]`) gets a *slot*: parsing writes the value it selects
//! straight into that slot, so evaluating it later is an array read. Any other path is reduced
//! to its prefix of plain segments, and the subtree below that prefix is kept in a partial
//! document tree on which the full RFC 9535 evaluator runs, with the same result as on the whole
//! document. Parsing walks the JSON once and skips everything else without allocating.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::{Map, Value};

use crate::value::{Found, Val};

pub(crate) mod scan;

/// A node of the projection tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// What of this value goes into the document tree.
    tree: Tree,
    /// The whole value at this node goes into this slot.
    slot: Option<usize>,
    /// With `Tree::All`: slots read from the materialized value after parsing (plain paths that
    /// end inside a subtree kept whole).
    inner: Vec<(Vec<Step>, usize)>,
    /// A path evaluated on the document tree runs through this node, so its value goes into the
    /// tree. Nodes that only route values into slots are parsed but never built into the tree.
    in_tree: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
enum Tree {
    /// Nothing below is kept in the tree.
    #[default]
    Skip,
    /// The whole value is kept.
    All,
    /// Some members and/or array elements are kept (or hold slots).
    Select {
        members: Members,
        /// The node every array element goes through (for the tree).
        elements: Option<Box<Node>>,
        /// Slots below single non-negative array indexes (never together with `elements`).
        indexed: Vec<(usize, Node)>,
    },
}

/// A parsed document: the partial tree plus the slot values (strings of leaf slots borrowed
/// from the body where they have no escapes).
#[derive(Debug, Default, PartialEq)]
pub struct Doc<'a> {
    pub tree: Value,
    pub slots: Vec<Option<Val<'a>>>,
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
    /// Keeps everything below a path's plain prefix in the tree (for paths evaluated by the full
    /// JSONPath evaluator).
    pub fn insert(&mut self, segs: &[Seg]) {
        self.in_tree = true;
        if self.tree == Tree::All {
            return;
        }
        let Some((first, rest)) = segs.split_first() else {
            self.keep_whole();
            return;
        };
        let has_indexed = matches!(&self.tree, Tree::Select { indexed, .. } if !indexed.is_empty());
        if matches!(first, Seg::AnyMember) || (*first == Seg::Elements && has_indexed) {
            self.keep_whole();
            return;
        }
        let (members, elements, _) = self.select();
        match first {
            Seg::Name(n) => member(members, n).insert(rest),
            Seg::Elements => elements
                .get_or_insert_with(|| Box::new(Node::default()))
                .insert(rest),
            Seg::AnyMember => unreachable!("handled above"),
        }
    }

    /// Routes a plain path's value into `slot`.
    pub fn insert_slot(&mut self, steps: &[Step], slot: usize) {
        if self.tree == Tree::All {
            self.inner.push((steps.to_vec(), slot));
            return;
        }
        match steps.split_first() {
            None => match self.slot {
                Some(existing) if existing != slot => {
                    self.keep_whole_with(vec![(Vec::new(), slot)])
                }
                _ => self.slot = Some(slot),
            },
            Some((Step::Name(n), rest)) => member(self.select().0, n).insert_slot(rest, slot),
            Some((Step::Index(i), rest))
                if *i >= 0
                    && !matches!(
                        &self.tree,
                        Tree::Select {
                            elements: Some(_),
                            ..
                        }
                    ) =>
            {
                child(self.select().2, &(*i as usize), |at| *at).insert_slot(rest, slot);
            }
            Some((Step::Index(_), _)) => {
                // Negative indexes need the array's length: keep the array whole, read after.
                self.keep_whole_with(vec![(steps.to_vec(), slot)]);
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn select(
        &mut self,
    ) -> (
        &mut Members,
        &mut Option<Box<Node>>,
        &mut Vec<(usize, Node)>,
    ) {
        if self.tree == Tree::Skip {
            self.tree = Tree::Select {
                members: Members::default(),
                elements: None,
                indexed: Vec::new(),
            };
        }
        match &mut self.tree {
            Tree::Select {
                members,
                elements,
                indexed,
            } => (members, elements, indexed),
            _ => unreachable!("select() is not called on All nodes"),
        }
    }

    /// Keeps this value whole; slots below become lookups into it.
    fn keep_whole(&mut self) {
        self.keep_whole_with(Vec::new());
    }

    fn keep_whole_with(&mut self, mut extra: Vec<(Vec<Step>, usize)>) {
        let mut inner = std::mem::take(&mut self.inner);
        collect_slots(self, &mut Vec::new(), &mut inner, true);
        inner.append(&mut extra);
        self.tree = Tree::All;
        self.inner = inner;
    }

    /// The slot of a leaf that only fills a slot (its text can stay in the body).
    fn leaf_slot(&self) -> Option<usize> {
        match (self.slot, &self.tree, self.in_tree) {
            (Some(s), Tree::Skip, false) => Some(s),
            _ => None,
        }
    }

    /// Whether the value at this node is read whole, as a `Value` (kept entire, or holding a
    /// slot; parses ask [`Node::leaf_slot`] first).
    fn reads_whole(&self) -> bool {
        matches!(self.tree, Tree::All) || self.slot.is_some()
    }

    /// Readies the tree for parsing (indexes member names, see [`Members::finish`]).
    fn finish(&mut self) {
        if let Tree::Select {
            members,
            elements,
            indexed,
        } = &mut self.tree
        {
            members.finish();
            for (_, c) in &mut members.list {
                c.finish();
            }
            for (_, c) in indexed {
                c.finish();
            }
            if let Some(e) = elements {
                e.finish();
            }
        }
    }

    /// The number of slots a parse fills.
    pub fn slot_count(&self) -> usize {
        let mut max = self.slot.map_or(0, |s| s + 1);
        for (_, s) in &self.inner {
            max = max.max(s + 1);
        }
        if let Tree::Select {
            members,
            elements,
            indexed,
        } = &self.tree
        {
            for (_, c) in members.iter() {
                max = max.max(c.slot_count());
            }
            for (_, c) in indexed {
                max = max.max(c.slot_count());
            }
            if let Some(e) = elements {
                max = max.max(e.slot_count());
            }
        }
        max
    }
}

/// A finished projection tree, ready to parse bodies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    root: Node,
    slot_count: usize,
}

impl Projection {
    /// Finishes a tree (counting its slots once, not per parse).
    pub fn new(mut root: Node) -> Projection {
        let slot_count = root.slot_count();
        root.finish();
        Projection { root, slot_count }
    }

    /// Parses JSON bytes keeping only what this projection selects: by the fast path when it
    /// can (see [`scan`]), else by the `serde` walk, which also gives the error.
    pub fn parse<'a>(&self, bytes: &'a [u8]) -> Result<Doc<'a>, serde_json::Error> {
        match scan::parse(self, bytes) {
            Ok(doc) => Ok(doc),
            Err(scan::Bail) => self.parse_serde(bytes),
        }
    }

    /// The slots of one parse, all empty.
    fn empty_slots<'a>(&self) -> Vec<Option<Val<'a>>> {
        std::iter::repeat_with(|| None)
            .take(self.slot_count)
            .collect()
    }

    /// The `serde` walk: the reference the fast path agrees with.
    fn parse_serde<'a>(&self, bytes: &'a [u8]) -> Result<Doc<'a>, serde_json::Error> {
        let mut slots = self.empty_slots();
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let tree = Seed {
            node: &self.root,
            slots: &mut slots,
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(Doc {
            tree: tree.unwrap_or(Value::Null),
            slots,
        })
    }
}

/// Whether two byte strings of the same length are equal, a word at a time (overlapping words
/// cover the tail), inline: member names are short, and `memcmp` costs a call.
#[inline(always)]
fn same_short(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
        s.get(at..at + N)
            .and_then(|w| w.try_into().ok())
            .unwrap_or([0; N])
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        _ => {
            let mut at = 0;
            while at + 8 < n {
                if word::<8>(a, at) != word::<8>(b, at) {
                    return false;
                }
                at += 8;
            }
            word::<8>(a, n - 8) == word::<8>(b, n - 8)
        }
    }
}

fn member<'n>(members: &'n mut Members, name: &str) -> &'n mut Node {
    members.by_len.clear();
    child(&mut members.list, name, str::to_string)
}

/// The member names a node selects, with their nodes. Few per node: a list is faster to search
/// than a hash map. Once finished, the list is ordered by name length with the start of each
/// length indexed, so a key is compared only with the names of its length.
#[derive(Debug, Clone, PartialEq, Default)]
struct Members {
    list: Vec<(String, Node)>,
    /// After [`Members::finish`]: the names of `n` bytes are `list[by_len[n]..by_len[n + 1]]`.
    by_len: Vec<u16>,
}

impl Members {
    /// The member named by `key` (compared as bytes).
    #[inline(always)]
    fn find(&self, key: &[u8]) -> Option<&(String, Node)> {
        let n = key.len();
        let same_length = match (self.by_len.get(n), self.by_len.get(n + 1)) {
            (Some(&from), Some(&to)) => &self.list[usize::from(from)..usize::from(to)],
            // Not finished (never after `Projection::new`): every name.
            _ if self.by_len.is_empty() => &self.list[..],
            _ => return None,
        };
        // Names are short: compared inline, not through `memcmp`.
        same_length
            .iter()
            .find(|(k, _)| same_short(k.as_bytes(), key))
    }

    /// Orders the names by length and indexes where each length starts.
    fn finish(&mut self) {
        self.by_len.clear();
        if self.list.len() >= usize::from(u16::MAX) {
            // Beyond the index's range (never in a spec): every name is searched.
            return;
        }
        self.list.sort_by_key(|(k, _)| k.len());
        let longest = self.list.last().map_or(0, |(k, _)| k.len());
        let mut at = 0;
        for n in 0..=longest + 1 {
            while at < self.list.len() && self.list[at].0.len() < n {
                at += 1;
            }
            self.by_len.push(at as u16);
        }
    }

    fn iter(&self) -> std::slice::Iter<'_, (String, Node)> {
        self.list.iter()
    }
}

/// The child node under `key` in a list of (key, node), added when missing.
fn child<'n, K: PartialEq<Q>, Q: ?Sized>(
    children: &'n mut Vec<(K, Node)>,
    key: &Q,
    owned: impl FnOnce(&Q) -> K,
) -> &'n mut Node {
    let i = match children.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            children.push((owned(key), Node::default()));
            children.len() - 1
        }
    };
    &mut children[i].1
}

/// Collects the slots at and below a node as (relative steps, slot).
fn collect_slots(
    node: &Node,
    path: &mut Vec<Step>,
    out: &mut Vec<(Vec<Step>, usize)>,
    is_top: bool,
) {
    if !is_top {
        if let Some(s) = node.slot {
            out.push((path.clone(), s));
        }
        for (steps, s) in &node.inner {
            let mut full = path.clone();
            full.extend(steps.iter().cloned());
            out.push((full, *s));
        }
    } else if let Some(s) = node.slot {
        out.push((Vec::new(), s));
    }
    if let Tree::Select {
        members, indexed, ..
    } = &node.tree
    {
        for (name, child) in members.iter() {
            path.push(Step::Name(name.clone()));
            collect_slots(child, path, out, false);
            path.pop();
        }
        for (i, child) in indexed {
            path.push(Step::Index(*i as i64));
            collect_slots(child, path, out, false);
            path.pop();
        }
    }
}

/// Walks plain steps through a value.
fn lookup<'v>(mut v: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    for s in steps {
        v = match (s, v) {
            (Step::Name(n), Value::Object(m)) => m.get(n)?,
            (Step::Index(i), Value::Array(a)) => {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                a.get(usize::try_from(idx).ok()?)?
            }
            _ => return None,
        };
    }
    Some(v)
}

/// A slot holding a copy of a parsed node.
fn owned(v: &Value) -> Val<'static> {
    Val::Json(Cow::Owned(v.clone()))
}

/// Fills the slots below a node from its fully parsed value.
fn fill(node: &Node, v: &Value, slots: &mut [Option<Val>]) {
    for (steps, s) in &node.inner {
        slots[*s] = lookup(v, steps).map(owned);
    }
    if let Tree::Select {
        members, indexed, ..
    } = &node.tree
    {
        let children = members
            .iter()
            .map(|(name, child)| (v.get(name), child))
            .chain(indexed.iter().map(|(i, child)| (v.get(*i), child)));
        for (cv, child) in children {
            if let Some(cv) = cv {
                if let Some(s) = child.slot {
                    slots[s] = Some(owned(cv));
                }
                fill(child, cv, slots);
            }
        }
    }
}

/// A node read whole: its slots filled from `v`, and `v` returned when the tree keeps it.
fn keep_whole(node: &Node, v: Value, slots: &mut [Option<Val>]) -> Option<Value> {
    fill(node, &v, slots);
    match node.slot {
        Some(s) if !node.in_tree => {
            slots[s] = Some(Val::Json(Cow::Owned(v)));
            None
        }
        Some(s) => {
            slots[s] = Some(owned(&v));
            Some(v)
        }
        None => node.in_tree.then_some(v),
    }
}

struct Seed<'n, 's, 'de> {
    node: &'n Node,
    slots: &'s mut [Option<Val<'de>>],
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_, 'de> {
    /// The value kept in the tree, if any.
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        let node = self.node;
        if let Some(s) = node.leaf_slot() {
            self.slots[s] = Some(LeafSeed.deserialize(d)?);
            return Ok(None);
        }
        if node.reads_whole() {
            let v: Value = serde::Deserialize::deserialize(d)?;
            return Ok(keep_whole(node, v, self.slots));
        }
        match &node.tree {
            Tree::Skip => {
                IgnoredAny::deserialize(d)?;
                Ok(None)
            }
            _ => {
                let v = d.deserialize_any(SelectVisitor {
                    node,
                    slots: self.slots,
                })?;
                Ok(node.in_tree.then_some(v))
            }
        }
    }
}

use serde::Deserialize as _;

/// Reads a leaf slot's value (see [`LeafVisitor`]).
struct LeafSeed;

impl<'de> DeserializeSeed<'de> for LeafSeed {
    type Value = Val<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(LeafVisitor)
    }
}

/// Reads a leaf slot's value: strings borrowed from the input when they have no escapes,
/// anything else as a JSON node.
struct LeafVisitor;

impl<'de> Visitor<'de> for LeafVisitor {
    type Value = Val<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Val<'de>, E> {
        Ok(Val::Json(Cow::Owned(Value::Bool(v))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Json(Cow::Owned(Value::from(v))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(Val::Json(Cow::Owned(Value::from(v))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Val<'de>, E> {
        let n = serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
        Ok(Val::Json(Cow::Owned(n)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::Text(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Json(Cow::Owned(Value::Null)))
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Json(Cow::Owned(Value::Null)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Val<'de>, A::Error> {
        let v = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Val::Json(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Val<'de>, A::Error> {
        let v = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Val::Json(Cow::Owned(v)))
    }
}

struct SelectVisitor<'n, 's, 'de> {
    node: &'n Node,
    slots: &'s mut [Option<Val<'de>>],
}

impl<'de> Visitor<'de> for SelectVisitor<'_, '_, 'de> {
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
        match &self.node.tree {
            Tree::Select {
                elements: Some(el), ..
            } => {
                while let Some(v) = seq.next_element_seed(Seed {
                    node: el,
                    slots: &mut *self.slots,
                })? {
                    out.push(v.unwrap_or(Value::Null));
                }
            }
            Tree::Select { indexed, .. } if !indexed.is_empty() => {
                // Only slots below some indexes: those elements are visited, none is kept.
                let mut at = 0;
                loop {
                    let more = match indexed.iter().find(|(i, _)| *i == at) {
                        Some((_, node)) => seq
                            .next_element_seed(Seed {
                                node,
                                slots: &mut *self.slots,
                            })?
                            .is_some(),
                        None => seq.next_element::<IgnoredAny>()?.is_some(),
                    };
                    if !more {
                        break;
                    }
                    at += 1;
                }
            }
            _ => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Tree::Select { members, .. } = &self.node.tree else {
            unreachable!("SelectVisitor only runs on Select nodes")
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<KeyBytes<'de>>()? {
            match members.find(key.as_bytes()) {
                Some((name, child)) => match child.leaf_slot() {
                    Some(s) => self.slots[s] = Some(map.next_value_seed(LeafSeed)?),
                    None => {
                        let kept = map.next_value_seed(Seed {
                            node: child,
                            slots: &mut *self.slots,
                        })?;
                        if let Some(v) = kept {
                            out.insert(name.clone(), v);
                        }
                    }
                },
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A map key's bytes, borrowed from the input when it has no escapes. Keys are compared as
/// bytes: a key that matches a member name is that (valid UTF-8) name; other keys are skipped
/// like skipped values, without UTF-8 validation.
enum KeyBytes<'de> {
    Borrowed(&'de [u8]),
    Owned(Vec<u8>),
}

impl KeyBytes<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            KeyBytes::Borrowed(s) => s,
            KeyBytes::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for KeyBytes<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyBytes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes::Borrowed(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes::Owned(v.to_vec()))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes::Borrowed(v.as_bytes()))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyBytes<'de>, E> {
                Ok(KeyBytes::Owned(v.as_bytes().to_vec()))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// A JSONPath compiled for evaluation: plain member/index chains are walked directly; anything
/// else goes through the full RFC 9535 evaluator.
#[derive(Debug)]
pub enum CompiledPath {
    /// A plain chain; with a slot when the projection routes its value there.
    Simple {
        steps: Vec<Step>,
        slot: Option<usize>,
    },
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
    #[cfg(test)]
    pub fn parse(path: &str) -> Result<CompiledPath, serde_json_path::ParseError> {
        Ok(CompiledPath::parse_with_prefix(path)?.0)
    }

    /// Compiles a JSONPath (RFC 9535) and returns its leading plain segments too, with whether
    /// the whole path is plain (what the projection tree needs), from one reading of the text.
    pub fn parse_with_prefix(
        path: &str,
    ) -> Result<(CompiledPath, Vec<Seg>, bool), serde_json_path::ParseError> {
        let full = serde_json_path::JsonPath::parse(path)?;
        let (segs, plain) = plain_prefix(path);
        let compiled = match simple_steps(path, &segs, plain) {
            Some(steps) => CompiledPath::Simple { steps, slot: None },
            None => CompiledPath::Full(Box::new(full)),
        };
        Ok((compiled, segs, plain))
    }

    /// The steps of a plain chain.
    pub fn steps(&self) -> Option<&[Step]> {
        match self {
            CompiledPath::Simple { steps, .. } => Some(steps),
            CompiledPath::Full(_) => None,
        }
    }

    /// Routes a plain chain's value through a projection slot.
    pub fn set_slot(&mut self, s: usize) {
        if let CompiledPath::Simple { slot, .. } = self {
            *slot = Some(s);
        }
    }

    /// The first non-null node selected in `doc`, found where it is (see [`Found`]); with
    /// `slots` (from [`Projection::parse`]), plain chains read their slot.
    ///
    /// A slot is read inline at the call; a walk of the tree is a call of its own.
    #[inline]
    pub fn find<'v>(
        &self,
        doc: &'v Value,
        slots: Option<&'v [Option<Val<'v>>]>,
    ) -> Option<Found<'v>> {
        if let (CompiledPath::Simple { slot: Some(s), .. }, Some(slots)) = (self, slots) {
            let found = Found::Slot(slots.get(*s)?.as_ref()?);
            return (!found.is_null()).then_some(found);
        }
        self.find_in_tree(doc)
    }

    /// [`CompiledPath::find`] without slots: the path walks the tree.
    fn find_in_tree<'v>(&self, doc: &'v Value) -> Option<Found<'v>> {
        let node = match self {
            CompiledPath::Simple { steps, .. } => lookup(doc, steps)?,
            CompiledPath::Full(p) => p.query(doc).all().into_iter().find(|v| !v.is_null())?,
        };
        (!node.is_null()).then_some(Found::Node(node))
    }
}

/// The steps of a path made only of member names and single indexes, from its plain prefix.
fn simple_steps(path: &str, segs: &[Seg], complete: bool) -> Option<Vec<Step>> {
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
                steps.push(Step::Name(n.clone()));
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

/// A plain chain of steps as a JSON pointer suffix.
pub(crate) fn steps_pointer(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        out.push('/');
        match s {
            Step::Name(n) => out.push_str(&n.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Member names are compared a word at a time with overlapping tails: every length from
    /// empty to three words, equal or differing in any one byte (or in length), is told apart.
    #[test]
    fn same_short_compares_every_byte_of_every_length() {
        for n in 0..=24 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i * 7 % 26) as u8).collect();
            assert!(same_short(&a, &a.clone()), "length {n}");
            for at in 0..n {
                for flip in [1u8, 0x20, 0x80] {
                    let mut b = a.clone();
                    b[at] ^= flip;
                    assert!(!same_short(&a, &b), "length {n}, byte {at} ^ {flip:#x}");
                }
            }
            let mut longer = a.clone();
            longer.push(b'a');
            assert!(!same_short(&a, &longer), "length {n} against {}", n + 1);
        }
    }

    /// Compiles paths the way the spec compiler does: plain chains get slots, others keep
    /// their prefix in the tree.
    pub(super) fn project(paths: &[&str]) -> (Projection, Vec<CompiledPath>) {
        let mut node = Node::default();
        let mut registry: Vec<Vec<Step>> = Vec::new();
        let mut compiled = Vec::new();
        for p in paths {
            let mut c = CompiledPath::parse(p).unwrap();
            match c.steps().map(<[Step]>::to_vec) {
                Some(steps) => {
                    let slot = registry
                        .iter()
                        .position(|r| *r == steps)
                        .unwrap_or_else(|| {
                            registry.push(steps.clone());
                            registry.len() - 1
                        });
                    c.set_slot(slot);
                }
                None => node.insert(&plain_prefix(p).0),
            }
            compiled.push(c);
        }
        for (i, steps) in registry.iter().enumerate() {
            node.insert_slot(steps, i);
        }
        (Projection::new(node), compiled)
    }

    /// The slots as JSON values.
    fn slot_values(doc: &Doc) -> Vec<Option<Value>> {
        doc.slots
            .iter()
            .map(|s| s.clone().map(Val::into_json))
            .collect()
    }

    /// Every path gives on the projection what the full evaluator gives on the whole document.
    fn agrees(body: &str, paths: &[&str]) {
        let whole: Value = serde_json::from_str(body).unwrap();
        let (node, compiled) = project(paths);
        let doc = node.parse(body.as_bytes()).unwrap();
        for (p, c) in paths.iter().zip(&compiled) {
            let full = serde_json_path::JsonPath::parse(p).unwrap();
            let want = full.query(&whole).all().into_iter().find(|v| !v.is_null());
            let want = want.cloned();
            let got = c
                .find(&doc.tree, Some(&doc.slots))
                .map(|f| f.val().into_json());
            assert_eq!(got, want, "{p} on {body}");
            let got = c.find(&whole, None).map(|f| f.val().into_json());
            assert_eq!(got, want, "{p} on the whole document");
        }
    }

    /// A JSON document of small depth over a few keys, so that random paths often hit.
    pub(super) fn doc_strategy() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-5i64..5).prop_map(Value::from),
            proptest::sample::select(vec!["x", "y", ""]).prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    proptest::sample::select(vec!["a", "b", "c", "0"]).prop_map(String::from),
                    inner,
                    0..4,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A path of up to four segments: member names, indexes (negative too), wildcards, and
    /// now and then a descendant or filter segment (evaluated on the tree, not a slot).
    pub(super) fn path_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let seg = proptest::sample::select(vec![
            ".a", ".b", ".c", "['0']", "[0]", "[1]", "[2]", "[-1]", "[*]", ".*", "..a", "[?@.a]",
        ]);
        proptest::collection::vec(seg, 0..4).prop_map(|segs| format!("${}", segs.concat()))
    }

    proptest::proptest! {
        /// For any document and any set of paths, each path reads on the projection (slots and
        /// the partial tree) what the full RFC 9535 evaluator reads on the whole document.
        #[test]
        fn projection_agrees_with_the_full_evaluator_on_any_document(
            doc in doc_strategy(),
            paths in proptest::collection::vec(path_strategy(), 1..6),
        ) {
            let body = doc.to_string();
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            agrees(&body, &refs);
        }
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
    fn plain_paths_go_to_slots_and_skip_the_tree() {
        let body = br#"{"type":"x","id":"evt","data":{"object":{"id":"pi","big":[1,2,3],"s":"y"}},"junk":{"a":[{"b":1}]}}"#;
        let (node, _) = project(&["$.type", "$.data.object.id"]);
        let doc = node.parse(body).unwrap();
        assert_eq!(slot_values(&doc), vec![Some(json!("x")), Some(json!("pi"))]);
        // Nothing is evaluated on the tree: it is not built at all.
        assert_eq!(doc.tree, Value::Null);
        // A path evaluated on the tree keeps its chain (and only it) in the tree.
        let (node, _) = project(&["$.type", "$.data.object.id", "$.data.object.big[?@ > 1]"]);
        let doc = node.parse(body).unwrap();
        assert_eq!(doc.tree, json!({"data": {"object": {"big": [1, 2, 3]}}}));
        assert_eq!(slot_values(&doc), vec![Some(json!("x")), Some(json!("pi"))]);
    }

    #[test]
    fn index_slots_read_their_element_only() {
        let body = br#"{"a": {"b": [{"c": "x", "d": [5, 6]}, {"c": "y"}, {"c": "z"}]}, "e": [1]}"#;
        let (node, _) = project(&["$.a.b[0].c", "$.a.b[2].c", "$.a.b[0].d[1]", "$.e[3]"]);
        let doc = node.parse(body).unwrap();
        assert_eq!(
            slot_values(&doc),
            vec![Some(json!("x")), Some(json!("z")), Some(json!(6)), None]
        );
        assert_eq!(doc.tree, Value::Null);
    }

    #[test]
    fn projection_agrees_with_the_full_evaluator() {
        let body = r#"{"a": {"b": [10, {"c": "x"}, null], "d": {"e": 1}}, "k y": 1, "n": null,
            "items": [{"a": 1, "b": 2}, {"a": 3, "b": 4}], "f": {"x": [{"k": 1}, {"k": 2}]}}"#;
        agrees(
            body,
            &[
                "$.a.b[1].c",
                "$.a.b[-2].c",
                "$.a.b[0]",
                "$['k y']",
                "$.a['b'][5]",
                "$.n",
                "$.a.b[2]",
                "$.zz.q",
                "$.a.b.c",
                "$.a",
                "$.a.d.e",
                "$.items[*].a",
                "$.items[1].b",
                "$.f.x[?@.k==2].k",
                "$.f.x[0].k",
                "$..k",
                "$",
            ],
        );
        // A path that is a prefix of another, in both orders.
        agrees(body, &["$.a.d", "$.a.d.e"]);
        agrees(body, &["$.a.d.e", "$.a.d"]);
        // A plain path inside a subtree kept whole for a filter.
        agrees(body, &["$.f.x[?@.k==1]", "$.f.x[1].k", "$.f"]);
        // Indexes beside a wildcard, a negative index and a filter over the same array.
        agrees(body, &["$.items[0].a", "$.items[*].b", "$.items[1].a"]);
        agrees(body, &["$.items[1].a", "$.items[*].b"]);
        agrees(body, &["$.items[0].b", "$.items[-1].a", "$.items[1]"]);
        agrees(body, &["$.a.b[1]", "$.a.b[1].c", "$.a.b[0]"]);
        agrees(body, &["$.f.x[1].k", "$.f.x[?@.k==2]"]);
        // Scalars and arrays at the root.
        agrees("[1, 2, 3]", &["$[0]", "$[-1]", "$.a"]);
        agrees("[1, 2, 3]", &["$[2]", "$[0]", "$[7]"]);
        agrees(r#"{"0": 1, "a": {"0": 2}}"#, &["$[0]", "$.a[0]"]);
        agrees("\"s\"", &["$", "$.a"]);
    }

    #[test]
    fn classification_of_paths() {
        assert!(matches!(
            CompiledPath::parse("$.a.b[-1]").unwrap(),
            CompiledPath::Simple { .. }
        ));
        assert!(matches!(
            CompiledPath::parse("$['k y']").unwrap(),
            CompiledPath::Simple { .. }
        ));
        assert!(matches!(
            CompiledPath::parse("$.a.b[*]").unwrap(),
            CompiledPath::Full(_)
        ));
        assert!(matches!(
            CompiledPath::parse("$..c").unwrap(),
            CompiledPath::Full(_)
        ));
        assert!(CompiledPath::parse("$.a[").is_err());
    }

    #[test]
    fn escaped_and_non_ascii_keys_match_their_members() {
        agrees(
            r#"{"caf\u00e9": 1, "café": 2, "a\"b": 3, "x": {"\u0069d": "y"}}"#,
            &["$['café']", "$.x.id"],
        );
    }

    #[test]
    fn leaf_slot_strings_borrow_the_body_unless_escaped() {
        let body = br#"{"a": "plain", "b": "tab\there", "c": {"d": "kept"}, "e": [1, {"f": 2}]}"#;
        let (node, _) = project(&["$.a", "$.b", "$.e", "$.c.d", "$.c.*"]);
        let doc = node.parse(body).unwrap();
        assert!(matches!(
            &doc.slots[0],
            Some(Val::Text(Cow::Borrowed("plain")))
        ));
        assert!(matches!(&doc.slots[1], Some(Val::Text(Cow::Owned(t))) if t == "tab\there"));
        // Arrays and objects are parsed nodes.
        assert_eq!(
            doc.slots[2],
            Some(Val::Json(Cow::Owned(json!([1, {"f": 2}]))))
        );
        // Below a subtree kept in the tree for another path, a slot holds a copy of the node.
        assert_eq!(doc.slots[3], Some(Val::Json(Cow::Owned(json!("kept")))));
        assert_eq!(doc.tree, json!({"c": {"d": "kept"}}));
    }

    #[test]
    fn keys_of_any_length_match_their_members() {
        let long = "k".repeat(130);
        let longer = "k".repeat(200);
        let body = format!(r#"{{"": 1, "{long}": 2, "{longer}": 3, "ab": 4, "ba": 5}}"#);
        let paths = [
            "$['']".to_string(),
            format!("$.{long}"),
            format!("$['{longer}']"),
            "$.ba".to_string(),
            format!("$.{}", "k".repeat(127)),
        ];
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        agrees(&body, &paths);
        let (node, _) = project(&paths);
        let doc = node.parse(body.as_bytes()).unwrap();
        assert_eq!(
            slot_values(&doc),
            vec![
                Some(json!(1)),
                Some(json!(2)),
                Some(json!(3)),
                Some(json!(5)),
                None
            ]
        );
    }

    #[test]
    fn invalid_json_is_an_error_even_in_skipped_parts() {
        let (node, _) = project(&["$.a"]);
        assert!(node.parse(br#"{"a":1,"b":[1,}"#).is_err());
        assert!(node.parse(br#"{"a":1} trailing"#).is_err());
        assert!(node.parse(b"").is_err());
    }
}
