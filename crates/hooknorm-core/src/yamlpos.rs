//! Locations of keys in a YAML file, so spec errors can name line and column, and detection of
//! duplicate keys anywhere in the file.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Key path (`events.rules[2].when`) → (line, column), both 1-based.
#[derive(Debug, Default)]
pub struct Positions {
    map: HashMap<String, (usize, usize)>,
    /// Duplicate keys: (path, line, column).
    pub duplicates: Vec<(String, usize, usize)>,
}

impl Positions {
    /// Indexes a YAML text. Syntax errors are left to the deserializer to report.
    pub fn index(text: &str) -> Positions {
        let mut rec = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut rec, false);
        rec.out
    }

    /// The position of a key path, or of its nearest ancestor that has one.
    pub fn locate(&self, path: &str) -> (usize, usize) {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.map.get("").copied().unwrap_or((1, 1)),
            }
        }
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        seen: HashSet<String>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    out: Positions,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Recorder {
    /// Path of a value starting now at the top of the stack.
    fn value_path(&self) -> String {
        match self.stack.last() {
            Some(Frame::Map { path, key, .. }) => join(path, key.as_deref().unwrap_or("?")),
            Some(Frame::Seq { path, index }) => format!("{path}[{index}]"),
            None => String::new(),
        }
    }

    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, path: String, mark: Marker) {
        self.out
            .map
            .entry(path)
            .or_insert((mark.line(), mark.col() + 1));
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(Frame::Map { path, key, seen }) = self.stack.last_mut() {
                    if key.is_none() {
                        let full = join(path, &text);
                        if !seen.insert(text.clone()) {
                            self.out
                                .duplicates
                                .push((full.clone(), mark.line(), mark.col() + 1));
                        }
                        *key = Some(text);
                        self.record(full, mark);
                        return;
                    }
                }
                let p = self.value_path();
                self.record(p, mark);
                self.value_done();
            }
            Event::Alias(_) => self.value_done(),
            Event::MappingStart(..) => {
                let path = self.value_path();
                self.record(path.clone(), mark);
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    seen: HashSet::new(),
                });
            }
            Event::SequenceStart(..) => {
                let path = self.value_path();
                self.record(path.clone(), mark);
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_items() {
        let text = "a: 1\nevents:\n  rules:\n    - when: x\n    - event: Y\n      when: z\n";
        let p = Positions::index(text);
        assert_eq!(p.locate("a"), (1, 1));
        assert_eq!(p.locate("events.rules[1].when"), (6, 7));
        assert_eq!(p.locate("events.rules[0].when"), (4, 7));
        // Unknown leaf falls back to its nearest ancestor.
        assert_eq!(p.locate("events.rules[1].nope").0, 5);
        assert!(p.duplicates.is_empty());
    }

    #[test]
    fn finds_duplicate_keys_at_any_depth() {
        let p = Positions::index("a:\n  b: 1\n  b: 2\nc: {d: 1, d: 2}\n");
        let dups: Vec<_> = p.duplicates.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(dups, vec!["a.b", "c.d"]);
        assert_eq!(p.duplicates[0].1, 3);
    }
}
