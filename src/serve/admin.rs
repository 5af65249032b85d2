//! The queue's admin endpoints, `/v1/queue/...`: the same as `hooknorm queue`, as JSON, behind
//! the config's admin bearer token. Without a token configured they answer 404 (off); a missing
//! or wrong token gets 401. The token is compared in constant time and never logged.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{error_response, AppState};
use crate::queue::{self, ReplaySelect, Replayed, State as EventState, Store, StoreError};

/// Equal byte strings, in time that depends only on their lengths.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for (i, x) in a.iter().enumerate() {
        // Compare every byte of `a` even when `b` is shorter.
        let y = b.get(i).copied().unwrap_or(!x);
        diff |= u64::from(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

/// `None` when the request carries the configured token; the response to send otherwise.
fn authorize(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let Some(token) = &state.admin_token else {
        return Some(error_response(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no such endpoint (the queue admin endpoints are off: no admin_token configured)",
            None,
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if ct_eq(given.trim().as_bytes(), token.as_bytes()) {
        None
    } else {
        let mut r = error_response(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "a valid admin bearer token is required",
            None,
        );
        r.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
        Some(r)
    }
}

fn bad_request(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, "InvalidRequest", message, None)
}

fn unavailable(e: &StoreError) -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "StoreUnavailable",
        &e.to_string(),
        None,
    )
}

/// Runs a store call off the runtime's threads.
pub(super) async fn blocking<R: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<R, StoreError> + Send + 'static,
) -> Result<R, StoreError> {
    let store = Arc::clone(&state.store);
    match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
        Ok(r) => r,
        Err(e) => Err(StoreError::Io(e.to_string())),
    }
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

/// `GET /v1/queue/stats`.
pub(crate) async fn stats(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(r) = authorize(&state, &headers) {
        return r;
    }
    match blocking(&state, |s| s.stats()).await {
        Ok(s) => ok(queue::stats_json(&s, queue::now_ms())),
        Err(e) => unavailable(&e),
    }
}

/// `GET /v1/queue/events?state=pending|delivered|dead&limit=N` (default 100).
pub(crate) async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(r) = authorize(&state, &headers) {
        return r;
    }
    let (mut want, mut limit) = (None, 100usize);
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "state" if v.is_empty() => {}
            "state" => match EventState::parse(v) {
                Some(s) => want = Some(s),
                None => return bad_request("state must be pending, delivered or dead"),
            },
            "limit" => match v.parse() {
                Ok(n) => limit = n,
                Err(_) => return bad_request("limit must be a non-negative integer"),
            },
            _ => return bad_request("unknown query parameter (state, limit)"),
        }
    }
    match blocking(&state, move |s| s.list(want, limit)).await {
        Ok(list) => ok(serde_json::to_value(list).unwrap_or_default()),
        Err(e) => unavailable(&e),
    }
}

/// `GET /v1/queue/events/{id}`.
pub(crate) async fn event(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = authorize(&state, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return bad_request("the event id is an integer");
    };
    match blocking(&state, move |s| s.event(id)).await {
        Ok(Some(d)) => ok(queue::detail_json(&d)),
        Ok(None) => error_response(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("no event with id {id}"),
            None,
        ),
        Err(e) => unavailable(&e),
    }
}

/// `POST /v1/queue/replay` with `{"ids": [...]}` or `{"dead": true}`.
pub(crate) async fn replay(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = authorize(&state, &headers) {
        return r;
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("the body is not JSON: {e}")),
    };
    let which = match (v.get("ids"), v.get("dead")) {
        (Some(ids), None) => match serde_json::from_value::<Vec<i64>>(ids.clone()) {
            Ok(ids) if !ids.is_empty() => ReplaySelect::Ids(ids),
            _ => return bad_request("ids must be a non-empty array of event ids"),
        },
        (None, Some(Value::Bool(true))) => ReplaySelect::Dead,
        _ => return bad_request("give {\"ids\": [...]} or {\"dead\": true}"),
    };
    match blocking(&state, move |s| s.replay(which)).await {
        Ok(Replayed::Done(ids)) => {
            state.wake.notify_one();
            ok(json!({ "replayed": ids }))
        }
        Ok(Replayed::Unknown(ids)) => error_response(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("no event with id {ids:?}; nothing replayed"),
            None,
        ),
        Err(e) => unavailable(&e),
    }
}

/// `POST /v1/queue/purge` with `{"delivered_before": T}` (unix seconds, or RFC 3339 text).
pub(crate) async fn purge(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = authorize(&state, &headers) {
        return r;
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("the body is not JSON: {e}")),
    };
    let t = match v.get("delivered_before") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return bad_request("give {\"delivered_before\": unix seconds or RFC 3339}"),
    };
    let before = match queue::parse_time(&t) {
        Ok(t) => t,
        Err(m) => return bad_request(&m),
    };
    match blocking(&state, move |s| s.purge_delivered(before)).await {
        Ok(n) => ok(json!({ "purged": n })),
        Err(e) => unavailable(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::ct_eq;

    #[test]
    fn constant_time_comparison_is_equality() {
        assert!(ct_eq(b"secret", b"secret"));
        assert!(!ct_eq(b"secret", b"secreT"));
        assert!(!ct_eq(b"secret", b"secret2"));
        assert!(!ct_eq(b"secret2", b"secret"));
        assert!(!ct_eq(b"", b"x"));
        assert!(ct_eq(b"", b""));
    }
}
