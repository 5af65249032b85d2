//! The projection's fast path: one hand-written pass over the body's bytes that fills the same
//! slots and builds the same partial tree as the `serde` walk in the parent module, without its
//! per-value visitor calls.
//!
//! It accepts only what `serde_json` accepts, and gives up ([`Bail`]) on anything it does not
//! handle itself: then the caller runs the `serde` walk, which yields the result or the error.
//! So a body's outcome never depends on which path read it, only its speed does; the tests below
//! check both agree on random, rich and damaged documents. What it gives up
//! on (all rare in webhooks): syntax errors, nesting deeper than [`MAX_DEPTH`], escapes in a
//! member name it must compare, control characters in a member name, and a kept value `serde_json`
//! itself refuses (a number out of range).
//!
//! Values it keeps whole (a kept subtree, a slot holding an object or array, a number other than
//! a plain non-negative integer, an escaped string) are found here and handed to `serde_json` as
//! that one slice, so their values are `serde_json`'s own.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{keep_whole, Doc, Node, Projection, Tree};
use crate::value::Val;

/// The fast path gave up: the caller parses with `serde_json` instead.
#[derive(Debug, PartialEq)]
pub(crate) struct Bail;

/// Deeper nesting goes to `serde_json` (whose own limit is 128 for values it builds).
const MAX_DEPTH: usize = 100;

type R<T> = Result<T, Bail>;

/// Parses `bytes` as [`Projection::parse`] does, or gives up.
pub(super) fn parse<'a>(p: &Projection, bytes: &'a [u8]) -> R<Doc<'a>> {
    let mut s = Scan::new(bytes);
    let mut slots = p.empty_slots();
    s.ws();
    let tree = s.node(&p.root, &mut slots, 0)?;
    s.ws();
    if s.i != bytes.len() {
        return Err(Bail);
    }
    Ok(Doc {
        tree: tree.unwrap_or(Value::Null),
        slots,
    })
}

/// `b` as text when every byte of it is ASCII; `None` otherwise (then `std::str::from_utf8`
/// decides). Slot strings are nearly always ASCII (ids, codes, statuses), and this check is a
/// word at a time and inline, where `from_utf8` costs a call and a byte loop per short string.
#[allow(unsafe_code)]
#[inline]
fn ascii_str(b: &[u8]) -> Option<&str> {
    if b.is_ascii() {
        // SAFETY: every byte is below 0x80, and a sequence of ASCII bytes is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        None
    }
}

/// A cursor over the body. Every reading method starts at the first byte of what it reads
/// (whitespace already skipped) and stops just after it.
pub(crate) struct Scan<'a> {
    b: &'a [u8],
    /// The cursor: the index of the next byte to read.
    pub(crate) i: usize,
}

