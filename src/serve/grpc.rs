//! gRPC: the Event Service's `ucs.v2.EventService/Handle` (tonic + prost), server reflection
//! (v1 and v1alpha) and `grpc.health.v1`, on the HTTP port: requests whose content type is
//! `application/grpc` go here, everything else to the HTTP routes.
//!
//! The connector comes from the `x-connector` metadata header (`x-connector-auth` is accepted and
//! ignored); the secrets from the request's `webhook_secrets`, else from the configured `default`
//! account of that connector (whose further named secrets, which the contract cannot carry, are
//! added to the request's). Errors are status codes: `UNAUTHENTICATED` for signature failures,
//! `NOT_FOUND` for an unknown connector, `INVALID_ARGUMENT` for the rest, with the error kind
//! and report in the message, the `google.rpc.ErrorInfo` details and the `hooknorm-error-*`
//! trailers.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::Router;
use prost::Message as _;
use tonic::metadata::{BinaryMetadataValue, MetadataValue};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tower::ServiceExt as _;

use super::{clock, record, status_for, AppState};
use crate::{
    DisputesResponse, Engine, ErrorKind, EventResponse, EventStatus, HandleError, HandleOutcome,
    HandleRequest, HttpMethod, NormalizedEvent, PaymentsResponse, RefundsResponse, RequestDetails,
    WebhookSecrets,
};

/// The Rust types of `proto/ucs_v2_events.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
mod pb {
    tonic::include_proto!("ucs.v2");

    /// The compiled proto, for reflection.
    pub const DESCRIPTOR: &[u8] = tonic::include_file_descriptor_set!("ucs_v2_descriptor");
}

use pb::event_service_server::{EventService, EventServiceServer};

// The messages that carry secrets are generated without `Debug`; these never show the values.
impl fmt::Debug for pb::WebhookSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSecrets")
            .field("secret", &"<redacted>")
            .field(
                "additional_secret",
                &self.additional_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl fmt::Debug for pb::SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

/// The metadata header naming the connector.
const CONNECTOR_HEADER: &str = "x-connector";

/// `EventService` on the service's state.
struct Events {
    state: Arc<AppState>,
}

#[tonic::async_trait]
impl EventService for Events {
    async fn handle(
        &self,
        request: tonic::Request<pb::EventServiceHandleRequest>,
    ) -> Result<tonic::Response<pb::EventServiceHandleResponse>, Status> {
        let started = Instant::now();
        let (metadata, _, message) = request.into_parts();
        let headers = metadata.into_headers();
        let state = &self.state;
        // One snapshot of the specs for the whole call, as over HTTP.
        let engine = state.specs.engine();
        let (connector, result) = match connector_of(&engine, &headers) {
            Err(e) => (String::new(), Err(e)),
            Ok(connector) => {
                let result = request_of(state, &connector, message).and_then(|req| {
                    let result = engine.handle_at(&req, clock(state, &headers));
                    record(state, &connector, &result);
                    result
                });
                (connector, result)
            }
        };
        let http_status = match &result {
            Ok(_) => StatusCode::OK,
            Err(e) => status_for(e.kind),
        };
        tracing::info!(
            endpoint = "grpc",
            connector = %crate::printable(&connector),
            code = ?result.as_ref().err().map(|e| code_for(e.kind)),
            error = result.as_ref().err().map(|e| e.kind.as_str()),
            events = result.as_ref().map_or(0, |o| o.events.len()),
            micros = started.elapsed().as_micros() as u64,
        );
        state
            .metrics
            .response("grpc", http_status.as_u16(), started.elapsed());
        match result {
            Ok(outcome) => Ok(tonic::Response::new(response_of(&outcome))),
            Err(e) => Err(status_of(&e)),
        }
    }
}

/// The connector named by `x-connector`: as given, or in lower case when only that is loaded
/// (`Stripe`, `STRIPE`).
fn connector_of(engine: &Engine, headers: &HeaderMap) -> Result<String, HandleError> {
    let name = headers
        .get(CONNECTOR_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            HandleError::new(
                ErrorKind::InvalidRequest,
                "the `x-connector` metadata header is missing: it names the connector (e.g. stripe)",
            )
        })?;
    if engine.connector(name).is_none() {
        let lower = name.to_ascii_lowercase();
        if engine.connector(&lower).is_some() {
            return Ok(lower);
        }
    }
    Ok(name.to_string())
}

