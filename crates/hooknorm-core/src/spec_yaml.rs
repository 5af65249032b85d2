//! The YAML text of a spec, parsed once: yaml-rust2's event parser builds a small tree of
//! positioned nodes (duplicate keys are found here, once), and the tree is a serde
//! [`Deserializer`](de::Deserializer) for the spec model.
//!
//! Scalars keep their style and tag, so plain scalars resolve by the YAML 1.2 core schema exactly
//! as serde_yaml_ng resolved them: `~`/`null`/empty are null, only `true`/`false` (in three
//! casings) are booleans (`yes` stays a string), `0x10`/`0o7`/`0b1` are integers, `1e3` a float,
//! leading-zero digit strings and quoted scalars are strings; a string is read from any scalar.
//! Aliases are resolved (with a repetition limit); error messages and positions follow
//! serde_yaml_ng's (`path: message`, at the node where the error arose).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Expected, Unexpected, Visitor};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Line and column, both 1-based.
pub(crate) type Pos = (usize, usize);

/// Nesting deeper than this is rejected while building the tree (the model needs far less; the
/// deserializer's own limit, as serde_yaml_ng's, is 128).
const MAX_DEPTH: usize = 1024;

const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
const TAG_INT: &str = "tag:yaml.org,2002:int";
const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
const TAG_NULL: &str = "tag:yaml.org,2002:null";

/// One node of the tree, at the position of its first event.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) pos: Pos,
    /// The resolved tag (`tag:yaml.org,2002:str`, `!local`), if the node has one.
    pub(crate) tag: Option<String>,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Scalar(String, TScalarStyle),
    Seq(Vec<Node>),
    /// Entries in document order; duplicates are kept, flagged, and stop deserialization.
    Map(Vec<Entry>),
    /// An alias of an anchored node (shared, not copied).
    Alias(Rc<Node>),
    /// An empty stream.
    Void,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) key: Node,
    pub(crate) value: Node,
    /// The key repeats an earlier key of the same mapping (already reported by [`parse`]).
    pub(crate) duplicate: bool,
}

/// A parsed spec file.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) root: Node,
    /// Duplicate keys: (key path, position of the repeated key).
    pub(crate) duplicates: Vec<(String, Pos)>,
    /// The text holds more than one document.
    pub(crate) more_documents: bool,
    /// Key path (`events.rules[2].when`) → position of the key (or of the sequence item).
    positions: HashMap<String, Pos>,
    /// Events parsed, for the alias repetition limit.
    events: usize,
}

/// A YAML syntax error, with the duplicate keys found before it.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) message: String,
    pub(crate) pos: Pos,
    /// The key path being parsed.
    pub(crate) key: String,
    pub(crate) duplicates: Vec<(String, Pos)>,
}

fn pos_of(mark: Marker) -> Pos {
    (mark.line(), mark.col() + 1)
}

fn tag_string(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// An open collection while building.
struct Open {
    node: Node,
    anchor: usize,
    path: String,
    /// A block mapping: its position is its first key's (as libyaml marks it).
    block_map: bool,
    /// How many properties (`&anchor`, `!tag`) the node has.
    properties: usize,
    /// Mappings: the key read, waiting for its value, and whether it repeats an earlier key.
    key: Option<(Node, bool)>,
    seen: HashSet<String>,
}

/// The text, to place nodes where libyaml (serde_yaml_ng) placed them: yaml-rust2 marks a
/// block mapping after its first `key:`, a node at its content rather than at its `&anchor` or
/// `!tag`, and an empty value at the next token.
struct Text {
    chars: Vec<char>,
    /// Char index of the start of each line.
    lines: Vec<usize>,
}

impl Text {
    fn new(text: &str) -> Text {
        let chars: Vec<char> = text.chars().collect();
        let mut lines = vec![0];
        lines.extend(
            (0..chars.len())
                .filter(|&i| chars[i] == '\n')
                .map(|i| i + 1),
        );
        Text { chars, lines }
    }

    fn index(&self, (line, col): Pos) -> Option<usize> {
        let i = self.lines.get(line.checked_sub(1)?)? + col.checked_sub(1)?;
        (i <= self.chars.len()).then_some(i)
    }

    fn pos(&self, i: usize) -> Pos {
        let line = self.lines.partition_point(|&s| s <= i);
        (line, i - self.lines[line - 1] + 1)
    }

    fn at(&self, i: usize) -> char {
        self.chars.get(i).copied().unwrap_or('\0')
    }

    /// The start of the `properties` (`&anchor`, `!tag`) written before the content at `pos`.
    fn with_properties(&self, pos: Pos, properties: usize) -> Pos {
        let Some(mut i) = self.index(pos) else {
            return pos;
        };
        let mut start = pos;
        for _ in 0..properties {
            while i > 0 && self.at(i - 1).is_whitespace() {
                i -= 1;
            }
            let end = i;
            while i > 0 && !self.at(i - 1).is_whitespace() && !"[{,".contains(self.at(i - 1)) {
                i -= 1;
            }
            if i == end || !matches!(self.at(i), '&' | '!') {
                break;
            }
            start = self.pos(i);
        }
        start
    }

    /// The index just after the `:` that follows a (single-line) scalar key.
    fn after_colon(&self, key: &Node) -> Option<usize> {
        let Kind::Scalar(k, style) = &key.kind else {
            return None;
        };
        let mut i = self.index(key.pos)?;
        match style {
            TScalarStyle::Plain => {
                if k.is_empty()
                    || k.chars().any(|c| {
                        c != self.at(i) || {
                            i += 1;
                            false
                        }
                    })
                {
                    return None;
                }
            }
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = self.at(i);
                i += 1;
                loop {
                    match self.at(i) {
                        '\0' | '\n' => return None,
                        '\\' if quote == '"' => i += 2,
                        '\'' if quote == '\'' && self.at(i + 1) == '\'' => i += 2,
                        c => {
                            i += 1;
                            if c == quote {
                                break;
                            }
                        }
                    }
                }
            }
            _ => return None,
        }
        while matches!(self.at(i), ' ' | '\t') {
            i += 1;
        }
        (self.at(i) == ':').then_some(i + 1)
    }

    /// An empty block sequence item (`-` alone, or before a comment), which yaml-rust2 places at
    /// a later line's token: just after its `-`.
    fn empty_item(&self, pos: Pos) -> Pos {
        let Some(&(mut i)) = self.lines.get(pos.0.saturating_sub(1)) else {
            return pos;
        };
        while i > 0 && self.at(i - 1).is_whitespace() {
            i -= 1;
        }
        let line = self.lines.partition_point(|&s| s < i).max(1) - 1;
        let start = self.lines[line];
        let text: String = self.chars[start..i].iter().collect();
        let indent = text.len() - text.trim_start().len();
        let rest = text.trim_start().strip_prefix('-');
        match rest.map(str::trim_start) {
            Some(r) if r.is_empty() || r.starts_with('#') => self.pos(start + indent + 1),
            _ => pos,
        }
    }

    /// An empty value after `key:`, where libyaml places it: just after the `:` in a block
    /// mapping, at the next token in a flow mapping.
    fn empty_value(&self, key: &Node, block: bool, pos: Pos) -> Pos {
        let Some(mut i) = self.after_colon(key) else {
            return pos;
        };
        if !block {
            while self.at(i).is_whitespace() {
                i += 1;
            }
        }
        self.pos(i)
    }
}

