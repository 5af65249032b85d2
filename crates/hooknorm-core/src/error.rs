//! Error types: errors of a `handle` call (with a verification report) and spec errors.

use std::borrow::Cow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What went wrong with a webhook. Serializes as its name (`InvalidSignature`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ErrorKind {
    /// No connector of that name is loaded.
    UnknownConnector,
    /// The request itself is unusable (e.g. an unparsable URL).
    InvalidRequest,
    /// The secret the connector needs was not supplied.
    MissingSecret,
    /// A supplied secret cannot be decoded as the connector's key (bad hex, bad PEM, ...).
    InvalidSecret,
    /// The request carries no signature (or a signed input such as a timestamp header is missing).
    MissingSignature,
    /// The signature value cannot be parsed.
    MalformedSignature,
    /// No signature matched.
    InvalidSignature,
    /// The signing certificate's URL is not the processor's.
    UntrustedCertificate,
    /// The signed timestamp is outside the replay window.
    TimestampOutOfTolerance,
    /// The body cannot be decoded, or a value the spec needs has the wrong form.
    MalformedBody,
    /// The body is larger than the connector allows.
    BodyTooLarge,
    /// `sign` was asked for something the spec cannot produce.
    SignUnsupported,
}

impl ErrorKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::UnknownConnector => "UnknownConnector",
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::MissingSecret => "MissingSecret",
            ErrorKind::InvalidSecret => "InvalidSecret",
            ErrorKind::MissingSignature => "MissingSignature",
            ErrorKind::MalformedSignature => "MalformedSignature",
            ErrorKind::InvalidSignature => "InvalidSignature",
            ErrorKind::UntrustedCertificate => "UntrustedCertificate",
            ErrorKind::TimestampOutOfTolerance => "TimestampOutOfTolerance",
            ErrorKind::MalformedBody => "MalformedBody",
            ErrorKind::BodyTooLarge => "BodyTooLarge",
            ErrorKind::SignUnsupported => "SignUnsupported",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The steps of one `handle` call while it runs: on the stack for the usual few, turned into
/// [`HandleError::report`] only when the call fails.
pub(crate) type Report = smallvec::SmallVec<[ReportStep; 6]>;

/// One step of verification, as reported with an error. Never contains secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportStep {
    /// `connector`, `body`, `checks`, `signature`, `timestamp`, `document`, `items`, `extract`.
    pub step: Cow<'static, str>,
    /// The step passed.
    pub ok: bool,
    /// What was found; never a secret or a signature.
    pub detail: Cow<'static, str>,
}

/// A failed `handle` (or `sign`) call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HandleError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// A message for people; never contains secrets.
    pub message: String,
    /// For `TimestampOutOfTolerance`: now minus the signed timestamp, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_seconds: Option<i64>,
    /// The steps taken, the last one failed.
    #[serde(default)]
    pub report: Vec<ReportStep>,
}

impl HandleError {
    /// An error of that kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        HandleError {
            kind,
            message: message.into(),
            delta_seconds: None,
            report: Vec::new(),
        }
    }
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for HandleError {}

/// A problem in a connector spec, located in its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpecError {
    /// The spec file, as named when loading.
    pub file: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub column: usize,
    /// Dotted key path, e.g. `events.rules[2].when`.
    pub key: String,
    /// What is wrong, and what to write instead where that is known.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// All problems found while loading specs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LoadError {
    /// Every problem of every file, in file order.
    pub errors: Vec<SpecError>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