/// The engine's request from the gRPC one.
fn request_of(
    state: &AppState,
    connector: &str,
    message: pb::EventServiceHandleRequest,
) -> Result<HandleRequest, HandleError> {
    let invalid = |m: String| HandleError::new(ErrorKind::InvalidRequest, m);
    let details = message.request_details.unwrap_or_default();
    let method = match pb::HttpMethod::try_from(details.method) {
        Ok(pb::HttpMethod::Unspecified | pb::HttpMethod::Post) => HttpMethod::Post,
        Ok(pb::HttpMethod::Get) => HttpMethod::Get,
        Ok(pb::HttpMethod::Put) => HttpMethod::Put,
        Ok(pb::HttpMethod::Delete) => HttpMethod::Delete,
        Err(_) => {
            return Err(invalid(format!(
                "request_details.method: {} is not an HttpMethod",
                details.method
            )))
        }
    };
    let account = state.account(connector, "default");
    let account = account.as_ref();
    let given = |s: Option<String>| s.filter(|s| !s.is_empty());
    let url = match (given(details.uri), given(details.url)) {
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(
                "request_details: `uri` and `url` differ; give one of them".into(),
            ))
        }
        (Some(u), _) | (None, Some(u)) => u,
        (None, None) => account.and_then(|(_, url)| url.clone()).unwrap_or_default(),
    };
    let url = match given(details.query_params) {
        Some(q) if !url.contains('?') => format!("{url}?{}", q.trim_start_matches('?')),
        _ => url,
    };
    let secrets = match message.webhook_secrets {
        Some(s) if !s.secret.is_empty() || given(s.additional_secret.clone()).is_some() => {
            let mut out = WebhookSecrets::default();
            if !s.secret.is_empty() {
                out.set("secret", s.secret.as_str().into());
            }
            if let Some(a) = given(s.additional_secret) {
                out.set("additional_secret", a.as_str().into());
            }
            // The contract has no room for the further named secrets a spec may declare
            // (Authorize.Net's `account_currency`): those come from the account.
            if let Some((configured, _)) = account {
                for (name, value) in &configured.other {
                    out.other
                        .entry(name.clone())
                        .or_insert_with(|| value.clone());
                }
            }
            out
        }
        _ => account.map(|(s, _)| s.clone()).unwrap_or_default(),
    };
    Ok(HandleRequest {
        connector: connector.to_string(),
        merchant_event_id: message.merchant_event_id.and_then(merchant_event_id),
        request_details: RequestDetails {
            method,
            url,
            headers: details.headers.into_iter().collect::<BTreeMap<_, _>>(),
            body: details.body,
        },
        webhook_secrets: secrets,
    })
}

/// The request's `merchant_event_id`: a string, or the bytes of an `Identifier` message from a
/// client compiled against the contract's `Identifier merchant_event_id = 1` (recognised when
/// they decode as one and encode back to the same bytes; its first byte is then a field tag,
/// a control character no id starts with).
fn merchant_event_id(raw: String) -> Option<String> {
    let bytes = raw.as_bytes();
    if matches!(bytes.first(), Some(0x0a | 0x12 | 0x1a)) {
        if let Ok(id) = pb::Identifier::decode(bytes) {
            if id.encode_to_vec() == bytes {
                return match id.id_type {
                    Some(pb::identifier::IdType::Id(s))
                    | Some(pb::identifier::IdType::EncodedData(s)) => Some(s),
                    Some(pb::identifier::IdType::NoResponseIdMarker(())) | None => None,
                };
            }
        }
    }
    (!raw.is_empty()).then_some(raw)
}

/// The status code of an error kind.
fn code_for(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::UnknownConnector => Code::NotFound,
        ErrorKind::MissingSignature
        | ErrorKind::MalformedSignature
        | ErrorKind::InvalidSignature
        | ErrorKind::UntrustedCertificate
        | ErrorKind::TimestampOutOfTolerance => Code::Unauthenticated,
        _ => Code::InvalidArgument,
    }
}