struct Builder {
    text: Text,
    stack: Vec<Open>,
    anchors: HashMap<usize, Rc<Node>>,
    doc: Document,
    root: Option<Node>,
}

impl Builder {
    /// The path of a node starting now.
    fn value_path(&self) -> String {
        match self.stack.last() {
            Some(Open {
                node:
                    Node {
                        kind: Kind::Seq(items),
                        ..
                    },
                path,
                ..
            }) => format!("{path}[{}]", items.len()),
            Some(Open { path, key, .. }) => match key {
                Some((
                    Node {
                        kind: Kind::Scalar(k, _),
                        ..
                    },
                    _,
                )) => join(path, k),
                _ => join(path, "?"),
            },
            None => String::new(),
        }
    }

    fn record(&mut self, path: String, mark: Marker) {
        self.doc.positions.entry(path).or_insert(pos_of(mark));
    }

    /// Adds a finished node to its parent (or makes it the root). `mark` is yaml-rust2's
    /// position of the node, which locates keys (`Document::locate`) as before.
    fn add(&mut self, node: Node, anchor: usize, mark: Marker) {
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::new(node.clone()));
        }
        let Some(open) = self.stack.last_mut() else {
            self.root.get_or_insert(node);
            return;
        };
        match &mut open.node.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(entries) => match open.key.take() {
                Some((key, duplicate)) => entries.push(Entry {
                    key,
                    value: node,
                    duplicate,
                }),
                None => {
                    if open.block_map && entries.is_empty() {
                        open.node.pos = self.text.with_properties(node.pos, open.properties);
                    }
                    let mut duplicate = false;
                    if let Kind::Scalar(k, _) = &node.kind {
                        let path = join(&open.path, k);
                        duplicate = !open.seen.insert(k.clone());
                        if duplicate {
                            self.doc.duplicates.push((path.clone(), pos_of(mark)));
                        }
                        self.doc.positions.entry(path).or_insert(pos_of(mark));
                    }
                    open.key = Some((node, duplicate));
                }
            },
            _ => unreachable!("only collections are open"),
        }
    }

    fn open(
        &mut self,
        kind: Kind,
        mark: Marker,
        anchor: usize,
        tag: Option<Tag>,
    ) -> std::result::Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err("recursion limit exceeded".into());
        }
        let path = self.value_path();
        self.record(path.clone(), mark);
        let properties = usize::from(anchor > 0) + usize::from(tag.is_some());
        let block_map = matches!(kind, Kind::Map(_)) && self.text.at(mark.index()) != '{';
        let pos = if block_map {
            pos_of(mark) // replaced by the first key's
        } else {
            self.text.with_properties(pos_of(mark), properties)
        };
        self.stack.push(Open {
            node: Node {
                pos,
                tag: tag_string(tag),
                kind,
            },
            anchor,
            path,
            block_map,
            properties,
            key: None,
            seen: HashSet::new(),
        });
        Ok(())
    }

    fn close(&mut self, mark: Marker) {
        if let Some(open) = self.stack.pop() {
            self.add(open.node, open.anchor, mark);
        }
    }

    fn event(&mut self, ev: Event, mark: Marker) -> std::result::Result<(), String> {
        let pos = pos_of(mark);
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                // A key records itself in `add`; a value records its path here.
                let in_seq = matches!(
                    self.stack.last(),
                    Some(Open {
                        node: Node {
                            kind: Kind::Seq(_),
                            ..
                        },
                        ..
                    })
                );
                let (is_key, key, block) = match self.stack.last() {
                    Some(Open {
                        node:
                            Node {
                                kind: Kind::Map(_), ..
                            },
                        key,
                        block_map,
                        ..
                    }) => (key.is_none(), key.as_ref(), *block_map),
                    _ => (false, None, false),
                };
                let properties = usize::from(anchor > 0) + usize::from(tag.is_some());
                let de_pos = match key {
                    Some((key, _))
                        if properties == 0 && value.is_empty() && style == TScalarStyle::Plain =>
                    {
                        self.text.empty_value(key, block, pos)
                    }
                    None if in_seq
                        && properties == 0
                        && value.is_empty()
                        && style == TScalarStyle::Plain =>
                    {
                        self.text.empty_item(pos)
                    }
                    _ => self.text.with_properties(pos, properties),
                };
                if !is_key {
                    let path = self.value_path();
                    self.record(path, mark);
                }
                let node = Node {
                    pos: de_pos,
                    tag: tag_string(tag),
                    kind: Kind::Scalar(value, style),
                };
                self.add(node, anchor, mark);
            }
            Event::Alias(id) => {
                let target = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or("alias of an anchor that is not complete (recursive alias)")?;
                let node = Node {
                    pos,
                    tag: None,
                    kind: Kind::Alias(target),
                };
                self.add(node, 0, mark);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Kind::Seq(Vec::new()), mark, anchor, tag)?
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Kind::Map(Vec::new()), mark, anchor, tag)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(mark),
            Event::StreamEnd if self.root.is_none() => {
                self.root = Some(Node {
                    pos,
                    tag: None,
                    kind: Kind::Void,
                })
            }
            _ => {}
        }
        Ok(())
    }

    /// A syntax error at `pos`, keyed by the path being parsed.
    fn syntax_error(self, message: String, mut pos: Pos) -> SyntaxError {
        // yaml-rust2 places a misplaced tab at the start of the scalar before it.
        if message.contains("found a tab") {
            if let Some(i) = self.text.index(pos) {
                if let Some(t) = self.text.chars[i..].iter().position(|&c| c == '\t') {
                    pos = self.text.pos(i + t);
                }
            }
        }
        let key = match self.stack.last() {
            Some(Open {
                node: Node {
                    kind: Kind::Seq(_), ..
                },
                path,
                ..
            }) => path.clone(),
            _ => self.value_path(),
        };
        SyntaxError {
            message,
            pos,
            key,
            duplicates: self.doc.duplicates,
        }
    }
}

