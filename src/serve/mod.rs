//! `hooknorm serve`: the engine over HTTP (feature `serve`).
//!
//! | endpoint | does |
//! |---|---|
//! | `POST /v1/events/handle` | the `Handle` request as JSON → the outcome, or an error with a fitting status |
//! | `POST /webhooks/{connector}[/{account}]` | the processor posts here; the events are stored durably in the queue, then the reply is the connector's acknowledgement (503 when the store cannot take them); delivery workers send them to the sink |
//! | `GET /healthz`, `GET /readyz` | liveness; readiness (some connector loaded) |
//! | `GET /v1/connectors` | names, versions, the last reload and its errors |
//! | `GET /metrics` | Prometheus text |
//! | `/v1/queue/stats`, `GET /v1/queue/events[/{id}]`, `POST /v1/queue/replay`, `POST /v1/queue/purge` | the queue's admin endpoints (`hooknorm queue` as JSON) behind the config's admin bearer token; 404 without one |
//! | `GET /console`, ... | the web console (see `console/mod.rs`), behind the same token; 404 without one |
//! | gRPC (`content-type: application/grpc`) | `ucs.v2.EventService/Handle`, reflection, `grpc.health.v1` (see `grpc.rs`) |

mod admin;
mod broker_nats;
mod broker_redis;
mod config;
mod console;
mod delivery;
mod grpc;
mod intake;
mod metrics;
mod sink_redis;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::json;

pub use broker_redis::RedisIntake;
pub use config::{
    data_dir_of, default_data_dir, AccountConfig, FileSink, HttpSink, IntakeConfig, NatsIntake,
    NatsSink, SecretSource, ServeConfig, SinkConfig,
};
pub use intake::open_broker;
use metrics::Metrics;
pub use sink_redis::RedisSink;

use crate::queue::{Appended, NewEvent, Store};
use crate::registry::{Registry, WatchMode};
use crate::Engine;
use crate::{ErrorKind, HandleError};
use crate::{HandleOutcome, HandleRequest, HttpMethod, RequestDetails};

/// Where the specs come from.
pub(crate) enum Specs {
    /// Fixed (the bundled set).
    Fixed(Arc<Engine>),
    /// A hot-reloaded directory.
    Dir(Arc<Registry>),
}

impl Specs {
    fn engine(&self) -> Arc<Engine> {
        match self {
            Specs::Fixed(e) => Arc::clone(e),
            Specs::Dir(r) => r.engine(),
        }
    }
}

impl AppState {
    /// The secrets and public URL of a connector's account: from the config (resolved at the
    /// start, also for connectors whose spec appears later), else, for the `default` account of
    /// a connector the specs have now (one hot-reloaded in since the start too), from
    /// `HOOKNORM_SECRET_<CONNECTOR>`, looked up when it is asked for.
    fn account(&self, connector: &str, account: &str) -> Option<config::Account> {
        if let Some(a) = self
            .accounts
            .get(&(connector.to_string(), account.to_string()))
        {
            return Some(a.clone());
        }
        if account != "default" || self.specs.engine().connector(connector).is_none() {
            return None;
        }
        config::env_account(connector, |v| std::env::var(v).ok())
    }
}

/// Everything a request needs.
pub(crate) struct AppState {
    specs: Specs,
    /// (connector, account) → secrets and the public URL.
    accounts: config::Accounts,
    metrics: Metrics,
    /// Where events are delivered (stdout, HTTP or a file).
    sink: delivery::Sink,
    /// The durable intake queue.
    store: Arc<dyn Store>,
    /// Wakes the delivery worker after an append.
    wake: tokio::sync::Notify,
    /// Honour `X-Hooknorm-Now` (unix seconds) as the clock: for tests with fixed clocks only.
    test_clock: bool,
    timeout: Duration,
    /// The bearer token of `/v1/queue/...` (none: those endpoints are off). Never logged.
    admin_token: Option<String>,
    /// The last webhooks refused, for the console.
    rejected: console::Rejected,
}

