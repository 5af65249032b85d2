//! The connector spec language: the serde model of one YAML file under `connectors/`.
//!
//! Every type rejects unknown keys; maps reject duplicate keys. `schemas/connector.schema.json`
//! is generated from these types (`hooknorm schema`), so the doc comments here are what YAML
//! editors show.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

pub(crate) use crate::resource::{DisputeSpec, PaymentSpec, RefundSpec};

/// One connector: how its webhooks are decoded, verified, classified and extracted.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSpec {
    /// Connector name as hosts pass it (`stripe`, `standard-webhooks`). Lowercase letters, digits
    /// and `-`; must match the file name without `.yaml`.
    pub connector: String,
    /// Free-form version of this spec, reported by `hooknorm connectors`.
    #[serde(default)]
    pub version: Option<String>,
    /// What this connector is, for people.
    #[serde(default)]
    pub description: Option<String>,
    /// The named secrets this connector reads (`secret`, `additional_secret`, or further names the
    /// host passes as extra keys of `webhook_secrets`). Every secret used must be declared.
    #[serde(default)]
    pub secrets: UniqueMap<SecretDecl>,
    /// How the body is decoded into the document that paths run against.
    #[serde(default)]
    pub body: BodySpec,
    /// Batch notifications: the JSONPath of the items; each item yields one event and paths of
    /// `fields`, `events` and the resources run against the item. Without it the whole document
    /// is the single item.
    #[serde(default)]
    pub items: Option<ItemsSpec>,
    /// How the webhook is signed. Give either `signature` or `unsigned: true`.
    #[serde(default)]
    pub signature: Option<SignatureSpec>,
    /// The processor does not sign its webhooks: events are not `source_verified` and are
    /// `INCOMPLETE` (the host must fetch the resource).
    #[serde(default)]
    pub unsigned: bool,
    /// Named values read from each item, usable in rule conditions (`when`), templates and as
    /// `field:` references.
    #[serde(default)]
    pub fields: UniqueMap<ValueSpec>,
    /// How events are classified into the contract's `WebhookEventType`.
    pub events: EventsSpec,
    /// How the `payments_response` is filled.
    #[serde(default)]
    pub payment: Option<PaymentSpec>,
    /// How the `refunds_response` is filled.
    #[serde(default)]
    pub refund: Option<RefundSpec>,
    /// How the `disputes_response` is filled.
    #[serde(default)]
    pub dispute: Option<DisputeSpec>,
    /// Template of the idempotency key (variables: the `fields`, `connector`, `event_id`,
    /// `event_type`, `item_index`, `signed_sha256`). Default: `{connector}:` followed by the
    /// SHA-256 of the signed material and the item index, so retries of the same signed delivery
    /// share a key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// The reply the host sends the processor.
    #[serde(default)]
    pub acknowledgement: AckSpec,
    /// How `hooknorm sign` builds a webhook as this processor sends it.
    #[serde(default)]
    pub sign: Option<SignRecipe>,
}

/// A declared secret.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretDecl {
    /// What the host must put in this secret.
    pub description: String,
}

/// Body decoding.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    /// How the raw body is parsed.
    #[serde(default)]
    pub format: BodyFormat,
    /// Larger bodies are rejected with `BodyTooLarge` before anything else is done.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: usize,
    /// Take the document from a form field instead of the whole body, decoding it in steps
    /// (Braintree: `bt_payload` is base64 text of XML).
    #[serde(default)]
    pub document: Option<DocumentSpec>,
}

impl Default for BodySpec {
    fn default() -> Self {
        BodySpec {
            format: BodyFormat::Json,
            max_bytes: default_max_bytes(),
            document: None,
        }
    }
}

fn default_max_bytes() -> usize {
    1024 * 1024
}

/// Body formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// A JSON document.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`: the document is an object of the form's fields
    /// (string values; a repeated field is rejected).
    Form,
    /// An XML document, converted to JSON (elements become objects, repeated elements arrays,
    /// attributes `@name`, text `#text` or the plain string for text-only elements).
    Xml,
    /// JSON when the body starts (after whitespace) with `{` or `[`, otherwise a form: for
    /// processors that send both (Mollie's classic form posts and its JSON events).
    JsonOrForm,
    /// A form body, or, when the body is empty, the URL's query string read as the form (the
    /// document and `form_field` sources both): for processors that deliver the same
    /// notification by POST or by GET, as the merchant configures (Nuvei's DMNs). A non-empty
    /// body is never mixed with the query string.
    FormOrQuery,
}

