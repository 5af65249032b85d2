//! Scalar resolution by the YAML 1.2 core schema, as serde_yaml_ng resolved scalars: by their
//! tag, else plain scalars by their text (null, booleans, integers, floats), else strings.

use std::fmt;

use serde::de::{self, Expected, Unexpected, Visitor};
use yaml_rust2::scanner::TScalarStyle;

use super::error::{Error, Result};
use super::{Kind, Node};

pub(super) const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
pub(super) const TAG_INT: &str = "tag:yaml.org,2002:int";
pub(super) const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
pub(super) const TAG_NULL: &str = "tag:yaml.org,2002:null";

pub(super) fn plain_or_tagged_literal(
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
pub(super) fn parse_tag(tag: Option<&str>) -> Option<&str> {
    let rest = tag?.strip_prefix('!')?;
    Some(if rest.is_empty() { "!" } else { rest })
}

pub(super) fn parse_null(v: &str) -> bool {
    matches!(v, "null" | "Null" | "NULL" | "~")
}

pub(super) fn parse_bool(v: &str) -> Option<bool> {
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

const RADIXES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// A `0x`/`0o`/`0b` integer (no sign after the prefix).
fn parse_radix<T>(unsigned: &str, from: Radix<T>) -> Option<T> {
    RADIXES.iter().find_map(|&(prefix, radix)| {
        let rest = unsigned.strip_prefix(prefix)?;
        if rest.starts_with(['+', '-']) {
            return None;
        }
        from(rest, radix).ok()
    })
}

/// A `-0x`/`-0o`/`-0b` integer.
fn parse_negative_radix<T>(v: &str, from: Radix<T>) -> Option<T> {
    let rest = v.strip_prefix('-')?;
    RADIXES
        .iter()
        .find_map(|&(prefix, radix)| from(&format!("-{}", rest.strip_prefix(prefix)?), radix).ok())
}

/// An integer without a `-` (`0x`, `0o`, `0b` prefixes allowed).
pub(super) fn parse_unsigned_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    let unsigned = v.strip_prefix('+').unwrap_or(v);
    if let Some(i) = parse_radix(unsigned, from) {
        return Some(i);
    }
    if unsigned.starts_with(['+', '-']) || digits_but_not_number(v) {
        return None;
    }
    from(unsigned, 10).ok()
}

/// An integer with an optional sign.
pub(super) fn parse_signed_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    let unsigned = match v.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => v,
    };
    if let Some(i) = parse_radix(unsigned, from).or_else(|| parse_negative_radix(v, from)) {
        return Some(i);
    }
    if digits_but_not_number(v) {
        return None;
    }
    from(unsigned, 10).ok()
}

/// A negative integer (or any integer `from` accepts, in decimal).
fn parse_negative_int<T>(v: &str, from: Radix<T>) -> Option<T> {
    if let Some(i) = parse_negative_radix(v, from) {
        return Some(i);
    }
    if digits_but_not_number(v) {
        return None;
    }
    from(v, 10).ok()
}

pub(super) fn parse_f64(v: &str) -> Option<f64> {
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
pub(super) fn visit_scalar<'de, V: Visitor<'de>>(
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
pub(super) fn invalid_type(node: &Node, exp: &dyn Expected) -> Error {
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

pub(super) fn is_empty_plain(node: &Node) -> bool {
    match &node.kind {
        Kind::Void => true,
        Kind::Scalar(v, style) => v.is_empty() && *style == TScalarStyle::Plain,
        _ => false,
    }
}