/// Parses a YAML text into its tree, finding duplicate keys.
pub(crate) fn parse(text: &str) -> std::result::Result<Document, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut b = Builder {
        text: Text::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        doc: Document {
            root: Node {
                pos: (1, 1),
                tag: None,
                kind: Kind::Void,
            },
            duplicates: Vec::new(),
            more_documents: false,
            positions: HashMap::new(),
            events: 0,
        },
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    loop {
        let (ev, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) => {
                let pos = pos_of(*e.marker());
                return Err(b.syntax_error(e.info().to_string(), pos));
            }
        };
        b.doc.events += 1;
        match ev {
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    b.doc.more_documents = true;
                    break;
                }
            }
            ev => {
                let end = matches!(ev, Event::StreamEnd);
                if let Err(m) = b.event(ev, mark) {
                    return Err(b.syntax_error(m, pos_of(mark)));
                }
                if end {
                    break;
                }
            }
        }
    }
    b.doc.root = b.root.take().expect("a stream has a root node");
    Ok(b.doc)
}

impl Document {
    /// The position of a key path, or of its nearest ancestor that has one.
    pub(crate) fn locate(&self, path: &str) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.positions.get("").copied().unwrap_or((1, 1)),
            }
        }
    }

    /// A deserializer of the document's root.
    pub(crate) fn deserializer(&self) -> De<'_, 'static> {
        De {
            node: &self.root,
            path: Path::Root,
            jumps: Rc::new(std::cell::Cell::new(0)),
            max_jumps: self.events.saturating_mul(100),
            depth: 128,
            current_enum: None,
        }
    }
}

