//! The serde deserializer of one node of the tree, as serde_yaml_ng deserialized.

use std::cell::Cell;
use std::rc::Rc;

use serde::de::{self, Unexpected, Visitor};
use yaml_rust2::scanner::TScalarStyle;

use super::access::UnitVariant;
use super::error::{Error, Path, Result};
use super::scalar::{
    invalid_type, is_empty_plain, parse_bool, parse_f64, parse_null, parse_signed_int, parse_tag,
    parse_unsigned_int, plain_or_tagged_literal, visit_scalar, TAG_BOOL, TAG_FLOAT, TAG_INT,
    TAG_NULL,
};
use super::{Kind, Node};

/// The serde deserializer of one node.
pub(crate) struct De<'a, 'p> {
    pub(super) node: &'a Node,
    pub(super) path: Path<'p>,
    /// Aliases followed so far (shared by all deserializers of a document).
    jumps: Rc<Cell<usize>>,
    max_jumps: usize,
    /// Collections that may still be entered.
    depth: u8,
    /// Set inside a variant named by a `!tag`: (enum name, tag).
    pub(super) current_enum: Option<(Option<&'static str>, &'a str)>,
}

impl<'a> De<'a, 'static> {
    /// The deserializer of a document's root, following at most `max_jumps` aliases.
    pub(super) fn new(root: &'a Node, max_jumps: usize) -> Self {
        De {
            node: root,
            path: Path::Root,
            jumps: Rc::new(Cell::new(0)),
            max_jumps,
            depth: 128,
            current_enum: None,
        }
    }
}

impl<'a, 'p> De<'a, 'p> {
    pub(super) fn child<'q>(&self, node: &'a Node, path: Path<'q>) -> De<'a, 'q> {
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

    pub(super) fn depth_check(&mut self) -> Result<()> {
        match self.depth.checked_sub(1) {
            Some(depth) => {
                self.depth = depth;
                Ok(())
            }
            // As serde_yaml_ng: at the node, without the path.
            None => {
                let mut e = Error::stream("recursion limit exceeded");
                e.pos = Some(self.node.pos);
                Err(e)
            }
        }
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