impl<'a> Scan<'a> {
    /// A cursor at the start of `b`.
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Scan { b, i: 0 }
    }

    pub(crate) fn peek(&self) -> R<u8> {
        self.b.get(self.i).copied().ok_or(Bail)
    }

    #[inline(always)]
    pub(crate) fn ws(&mut self) {
        // Whitespace is at most a space; most calls find none, or the one space after a colon.
        match self.b.get(self.i) {
            Some(&c) if c > b' ' => {}
            Some(b' ') if self.b.get(self.i + 1).is_some_and(|&c| c > b' ') => self.i += 1,
            _ => self.more_ws(),
        }
    }

    /// Whitespace where pretty-printed JSON has a line break and indentation (after `{`, `[`
    /// and `,`, and before `}` and `]`): those are read inline.
    #[inline(always)]
    fn line_ws(&mut self) {
        if self.b.get(self.i) == Some(&b'\n') {
            self.i += 1;
            if self.b.get(self.i) == Some(&b' ') {
                self.i += spaces(&self.b[self.i..]);
            }
        }
        self.ws();
    }

    #[inline(never)]
    fn more_ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                // Indentation: runs of spaces, eight at a time.
                b' ' => self.i += spaces(&self.b[self.i..]),
                b'\n' | b'\r' | b'\t' => self.i += 1,
                _ => return,
            }
        }
    }

    /// The `:` after a member name, and the whitespace after it. Almost always the colon
    /// follows the name at once: that is checked inline.
    #[inline(always)]
    pub(crate) fn colon(&mut self) -> R<()> {
        if self.b.get(self.i) == Some(&b':') {
            self.i += 1;
        } else {
            self.expect(b':')?;
        }
        self.ws();
        Ok(())
    }

    /// Consumes `c` (after whitespace).
    pub(crate) fn expect(&mut self, c: u8) -> R<()> {
        self.ws();
        if self.peek()? != c {
            return Err(Bail);
        }
        self.i += 1;
        Ok(())
    }

    /// After a member or an element: `true` at `,` (and the whitespace after it), `false` at
    /// the `close` that ends the container.
    #[inline(always)]
    pub(crate) fn more(&mut self, close: u8) -> R<bool> {
        self.line_ws();
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            self.line_ws();
            Ok(true)
        } else if c == close {
            Ok(false)
        } else {
            Err(Bail)
        }
    }

    /// Opens a container: `true` when it has a first member or element (at the cursor).
    #[inline(always)]
    pub(crate) fn open(&mut self, depth: usize, close: u8) -> R<bool> {
        if depth >= MAX_DEPTH {
            return Err(Bail);
        }
        self.i += 1;
        self.line_ws();
        if self.peek()? == close {
            self.i += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads the value at a projection node, as the parent module's `Seed` does.
    fn node(
        &mut self,
        node: &Node,
        slots: &mut [Option<Val<'a>>],
        depth: usize,
    ) -> R<Option<Value>> {
        if let Some(s) = node.leaf_slot() {
            slots[s] = Some(self.leaf(depth)?);
            return Ok(None);
        }
        if node.reads_whole() {
            let v = self.whole(depth)?;
            return Ok(keep_whole(node, v, slots));
        }
        let Tree::Select {
            members,
            elements,
            indexed,
        } = &node.tree
        else {
            self.skip(depth)?;
            return Ok(None);
        };
        let v = match self.peek()? {
            b'{' => {
                // Only a node in the tree builds its object (an empty map costs its drop).
                let mut out = node.in_tree.then(Map::new);
                let mut more = self.open(depth, b'}')?;
                while more {
                    let key = self.key()?;
                    self.colon()?;
                    match members.find(key) {
                        Some((name, child)) => match child.leaf_slot() {
                            Some(s) => slots[s] = Some(self.leaf(depth + 1)?),
                            None => {
                                // A child in the tree has its parent in the tree.
                                if let (Some(v), Some(out)) =
                                    (self.node(child, slots, depth + 1)?, out.as_mut())
                                {
                                    out.insert(name.clone(), v);
                                }
                            }
                        },
                        None => self.skip(depth + 1)?,
                    }
                    more = self.more(b'}')?;
                }
                match out {
                    Some(out) => Value::Object(out),
                    None => return Ok(None),
                }
            }
            b'[' => {
                let mut out = Vec::new();
                let mut more = self.open(depth, b']')?;
                let mut at = 0;
                while more {
                    match elements {
                        Some(el) => {
                            out.push(self.node(el, slots, depth + 1)?.unwrap_or(Value::Null))
                        }
                        None => match indexed.iter().find(|(i, _)| *i == at) {
                            Some((_, child)) => {
                                self.node(child, slots, depth + 1)?;
                            }
                            None => self.skip(depth + 1)?,
                        },
                    }
                    at += 1;
                    more = self.more(b']')?;
                }
                Value::Array(out)
            }
            _ => self.whole(depth)?,
        };
        Ok(node.in_tree.then_some(v))
    }

    /// A value read whole by `serde_json` from its own slice.
    fn whole(&mut self, depth: usize) -> R<Value> {
        let start = self.i;
        self.skip(depth)?;
        serde_json::from_slice(&self.b[start..self.i]).map_err(|_| Bail)
    }

    /// A leaf slot's value: a string without escapes borrowed from the body, a plain
    /// non-negative integer read here, anything else read whole.
    fn leaf(&mut self, depth: usize) -> R<Val<'a>> {
        match self.peek()? {
            b'"' => {
                let start = self.i;
                let (text, escaped) = self.string()?;
                if escaped {
                    let s: String =
                        serde_json::from_slice(&self.b[start..self.i]).map_err(|_| Bail)?;
                    return Ok(Val::Text(Cow::Owned(s)));
                }
                let s = match ascii_str(text) {
                    Some(s) => s,
                    None => std::str::from_utf8(text).map_err(|_| Bail)?,
                };
                Ok(Val::Text(Cow::Borrowed(s)))
            }
            b'0'..=b'9' => {
                let start = self.i;
                self.number()?;
                let digits = &self.b[start..self.i];
                // Up to 19 digits always fits a u64; a leading zero is the number 0 itself.
                if digits.len() <= 19 && digits.iter().all(u8::is_ascii_digit) {
                    let n = crate::convert::decimal(digits);
                    return Ok(Val::Json(Cow::Owned(Value::from(n))));
                }
                serde_json::from_slice(digits)
                    .map(|v| Val::Json(Cow::Owned(v)))
                    .map_err(|_| Bail)
            }
            b'n' => self
                .literal(b"null")
                .map(|()| Val::Json(Cow::Owned(Value::Null))),
            b't' => self
                .literal(b"true")
                .map(|()| Val::Json(Cow::Owned(Value::Bool(true)))),
            b'f' => self
                .literal(b"false")
                .map(|()| Val::Json(Cow::Owned(Value::Bool(false)))),
            _ => self.whole(depth).map(|v| Val::Json(Cow::Owned(v))),
        }
    }

    /// A member name, as bytes (the cursor is at its opening quote). Names with escapes or
    /// control characters give up: `serde_json` reads those.
    #[inline(always)]
    pub(crate) fn key(&mut self) -> R<&'a [u8]> {
        if self.peek()? != b'"' {
            return Err(Bail);
        }
        match self.string()? {
            (text, false) => Ok(text),
            (_, true) => Err(Bail),
        }
    }

    /// Skips a string (the cursor at its opening quote, then just past its closing quote),
    /// checking it as `serde_json` does: no control characters, valid escapes. Returns the
    /// bytes between the quotes and whether they hold an escape.
    #[inline(always)]
    fn string(&mut self) -> R<(&'a [u8], bool)> {
        let start = self.i + 1;
        let rest = self.b.get(start..).ok_or(Bail)?;
        let n = special(rest);
        if rest.get(n) == Some(&b'"') {
            self.i = start + n + 1;
            return Ok((&rest[..n], false));
        }
        self.i = start + n;
        self.escaped_string(start)
    }

    /// The rest of a string from the first escape or control character at the cursor (see
    /// [`Scan::string`]).
    #[cold]
    fn escaped_string(&mut self, start: usize) -> R<(&'a [u8], bool)> {
        let b = self.b;
        loop {
            match b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok((&b[start..self.i - 1], true));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match b.get(self.i) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                        Some(b'u') => {
                            let hex = b.get(self.i + 1..self.i + 5).ok_or(Bail)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Bail);
                            }
                            self.i += 5;
                        }
                        _ => return Err(Bail),
                    }
                }
                // A control character, or the end of the body.
                _ => return Err(Bail),
            }
            self.i += special(&b[self.i..]);
        }
    }

    /// Skips a number, checking JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> R<()> {
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return Err(Bail),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    fn some_digits(&mut self) -> R<()> {
        let from = self.i;
        self.digits();
        if self.i == from {
            return Err(Bail);
        }
        Ok(())
    }

    /// `true`, `false` or `null`; a fixed-size compare the compiler does inline.
    fn literal<const N: usize>(&mut self, word: &[u8; N]) -> R<()> {
        match self.b.get(self.i..self.i + N) {
            Some(s) if s == word => {
                self.i += N;
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    /// Skips any value, checking it as `serde_json` does. Scalars are skipped inline, only
    /// containers call out.
    #[inline(always)]
    pub(crate) fn skip(&mut self, depth: usize) -> R<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => self.skip_container(depth),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Bail),
        }
    }

    /// Skips an object or an array (the cursor at its opening bracket).
    fn skip_container(&mut self, depth: usize) -> R<()> {
        if self.peek()? == b'{' {
            let mut more = self.open(depth, b'}')?;
            while more {
                if self.peek()? != b'"' {
                    return Err(Bail);
                }
                self.string()?;
                self.colon()?;
                self.skip(depth + 1)?;
                more = self.more(b'}')?;
            }
        } else {
            let mut more = self.open(depth, b']')?;
            while more {
                self.skip(depth + 1)?;
                more = self.more(b']')?;
            }
        }
        Ok(())
    }
}

