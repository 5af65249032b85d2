//! Request and response types of the Event Service `Handle` contract, as serde types.
//!
//! The names follow `ucs.v2` (`EventServiceHandleRequest` / `EventServiceHandleResponse`); the
//! enum values serialize as the contract's names (`PAYMENT_INTENT_SUCCESS`, `CHARGED`, ...).

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::resource::{DisputesResponse, PaymentsResponse, RefundsResponse};

/// A secret value (webhook signing secret, key, certificate). Its `Debug` and `Display` never show
/// the value; only [`Secret::expose`] does.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret value itself. Never log what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

/// The webhook secrets a host supplies: `secret`, `additional_secret`, and any further named
/// secrets a connector spec declares (given as extra keys).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct WebhookSecrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The primary secret (`webhook_secrets.secret`).
    pub secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// A second secret: a rotated key, or a further key the connector needs.
    pub additional_secret: Option<Secret>,
    /// Further named secrets.
    #[serde(flatten)]
    pub other: BTreeMap<String, Secret>,
}

impl WebhookSecrets {
    /// A set holding only `secret`.
    pub fn with_secret(secret: impl Into<String>) -> Self {
        WebhookSecrets {
            secret: Some(Secret::new(secret)),
            ..Default::default()
        }
    }

    /// The secret of that name (`secret`, `additional_secret` or a further one), if supplied and
    /// not empty.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        let found = match name {
            "secret" => self.secret.as_ref(),
            "additional_secret" => self.additional_secret.as_ref(),
            other => self.other.get(other),
        };
        found.filter(|s| !s.0.is_empty())
    }

    /// Sets the secret of that name (`secret`, `additional_secret` or a further one).
    pub fn set(&mut self, name: &str, value: Secret) {
        match name {
            "secret" => self.secret = Some(value),
            "additional_secret" => self.additional_secret = Some(value),
            other => {
                self.other.insert(other.to_string(), value);
            }
        }
    }
}

/// HTTP method of the inbound request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[serde(alias = "HTTP_METHOD_GET")]
    /// `GET` (also `HTTP_METHOD_GET`).
    Get,
    #[default]
    #[serde(alias = "HTTP_METHOD_POST")]
    /// `POST` (also `HTTP_METHOD_POST`), the default.
    Post,
    #[serde(alias = "HTTP_METHOD_PUT")]
    /// `PUT` (also `HTTP_METHOD_PUT`).
    Put,
    #[serde(alias = "HTTP_METHOD_DELETE")]
    /// `DELETE` (also `HTTP_METHOD_DELETE`).
    Delete,
    /// `PATCH`.
    Patch,
}

/// The raw inbound HTTP request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
pub struct RequestDetails {
    /// The request method (`POST` unless given).
    #[serde(default)]
    pub method: HttpMethod,
    /// The full URL the processor posted to, with its query string.
    #[serde(default)]
    pub url: String,
    /// Header names are matched case-insensitively.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The raw body bytes (base64 in JSON).
    #[serde(with = "base64_bytes")]
    #[schemars(with = "String")]
    pub body: Vec<u8>,
}

impl RequestDetails {
    /// The value of a header, matching the name case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// JSON form of [`RequestDetails`]: `body` is base64; `body_text` may be given instead, as UTF-8
/// text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestDetailsJson {
    #[serde(default)]
    method: HttpMethod,
    #[serde(default, alias = "uri")]
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_text: Option<String>,
    /// The contract's separate query string (`RequestDetails.query_params`).
    #[serde(default)]
    query_params: Option<String>,
}