/// The status of an error: message `Kind: message`, a `google.rpc.ErrorInfo` detail (reason =
/// the kind, domain `hooknorm`, metadata `message`, `report` as JSON, `delta_seconds`), and the
/// trailers `hooknorm-error-kind` and `hooknorm-error-report-bin` (the report's JSON).
fn status_of(e: &HandleError) -> Status {
    let report = serde_json::to_string(&e.report).unwrap_or_else(|_| "[]".into());
    let mut info: HashMap<String, String> = HashMap::new();
    info.insert("message".into(), e.message.clone());
    info.insert("report".into(), report.clone());
    if let Some(d) = e.delta_seconds {
        info.insert("delta_seconds".into(), d.to_string());
    }
    let mut status = Status::with_error_details(
        code_for(e.kind),
        format!("{}: {}", e.kind, e.message),
        ErrorDetails::with_error_info(e.kind.as_str(), "hooknorm", info),
    );
    let trailers = status.metadata_mut();
    trailers.insert(
        "hooknorm-error-kind",
        MetadataValue::from_static(e.kind.as_str()),
    );
    trailers.insert_bin(
        "hooknorm-error-report-bin",
        BinaryMetadataValue::from_bytes(report.as_bytes()),
    );
    status
}

/// The contract's response: the first event, and with a batch every event in `events`.
fn response_of(outcome: &HandleOutcome) -> pb::EventServiceHandleResponse {
    let ack = pb::Acknowledgement {
        status: u32::from(outcome.acknowledgement.status),
        content_type: outcome.acknowledgement.content_type.clone(),
        body: outcome.acknowledgement.body.clone(),
    };
    let mut events: Vec<pb::EventServiceHandleResponse> =
        outcome.events.iter().map(event_of).collect();
    let mut first = if events.is_empty() {
        pb::EventServiceHandleResponse::default()
    } else {
        events[0].clone()
    };
    first.acknowledgement = Some(ack);
    if events.len() > 1 {
        first.events = std::mem::take(&mut events);
    }
    first
}

/// One event on the wire. Enum values go by their contract names, so a name the proto lacks
/// (`EVENT_NOT_SUPPORTED`) is the zero value (`WEBHOOK_EVENT_TYPE_UNSPECIFIED`).
fn event_of(e: &NormalizedEvent) -> pb::EventServiceHandleResponse {
    let event_type = pb::WebhookEventType::from_str_name(e.event_type.as_str())
        .unwrap_or(pb::WebhookEventType::Unspecified);
    let event_status = match e.event_status {
        EventStatus::Complete => pb::WebhookEventStatus::Complete,
        EventStatus::Incomplete => pb::WebhookEventStatus::Incomplete,
    };
    let content = e.event_response.as_ref().map(|r| match r {
        EventResponse::PaymentsResponse(p) => {
            pb::event_response::Content::PaymentsResponse(payment(p))
        }
        EventResponse::RefundsResponse(r) => {
            pb::event_response::Content::RefundsResponse(refund(r))
        }
        EventResponse::DisputesResponse(d) => {
            pb::event_response::Content::DisputesResponse(dispute(d))
        }
    });
    pb::EventServiceHandleResponse {
        event_type: event_type as i32,
        event_response: content.map(|c| pb::EventResponse { content: Some(c) }),
        source_verified: e.source_verified,
        merchant_event_id: e.merchant_event_id.clone().map(|id| pb::Identifier {
            id_type: Some(pb::identifier::IdType::Id(id)),
        }),
        event_status: event_status as i32,
        connector_event_type: e.connector_event_type.clone(),
        connector_event_id: e.connector_event_id.clone(),
        idempotency_key: e.idempotency_key.clone(),
        acknowledgement: None,
        events: Vec::new(),
    }
}

fn money(m: &Option<crate::Money>) -> Option<pb::Money> {
    m.as_ref().map(|m| pb::Money {
        minor_amount: m.minor_amount,
        currency: pb::Currency::from_str_name(&m.currency).unwrap_or(pb::Currency::Unspecified)
            as i32,
    })
}