/// The number of spaces `s` starts with, eight bytes at a time.
#[inline(always)]
fn spaces(s: &[u8]) -> usize {
    const SPACES: u64 = u64::MAX / 255 * 0x20;
    let mut at = 0;
    while let Some(chunk) = s.get(at..at + 8) {
        let other = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ SPACES;
        if other != 0 {
            return at + (other.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + s[at..].iter().take_while(|&&c| c == b' ').count()
}

/// The high bit of each byte of `x` (eight bytes, little-endian) that is a quote, a backslash
/// or a control character. Each term sets a byte's high bit when that byte is below 0x20, or is 0
/// after the xor (a quote, a backslash); `!x` drops bytes of 0x80 and above, which are never
/// special. A subtraction borrows only out of a special byte, so every byte before the first
/// special one is clear and the lowest set bit is exactly that byte (bytes after it may be
/// flagged falsely: callers look only at the lowest).
#[inline(always)]
pub(crate) fn special_bits(x: u64) -> u64 {
    const ONES: u64 = u64::MAX / 255;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    (x.wrapping_sub(ONES * 0x20) | quote.wrapping_sub(ONES) | backslash.wrapping_sub(ONES))
        & !x
        & (ONES << 7)
}

/// A byte a JSON string cannot hold as it is: a quote, a backslash or a control character.
#[inline(always)]
pub(crate) fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// The length of the run before the first `"`, `\` or control character (all of `s` when
/// there is none), eight bytes at a time.
#[inline(always)]
fn special(s: &[u8]) -> usize {
    let mut at = 0;
    while let Some(chunk) = s.get(at..at + 8) {
        let hits = special_bits(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + s[at..]
        .iter()
        .position(|&c| is_special(c))
        .unwrap_or(s.len() - at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::tests::{doc_strategy, path_strategy, project};
    use proptest::prelude::*;

    /// Runs both paths on the same bytes. The fast path must give up or return exactly what
    /// the `serde` walk returns (so never accept what it refuses). Returns whether it was taken.
    fn agree(p: &Projection, bytes: &[u8]) -> bool {
        let reference = p.parse_serde(bytes);
        match parse(p, bytes) {
            Ok(doc) => {
                assert_eq!(
                    reference.as_ref().ok(),
                    Some(&doc),
                    "on {:?}",
                    String::from_utf8_lossy(bytes)
                );
                true
            }
            Err(Bail) => false,
        }
    }

    /// Documents with awkward leaves: any string (escaped when serialized), any integer, floats,
    /// and member names that need escapes or are not ASCII.
    fn rich_doc_strategy() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            any::<String>().prop_map(Value::from),
            proptest::sample::select(vec!["x", "", "\u{1}", "é", "a\"b", "\\", "\u{1F600}"])
                .prop_map(Value::from),
        ];
        let name = proptest::sample::select(vec!["a", "b", "c", "0", "é", "a\"b", "\n", ""]);
        leaf.prop_recursive(4, 40, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(name.clone().prop_map(String::from), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A rich path: the usual segments plus member names that need escapes.
    fn rich_path_strategy() -> impl Strategy<Value = String> {
        let seg = proptest::sample::select(vec![
            ".a", ".b", "['0']", "[0]", "[1]", "[-1]", "[*]", ".*", "..a", "[?@.a]", "['é']",
            "['a\"b']", "['\\n']", "['']",
        ]);
        proptest::collection::vec(seg, 0..4).prop_map(|segs| format!("${}", segs.concat()))
    }

    /// Bytes that matter to JSON's grammar, and some that are never valid in it.
    const DAMAGE: &[u8] =
        b"{}[]:,\"\\ \n\x0b\x0c0123456789-+.eEtrufalsnu\x00\x01\x1f\x7f\x80\xc3\xff";

    proptest! {
        /// On well-formed documents of the usual shape the fast path is taken, and agrees.
        #[test]
        fn fast_path_is_taken_and_agrees_on_any_document(
            doc in doc_strategy(),
            paths in proptest::collection::vec(path_strategy(), 1..6),
            pretty in any::<bool>(),
        ) {
            let body = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            let (p, _) = project(&refs);
            prop_assert!(agree(&p, body.as_bytes()), "fast path not taken on {body}");
        }

        /// Escaped strings, any numbers, names with escapes: wherever the fast path answers,
        /// its answer is the `serde` walk's.
        #[test]
        fn fast_path_agrees_on_rich_documents(
            doc in rich_doc_strategy(),
            paths in proptest::collection::vec(rich_path_strategy(), 1..6),
        ) {
            let body = doc.to_string();
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            let (p, _) = project(&refs);
            agree(&p, body.as_bytes());
        }

        /// Damaged documents (a byte removed, replaced or inserted, or the text cut short): the
        /// fast path never accepts one that `serde_json` refuses, and agrees on the rest.
        #[test]
        fn fast_path_never_accepts_what_serde_refuses(
            doc in doc_strategy(),
            paths in proptest::collection::vec(path_strategy(), 1..4),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..5u8, proptest::sample::select(DAMAGE)), 1..3),
        ) {
            let mut body = serde_json::to_string_pretty(&doc).unwrap().into_bytes();
            for (at, kind, byte) in edits {
                let i = at.index(body.len() + 1);
                let closers: Vec<usize> = (0..body.len()).filter(|&j| matches!(body[j], b'}' | b']')).collect();
                match kind {
                    0 if i < body.len() => { body.remove(i); }
                    1 if i < body.len() => body[i] = byte,
                    2 => body.insert(i, byte),
                    // A trailing comma.
                    3 if !closers.is_empty() => body.insert(closers[at.index(closers.len())], b','),
                    _ => body.truncate(i),
                }
            }
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            let (p, _) = project(&refs);
            agree(&p, &body);
        }

        /// The eight-bytes-at-a-time scan finds what a byte-by-byte scan finds.
        #[test]
        fn special_finds_the_first_quote_backslash_or_control(
            s in proptest::collection::vec(prop_oneof![
                4 => 0x20u8..0x7f,
                1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x1f, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff]),
            ], 0..40),
        ) {
            let naive = s.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(s.len());
            prop_assert_eq!(special(&s), naive);
        }

        /// The eight-at-a-time count of leading spaces is the byte-by-byte count.
        #[test]
        fn spaces_counts_the_leading_spaces(
            n in 0..40usize,
            rest in proptest::collection::vec(proptest::sample::select(vec![b' ', b'\n', b'"', 0x00, 0xa0]), 0..20),
        ) {
            let mut s = vec![b' '; n];
            s.extend(&rest);
            let naive = s.iter().take_while(|&&c| c == b' ').count();
            prop_assert_eq!(spaces(&s), naive);
        }
    }

    #[test]
    fn what_serde_json_refuses_the_fast_path_gives_up_on() {
        let (p, _) = project(&["$.a", "$.b.c"]);
        for bad in [
            &br#"{"a":1,}"#[..],
            br#"{"a":[1,]}"#,
            br#"{"a":01}"#,
            br#"{"a":1.}"#,
            br#"{"a":-}"#,
            br#"{"a":1e}"#,
            br#"{"a":.5}"#,
            br#"{"a":+1}"#,
            br#"{"x":tru}"#,
            br#"{"x":nul}"#,
            // Misspelt at each position, at full length: skipped, and read into a slot.
            br#"{"x":ttue}"#,
            br#"{"x":trux}"#,
            br#"{"x":nulL}"#,
            br#"{"x":falsy}"#,
            br#"{"x":fAlse}"#,
            br#"{"a":nUll}"#,
            br#"{"a":truE}"#,
            br#"{"a":falsE}"#,
            b"{\"x\":\"a\x01b\"}",
            b"{\"a\":\"a\tb\"}",
            br#"{"x":"\q"}"#,
            br#"{"x":"\u12g4"}"#,
            br#"{"x":"\u12"}"#,
            br#"{"x":"abc"#,
            br#"{"a":1} 2"#,
            br#"{"a":1"#,
            br#"{"a" 1}"#,
            br#"{a:1}"#,
            br#"{,}"#,
            br#"[1 2]"#,
            b"\xef\xbb\xbf{}",
            b"",
            b"   ",
            b"{\"a\":\"\xff\"}",
            br#"{"a":1e999}"#,
        ] {
            assert!(
                p.parse_serde(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert_eq!(
                parse(&p, bad).err(),
                Some(Bail),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert!(p.parse(bad).is_err());
        }
        // Nested past the fast path's depth: `serde_json` decides.
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(150), "]".repeat(150));
        assert_eq!(parse(&p, deep.as_bytes()).err(), Some(Bail));
        assert!(
            p.parse(deep.as_bytes()).is_ok(),
            "a skipped value has no depth limit"
        );
    }

    #[test]
    fn slot_values_are_serde_json_values() {
        let (p, _) = project(&["$.a", "$.b", "$.c[1]"]);
        for (leaf, taken) in [
            ("0", true),
            ("-0", true),
            ("-12", true),
            ("2000", true),
            ("9999999999999999999", true),
            ("18446744073709551615", true),
            ("18446744073709551616", true),
            ("-9223372036854775809", true),
            ("1.5", true),
            ("1E+2", true),
            ("2.5e-3", true),
            ("true", true),
            ("null", true),
            (r#""plain""#, true),
            (r#""esc\"aped\u00e9\n""#, true),
            (r#""\ud83d\ude00""#, true),
            (r#""\ud800""#, false),
            (r#"{"k":[1,{"z":null}]}"#, true),
            ("[]", true),
        ] {
            let body = format!(r#"{{"a": {leaf}, "b": {{"a": {leaf}}}, "c": [{leaf}, {leaf}]}}"#);
            assert_eq!(agree(&p, body.as_bytes()), taken, "{body}");
        }
        // A borrowed string stays borrowed; an escaped one is unescaped.
        let doc = parse(&p, br#"{"a": "pi_1", "b": "x\/y"}"#).unwrap();
        assert!(matches!(
            doc.slots[0],
            Some(Val::Text(Cow::Borrowed("pi_1")))
        ));
        assert_eq!(doc.slots[1], Some(Val::Text(Cow::Owned("x/y".into()))));
        // Text that is not ASCII is checked as UTF-8 and borrowed too; bytes that are not
        // UTF-8 (alone, after a long ASCII run, or a sequence cut short) are refused.
        let doc = parse(&p, "{\"a\": \"café ✓ – ok\"}".as_bytes()).unwrap();
        assert!(matches!(
            doc.slots[0],
            Some(Val::Text(Cow::Borrowed("café ✓ – ok")))
        ));
        for bad in [
            &b"{\"a\": \"order_0123456789\xff\"}"[..],
            b"{\"a\": \"caf\xc3\"}",
            b"{\"a\": \"\xed\xa0\x80\"}",
        ] {
            assert_eq!(parse(&p, bad).err(), Some(Bail));
            assert!(p.parse(bad).is_err());
        }
    }

    #[test]
    fn ascii_str_is_some_for_ascii_bytes_only() {
        assert_eq!(ascii_str(b""), Some(""));
        assert_eq!(
            ascii_str(b"pi_3OCxDsHkNrmTst001A2b3C4d\x7f"),
            Some("pi_3OCxDsHkNrmTst001A2b3C4d\x7f")
        );
        for bad in [
            &b"\x80"[..],
            b"abcdefghijklmnop\xc3\xa9",
            "é".as_bytes(),
            b"\xff",
        ] {
            assert_eq!(ascii_str(bad), None);
        }
    }

    /// Every JSON body among the fixtures reads by the fast path, with the `serde` walk's result.
    #[test]
    fn every_json_fixture_body_takes_the_fast_path() {
        let engine = crate::Engine::bundled().unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
        let (mut json, mut taken) = (0, 0);
        for conn in std::fs::read_dir(dir).unwrap() {
            let conn = conn.unwrap().path();
            if !conn.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&conn).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                let fixture: Value = serde_json::from_str(&text).unwrap();
                let Ok(req) =
                    serde_json::from_value::<crate::HandleRequest>(fixture["request"].clone())
                else {
                    continue;
                };
                let Some(c) = engine.connector(&req.connector) else {
                    continue;
                };
                let body = &req.request_details.body;
                if c.projection.parse_serde(body).is_ok() {
                    json += 1;
                    if agree(&c.projection, body) {
                        taken += 1;
                    }
                }
            }
        }
        assert!(json > 300, "{json} JSON fixture bodies");
        assert_eq!(taken, json, "JSON bodies read by the fast path");
    }
}