/// A deserialization error: its message and, when known, where it arose.
#[derive(Debug)]
pub(crate) struct Error {
    pub(crate) message: String,
    /// Where the error arose.
    pub(crate) pos: Option<Pos>,
    /// serde_yaml_ng's path of the node, which prefixes the message.
    path: Option<String>,
    /// Errors of the stream itself (end of input, alias repetition) take no node position.
    fixable: bool,
    /// The error is a duplicate key, already reported by [`parse`].
    pub(crate) duplicate: bool,
}

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            pos: None,
            path: None,
            fixable: true,
            duplicate: false,
        }
    }

    /// An error of the stream, not of a node.
    fn stream(message: &str) -> Error {
        Error {
            fixable: false,
            ..Error::new(message)
        }
    }

    /// Sets the node of an error that has none yet.
    fn fix(mut self, pos: Pos, path: Path) -> Error {
        if self.fixable {
            self.fixable = false;
            self.pos = Some(pos);
            self.path = Some(path.to_string());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.path {
            Some(path) if path != "." => write!(f, "{path}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

/// Path of the node being deserialized, as serde_yaml_ng writes it in messages.
#[derive(Copy, Clone)]
enum Path<'a> {
    Root,
    Seq { parent: &'a Path<'a>, index: usize },
    Map { parent: &'a Path<'a>, key: &'a str },
    Unknown { parent: &'a Path<'a> },
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fn parent(p: &Path, f: &mut fmt::Formatter) -> fmt::Result {
            match p {
                Path::Root => Ok(()),
                p => write!(f, "{p}."),
            }
        }
        match self {
            Path::Root => f.write_str("."),
            Path::Seq { parent: p, index } => write!(f, "{p}[{index}]"),
            Path::Map { parent: p, key } => {
                parent(p, f)?;
                f.write_str(key)
            }
            Path::Unknown { parent: p } => {
                parent(p, f)?;
                f.write_str("?")
            }
        }
    }
}

/// The serde deserializer of one node.
pub(crate) struct De<'a, 'p> {
    node: &'a Node,
    path: Path<'p>,
    /// Aliases followed so far (shared by all deserializers of a document).
    jumps: Rc<std::cell::Cell<usize>>,
    max_jumps: usize,
    /// Collections that may still be entered.
    depth: u8,
    /// Set inside a variant named by a `!tag`: (enum name, tag).
    current_enum: Option<(Option<&'static str>, &'a str)>,
}

impl<'a, 'p> De<'a, 'p> {
    fn child<'q>(&self, node: &'a Node, path: Path<'q>) -> De<'a, 'q> {
        De {
            node,
            path,
            jumps: self.jumps.clone(),
            max_jumps: self.max_jumps,
            depth: self.depth,
            current_enum: None,
        }
    }

    /// The node, through an alias.
    fn target(&self) -> Result<&'a Node> {
        match &self.node.kind {
            Kind::Alias(target) => {
                self.jumps.set(self.jumps.get() + 1);
                if self.jumps.get() > self.max_jumps {
                    return Err(Error::stream("repetition limit exceeded"));
                }
                Ok(target)
            }
            _ => Ok(self.node),
        }
    }

    fn scalar<V: Visitor<'a>>(
        mut self,
        visitor: V,
        expected_tag: &str,
        parse: impl FnOnce(&str, V) -> std::result::Result<Result<V::Value>, V>,
    ) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        self.node = self.target()?;
        let node = self.node;
        let r = match &node.kind {
            Kind::Scalar(v, style)
                if plain_or_tagged_literal(expected_tag, node, *style, tagged_already) =>
            {
                match parse(v, visitor) {
                    Ok(r) => r,
                    Err(visitor) => Err(invalid_type(node, &visitor)),
                }
            }
            _ => Err(invalid_type(node, &visitor)),
        };
        r.map_err(|e| e.fix(node.pos, self.path))
    }

    fn depth_check(&mut self) -> Result<()> {
        match self.depth.checked_sub(1) {
            Some(depth) => {
                self.depth = depth;
                Ok(())
            }
            // As serde_yaml_ng: at the node, without the path.
            None => Err(Error {
                pos: Some(self.node.pos),
                ..Error::stream("recursion limit exceeded")
            }),
        }
    }

    fn visit_seq<V: Visitor<'a>>(mut self, items: &'a [Node], visitor: V) -> Result<V::Value> {
        self.depth_check()?;
        let mut seq = SeqAccess {
            de: &self,
            items,
            next: 0,
        };
        let value = visitor.visit_seq(&mut seq)?;
        if seq.next < items.len() {
            return Err(de::Error::invalid_length(
                items.len(),
                &Count(seq.next, false),
            ));
        }
        Ok(value)
    }

    fn visit_map<V: Visitor<'a>>(mut self, entries: &'a [Entry], visitor: V) -> Result<V::Value> {
        self.depth_check()?;
        let mut map = MapAccess {
            de: &self,
            entries,
            next: 0,
        };
        let value = visitor.visit_map(&mut map)?;
        if map.next < entries.len() {
            return Err(de::Error::invalid_length(
                entries.len(),
                &Count(map.next, true),
            ));
        }
        Ok(value)
    }

    /// A variant named by the node's `!tag`.
    fn visit_tag_enum<V: Visitor<'a>>(
        self,
        name: Option<&'static str>,
        tag: &'a str,
        visitor: V,
    ) -> Result<V::Value> {
        let variant = self.child(self.node, self.path);
        visitor.visit_enum(TagEnum {
            de: variant,
            name,
            tag,
        })
    }
}

/// `sequence of N elements` / `map containing N entries`, as serde_yaml_ng expects lengths.
struct Count(usize, bool);

