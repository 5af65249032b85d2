//! The YAML text of a spec, parsed once: yaml-rust2's event parser builds a small tree of
//! positioned nodes (duplicate keys are found here, once), and the tree is a serde
//! [`Deserializer`](serde::de::Deserializer) for the spec model.
//!
//! Scalars keep their style and tag, so plain scalars resolve by the YAML 1.2 core schema exactly
//! as serde_yaml_ng resolved them: `~`/`null`/empty are null, only `true`/`false` (in three
//! casings) are booleans (`yes` stays a string), `0x10`/`0o7`/`0b1` are integers, `1e3` a float,
//! leading-zero digit strings and quoted scalars are strings; a string is read from any scalar.
//! Aliases are resolved (with a repetition limit); error messages and positions follow
//! serde_yaml_ng's (`path: message`, at the node where the error arose).
//!
//! - `build`: the event parser's events → the tree, with libyaml's positions;
//! - `scalar`: scalar resolution by the core schema;
//! - `de`, `access`, `error`: the serde deserializer of the tree.

mod access;
mod build;
mod de;
mod error;
mod scalar;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use build::Builder;
use de::De;

/// Line and column, both 1-based.
pub(crate) type Pos = (usize, usize);

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

/// Parses a YAML text into its tree, finding duplicate keys.
pub(crate) fn parse(text: &str) -> Result<Document, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::new(text);
    let mut parser = Parser::new_from_str(text);
    let (mut events, mut documents) = (0, 0);
    loop {
        let (ev, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) => return Err(builder.syntax_error(e.info().to_string(), *e.marker())),
        };
        events += 1;
        match ev {
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    break;
                }
            }
            ev => {
                let end = matches!(ev, Event::StreamEnd);
                if let Err(m) = builder.event(ev, mark) {
                    return Err(builder.syntax_error(m, mark));
                }
                if end {
                    break;
                }
            }
        }
    }
    Ok(builder.finish(events, documents > 1))
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
        De::new(&self.root, self.events.saturating_mul(100))
    }
}