impl<'de> Deserialize<'de> for RequestDetails {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RequestDetailsJson::deserialize(d)?;
        let body = match (raw.body, raw.body_text) {
            (Some(_), Some(_)) => {
                return Err(serde::de::Error::custom(
                    "give either `body` (base64) or `body_text`, not both",
                ))
            }
            (Some(b64), None) => base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| serde::de::Error::custom(format!("`body` is not base64: {e}")))?,
            (None, Some(text)) => text.into_bytes(),
            (None, None) => Vec::new(),
        };
        // The contract may carry the query string apart from the URI: join them.
        let url = match raw.query_params.filter(|q| !q.is_empty()) {
            Some(q) if !raw.url.contains('?') => {
                format!("{}?{}", raw.url, q.trim_start_matches('?'))
            }
            _ => raw.url,
        };
        Ok(RequestDetails {
            method: raw.method,
            url,
            headers: raw.headers,
            body,
        })
    }
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// The `Handle` request: which connector, the raw request and the secrets.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandleRequest {
    /// Connector name, e.g. `stripe`.
    pub connector: String,
    /// The host's id for this delivery, echoed in every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_event_id: Option<String>,
    /// The raw inbound request.
    pub request_details: RequestDetails,
    #[serde(default)]
    /// The secrets to verify with.
    pub webhook_secrets: WebhookSecrets,
}

/// What the host should answer the processor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Acknowledgement {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` of the body.
    pub content_type: String,
    /// The response body.
    pub body: String,
}

/// The result of one `handle` call: one event per notification item, and the acknowledgement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HandleOutcome {
    /// The connector that handled the webhook.
    pub connector: String,
    /// What to answer the processor.
    pub acknowledgement: Acknowledgement,
    /// One event per notification item, in order.
    pub events: Vec<NormalizedEvent>,
    /// Optional values of a verified webhook that could not be read (a malformed date, an
    /// amount without a currency or not exact in it): each is left out of its event and named
    /// here, rather than failing a webhook the processor would then retry forever. Absent when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<OutcomeWarning>,
}

/// An optional value left out of an event because it could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutcomeWarning {
    /// The index of the event (notification item) it belongs to.
    pub item: usize,
    /// The spec key of the value (`payment.created_at`).
    pub field: String,
    /// Why it was left out.
    pub message: String,
}

/// One normalized event (`EventServiceHandleResponse` plus hooknorm's extras).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NormalizedEvent {
    /// The contract's event type (`EVENT_NOT_SUPPORTED` when unmapped).
    pub event_type: WebhookEventType,
    /// The signature was verified (false only for unsigned webhooks a spec accepts).
    pub source_verified: bool,
    /// The host's id of the delivery, echoed from the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_event_id: Option<String>,
    /// `COMPLETE`, or `INCOMPLETE` when the host must fetch the resource.
    pub event_status: EventStatus,
    /// The processor's own event type, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_event_type: Option<String>,
    /// The processor's event id, if it sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_event_id: Option<String>,
    /// A key for de-duplicating deliveries, derived from signed content.
    pub idempotency_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The resource the event is about, when its event type has one.
    pub event_response: Option<EventResponse>,
}

/// `EventResponse`: exactly one of the three resources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventResponse {
    /// A payment (`payments_response`).
    PaymentsResponse(PaymentsResponse),
    /// A refund (`refunds_response`).
    RefundsResponse(RefundsResponse),
    /// A dispute (`disputes_response`).
    DisputesResponse(DisputesResponse),
}

/// `Money`: an amount in minor units of its currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Money {
    /// The amount in minor units (cents).
    pub minor_amount: i64,
    /// The ISO 4217 currency code, upper case.
    pub currency: String,
}

/// `ErrorInfo` reduced to the connector's own code and message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The processor's error code.
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The processor's error message.
    pub message: Option<String>,
}

/// Declares a contract enum that (de)serializes as its names and can list them.
macro_rules! contract_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        ///
        /// Each value is the contract's value of the same name (its [`Self::as_str`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema)]
        // Variant docs would turn the JSON Schema's `enum` list into a `oneOf` of documented
        // constants; the contract's names are the documentation.
        #[allow(missing_docs)]
        pub enum $name { $(#[schemars(rename = $text)] $variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The contract's name of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
            /// The value with that contract name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)* _ => None }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::from_name(&s).ok_or_else(|| serde::de::Error::custom(format!(
                    "unknown {} `{}`", stringify!($name), s)))
            }
        }
    };
}