impl Expected for Count {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.0, self.1) {
            (1, false) => f.write_str("sequence of 1 element"),
            (n, false) => write!(f, "sequence of {n} elements"),
            (1, true) => f.write_str("map containing 1 entry"),
            (n, true) => write!(f, "map containing {n} entries"),
        }
    }
}

fn plain_or_tagged_literal(
    expected: &str,
    node: &Node,
    style: TScalarStyle,
    tagged_already: bool,
) -> bool {
    match style {
        TScalarStyle::Plain => true,
        TScalarStyle::Literal => !tagged_already && node.tag.as_deref() == Some(expected),
        _ => false,
    }
}

/// A local tag (`!name`) as an enum variant name.
fn parse_tag(tag: Option<&str>) -> Option<&str> {
    let rest = tag?.strip_prefix('!')?;
    Some(if rest.is_empty() { "!" } else { rest })
}

fn parse_null(v: &str) -> bool {
    matches!(v, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    v.len() > 1 && v.starts_with('0') && v[1..].bytes().all(|b| b.is_ascii_digit())
}

type Radix<T> = fn(&str, u32) -> std::result::Result<T, std::num::ParseIntError>;

/// An integer without a `-` (`0x`, `0o`, `0b` prefixes allowed).
fn parse_unsigned_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    let unsigned = v.strip_prefix('+').unwrap_or(v);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(i) = from(rest, radix) {
                return Some(i);
            }
        }
    }
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(v) {
        return None;
    }
    from(unsigned, 10).ok()
}

/// An integer with an optional sign.
fn parse_signed_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    let unsigned = match v.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => v,
    };
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(i) = from(rest, radix) {
                return Some(i);
            }
        }
        if let Some(rest) = v.strip_prefix('-').and_then(|r| r.strip_prefix(prefix)) {
            if let Ok(i) = from(&format!("-{rest}"), radix) {
                return Some(i);
            }
        }
    }
    if digits_but_not_number(v) {
        return None;
    }
    from(unsigned, 10).ok()
}

/// A negative integer (or any integer `from` accepts, in decimal).
fn parse_negative_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = v.strip_prefix(prefix) {
            if let Ok(i) = from(&format!("-{rest}"), radix) {
                return Some(i);
            }
        }
    }
    if digits_but_not_number(v) {
        return None;
    }
    from(v, 10).ok()
}

fn parse_f64(v: &str) -> Option<f64> {
    let unsigned = match v.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => v,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match v {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An integer of any width, as serde_yaml_ng visits it.
fn visit_int<'de, V: Visitor<'de>>(
    visitor: V,
    v: &str,
) -> std::result::Result<Result<V::Value>, V> {
    if let Some(i) = parse_unsigned_int(v, u64::from_str_radix) {
        return Ok(visitor.visit_u64(i));
    }
    if let Some(i) = parse_negative_int(v, i64::from_str_radix) {
        return Ok(visitor.visit_i64(i));
    }
    if let Some(i) = parse_unsigned_int(v, u128::from_str_radix) {
        return Ok(visitor.visit_u128(i));
    }
    if let Some(i) = parse_negative_int(v, i128::from_str_radix) {
        return Ok(visitor.visit_i128(i));
    }
    Err(visitor)
}

/// A plain scalar resolved by the core schema.
fn visit_untagged<'de, V: Visitor<'de>>(visitor: V, v: &str) -> Result<V::Value> {
    if v.is_empty() || parse_null(v) {
        return visitor.visit_unit();
    }
    if let Some(b) = parse_bool(v) {
        return visitor.visit_bool(b);
    }
    let visitor = match visit_int(visitor, v) {
        Ok(r) => return r,
        Err(visitor) => visitor,
    };
    if !digits_but_not_number(v) {
        if let Some(f) = parse_f64(v) {
            return visitor.visit_f64(f);
        }
    }
    visitor.visit_str(v)
}

/// A scalar as `deserialize_any` sees it: by its tag, else plain scalars by the core schema, else
/// a string.
fn visit_scalar<'de, V: Visitor<'de>>(
    visitor: V,
    node: &Node,
    v: &str,
    style: TScalarStyle,
    tagged_already: bool,
) -> Result<V::Value> {
    match (node.tag.as_deref(), tagged_already) {
        (Some(TAG_BOOL), false) => match parse_bool(v) {
            Some(b) => visitor.visit_bool(b),
            None => Err(de::Error::invalid_value(Unexpected::Str(v), &"a boolean")),
        },
        (Some(TAG_INT), false) => match visit_int(visitor, v) {
            Ok(r) => r,
            Err(_) => Err(de::Error::invalid_value(Unexpected::Str(v), &"an integer")),
        },
        (Some(TAG_FLOAT), false) => match parse_f64(v) {
            Some(f) => visitor.visit_f64(f),
            None => Err(de::Error::invalid_value(Unexpected::Str(v), &"a float")),
        },
        (Some(TAG_NULL), false) => match parse_null(v) {
            true => visitor.visit_unit(),
            false => Err(de::Error::invalid_value(Unexpected::Str(v), &"null")),
        },
        (Some(t), false) if !(t.starts_with('!') && style == TScalarStyle::Plain) => {
            visitor.visit_str(v)
        }
        _ if style == TScalarStyle::Plain => visit_untagged(visitor, v),
        _ => visitor.visit_str(v),
    }
}

/// The error for a node of the wrong type, naming what it is.
fn invalid_type(node: &Node, exp: &dyn Expected) -> Error {
    enum Never {}
    struct Probe<'e>(&'e dyn Expected);
    impl<'de> Visitor<'de> for Probe<'_> {
        type Value = Never;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            self.0.fmt(f)
        }
    }
    match &node.kind {
        Kind::Scalar(v, style) => match visit_scalar(Probe(exp), node, v, *style, false) {
            Ok(never) => match never {},
            Err(e) => e,
        },
        Kind::Seq(_) => de::Error::invalid_type(Unexpected::Seq, exp),
        Kind::Map(_) => de::Error::invalid_type(Unexpected::Map, exp),
        Kind::Alias(target) => invalid_type(target, exp),
        Kind::Void => Error::stream("EOF while parsing a value"),
    }
}