fn error(e: &Option<crate::ErrorDetails>) -> Option<pb::ErrorInfo> {
    e.as_ref().map(|e| pb::ErrorInfo {
        connector_details: Some(pb::ConnectorErrorDetails {
            code: e.code.clone(),
            message: e.message.clone(),
        }),
    })
}

/// An enum value by its contract name (0 when absent).
fn named<T: Copy + Into<i32>>(name: Option<&str>, from: impl Fn(&str) -> Option<T>) -> i32 {
    name.and_then(from).map_or(0, Into::into)
}

fn payment(p: &PaymentsResponse) -> pb::PaymentServiceGetResponse {
    pb::PaymentServiceGetResponse {
        connector_transaction_id: p.connector_transaction_id.clone().unwrap_or_default(),
        status: named(
            p.status.map(|s| s.as_str()),
            pb::PaymentStatus::from_str_name,
        ),
        error: error(&p.error),
        network_transaction_id: p.network_transaction_id.clone(),
        amount: money(&p.amount),
        captured_amount: p.captured_amount,
        created_at: p.created_at,
        connector_customer_id: p.connector_customer_id.clone(),
        merchant_transaction_id: p.merchant_transaction_id.clone(),
        connector_payment_method_type: p.payment_method_type.clone(),
        ..Default::default()
    }
}

fn refund(r: &RefundsResponse) -> pb::RefundResponse {
    pb::RefundResponse {
        merchant_refund_id: r.merchant_refund_id.clone(),
        connector_refund_id: r.connector_refund_id.clone().unwrap_or_default(),
        status: named(
            r.status.map(|s| s.as_str()),
            pb::RefundStatus::from_str_name,
        ),
        error: error(&r.error),
        refund_amount: money(&r.refund_amount),
        refund_reason: r.refund_reason.clone(),
        created_at: r.created_at,
        connector_transaction_id: r.connector_transaction_id.clone(),
        ..Default::default()
    }
}

fn dispute(d: &DisputesResponse) -> pb::DisputeResponse {
    pb::DisputeResponse {
        connector_dispute_id: d.connector_dispute_id.clone(),
        connector_transaction_id: d.connector_transaction_id.clone(),
        dispute_status: named(
            d.dispute_status.map(|s| s.as_str()),
            pb::DisputeStatus::from_str_name,
        ),
        dispute_stage: named(
            d.dispute_stage.map(|s| s.as_str()),
            pb::DisputeStage::from_str_name,
        ),
        connector_status_code: d.connector_status_code.clone(),
        dispute_amount: money(&d.dispute_amount),
        dispute_date: d.dispute_date,
        due_date: d.due_date,
        dispute_reason: d.dispute_reason.clone(),
        dispute_message: d.dispute_message.clone(),
        created_at: d.created_at,
        ..Default::default()
    }
}

/// Is this a gRPC request (`application/grpc`, `application/grpc+proto`, ...)?
fn is_grpc(req: &Request) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct == "application/grpc"
                || ct.starts_with("application/grpc+")
                || ct.starts_with("application/grpc;")
        })
}

/// `Handle` can answer: some connector is loaded. (It does not use the intake queue, whose
/// state `GET /readyz` adds.)
fn serving(state: &AppState) -> bool {
    !state.specs.engine().is_empty()
}

/// The health of the server (`""`) and of `ucs.v2.EventService`.
async fn set_health(health: &tonic_health::server::HealthReporter, serving: bool) {
    use tonic::server::NamedService as _;
    let status = if serving {
        tonic_health::ServingStatus::Serving
    } else {
        tonic_health::ServingStatus::NotServing
    };
    health.set_service_status("", status).await;
    health
        .set_service_status(EventServiceServer::<Events>::NAME, status)
        .await;
}

/// Follows the specs (hot reload may remove every connector, or load the first): the health
/// service says `NOT_SERVING` while no connector is loaded.
async fn follow_health(health: tonic_health::server::HealthReporter, state: Arc<AppState>) {
    let mut last = serving(&state);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let now = serving(&state);
        if now != last {
            set_health(&health, now).await;
            last = now;
        }
    }
}