/// A document taken from one form field.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// The form field holding the document.
    pub form_field: String,
    /// Decoding steps, in order.
    pub decode: Vec<DecodeStep>,
}

/// One decoding step of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecodeStep {
    /// Standard base64 (line breaks ignored).
    Base64,
    /// Parse as XML.
    Xml,
    /// Parse as JSON.
    Json,
}

/// Batch items.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemsSpec {
    /// JSONPath selecting each item, e.g. `$.notificationItems[*].NotificationRequestItem`.
    pub path: String,
}

/// Signature verification. It passes when any scheme verifies with any of its keys against any
/// signature found for it; then `checks` and the replay window apply.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    /// `false`: a request with no signature at all is accepted unverified (`source_verified`
    /// false, `INCOMPLETE`); a present signature must still verify. Default `true`.
    #[serde(default = "yes")]
    pub required: bool,
    /// One or more schemes (e.g. Standard Webhooks `v1` HMAC and `v1a` Ed25519).
    pub schemes: Vec<SchemeSpec>,
    /// Replay protection.
    #[serde(default)]
    pub timestamp: Option<TimestampSpec>,
    /// Conditions on request values that must hold before a signature is trusted.
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
}

fn yes() -> bool {
    true
}

/// One signature scheme.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeSpec {
    /// Name of the scheme, for reports and `hooknorm sign --scheme`.
    #[serde(default)]
    pub name: Option<String>,
    /// `request`: one signature for the whole request. `item`: every batch item carries its own
    /// signature and every item must verify.
    #[serde(default)]
    pub scope: Scope,
    pub algorithm: Algorithm,
    /// The verification key.
    pub key: KeySpec,
    /// The key `hooknorm sign` uses, when it differs from the verification key (a private key).
    #[serde(default)]
    pub signing_key: Option<KeySpec>,
    /// Where the signature is and how it is parsed.
    pub signature: SigSourceSpec,
    /// How the signature bytes are written.
    pub encoding: SigEncoding,
    /// The signed message, as a sequence of parts fed byte-exact to the algorithm.
    pub message: Vec<PartSpec>,
    /// Text put between consecutive message parts (Adyen `:`). Default: nothing.
    #[serde(default)]
    pub join: String,
}

/// Signature scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Request,
    Item,
}

/// Signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
    HmacSha512,
    /// Plain SHA-256 digest of the message (which must contain a secret part).
    Sha256,
    /// Plain SHA-512 digest of the message (which must contain a secret part).
    Sha512,
    /// Plain MD5 digest of the message (which must contain a secret part), for processors
    /// that still hash their data and a secret with MD5.
    Md5,
    /// A shared token, not a signature: the received value must equal the message itself, which
    /// consists of `secret` parts only (the processor sends a configured secret back as-is);
    /// compared in constant time; the signature encoding must be `text`.
    Token,
    /// RSA PKCS#1 v1.5 with SHA-256; the key is a PEM certificate or public key.
    RsaPkcs1v15Sha256,
    /// Ed25519; the key is the 32-byte public key.
    Ed25519,
}

/// Where a key comes from and how it is decoded.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// Named secrets to try, in order; any of them may verify (rotation). Absent ones are
    /// skipped; when none is supplied the call fails with `MissingSecret`.
    #[serde(default = "default_key_secrets")]
    pub secrets: Vec<String>,
    /// How the secret's text becomes key bytes.
    #[serde(default)]
    pub encoding: KeyEncoding,
    /// A prefix removed before decoding (`whsec_`).
    #[serde(default)]
    pub prefix: Option<String>,
    /// With `prefix`: a secret without the prefix is not a key of this scheme (lets one secret
    /// slot hold keys of different schemes, like `whsec_` and `whpk_`).
    #[serde(default)]
    pub prefix_required: bool,
}

fn default_key_secrets() -> Vec<String> {
    vec!["secret".into()]
}