fn is_empty_plain(node: &Node) -> bool {
    match &node.kind {
        Kind::Void => true,
        Kind::Scalar(v, style) => v.is_empty() && *style == TScalarStyle::Plain,
        _ => false,
    }
}

macro_rules! forward_int {
    ($($method:ident => $parse:ident($t:ty), $visit:ident;)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
            self.scalar(visitor, TAG_INT, |v, visitor| match $parse(v, <$t>::from_str_radix) {
                Some(i) => Ok(visitor.$visit(i)),
                None => Err(visitor),
            })
        }
    )*};
}

impl<'a> de::Deserializer<'a> for De<'a, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        self.node = self.target()?;
        let (node, path) = (self.node, self.path);
        let tag = if tagged_already {
            None
        } else {
            parse_tag(node.tag.as_deref())
        };
        let r = match (&node.kind, tag) {
            (Kind::Void, _) => visitor.visit_none(),
            (_, Some(tag)) => self.visit_tag_enum(None, tag, visitor),
            (Kind::Scalar(v, style), None) => {
                visit_scalar(visitor, node, v, *style, tagged_already)
            }
            (Kind::Seq(items), None) => self.visit_seq(items, visitor),
            (Kind::Map(entries), None) => self.visit_map(entries, visitor),
            (Kind::Alias(_), None) => unreachable!("aliases are followed"),
        };
        r.map_err(|e| e.fix(node.pos, path))
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.scalar(visitor, TAG_BOOL, |v, visitor| match parse_bool(v) {
            Some(b) => Ok(visitor.visit_bool(b)),
            None => Err(visitor),
        })
    }

    forward_int! {
        deserialize_i8 => parse_signed_int(i64), visit_i64;
        deserialize_i16 => parse_signed_int(i64), visit_i64;
        deserialize_i32 => parse_signed_int(i64), visit_i64;
        deserialize_i64 => parse_signed_int(i64), visit_i64;
        deserialize_i128 => parse_signed_int(i128), visit_i128;
        deserialize_u8 => parse_unsigned_int(u64), visit_u64;
        deserialize_u16 => parse_unsigned_int(u64), visit_u64;
        deserialize_u32 => parse_unsigned_int(u64), visit_u64;
        deserialize_u64 => parse_unsigned_int(u64), visit_u64;
        deserialize_u128 => parse_unsigned_int(u128), visit_u128;
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.scalar(visitor, TAG_FLOAT, |v, visitor| match parse_f64(v) {
            Some(f) => Ok(visitor.visit_f64(f)),
            None => Err(visitor),
        })
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    /// Any scalar is a string, whatever it resolves to (`version: 1` is `"1"`).
    fn deserialize_str<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        self.node = self.target()?;
        let node = self.node;
        match &node.kind {
            Kind::Scalar(v, _) => visitor.visit_str(v),
            _ => Err(invalid_type(node, &visitor)),
        }
        .map_err(|e| e.fix(node.pos, self.path))
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::stream(
            "serialization and deserialization of bytes in YAML is not implemented",
        ))
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    /// Null (`~`, `null`, empty, `!!null`) is `None`; anything else, even quoted `'null'`, is
    /// `Some`.
    fn deserialize_option<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        self.node = self.target()?;
        let node = self.node;
        let some = match &node.kind {
            Kind::Scalar(v, style) if *style == TScalarStyle::Plain => {
                match (node.tag.as_deref(), tagged_already) {
                    (Some(TAG_NULL), false) if parse_null(v) => false,
                    (Some(TAG_NULL), false) => {
                        return Err(de::Error::invalid_value(Unexpected::Str(v), &"null"))
                    }
                    (Some(_), false) => true,
                    _ => !v.is_empty() && !parse_null(v),
                }
            }
            Kind::Void => false,
            _ => true,
        };
        if some {
            visitor.visit_some(self)
        } else {
            visitor.visit_none()
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        self.node = self.target()?;
        let node = self.node;
        match &node.kind {
            Kind::Scalar(v, style) => {
                let null = *style == TScalarStyle::Plain
                    && match (node.tag.as_deref(), tagged_already) {
                        (Some(t), false) => t == TAG_NULL && parse_null(v),
                        _ => v.is_empty() || parse_null(v),
                    };
                if null {
                    visitor.visit_unit()
                } else {
                    Err(de::Error::invalid_value(Unexpected::Str(v), &"null"))
                }
            }
            Kind::Void => visitor.visit_unit(),
            _ => Err(invalid_type(node, &visitor)),
        }
        .map_err(|e| e.fix(node.pos, self.path))
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        mut self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.depth_check()?;
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        self.node = self.target()?;
        let (node, path) = (self.node, self.path);
        match &node.kind {
            Kind::Seq(items) => self.visit_seq(items, visitor),
            _ if is_empty_plain(node) => self.visit_seq(&[], visitor),
            _ => Err(invalid_type(node, &visitor)),
        }
        .map_err(|e| e.fix(node.pos, path))
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(mut self, visitor: V) -> Result<V::Value> {
        self.node = self.target()?;
        let (node, path) = (self.node, self.path);
        match &node.kind {
            Kind::Map(entries) => self.visit_map(entries, visitor),
            _ if is_empty_plain(node) => self.visit_map(&[], visitor),
            _ => Err(invalid_type(node, &visitor)),
        }
        .map_err(|e| e.fix(node.pos, path))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    /// A scalar names a unit variant; a `!tag` names the variant of the tagged value.
    fn deserialize_enum<V: Visitor<'a>>(
        mut self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let current = self.current_enum;
        self.node = self.target()?;
        let (node, path) = (self.node, self.path);
        let r = if let Some((enum_name, tag)) = current {
            match &node.kind {
                Kind::Scalar(v, _) if !v.is_empty() => visitor.visit_enum(UnitVariant { de: self }),
                _ => Err(Error::new(match enum_name {
                    Some(n) => format!(
                        "deserializing nested enum in {n}::{tag} from YAML is not supported yet"
                    ),
                    None => format!(
                        "deserializing nested enum in !{tag} from YAML is not supported yet"
                    ),
                })),
            }
        } else if let Some(tag) = parse_tag(node.tag.as_deref()) {
            if matches!(node.kind, Kind::Void) {
                Err(Error::stream("EOF while parsing a value"))
            } else {
                self.visit_tag_enum(Some(name), tag, visitor)
            }
        } else {
            match &node.kind {
                Kind::Scalar(..) => visitor.visit_enum(UnitVariant { de: self }),
                Kind::Map(_) => Err(de::Error::invalid_type(
                    Unexpected::Map,
                    &"a YAML tag starting with '!'",
                )),
                Kind::Seq(_) => Err(de::Error::invalid_type(
                    Unexpected::Seq,
                    &"a YAML tag starting with '!'",
                )),
                _ => Err(Error::stream("EOF while parsing a value")),
            }
        };
        r.map_err(|e| e.fix(node.pos, path))
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'d, 'a, 'p> {
    de: &'d De<'a, 'p>,
    items: &'a [Node],
    next: usize,
}

impl<'a> de::SeqAccess<'a> for SeqAccess<'_, 'a, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(self.de.child(
            item,
            Path::Seq {
                parent: &self.de.path,
                index,
            },
        ))
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct MapAccess<'d, 'a, 'p> {
    de: &'d De<'a, 'p>,
    entries: &'a [Entry],
    next: usize,
}