/// The gRPC services: `ucs.v2.EventService`, reflection v1 and v1alpha, health.
async fn grpc_router(state: Arc<AppState>, body_limit: usize) -> Result<Router, String> {
    // The request carries the webhook's body plus its headers and URL.
    let max_message = body_limit.saturating_add(64 * 1024);
    let (health, health_service) = tonic_health::server::health_reporter();
    set_health(&health, serving(&state)).await;
    tokio::spawn(follow_health(health, Arc::clone(&state)));
    let events = EventServiceServer::new(Events { state }).max_decoding_message_size(max_message);
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::DESCRIPTOR)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let v1 = reflection()
        .build_v1()
        .map_err(|e| format!("gRPC reflection: {e}"))?;
    let v1alpha = reflection()
        .build_v1alpha()
        .map_err(|e| format!("gRPC reflection: {e}"))?;
    Ok(tonic::service::Routes::new(events)
        .add_service(health_service)
        .add_service(v1)
        .add_service(v1alpha)
        .prepare()
        .into_axum_router())
}

/// The HTTP routes with gRPC (content type `application/grpc`) on the same listener.
pub(crate) async fn with_grpc(
    state: Arc<AppState>,
    http: Router,
    body_limit: usize,
) -> Result<Dispatch, String> {
    let timeout = state.timeout;
    let grpc = grpc_router(state, body_limit).await?;
    Ok(Dispatch {
        http,
        grpc,
        timeout,
    })
}

/// The service on the listener: gRPC requests to the gRPC router, every other request straight
/// to the HTTP router (its future is not boxed again: no router in front of it).
#[derive(Clone)]
pub(crate) struct Dispatch {
    http: Router,
    grpc: Router,
    timeout: std::time::Duration,
}

type GrpcFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<axum::response::Response, Infallible>> + Send>,
>;

impl tower::Service<Request> for Dispatch {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future =
        futures_util::future::Either<<Router as tower::Service<Request>>::Future, GrpcFuture>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both routers are always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if !is_grpc(&req) {
            return futures_util::future::Either::Left(self.http.call(req));
        }
        let (grpc, timeout) = (self.grpc.clone(), self.timeout);
        // The HTTP routes' request timeout, up to the response's headers: a unary call is
        // answered within it; reflection's stream may then go on.
        futures_util::future::Either::Right(Box::pin(async move {
            match tokio::time::timeout(timeout, grpc.oneshot(req)).await {
                Ok(response) => response,
                Err(_) => Ok(Status::deadline_exceeded("the request took too long")
                    .into_http::<axum::body::Body>()),
            }
        }))
    }
}

/// One [`Dispatch`] for every connection.
impl<L: axum::serve::Listener> tower::Service<axum::serve::IncomingStream<'_, L>> for Dispatch {
    type Response = Dispatch;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Dispatch, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: axum::serve::IncomingStream<'_, L>) -> Self::Future {
        std::future::ready(Ok(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_bytes_and_plain_strings_are_both_ids() {
        let id = pb::Identifier {
            id_type: Some(pb::identifier::IdType::Id("evt_1".into())),
        };
        let wire = String::from_utf8(id.encode_to_vec()).unwrap();
        assert_eq!(merchant_event_id(wire), Some("evt_1".to_string()));
        assert_eq!(
            merchant_event_id("evt_webhook_001".into()),
            Some("evt_webhook_001".to_string())
        );
        assert_eq!(merchant_event_id(String::new()), None);
        // A newline-led string that is not an Identifier's encoding stays as given.
        assert_eq!(merchant_event_id("\nabc".into()), Some("\nabc".to_string()));
    }

    #[test]
    fn every_contract_event_type_has_its_wire_value() {
        for t in crate::WebhookEventType::ALL {
            let wire = pb::WebhookEventType::from_str_name(t.as_str());
            if *t == crate::WebhookEventType::EventNotSupported {
                assert_eq!(wire, None);
            } else {
                assert_eq!(wire.map(|w| w.as_str_name()), Some(t.as_str()));
            }
        }
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let req = pb::EventServiceHandleRequest {
            webhook_secrets: Some(pb::WebhookSecrets {
                secret: "whsec_topsecret".into(),
                additional_secret: Some("other_topsecret".into()),
            }),
            ..Default::default()
        };
        assert!(!format!("{req:?}").contains("topsecret"));
    }
}