/// The HTTP status for an error kind.
pub(crate) fn status_for(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::UnknownConnector => StatusCode::NOT_FOUND,
        ErrorKind::MissingSignature
        | ErrorKind::MalformedSignature
        | ErrorKind::InvalidSignature
        | ErrorKind::UntrustedCertificate
        | ErrorKind::TimestampOutOfTolerance => StatusCode::UNAUTHORIZED,
        ErrorKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::MalformedBody => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn error_response(
    status: StatusCode,
    kind: &str,
    message: &str,
    e: Option<&HandleError>,
) -> Response {
    let body = match e {
        Some(e) => json!({ "error": e }),
        None => json!({ "error": { "kind": kind, "message": message } }),
    };
    (status, axum::Json(body)).into_response()
}

/// A JSON response, serialized into a buffer sized for a typical outcome up front (axum's
/// `Json` starts at 128 bytes and grows the buffer several times for an outcome).
fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let mut buf = Vec::with_capacity(1024);
    match serde_json::to_writer(&mut buf, value) {
        Ok(()) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            buf,
        )
            .into_response(),
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal",
            &format!("the outcome could not be serialized: {e}"),
            None,
        ),
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The clock: `X-Hooknorm-Now` when the test clock is on, else the system's.
fn clock(state: &AppState, headers: &HeaderMap) -> i64 {
    if state.test_clock {
        if let Some(t) = headers
            .get("x-hooknorm-now")
            .and_then(|v| v.to_str().ok()?.parse().ok())
        {
            return t;
        }
    }
    now_unix()
}

fn record(state: &AppState, connector: &str, result: &Result<HandleOutcome, HandleError>) {
    match result {
        Ok(o) => {
            for e in &o.events {
                state.metrics.event(connector, e.event_type.as_str());
            }
        }
        Err(e) => state.metrics.failure(connector, e.kind.as_str()),
    }
}

async fn handle_api(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let response = match HandleRequest::from_json(&body) {
        Err(e) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorKind::InvalidRequest.as_str(),
            &format!("the body is not a Handle request: {e}"),
            None,
        ),
        Ok(req) => {
            let result = state
                .specs
                .engine()
                .handle_at(&req, clock(&state, &headers));
            record(&state, &req.connector, &result);
            let response = match &result {
                Ok(outcome) => json_response(StatusCode::OK, outcome),
                Err(e) => error_response(status_for(e.kind), e.kind.as_str(), &e.message, Some(e)),
            };
            tracing::debug!(
                endpoint = "handle",
                connector = %crate::printable(&req.connector),
                status = response.status().as_u16(),
                error = result.as_ref().err().map(|e| e.kind.as_str()),
                events = result.as_ref().map_or(0, |o| o.events.len()),
                micros = started.elapsed().as_micros() as u64,
            );
            response
        }
    };
    state
        .metrics
        .response("handle", response.status().as_u16(), started.elapsed());
    response
}

fn method_of(m: &Method) -> Option<HttpMethod> {
    Some(match *m {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::PATCH => HttpMethod::Patch,
        _ => return None,
    })
}

/// Header map → the request's headers; repeated headers are joined with `, ` (RFC 9110).
fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.entry(name.as_str().to_string())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    out
}

/// The URL the processor posted to: the account's public URL, else rebuilt from the Host
/// header (and `X-Forwarded-Proto`); the query string is kept.
fn public_url(configured: Option<&str>, headers: &HeaderMap, uri: &Uri) -> String {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    match configured {
        Some(base) => format!("{base}{query}"),
        None => {
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let proto = headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("http");
            format!("{proto}://{host}{}{query}", uri.path())
        }
    }
}

async fn webhook(
    State(state): State<Arc<AppState>>,
    Path(params): Path<BTreeMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let connector = params.get("connector").cloned().unwrap_or_default();
    let account = params
        .get("account")
        .cloned()
        .unwrap_or_else(|| "default".into());
    let (response, result) = match state.account(&connector, &account) {
        None => (
            error_response(
                StatusCode::NOT_FOUND,
                ErrorKind::UnknownConnector.as_str(),
                "no account is configured for this connector and account",
                None,
            ),
            None,
        ),
        Some((secrets, url)) => match method_of(&method) {
            None => (
                error_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    ErrorKind::InvalidRequest.as_str(),
                    "unsupported method",
                    None,
                ),
                None,
            ),
            Some(m) => {
                let req = HandleRequest {
                    connector: connector.clone(),
                    merchant_event_id: None,
                    request_details: RequestDetails {
                        method: m,
                        url: public_url(url.as_deref(), &headers, &uri),
                        headers: header_map(&headers),
                        body: body.to_vec(),
                    },
                    webhook_secrets: secrets.clone(),
                };
                let result = state
                    .specs
                    .engine()
                    .handle_at(&req, clock(&state, &headers));
                record(&state, &connector, &result);
                let response = match &result {
                    Ok(outcome) => match enqueue(&state, &connector, &account, outcome).await {
                        Err(e) => {
                            tracing::error!(error = %e, "events not stored: answering 503 so the processor retries");
                            error_response(
                                StatusCode::SERVICE_UNAVAILABLE,
                                "StoreUnavailable",
                                "the events could not be stored; retry later",
                                None,
                            )
                        }
                        Ok(()) => {
                            let ack = &outcome.acknowledgement;
                            let mut r = (
                                StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK),
                                ack.body.clone(),
                            )
                                .into_response();
                            if let Ok(ct) = HeaderValue::from_str(&ack.content_type) {
                                r.headers_mut().insert("content-type", ct);
                            }
                            r
                        }
                    },
                    Err(e) => {
                        state.rejected.push(&connector, &account, e);
                        error_response(status_for(e.kind), e.kind.as_str(), &e.message, Some(e))
                    }
                };
                (response, Some(result))
            }
        },
    };
    tracing::debug!(
        endpoint = "webhook",
        connector = %crate::printable(&connector),
        account = %crate::printable(&account),
        status = response.status().as_u16(),
        error = result.as_ref().and_then(|r| r.as_ref().err()).map(|e| e.kind.as_str()),
        events = result.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |o| o.events.len()),
        micros = started.elapsed().as_micros() as u64,
    );
    state
        .metrics
        .response("webhook", response.status().as_u16(), started.elapsed());
    response
}