impl<'a> de::MapAccess<'a> for MapAccess<'_, 'a, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(entry) = self.entries.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        if entry.duplicate {
            return Err(Error {
                duplicate: true,
                ..Error::new("duplicate key").fix(entry.key.pos, self.de.path)
            });
        }
        seed.deserialize(self.de.child(&entry.key, self.de.path))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value> {
        let entry = &self.entries[self.next - 1];
        let path = match &entry.key.kind {
            Kind::Scalar(key, _) => Path::Map {
                parent: &self.de.path,
                key,
            },
            _ => Path::Unknown {
                parent: &self.de.path,
            },
        };
        seed.deserialize(self.de.child(&entry.value, path))
    }
}

/// A unit variant named by a scalar.
struct UnitVariant<'a, 'p> {
    de: De<'a, 'p>,
}

impl<'a, 'p> de::EnumAccess<'a> for UnitVariant<'a, 'p> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Self)> {
        let de = self.de.child(self.de.node, self.de.path);
        Ok((seed.deserialize(de)?, self))
    }
}

impl<'a> de::VariantAccess<'a> for UnitVariant<'a, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// A variant named by the value's `!tag`; the value is its content.
struct TagEnum<'a, 'p> {
    de: De<'a, 'p>,
    name: Option<&'static str>,
    tag: &'a str,
}

impl<'a, 'p> de::EnumAccess<'a> for TagEnum<'a, 'p> {
    type Error = Error;
    type Variant = De<'a, 'p>;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, De<'a, 'p>)> {
        let variant = seed.deserialize(de::value::StrDeserializer::<Error>::new(self.tag))?;
        let mut de = self.de;
        de.current_enum = Some((self.name, self.tag));
        Ok((variant, de))
    }
}

