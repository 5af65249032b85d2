//! A value read from a webhook: a JSON node, or text that is usually borrowed straight from the
//! body. Plain paths read their values from projection slots, where a JSON string without
//! escapes stays a slice of the body; it is copied once, when the output needs it.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::request::json_text;

/// A value read from a webhook, borrowed where it can be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'v> {
    /// A JSON node (a string read from a parsed tree stays here too).
    Json(Cow<'v, Json>),
    /// Text: a JSON string read without building a tree, or a value made into text.
    Text(Cow<'v, str>),
}

impl<'v> Val<'v> {
    /// The same value, borrowed from this one.
    pub fn borrowed(&self) -> Val<'_> {
        match self {
            Val::Json(j) => Val::Json(Cow::Borrowed(j)),
            Val::Text(t) => Val::Text(Cow::Borrowed(t)),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Val::Json(j) if j.is_null())
    }

    /// The value when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Json(j) => j.as_str(),
            Val::Text(t) => Some(t),
        }
    }

    /// The value as text ([`json_text`]): `None` for null.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Val::Json(j) => json_text(j),
            Val::Text(t) => Some(Cow::Borrowed(t)),
        }
    }

    /// The value as text, keeping the borrow of the document (or moving owned text out).
    pub fn into_text(self) -> Option<Cow<'v, str>> {
        match self {
            Val::Text(t) => Some(t),
            Val::Json(Cow::Borrowed(j)) => json_text(j),
            Val::Json(Cow::Owned(Json::String(s))) => Some(Cow::Owned(s)),
            Val::Json(Cow::Owned(j)) => json_text(&j).map(|t| Cow::Owned(t.into_owned())),
        }
    }

    /// The value as a JSON node (text becomes a JSON string).
    pub fn json(&self) -> Cow<'_, Json> {
        match self {
            Val::Json(j) => Cow::Borrowed(j),
            Val::Text(t) => Cow::Owned(Json::String(t.to_string())),
        }
    }

    /// The value as an owned JSON node.
    pub fn into_json(self) -> Json {
        match self {
            Val::Json(j) => j.into_owned(),
            Val::Text(t) => Json::String(t.into_owned()),
        }
    }
}

/// A value a path found, borrowed where it is: a projection slot's value or a node of the
/// tree. Two words, so it is returned in registers; a [`Val`] is returned through memory, and
/// writing one field by field then copying it whole costs a stalled load per read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found<'v> {
    Slot(&'v Val<'v>),
    Node(&'v Json),
}

impl<'v> Found<'v> {
    /// The value, borrowed.
    #[inline]
    pub fn val(self) -> Val<'v> {
        match self {
            Found::Slot(v) => v.borrowed(),
            Found::Node(j) => Val::Json(Cow::Borrowed(j)),
        }
    }

    /// [`Val::is_null`].
    #[inline]
    pub fn is_null(self) -> bool {
        match self {
            Found::Slot(v) => v.is_null(),
            Found::Node(j) => j.is_null(),
        }
    }

    /// [`Val::as_str`].
    #[inline]
    pub fn as_str(self) -> Option<&'v str> {
        match self {
            Found::Slot(v) => v.as_str(),
            Found::Node(j) => j.as_str(),
        }
    }

    /// [`Val::text`].
    #[inline]
    pub fn text(self) -> Option<Cow<'v, str>> {
        match self {
            Found::Slot(v) => v.text(),
            Found::Node(j) => json_text(j),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_and_json_views_agree() {
        let node = json!("abc");
        let cases = [
            Val::Json(Cow::Borrowed(&node)),
            Val::Json(Cow::Owned(json!("abc"))),
            Val::Text(Cow::Borrowed("abc")),
            Val::Text(Cow::Owned("abc".to_string())),
        ];
        for v in cases {
            assert_eq!(v.as_str(), Some("abc"), "{v:?}");
            assert_eq!(v.text().as_deref(), Some("abc"), "{v:?}");
            assert_eq!(*v.json(), json!("abc"), "{v:?}");
            assert_eq!(v.borrowed().into_json(), json!("abc"), "{v:?}");
            assert_eq!(v.into_text().as_deref(), Some("abc"));
        }
    }

    /// A value found in a slot or in the tree reads the same as the `Val` it stands for.
    #[test]
    fn found_values_read_as_their_vals() {
        let nodes = [
            json!("abc"),
            json!(""),
            json!(12.5),
            json!(true),
            Json::Null,
            json!({"a": 1}),
        ];
        let mut slots: Vec<Val> = nodes.iter().map(|n| Val::Json(Cow::Borrowed(n))).collect();
        slots.push(Val::Text(Cow::Borrowed("text")));
        slots.push(Val::Text(Cow::Owned("owned".to_string())));
        slots.push(Val::Json(Cow::Owned(json!(7))));
        let found = slots.iter().map(|v| (Found::Slot(v), v.clone())).chain(
            nodes
                .iter()
                .map(|n| (Found::Node(n), Val::Json(Cow::Borrowed(n)))),
        );
        for (f, v) in found {
            assert_eq!(f.as_str(), v.as_str(), "{v:?}");
            assert_eq!(f.text(), v.text(), "{v:?}");
            assert_eq!(f.is_null(), v.is_null(), "{v:?}");
            assert_eq!(f.val(), v, "{v:?}");
        }
    }

    #[test]
    fn numbers_booleans_and_null() {
        let n = Val::Json(Cow::Owned(json!(12.5)));
        assert_eq!(n.as_str(), None);
        assert_eq!(n.text().as_deref(), Some("12.5"));
        assert_eq!(n.into_text().as_deref(), Some("12.5"));
        let b = Val::Json(Cow::Owned(json!(true)));
        assert_eq!(b.text().as_deref(), Some("true"));
        let null = Val::Json(Cow::Owned(Json::Null));
        assert!(null.is_null());
        assert!(!Val::Text(Cow::Borrowed("")).is_null());
        assert_eq!(null.text(), None);
        assert_eq!(null.into_text(), None);
    }

    #[test]
    fn into_text_keeps_the_borrow() {
        let body = String::from("from the body");
        let v = Val::Text(Cow::Borrowed(&body[..]));
        assert!(matches!(v.into_text(), Some(Cow::Borrowed(_))));
        let node = json!("in a tree");
        let v = Val::Json(Cow::Borrowed(&node));
        assert!(matches!(v.into_text(), Some(Cow::Borrowed(_))));
    }
}