/// Appends the outcome's events to the durable queue; returns once they are committed (or were
/// already stored).
async fn enqueue(
    state: &Arc<AppState>,
    connector: &str,
    account: &str,
    outcome: &HandleOutcome,
) -> Result<(), String> {
    if outcome.events.is_empty() {
        return Ok(());
    }
    let events: Vec<NewEvent> = outcome
        .events
        .iter()
        .map(|event| NewEvent {
            idempotency_key: event.idempotency_key.clone(),
            connector: connector.to_string(),
            account: account.to_string(),
            line: json!({ "connector": connector, "account": account, "event": event }).to_string(),
        })
        .collect();
    let store = Arc::clone(&state.store);
    let appended = store.append_async(events).await.map_err(|e| e.to_string());
    match appended {
        Ok(a) => {
            let stored = a
                .iter()
                .filter(|x| matches!(x, Appended::Stored(_)))
                .count();
            state.metrics.intake("stored", stored as u64);
            state.metrics.intake("duplicate", (a.len() - stored) as u64);
            if stored > 0 {
                state.wake.notify_one();
            }
            Ok(())
        }
        Err(e) => {
            state
                .metrics
                .intake("unavailable", outcome.events.len() as u64);
            Err(e)
        }
    }
}

fn reload_status(state: &AppState) -> (u64, u64, serde_json::Value) {
    match &state.specs {
        Specs::Fixed(_) => (0, 0, json!(null)),
        Specs::Dir(r) => {
            let s = r.status();
            (
                s.reloads,
                s.reload_errors,
                serde_json::to_value(&s).unwrap_or_default(),
            )
        }
    }
}

async fn connectors(State(state): State<Arc<AppState>>) -> Response {
    let engine = state.specs.engine();
    let list: Vec<_> = engine
        .connector_names()
        .map(|n| {
            json!({
                "name": n,
                "version": engine.connector(n).and_then(|c| c.version.clone()),
            })
        })
        .collect();
    let (_, _, reload) = reload_status(&state);
    axum::Json(json!({ "connectors": list, "registry": reload })).into_response()
}

async fn metrics_text(State(state): State<Arc<AppState>>) -> Response {
    let (reloads, errors, _) = reload_status(&state);
    let n = state.specs.engine().connector_names().count();
    let store = Arc::clone(&state.store);
    let stats = tokio::task::spawn_blocking(move || store.stats().ok())
        .await
        .ok()
        .flatten();
    (
        [("content-type", "text/plain; version=0.0.4")],
        state
            .metrics
            .render(reloads, errors, n, stats.as_ref(), state.sink.kind()),
    )
        .into_response()
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let store = Arc::clone(&state.store);
    let store_ok = tokio::task::spawn_blocking(move || store.stats().is_ok())
        .await
        .unwrap_or(false);
    if !store_ok {
        (StatusCode::SERVICE_UNAVAILABLE, "event store unavailable").into_response()
    } else if !state.specs.engine().is_empty() {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "no connector loaded").into_response()
    }
}

async fn timeout_layer(
    State(state): State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(state.timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error_response(
            StatusCode::REQUEST_TIMEOUT,
            "Timeout",
            "the request took too long",
            None,
        ),
    }
}