contract_enum!(
    /// `WebhookEventType` of the contract.
    WebhookEventType {
        PaymentIntentFailure = "PAYMENT_INTENT_FAILURE",
        PaymentIntentSuccess = "PAYMENT_INTENT_SUCCESS",
        PaymentIntentProcessing = "PAYMENT_INTENT_PROCESSING",
        PaymentIntentPartiallyFunded = "PAYMENT_INTENT_PARTIALLY_FUNDED",
        PaymentIntentCancelled = "PAYMENT_INTENT_CANCELLED",
        PaymentIntentCancelFailure = "PAYMENT_INTENT_CANCEL_FAILURE",
        PaymentIntentAuthorizationSuccess = "PAYMENT_INTENT_AUTHORIZATION_SUCCESS",
        PaymentIntentAuthorizationFailure = "PAYMENT_INTENT_AUTHORIZATION_FAILURE",
        PaymentIntentCaptureSuccess = "PAYMENT_INTENT_CAPTURE_SUCCESS",
        PaymentIntentCaptureFailure = "PAYMENT_INTENT_CAPTURE_FAILURE",
        PaymentIntentExpired = "PAYMENT_INTENT_EXPIRED",
        PaymentActionRequired = "PAYMENT_ACTION_REQUIRED",
        SourceChargeable = "SOURCE_CHARGEABLE",
        SourceTransactionCreated = "SOURCE_TRANSACTION_CREATED",
        WebhookRefundFailure = "WEBHOOK_REFUND_FAILURE",
        WebhookRefundSuccess = "WEBHOOK_REFUND_SUCCESS",
        WebhookDisputeOpened = "WEBHOOK_DISPUTE_OPENED",
        WebhookDisputeExpired = "WEBHOOK_DISPUTE_EXPIRED",
        WebhookDisputeAccepted = "WEBHOOK_DISPUTE_ACCEPTED",
        WebhookDisputeCancelled = "WEBHOOK_DISPUTE_CANCELLED",
        WebhookDisputeChallenged = "WEBHOOK_DISPUTE_CHALLENGED",
        WebhookDisputeWon = "WEBHOOK_DISPUTE_WON",
        WebhookDisputeLost = "WEBHOOK_DISPUTE_LOST",
        MandateActive = "MANDATE_ACTIVE",
        MandateFailed = "MANDATE_FAILED",
        MandateRevoked = "MANDATE_REVOKED",
        EndpointVerification = "ENDPOINT_VERIFICATION",
        ExternalAuthenticationAres = "EXTERNAL_AUTHENTICATION_ARES",
        FrmApproved = "FRM_APPROVED",
        FrmRejected = "FRM_REJECTED",
        PayoutSuccess = "PAYOUT_SUCCESS",
        PayoutFailure = "PAYOUT_FAILURE",
        PayoutProcessing = "PAYOUT_PROCESSING",
        PayoutCancelled = "PAYOUT_CANCELLED",
        PayoutCreated = "PAYOUT_CREATED",
        PayoutExpired = "PAYOUT_EXPIRED",
        PayoutReversed = "PAYOUT_REVERSED",
        RecoveryPaymentFailure = "RECOVERY_PAYMENT_FAILURE",
        RecoveryPaymentSuccess = "RECOVERY_PAYMENT_SUCCESS",
        RecoveryPaymentPending = "RECOVERY_PAYMENT_PENDING",
        RecoveryInvoiceCancel = "RECOVERY_INVOICE_CANCEL",
        EventNotSupported = "EVENT_NOT_SUPPORTED",
    }
);