/// Key decodings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyEncoding {
    /// The secret's UTF-8 bytes as they are.
    #[default]
    Utf8,
    /// Hex-decoded.
    Hex,
    /// Standard base64-decoded.
    Base64,
    /// The SHA-1 digest of the secret's UTF-8 bytes (Braintree).
    Sha1,
    /// PEM: a certificate or public key (verification) or a private key (signing).
    Pem,
}

/// Where signatures are found.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigSourceSpec {
    /// The value holding the signature(s): a header, a form field or (item scope) a field.
    pub from: SourceSpec,
    /// How the value is parsed into candidate signatures.
    #[serde(default)]
    pub format: SigFormat,
}

/// Parse rules for a signature value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum SigFormat {
    /// The whole value is one signature, optionally after a prefix such as `sha256=`.
    #[default]
    Plain,
    /// The value after a prefix that must be present (`sha256=`, `sha512=`).
    Prefixed {
        prefix: String,
        /// Match the prefix ignoring ASCII case.
        #[serde(default)]
        ignore_case: bool,
    },
    /// A delimited `key=value` list such as `t=..,v1=..` or `ts=..;h1=..`. Entries are split
    /// exactly (no trimming). Entries whose key is in `signatures` are candidates; the others are
    /// parameters usable as `param:` message parts and timestamps.
    Params {
        /// Between entries, e.g. `,`.
        separator: String,
        /// Between key and value, e.g. `=`. Split at the first occurrence.
        assign: String,
        /// Keys whose values are signatures (e.g. `[v1]`; Stripe's `v0` is then ignored).
        #[serde(default)]
        signatures: Vec<String>,
        /// The key of the candidate must equal this secret (Braintree: `public_key|sig` pairs
        /// joined by `&`, choose the pair of `additional_secret`).
        #[serde(default)]
        key_equals_secret: Option<String>,
        /// Trim spaces around entries (Mercado Pago).
        #[serde(default)]
        trim: bool,
    },
    /// Positional fields such as `1700000000:hex` (MultiSafepay): the value is split at
    /// `separator` into exactly as many parts as `names` (the last part keeps any further
    /// separators); each part is a parameter under its name, and the parts named in
    /// `signatures` are candidates. Any other number of parts is malformed.
    Fields {
        /// Between the fields, e.g. `:`.
        separator: String,
        /// The fields' names, in order (e.g. `[t, signature]`).
        names: Vec<String>,
        /// Names whose values are signatures.
        signatures: Vec<String>,
    },
    /// A list of `version<sep>signature` entries such as `v1,sig1 v1a,sig2` (Standard Webhooks)
    /// or `1/SHA256/hex` (Worldpay).
    List {
        /// Between entries, e.g. a space.
        separator: String,
        /// Between version and signature. Without it every entry is a signature.
        #[serde(default)]
        version_separator: Option<String>,
        /// Split at the last occurrence of `version_separator` instead of the first.
        #[serde(default)]
        split_last: bool,
        /// Versions accepted for this scheme; empty accepts all.
        #[serde(default)]
        versions: Vec<String>,
    },
}

/// Signature encodings. Comparisons are of the encoded text, constant-time, exactly as the
/// processors' SDKs compare (so `hex` rejects upper-case hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SigEncoding {
    /// Lower-case hex.
    Hex,
    /// Upper-case hex.
    HexUpper,
    /// Hex in either case.
    HexAnyCase,
    /// Standard base64 with padding.
    Base64,
    /// URL-safe base64 (padding optional).
    Base64url,
    /// Base64 (padded) of the lower-case hex text of the digest: a hex signature encoded once
    /// more. Hex text has no bytes that base64 writes as `+` or `/`, so the standard and the
    /// URL-safe alphabets agree.
    HexBase64,
    /// The value as UTF-8 text, compared byte for byte (only with the `token` algorithm).
    Text,
}

