//! The deserializer's error, and the node path (`events.rules[2]`) that prefixes its message.

use std::fmt;

use serde::de;

use super::Pos;

/// A deserialization error: its message and, when known, where it arose.
#[derive(Debug)]
pub(crate) struct Error {
    message: String,
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
    pub(super) fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            pos: None,
            path: None,
            fixable: true,
            duplicate: false,
        }
    }

    /// An error of the stream, not of a node.
    pub(super) fn stream(message: &str) -> Error {
        Error {
            fixable: false,
            ..Error::new(message)
        }
    }

    /// Sets the node of an error that has none yet.
    pub(super) fn fix(mut self, pos: Pos, path: Path) -> Error {
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

pub(super) type Result<T> = std::result::Result<T, Error>;

/// Path of the node being deserialized, as serde_yaml_ng writes it in messages.
#[derive(Copy, Clone)]
pub(super) enum Path<'a> {
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