contract_enum!(
    /// `PaymentStatus` of the contract.
    PaymentStatus {
        Started = "STARTED",
        PaymentMethodAwaited = "PAYMENT_METHOD_AWAITED",
        DeviceDataCollectionPending = "DEVICE_DATA_COLLECTION_PENDING",
        ConfirmationAwaited = "CONFIRMATION_AWAITED",
        AuthenticationPending = "AUTHENTICATION_PENDING",
        AuthenticationSuccessful = "AUTHENTICATION_SUCCESSFUL",
        AuthenticationFailed = "AUTHENTICATION_FAILED",
        Authorizing = "AUTHORIZING",
        Authorized = "AUTHORIZED",
        AuthorizationFailed = "AUTHORIZATION_FAILED",
        PartiallyAuthorized = "PARTIALLY_AUTHORIZED",
        Charged = "CHARGED",
        PartialCharged = "PARTIAL_CHARGED",
        PartialChargedAndChargeable = "PARTIAL_CHARGED_AND_CHARGEABLE",
        AutoRefunded = "AUTO_REFUNDED",
        CaptureInitiated = "CAPTURE_INITIATED",
        CaptureFailed = "CAPTURE_FAILED",
        VoidInitiated = "VOID_INITIATED",
        Voided = "VOIDED",
        VoidFailed = "VOID_FAILED",
        VoidedPostCapture = "VOIDED_POST_CAPTURE",
        CodInitiated = "COD_INITIATED",
        Expired = "EXPIRED",
        RouterDeclined = "ROUTER_DECLINED",
        Pending = "PENDING",
        Failure = "FAILURE",
        Unresolved = "UNRESOLVED",
    }
);

contract_enum!(
    /// `RefundStatus` of the contract.
    RefundStatus {
        RefundFailure = "REFUND_FAILURE",
        RefundManualReview = "REFUND_MANUAL_REVIEW",
        RefundPending = "REFUND_PENDING",
        RefundSuccess = "REFUND_SUCCESS",
        RefundTransactionFailure = "REFUND_TRANSACTION_FAILURE",
    }
);

contract_enum!(
    /// `DisputeStatus` of the contract.
    DisputeStatus {
        DisputeOpened = "DISPUTE_OPENED",
        DisputeExpired = "DISPUTE_EXPIRED",
        DisputeAccepted = "DISPUTE_ACCEPTED",
        DisputeCancelled = "DISPUTE_CANCELLED",
        DisputeChallenged = "DISPUTE_CHALLENGED",
        DisputeWon = "DISPUTE_WON",
        DisputeLost = "DISPUTE_LOST",
    }
);

contract_enum!(
    /// `DisputeStage` of the contract.
    DisputeStage {
        PreDispute = "PRE_DISPUTE",
        ActiveDispute = "ACTIVE_DISPUTE",
        PreArbitration = "PRE_ARBITRATION",
    }
);

contract_enum!(
    /// `WebhookEventStatus`: `INCOMPLETE` when the webhook only references the resource and the
    /// host must fetch it.
    EventStatus {
        Complete = "COMPLETE",
        Incomplete = "INCOMPLETE",
    }
);

/// The resource an event type is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// A payment.
    Payment,
    /// A refund.
    Refund,
    /// A dispute.
    Dispute,
}

impl WebhookEventType {
    /// Which `event_response` this event type carries, if any.
    pub fn resource(self) -> Option<ResourceKind> {
        use WebhookEventType::*;
        match self {
            PaymentIntentFailure
            | PaymentIntentSuccess
            | PaymentIntentProcessing
            | PaymentIntentPartiallyFunded
            | PaymentIntentCancelled
            | PaymentIntentCancelFailure
            | PaymentIntentAuthorizationSuccess
            | PaymentIntentAuthorizationFailure
            | PaymentIntentCaptureSuccess
            | PaymentIntentCaptureFailure
            | PaymentIntentExpired
            | PaymentActionRequired
            | SourceChargeable
            | SourceTransactionCreated
            | MandateActive
            | MandateFailed
            | MandateRevoked
            | RecoveryPaymentFailure
            | RecoveryPaymentSuccess
            | RecoveryPaymentPending => Some(ResourceKind::Payment),
            WebhookRefundFailure | WebhookRefundSuccess => Some(ResourceKind::Refund),
            WebhookDisputeOpened
            | WebhookDisputeExpired
            | WebhookDisputeAccepted
            | WebhookDisputeCancelled
            | WebhookDisputeChallenged
            | WebhookDisputeWon
            | WebhookDisputeLost => Some(ResourceKind::Dispute),
            _ => None,
        }
    }