/// One value of the request: exactly one of the source keys, then optional `default` and
/// `transform`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A header (case-insensitive); several names try each in order (`webhook-id`, `svix-id`).
    #[serde(default)]
    pub header: Option<OneOrMany<String>>,
    /// A parameter of the parsed signature value (`t` of `t=..,v1=..`).
    #[serde(default)]
    pub param: Option<String>,
    /// A query parameter of the URL.
    #[serde(default)]
    pub query: Option<String>,
    /// A field of the form body, as decoded from the form.
    #[serde(default)]
    pub form_field: Option<String>,
    /// A JSONPath into the current item (or document), rendered as text (strings as-is,
    /// numbers and booleans as JSON text, null as missing).
    #[serde(default)]
    pub field: Option<String>,
    /// Literal text.
    #[serde(default)]
    pub literal: Option<String>,
    /// A named secret's text.
    #[serde(default)]
    pub secret: Option<String>,
    /// The raw body bytes.
    #[serde(default)]
    pub body: Option<bool>,
    /// The request URL, whole or a part.
    #[serde(default)]
    pub url: Option<UrlPart>,
    /// Every parameter of the query string and/or the form body, sorted by name (byte order),
    /// each written as name then value: for processors that sign their form or query
    /// parameters this way.
    #[serde(default)]
    pub sorted_params: Option<SortedParamsSpec>,
    /// Every leaf value (string, number, boolean, null) of the current item (or document),
    /// rendered as text and joined: for processors that sign "all values of the body" (item
    /// scope only).
    #[serde(default)]
    pub json_leaf_values: Option<JsonLeafValuesSpec>,
    /// With `url: full`, `query` or `path_and_query`: these query parameters are removed
    /// (every occurrence; the rest is kept byte for byte, in order), e.g. the parameter that
    /// holds the signature itself.
    #[serde(default)]
    pub remove_query: Vec<String>,
    /// With `url: full`: `optional` tries the URL as sent and, when it fails, the same URL with
    /// its scheme's default port (443 for https, 80 for http) added or removed, for processors
    /// whose SDK accepts both. Default `as_sent`.
    #[serde(default)]
    pub default_port: DefaultPort,
    /// Used when the value is missing; without it a missing value is an error.
    #[serde(default)]
    pub default: Option<String>,
    /// Applied in order to the value.
    #[serde(default)]
    pub transform: Vec<Transform>,
}

/// Parts of the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UrlPart {
    /// The URL exactly as given.
    Full,
    Scheme,
    Host,
    Path,
    /// The query string without `?`.
    Query,
    /// Path plus `?query` if any.
    PathAndQuery,
}

/// How a URL's default port is treated (`default_port`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DefaultPort {
    /// Only the URL exactly as sent.
    #[default]
    AsSent,
    /// The URL as sent, or with the scheme's default port added or removed.
    Optional,
}

/// All parameters of the query string and/or form body, sorted by name, as one message part.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortedParamsSpec {
    /// Where the parameters are.
    pub from: ParamsFrom,
    /// Parameters left out, by name (such as the one holding the signature).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Text between a name and its value. Default: nothing.
    #[serde(default)]
    pub assign: String,
    /// Text between consecutive name-value pairs. Default: nothing.
    #[serde(default)]
    pub separator: String,
    /// `true`: a name may repeat; each of its values is written, in the order sent (the sort
    /// is stable). `false` (the default): a repeated name makes the part unreadable.
    #[serde(default)]
    pub repeated: bool,
}

/// Every leaf value of the current item as one message part (`json_leaf_values`). Object keys
/// are not part of it: only the values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonLeafValuesSpec {
    /// Plain JSONPaths (member names and indexes, relative to the item) left out with
    /// everything below them, such as the field that holds the signature.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Numbers as their floating-point value with exactly this many decimals (`2`: `60` →
    /// `60.00`, `10.5` → `10.50`, ties to even on the binary value). Absent: the parsed
    /// number as JSON text (integers as digits, others in shortest round-trip form, `60.00` →
    /// `60.0`), as other sources render numbers.
    #[serde(default)]
    pub number_decimals: Option<u8>,
    /// The text of a JSON null. Default `null`.
    #[serde(default = "default_null_text")]
    pub null: String,
    /// `values` (the default): the texts sorted in byte order. `keys`: members in the byte
    /// order of their names, array elements in order, each subtree in turn.
    #[serde(default)]
    pub order: LeafOrder,
    /// Text between consecutive values. Default: nothing.
    #[serde(default)]
    pub separator: String,
}

fn default_null_text() -> String {
    "null".into()
}

/// The order of `json_leaf_values`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeafOrder {
    /// The rendered texts sorted in byte order: where a value sits does not matter.
    #[default]
    Values,
    /// Depth first, object members by name in byte order, array elements in order.
    Keys,
}

