//! The tree builder: yaml-rust2's events become [`Node`]s, placed where libyaml (and so
//! serde_yaml_ng) placed them, with each key path's position and the duplicate keys recorded.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yaml_rust2::parser::{Event, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{Document, Entry, Kind, Node, Pos, SyntaxError};

/// Nesting deeper than this is rejected while building the tree (the model needs far less; the
/// deserializer's own limit, as serde_yaml_ng's, is 128).
const MAX_DEPTH: usize = 1024;

fn pos_of(mark: Marker) -> Pos {
    (mark.line(), mark.col() + 1)
}

fn tag_string(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

/// How many properties (`&anchor`, `!tag`) a node has.
fn properties(anchor: usize, tag: &Option<Tag>) -> usize {
    usize::from(anchor > 0) + usize::from(tag.is_some())
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

impl Open {
    fn is_seq(&self) -> bool {
        matches!(self.node.kind, Kind::Seq(_))
    }
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
pub(super) struct Builder {
    text: Text,
    stack: Vec<Open>,
    anchors: HashMap<usize, Rc<Node>>,
    root: Option<Node>,
    duplicates: Vec<(String, Pos)>,
    positions: HashMap<String, Pos>,
}

impl Builder {
    pub(super) fn new(text: &str) -> Builder {
        Builder {
            text: Text::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            duplicates: Vec::new(),
            positions: HashMap::new(),
        }
    }

    /// The document, once the stream (or its first document) has ended.
    pub(super) fn finish(self, events: usize, more_documents: bool) -> Document {
        Document {
            root: self.root.expect("a stream has a root node"),
            duplicates: self.duplicates,
            more_documents,
            positions: self.positions,
            events,
        }
    }

    /// The path of a node starting now.
    fn value_path(&self) -> String {
        let Some(open) = self.stack.last() else {
            return String::new();
        };
        match (&open.node.kind, &open.key) {
            (Kind::Seq(items), _) => format!("{}[{}]", open.path, items.len()),
            (
                _,
                Some((
                    Node {
                        kind: Kind::Scalar(k, _),
                        ..
                    },
                    _,
                )),
            ) => join(&open.path, k),
            _ => join(&open.path, "?"),
        }
    }

    fn record(&mut self, path: String, mark: Marker) {
        self.positions.entry(path).or_insert(pos_of(mark));
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
                            self.duplicates.push((path.clone(), pos_of(mark)));
                        }
                        self.positions.entry(path).or_insert(pos_of(mark));
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
    ) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err("recursion limit exceeded".into());
        }
        let path = self.value_path();
        self.record(path.clone(), mark);
        let properties = properties(anchor, &tag);
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

    pub(super) fn event(&mut self, ev: Event, mark: Marker) -> Result<(), String> {
        let pos = pos_of(mark);
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let properties = properties(anchor, &tag);
                let empty = properties == 0 && value.is_empty() && style == TScalarStyle::Plain;
                let de_pos = match self.stack.last() {
                    Some(open) if empty && open.is_seq() => self.text.empty_item(pos),
                    Some(Open {
                        key: Some((key, _)),
                        block_map,
                        ..
                    }) if empty => self.text.empty_value(key, *block_map, pos),
                    _ => self.text.with_properties(pos, properties),
                };
                // A key records itself in `add`; a value records its path here.
                let is_key =
                    matches!(self.stack.last(), Some(open) if !open.is_seq() && open.key.is_none());
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

    /// A syntax error at `mark`, keyed by the path being parsed.
    pub(super) fn syntax_error(self, message: String, mark: Marker) -> SyntaxError {
        let mut pos = pos_of(mark);
        // yaml-rust2 places a misplaced tab at the start of the scalar before it.
        if message.contains("found a tab") {
            if let Some(i) = self.text.index(pos) {
                if let Some(t) = self.text.chars[i..].iter().position(|&c| c == '\t') {
                    pos = self.text.pos(i + t);
                }
            }
        }
        let key = match self.stack.last() {
            Some(open) if open.is_seq() => open.path.clone(),
            _ => self.value_path(),
        };
        SyntaxError {
            message,
            pos,
            key,
            duplicates: self.duplicates,
        }
    }
}