/// The routes.
pub(crate) fn router(state: Arc<AppState>, body_limit: usize) -> Router {
    Router::new()
        .route("/v1/events/handle", post(handle_api))
        .route("/webhooks/{connector}", any(webhook))
        .route("/webhooks/{connector}/{account}", any(webhook))
        .route("/v1/connectors", get(connectors))
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(
            // The token-guarded routes: the queue's admin endpoints and the console.
            Router::new()
                .route("/v1/queue/stats", get(admin::stats))
                .route("/v1/queue/events", get(admin::events))
                .route("/v1/queue/events/{id}", get(admin::event))
                .route("/v1/queue/replay", post(admin::replay))
                .route("/v1/queue/purge", post(admin::purge))
                .merge(console::routes())
                .layer(axum::middleware::from_fn(console::security_headers)),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            timeout_layer,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// Options of [`run`] (the command line's, over the file's).
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The address to listen on (over the config's `addr`; default `127.0.0.1:8080`).
    pub addr: Option<String>,
    /// The spec directory to load and watch (over the config's; default the bundled specs).
    pub connectors: Option<std::path::PathBuf>,
    /// The configuration file's contents.
    pub config: ServeConfig,
    /// Tests only: take the clock from the `x-hooknorm-now` request header (unix seconds).
    pub test_clock: bool,
    /// The intake queue's directory (over the config's `data_dir`; default
    /// [`default_data_dir`]).
    pub data_dir: Option<std::path::PathBuf>,
}

/// Serves until SIGINT / SIGTERM, then finishes the requests in flight.
pub async fn run(opts: ServeOptions) -> Result<(), String> {
    let cfg = opts.config;
    let dir = opts.connectors.or(cfg.connectors.clone());
    let (specs, _watch) = match &dir {
        None => (
            Specs::Fixed(Arc::new(Engine::bundled().map_err(|e| e.to_string())?)),
            None,
        ),
        Some(d) => {
            let registry = Registry::open(d);
            registry.on_reload(|r| {
                for e in &r.errors {
                    tracing::error!(file = %e.file, line = e.line, column = e.column, key = %e.key, "spec rejected, previous version keeps serving: {}", e.message);
                }
                if !r.updated.is_empty() || !r.removed.is_empty() {
                    tracing::info!(updated = ?r.updated, removed = ?r.removed, generation = r.generation, "specs reloaded");
                }
            });
            if let Some(last) = registry.status().last_reload {
                for e in &last.errors {
                    tracing::error!(file = %e.file, line = e.line, column = e.column, key = %e.key, "spec rejected: {}", e.message);
                }
            }
            let watch = registry.watch(WatchMode::Auto)?;
            (Specs::Dir(registry), Some(watch))
        }
    };
    let names: Vec<String> = specs
        .engine()
        .connector_names()
        .map(str::to_string)
        .collect();
    let accounts = config::resolve_accounts(&cfg, &names, |v| std::env::var(v).ok())?;
    let admin_token = match (&cfg.admin_token, &cfg.admin_token_env) {
        (Some(_), Some(_)) => return Err("give admin_token or admin_token_env, not both".into()),
        (Some(t), None) => Some(t.clone()),
        (None, Some(var)) => {
            Some(std::env::var(var).map_err(|_| {
                format!("admin_token_env: the environment variable {var} is not set")
            })?)
        }
        (None, None) => None,
    };
    if admin_token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err("the admin token is empty".into());
    }
    let data_dir = data_dir_of(opts.data_dir, &cfg);
    let intake = intake::open(&cfg, &data_dir).await?;
    let store = intake.store();
    let mut sink_cfg = cfg.sink.clone();
    if let Some(r) = &mut sink_cfg.redis {
        let hours = cfg.dedup_window_hours.unwrap_or(168);
        r.dedup_window_secs
            .get_or_insert(hours.saturating_mul(3600));
    }
    let sink = delivery::Sink::of(&sink_cfg, |v| std::env::var(v).ok())?;
    let state = Arc::new(AppState {
        specs,
        accounts,
        metrics: Metrics::default(),
        sink,
        store,
        wake: tokio::sync::Notify::new(),
        test_clock: opts.test_clock,
        timeout: Duration::from_millis(cfg.request_timeout_ms.unwrap_or(10_000)),
        admin_token,
        rejected: console::Rejected::default(),
    });
    let addr = opts
        .addr
        .or(cfg.addr.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    let local: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(addr = %local, connectors = names.len(), accounts = state.accounts.len(), "listening");
    eprintln!("hooknorm: listening on http://{local}");
    let window_ms = cfg
        .dedup_window_hours
        .unwrap_or(168)
        .saturating_mul(3_600_000) as i64;
    if let delivery::Sink::Nats(n) = &state.sink {
        n.start().await;
    }
    match intake {
        intake::Intake::Local(_) => {
            tokio::spawn(delivery::run(Arc::clone(&state), window_ms));
        }
        intake::Intake::Broker(b) => {
            tokio::spawn(b.consume(Arc::clone(&state)));
        }
    }
    let body_limit = cfg.body_limit_bytes.unwrap_or(1024 * 1024);
    // gRPC (content type `application/grpc`) shares the listener with the HTTP routes.
    let app = grpc::with_grpc(Arc::clone(&state), router(state, body_limit), body_limit).await?;
    // No Nagle delay: HTTP/2 (gRPC) writes a response's headers, data and trailers apart.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