/// Which parameters `sorted_params` reads. Names and values are percent-decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamsFrom {
    /// The URL's query string.
    Query,
    /// The form body (`application/x-www-form-urlencoded`).
    Form,
    /// Both, sorted together.
    QueryAndForm,
}

/// Value transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// ASCII upper case.
    Upper,
    /// ASCII lower case.
    Lower,
    /// Reverse the characters.
    Reverse,
    /// Trim ASCII whitespace.
    Trim,
    /// CRC-32 (IEEE) of the bytes as unsigned decimal text (PayPal).
    Crc32,
    /// Lower-case hex SHA-256 of the bytes.
    Sha256Hex,
    /// Standard base64 of the bytes.
    Base64,
    /// The text after the last `/` (all of it when there is none): the version of a product
    /// token such as a `User-Agent` of `Volt/2.0` (`2.0`), or a path's last segment.
    AfterLastSlash,
    /// The bytes decoded from standard base64 (padded); a value that is not base64 decodes to
    /// nothing (MultiSafepay's `Auth` header: base64 of `timestamp:signature`).
    Base64Decode,
}

/// A replay window.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimestampSpec {
    /// Where the signed timestamp is (a header or a `param`).
    pub from: SourceSpec,
    #[serde(default)]
    pub unit: TimeUnit,
    /// Seconds a timestamp may lie in the past; absent means no limit.
    #[serde(default)]
    pub past_seconds: Option<u64>,
    /// Seconds a timestamp may lie in the future; absent means no limit.
    #[serde(default)]
    pub future_seconds: Option<u64>,
}

/// Timestamp units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    #[default]
    Seconds,
    Milliseconds,
    Rfc3339,
    /// Unix time in seconds, or in milliseconds when the value has 13 or more digits (seconds
    /// have 10 digits until the year 2286): for processors whose documentation and SDKs
    /// disagree on the unit (Mercado Pago's `ts`).
    SecondsOrMilliseconds,
}

/// A condition on a request value that must hold before the signature is trusted.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// The value checked.
    pub value: SourceSpec,
    /// The value must be one of these.
    #[serde(default)]
    pub one_of: Vec<String>,
    /// The value must be an `https` URL whose host is one of these or ends with `.` + one of
    /// these.
    #[serde(default)]
    pub https_host: Vec<String>,
    /// The value must equal this one, byte for byte (e.g. a digest of the body sent in a
    /// query parameter: `equals: {body: true, transform: [sha256_hex]}`).
    #[serde(default)]
    pub equals: Option<SourceSpec>,
    /// The error kind when the check fails. Default `InvalidSignature`.
    #[serde(default)]
    pub error: Option<CheckError>,
}

/// Error kinds a failed check may report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum CheckError {
    InvalidSignature,
    UntrustedCertificate,
    MalformedSignature,
}

/// Event classification.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsSpec {
    /// The processor's event type.
    #[serde(rename = "type")]
    pub event_type: ValueSpec,
    /// The processor's event id.
    #[serde(default)]
    pub id: Option<ValueSpec>,
    /// Ordered rules, tried before `map`; the first match wins.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Raw event type → `WebhookEventType`. Anything unmapped is `EVENT_NOT_SUPPORTED`.
    #[serde(default)]
    pub map: UniqueMap<String>,
    /// `true`: the processor's events only reference their resource (ids and what happened, no
    /// amounts), so verified events are still `INCOMPLETE`: the host fetches the resource for
    /// the rest (GoCardless-style events). Default `false`.
    #[serde(default)]
    pub incomplete: bool,
}

/// A classification rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Raw event types this rule applies to; absent means any.
    #[serde(default)]
    pub types: Option<OneOrMany<String>>,
    /// A minijinja expression over the `fields` (and `event_type`); the rule applies when true.
    #[serde(default)]
    pub when: Option<String>,
    /// The `WebhookEventType` this rule yields.
    pub event: String,
    /// The resource status for this event (a `PaymentStatus`, `RefundStatus` or `DisputeStatus`
    /// name, by the event's resource), overriding the extracted one.
    #[serde(default)]
    pub status: Option<String>,
}

/// How one output value is read: a JSONPath string, or an object.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum ValueSpec {
    /// A JSONPath (RFC 9535) into the item.
    Path(String),
    /// The full form.
    Full(Box<FullValueSpec>),
}

