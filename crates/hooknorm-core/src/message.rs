//! The signed message of a scheme, built one way for verification and for signing: the
//! scheme's message parts read from the request (or the item), with `join` between them.
//!
//! Parts are borrowed from the request where they can be, so verification feeds them to the
//! MAC one by one without copying; asymmetric algorithms and signing take the concatenation.
//! Each caller turns a [`Missing`] part into its own error.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::error::HandleError;
use crate::plan::{Scheme, Source, SourceKind};
use crate::request::Scope;

/// The signed message, as parts in order (`join` included between them), on the stack for
/// the usual few (Stripe's `t`, `.`, body is three).
pub(crate) struct SignedMessage<'b> {
    parts: SmallVec<[Cow<'b, [u8]>; 6]>,
}

/// Why the signed message could not be built.
pub(crate) enum Unbuilt<'b> {
    /// A part has no value.
    Missing(Missing<'b>),
    /// Reading a part failed (an unparsable URL or form, text that is not UTF-8).
    Failed(HandleError),
}

/// A message part without a value.
pub(crate) struct Missing<'b> {
    /// The part's source (for the error message: `Scope::describe`).
    pub part: &'b Source,
    /// Whether it is a secret part (a PayPal webhook id): the host's to supply, not the
    /// request's.
    pub secret: bool,
}

impl<'b> SignedMessage<'b> {
    /// Builds the signed message of a scheme, or tells which part is missing.
    pub fn build(scheme: &'b Scheme, scope: &Scope<'_, 'b>) -> Result<Self, Unbuilt<'b>> {
        let mut parts = SmallVec::new();
        for (i, p) in scheme.message.iter().enumerate() {
            if i > 0 && !scheme.join.is_empty() {
                parts.push(Cow::Borrowed(scheme.join.as_bytes()));
            }
            match scope.get(p).map_err(Unbuilt::Failed)? {
                Some(v) => parts.push(v),
                None => {
                    return Err(Unbuilt::Missing(Missing {
                        part: p,
                        secret: matches!(p.kind, SourceKind::Secret(_)),
                    }))
                }
            }
        }
        Ok(SignedMessage { parts })
    }

    /// The parts in order, to feed a MAC one by one.
    pub fn parts(&self) -> &[Cow<'b, [u8]>] {
        &self.parts
    }

    /// The whole message in one buffer.
    pub fn concat(&self) -> Vec<u8> {
        self.parts.concat()
    }
}