impl<'a> de::VariantAccess<'a> for De<'a, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::{json, Value};

    fn value(text: &str) -> Value {
        Value::deserialize(parse(text).unwrap().deserializer()).unwrap()
    }

    #[test]
    fn locates_nested_keys_and_items() {
        let text = "a: 1\nevents:\n  rules:\n    - when: x\n    - event: Y\n      when: z\n";
        let d = parse(text).unwrap();
        assert_eq!(d.locate("a"), (1, 1));
        assert_eq!(d.locate("events.rules[1].when"), (6, 7));
        assert_eq!(d.locate("events.rules[0].when"), (4, 7));
        // Unknown leaf falls back to its nearest ancestor.
        assert_eq!(d.locate("events.rules[1].nope").0, 5);
        assert!(d.duplicates.is_empty());
    }

    #[test]
    fn finds_duplicate_keys_at_any_depth() {
        let d =
            parse("a:\n  b: 1\n  b: 2\nc: {d: 1, d: 2}\ne:\n  - f: {g: [{h: 1, h: 2}]}\n").unwrap();
        let dups: Vec<_> = d.duplicates.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(dups, vec!["a.b", "c.d", "e[0].f.g[0].h"]);
        assert_eq!(d.duplicates[0].1, (3, 3));
        assert_eq!(d.duplicates[2].1, (6, 20));
        // Deserialization stops at the first duplicate, flagged as already reported.
        let e = Value::deserialize(d.deserializer()).unwrap_err();
        assert!(e.duplicate);
    }

    #[test]
    fn resolves_plain_scalars_by_the_yaml_1_2_core_schema() {
        let v = value(
            "yes: yes\nno: no\nhex: 0x10\noct: 0o17\nexp: 1e3\ntilde: ~\nempty:\nnull: null\n\
             t: true\nf: False\nq: '5'\ndq: \"0x10\"\nzero: 0123\nneg: -7\ninf: .inf\ntext: a b\n\
             str: !!str 12\n",
        );
        let expected = json!({
            "yes": "yes", "no": "no", "hex": 16, "oct": 15, "exp": 1000.0, "tilde": null,
            "empty": null, "null": null, "t": true, "f": false, "q": "5", "dq": "0x10",
            "zero": "0123", "neg": -7, "inf": null, "text": "a b", "str": "12",
        });
        // serde_json has no infinity: compare the rest.
        let mut v = v;
        assert_eq!(v["inf"].as_f64(), None);
        v["inf"] = Value::Null;
        assert_eq!(v, expected);
    }

    #[test]
    fn any_scalar_is_a_string_when_a_string_is_wanted() {
        #[derive(Deserialize)]
        struct S {
            a: String,
            b: String,
            c: Option<String>,
            d: Option<String>,
        }
        let s = S::deserialize(
            parse("a: 1.50\nb: true\nc: ~\nd: 'null'\n")
                .unwrap()
                .deserializer(),
        )
        .unwrap();
        assert_eq!((s.a.as_str(), s.b.as_str()), ("1.50", "true"));
        assert_eq!((s.c, s.d.as_deref()), (None, Some("null")));
    }

    #[test]
    fn resolves_aliases() {
        let v = value("a: &x [1, {b: 2}]\nc: *x\nd: &s text\ne: *s\n");
        assert_eq!(v["c"], json!([1, {"b": 2}]));
        assert_eq!(v["e"], json!("text"));
        // A billion laughs stops at the repetition limit instead of expanding.
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text +=
                &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n");
        }
        let e = Value::deserialize(parse(&text).unwrap().deserializer()).unwrap_err();
        assert_eq!(e.to_string(), "repetition limit exceeded");
        // An alias inside its own anchor is an error, not a loop.
        assert!(parse("a: &x [*x]\n").is_err());
        // So is an unknown anchor.
        let e = parse("a: 1\nb: *nope\n").unwrap_err();
        assert_eq!(e.pos, (2, 4));
    }

    #[test]
    fn syntax_errors_have_their_position_and_key() {
        let e = parse("a:\n  b: [1, 2\n  c: 3\n").unwrap_err();
        assert_eq!((e.pos, e.key.as_str()), ((3, 4), "a.b"));
        let e = parse("a: 1\n b: 2\n").unwrap_err();
        assert_eq!(e.pos, (2, 3));
        assert!(e.message.contains("mapping values"), "{}", e.message);
    }

    #[test]
    fn errors_name_the_node_as_serde_yaml_ng_did() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct S {
            #[allow(dead_code)]
            n: u16,
        }
        let err = |text: &str| {
            let e = S::deserialize(parse(text).unwrap().deserializer()).unwrap_err();
            (e.pos.unwrap(), e.to_string())
        };
        assert_eq!(
            err("n: x\n"),
            ((1, 4), "n: invalid type: string \"x\", expected u16".into())
        );
        assert_eq!(
            err("n: 70000\n").1,
            "n: invalid value: integer `70000`, expected u16"
        );
        assert_eq!(
            err("n: '1'\n").1,
            "n: invalid type: string \"1\", expected u16"
        );
        assert_eq!(err("n: 1\nm: 2\n").0, (2, 1));
        // A block mapping is where its first key is; an empty value just after its `:`.
        assert_eq!(err("\nx: 1\n").0, (2, 1));
        assert_eq!(err("n:\n").0, (1, 3));
        // A node with an anchor or tag starts at them.
        assert_eq!(
            err("n: &a [1]\n"),
            ((1, 4), "n: invalid type: sequence, expected u16".into())
        );
    }
}