/// The full form of a value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FullValueSpec {
    /// JSONPaths tried in order; the first non-null, non-empty result wins.
    #[serde(default)]
    pub path: Option<OneOrMany<String>>,
    /// Another value of the request (a header, query parameter, ...), tried after `path`.
    #[serde(default)]
    pub from: Option<SourceSpec>,
    /// A declared field, tried after `from`.
    #[serde(default)]
    pub field: Option<String>,
    /// A minijinja template rendering the value (variables: the `fields`, `event_type`).
    #[serde(default)]
    pub template: Option<String>,
    /// Translate the raw value (its text) through this table; for status fields the targets are
    /// the contract's enum names. Unlisted values fall to `default`.
    #[serde(default)]
    pub map: Option<UniqueMap<String>>,
    /// The value when nothing is found (or, with `map`, nothing matches).
    #[serde(default)]
    pub default: Option<String>,
    /// Conversion of the raw value.
    #[serde(default)]
    pub convert: Option<Convert>,
}

/// Conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Convert {
    /// Upper-case the text.
    Upper,
    /// Lower-case the text.
    Lower,
    /// Timestamps: unix seconds (integer or digit string).
    UnixSeconds,
    /// Timestamps: unix milliseconds.
    UnixMillis,
    /// Timestamps: RFC 3339 text.
    Rfc3339,
    /// Render the value as text the way signed message parts render it (strings as-is,
    /// numbers and booleans as JSON text), so a condition compares what was signed: a
    /// boolean `true` and the string `"true"` are then the same value.
    Text,
}

/// An amount with its currency.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneySpec {
    /// The amount: a JSON number or a numeric string.
    pub value: ValueSpec,
    /// The currency code; upper-cased.
    pub currency: ValueSpec,
    /// `minor`: the value is already in minor units (cents). `major`: a decimal in major units,
    /// converted exactly by the currency's ISO 4217 exponent.
    #[serde(default)]
    pub unit: AmountUnit,
}

/// Amount units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    #[default]
    Minor,
    Major,
}

/// The acknowledgement.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AckSpec {
    #[serde(default = "default_status")]
    pub status: u16,
    #[serde(default = "default_content_type")]
    pub content_type: String,
    #[serde(default)]
    pub body: String,
}

impl Default for AckSpec {
    fn default() -> Self {
        AckSpec {
            status: default_status(),
            content_type: default_content_type(),
            body: String::new(),
        }
    }
}

fn default_status() -> u16 {
    200
}

fn default_content_type() -> String {
    "text/plain".into()
}

/// How `hooknorm sign` produces a signed webhook.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRecipe {
    /// Values of signature parameters (`param:` parts), as templates (variables: `now`,
    /// `now_rfc3339`, `body_sha256`).
    #[serde(default)]
    pub params: UniqueMap<String>,
    /// Headers to send, as templates; those using `signature` are rendered after signing
    /// (variables also `params`, `signature`, `scheme`, and `key_id`: with a `params` signature
    /// format's `key_equals_secret`, that secret's value, the key the signature is listed under).
    #[serde(default)]
    pub headers: UniqueMap<String>,
    /// Item scope: the path of the field, relative to each item, that receives the signature
    /// (dot-separated names, e.g. `additionalData.hmacSignature`).
    #[serde(default)]
    pub item_field: Option<String>,
    /// Form bodies: the form field that receives the signature, as a template.
    #[serde(default)]
    pub form_field: Option<SignFormField>,
}

/// A form field written by `sign`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignFormField {
    pub name: String,
    /// Template (variables `signature`, `params`, `now`, `key_id` as for headers; secrets by name
    /// are NOT available).
    pub value: String,
}

/// One message part: a value source with optional default and transforms.
pub type PartSpec = SourceSpec;

/// One value or a list of values.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    /// The values as a vector.
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OneOrMany::Many)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(OneOrMany::One)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSONPath string or a value object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ValueSpec, A::Error> {
                FullValueSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|f| ValueSpec::Full(Box::new(f)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string-keyed map that rejects duplicate keys.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(transparent)]
pub struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<V> Default for UniqueMap<V> {
    fn default() -> Self {
        UniqueMap(BTreeMap::new())
    }
}

// Duplicate keys are found once, by the YAML parser (`spec_yaml`), which stops
// deserialization at the first one.
impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map with unique keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}