    /// The payment status this event implies when the spec extracts none.
    pub fn default_payment_status(self) -> Option<PaymentStatus> {
        use WebhookEventType::*;
        Some(match self {
            PaymentIntentFailure => PaymentStatus::Failure,
            PaymentIntentSuccess => PaymentStatus::Charged,
            PaymentIntentProcessing => PaymentStatus::Pending,
            PaymentIntentPartiallyFunded => PaymentStatus::PartialCharged,
            PaymentIntentCancelled => PaymentStatus::Voided,
            PaymentIntentCancelFailure => PaymentStatus::VoidFailed,
            PaymentIntentAuthorizationSuccess => PaymentStatus::Authorized,
            PaymentIntentAuthorizationFailure => PaymentStatus::AuthorizationFailed,
            PaymentIntentCaptureSuccess => PaymentStatus::Charged,
            PaymentIntentCaptureFailure => PaymentStatus::CaptureFailed,
            PaymentIntentExpired => PaymentStatus::Expired,
            PaymentActionRequired => PaymentStatus::AuthenticationPending,
            SourceChargeable => PaymentStatus::Authorized,
            RecoveryPaymentSuccess => PaymentStatus::Charged,
            RecoveryPaymentFailure => PaymentStatus::Failure,
            RecoveryPaymentPending => PaymentStatus::Pending,
            _ => return None,
        })
    }

    /// The refund status this event implies when the spec extracts none.
    pub fn default_refund_status(self) -> Option<RefundStatus> {
        match self {
            WebhookEventType::WebhookRefundSuccess => Some(RefundStatus::RefundSuccess),
            WebhookEventType::WebhookRefundFailure => Some(RefundStatus::RefundFailure),
            _ => None,
        }
    }

    /// The dispute status this event implies.
    pub fn default_dispute_status(self) -> Option<DisputeStatus> {
        use WebhookEventType::*;
        Some(match self {
            WebhookDisputeOpened => DisputeStatus::DisputeOpened,
            WebhookDisputeExpired => DisputeStatus::DisputeExpired,
            WebhookDisputeAccepted => DisputeStatus::DisputeAccepted,
            WebhookDisputeCancelled => DisputeStatus::DisputeCancelled,
            WebhookDisputeChallenged => DisputeStatus::DisputeChallenged,
            WebhookDisputeWon => DisputeStatus::DisputeWon,
            WebhookDisputeLost => DisputeStatus::DisputeLost,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = WebhookSecrets::with_secret("whsec_topsecret");
        assert!(!format!("{s:?}").contains("topsecret"));
    }

    #[test]
    fn body_text_and_base64_are_the_same_bytes() {
        let a: RequestDetails = serde_json::from_str(r#"{"body":"aGk="}"#).unwrap();
        let b: RequestDetails = serde_json::from_str(r#"{"body_text":"hi"}"#).unwrap();
        assert_eq!(a.body, b"hi");
        assert_eq!(a, b);
        assert!(
            serde_json::from_str::<RequestDetails>(r#"{"body":"aGk=","body_text":"hi"}"#).is_err()
        );
        assert!(serde_json::from_str::<RequestDetails>(r#"{"body":"%%%"}"#).is_err());
    }

    #[test]
    fn contract_spellings_are_accepted() {
        let r: RequestDetails = serde_json::from_str(
            r#"{"method":"HTTP_METHOD_POST","uri":"https://a.example/h","query_params":"data.id=1"}"#,
        )
        .unwrap();
        assert_eq!(r.method, HttpMethod::Post);
        assert_eq!(r.url, "https://a.example/h?data.id=1");
        assert!(serde_json::from_str::<RequestDetails>(r#"{"bogus":1}"#).is_err());
    }

    #[test]
    fn enums_round_trip_by_contract_name() {
        for t in WebhookEventType::ALL {
            let j = serde_json::to_string(t).unwrap();
            assert_eq!(serde_json::from_str::<WebhookEventType>(&j).unwrap(), *t);
        }
        assert_eq!(
            PaymentStatus::from_name("CHARGED"),
            Some(PaymentStatus::Charged)
        );
        assert_eq!(PaymentStatus::from_name("charged"), None);
    }
}
