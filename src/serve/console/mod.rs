//! The web console, `/console`: server-rendered pages (minijinja templates embedded in the
//! binary, no JavaScript) over the durable intake, for the people who run the service.
//!
//! | route | page |
//! |---|---|
//! | `GET /console` | events, most recent first, filtered and paged; charts of the last hour |
//! | `GET /console/events/{id}` | one event: normalized event, verification, delivery attempts |
//! | `GET /console/dead` | dead letters; `POST /console/replay` replays the selected or all |
//! | `GET /console/rejected` | the last webhooks refused (kind, message, verification steps) |
//! | `GET /console/connectors` | specs serving, their versions, the last reload and its errors |
//! | `POST /console/login`, `POST /console/logout` | the admin token in, a session cookie out |
//!
//! Off (404) unless the config has an admin token; every page but the login form needs the
//! session cookie or the token as a bearer token (`auth.rs`). Replay is the store's own
//! [`Store::replay`](crate::queue::Store::replay), as `hooknorm queue replay`, and needs the
//! form's CSRF token. All values go through the templates' HTML escaping, and
//! [`security_headers`] sets the CSP (no scripts at all), `X-Frame-Options: DENY` and no-store.

mod auth;
mod chart;
mod rejected;
mod view;

pub(crate) use rejected::Rejected;

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Environment, Value};

use super::admin::blocking;
use super::metrics::Series;
use super::{delivery, AppState, Specs};
use crate::queue::{ReplaySelect, Replayed, State as EventState, StoreError};

const CSS: &str = include_str!("assets/console.css");

/// The templates, parsed once.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // `.html` names: every value is HTML-escaped unless marked safe (none is).
        for (name, src) in [
            ("base.html", include_str!("templates/base.html")),
            ("login.html", include_str!("templates/login.html")),
            ("rows.html", include_str!("templates/rows.html")),
            ("events.html", include_str!("templates/events.html")),
            ("event.html", include_str!("templates/event.html")),
            ("dead.html", include_str!("templates/dead.html")),
            ("connectors.html", include_str!("templates/connectors.html")),
            ("rejected.html", include_str!("templates/rejected.html")),
        ] {
            if let Err(e) = env.add_template(name, src) {
                // The templates are part of the binary; a broken one is a build mistake.
                panic!("console template {name}: {e}");
            }
        }
        env
    })
}

/// The console's routes (the state's admin token turns them on).
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(events))
        .route("/console/", get(events))
        .route("/console/events/{id}", get(event))
        .route("/console/dead", get(dead))
        .route("/console/connectors", get(connectors))
        .route("/console/rejected", get(rejected))
        .route("/console/replay", post(replay))
        .route("/console/login", post(login))
        .route("/console/logout", post(logout))
        .route("/console/assets/console.css", get(css))
}

/// The headers of every console and admin response: no scripts, styles and images from the
/// service only, forms post to it only, never framed, never cached, never sniffed.
pub(crate) async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn render(status: StatusCode, name: &str, ctx: Value) -> Response {
    match templates().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "console page not rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

fn off() -> Response {
    (
        StatusCode::NOT_FOUND,
        "no such page (the console is off: no admin_token configured)",
    )
        .into_response()
}

fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    render(
        status,
        "login.html",
        context! { title => "Log in", error => error },
    )
}

/// The admin token when the request may see the console; the response to send otherwise
/// (404 when the console is off, 401 with the login form, and no data, when not logged in).
fn gate(state: &AppState, headers: &HeaderMap) -> Result<String, Box<Response>> {
    let Some(token) = &state.admin_token else {
        return Err(Box::new(off()));
    };
    if auth::allowed(token, headers) {
        Ok(token.clone())
    } else {
        Err(Box::new(login_page(StatusCode::UNAUTHORIZED, None)))
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The pairs of a form body or query string.
fn pairs(s: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(s).into_owned().collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn css(State(state): State<Arc<AppState>>) -> Response {
    if state.admin_token.is_none() {
        return off();
    }
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// `POST /console/login` with the form's `token`.
async fn login(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let Some(token) = &state.admin_token else {
        return off();
    };
    let form = pairs(&body);
    let given = first(&form, "token").unwrap_or("").trim();
    if super::admin::ct_eq(given.as_bytes(), token.as_bytes()) {
        let mut r = redirect("/console");
        if let Ok(v) = HeaderValue::from_str(&auth::login_cookie(token)) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        r
    } else {
        tracing::warn!("console: a login with a wrong token");
        login_page(
            StatusCode::UNAUTHORIZED,
            Some("That is not the admin token."),
        )
    }
}

/// `POST /console/logout`: forgets the session cookie.
async fn logout(State(state): State<Arc<AppState>>) -> Response {
    if state.admin_token.is_none() {
        return off();
    }
    let mut r = redirect("/console");
    if let Ok(v) = HeaderValue::from_str(&auth::logout_cookie()) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// `GET /console`: the events page.
async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let counts = state.metrics.last_hour();
    let charts = vec![
        chart::chart("Events by connector", Series::Events, &counts),
        chart::chart("Failures by kind", Series::Failures, &counts),
    ];
    let filter = match view::Filter::parse(uri.query().unwrap_or("")) {
        Ok(f) => f,
        Err(e) => return bad_filter(&token, &e),
    };
    let q = match filter.query() {
        Ok(q) => q,
        Err(e) => return bad_filter(&token, &e),
    };
    let (mut rows, error) = match blocking(&state, move |s| s.recent(&q)).await {
        Ok(list) => (
            list.iter()
                .map(|(i, l)| view::row(i, l))
                .collect::<Vec<_>>(),
            None,
        ),
        Err(e) => (Vec::new(), Some(store_error(&e))),
    };
    let more = rows.len() > view::PAGE;
    rows.truncate(view::PAGE);
    let prev_page = filter.page.checked_sub(1).map(|p| filter.at_page(p));
    let next_page = more.then(|| filter.at_page(filter.page + 1));
    render(
        StatusCode::OK,
        "events.html",
        context! {
            title => "Events", nav => "events", csrf => auth::csrf(&token), error,
            charts, filter, rows, prev_page, next_page,
        },
    )
}

fn bad_filter(token: &str, e: &str) -> Response {
    render(
        StatusCode::BAD_REQUEST,
        "events.html",
        context! {
            title => "Events", nav => "events", csrf => auth::csrf(token), error => e,
            filter => view::Filter::default(), rows => Vec::<view::Row>::new(),
        },
    )
}

/// A store error as the console says it: broker mode named plainly.
fn store_error(e: &StoreError) -> String {
    match e {
        StoreError::Io(m) if m.contains("not available in broker mode") => format!(
            "The console's event list is not available in broker mode: the events are in the \
             broker, not in a store the service can list ({m})."
        ),
        e => e.to_string(),
    }
}

fn sink_name(sink: &delivery::Sink) -> &'static str {
    match sink {
        delivery::Sink::Stdout => "stdout",
        delivery::Sink::Http { .. } => "HTTP",
        delivery::Sink::File { .. } => "file",
        delivery::Sink::Nats(_) => "NATS",
        delivery::Sink::Redis(_) => "Redis",
    }
}

/// `GET /console/events/{id}`: one event.
async fn event(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let csrf = auth::csrf(&token);
    let not_found = |error: String| {
        render(
            StatusCode::NOT_FOUND,
            "event.html",
            context! { title => "No such event", nav => "events", csrf => &csrf, error },
        )
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found("the event id is an integer".into());
    };
    let d = match blocking(&state, move |s| s.event(id)).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(format!("no event with id {id}")),
        Err(e) => return not_found(store_error(&e)),
    };
    let row = view::row(&d.info, &d.line);
    // The normalized event as stored (the line delivered), pretty-printed.
    let event_json = serde_json::from_str::<serde_json::Value>(&d.line)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| d.line.clone());
    let attempts: Vec<_> = d
        .attempts
        .iter()
        .map(|a| context! { time => view::utc(a.at_ms), status => a.status, error => a.error })
        .collect();
    render(
        StatusCode::OK,
        "event.html",
        context! {
            title => format!("Event {id}"), nav => "events", csrf,
            info => &d.info, row, event_json, attempts,
            created => view::utc(d.info.created_ms),
            next_attempt => view::utc(d.info.next_attempt_ms),
            sink => sink_name(&state.sink),
        },
    )
}

/// `GET /console/dead`: the dead letters, to replay.
async fn dead(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let q = crate::queue::EventQuery {
        state: Some(EventState::Dead),
        limit: 500,
        ..Default::default()
    };
    let (rows, error) = match blocking(&state, move |s| s.recent(&q)).await {
        Ok(list) => (
            list.iter()
                .map(|(i, l)| view::row(i, l))
                .collect::<Vec<_>>(),
            None,
        ),
        Err(e) => (Vec::new(), Some(store_error(&e))),
    };
    let query = pairs(uri.query().unwrap_or("").as_bytes());
    let notice = first(&query, "replayed")
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| format!("{n} event(s) replayed: pending again, due now."));
    render(
        StatusCode::OK,
        "dead.html",
        context! {
            title => "Dead letters", nav => "dead", csrf => auth::csrf(&token),
            rows, error, notice,
        },
    )
}

/// `POST /console/replay` with the form's `csrf` and `id`s, or `all=dead`: the store's replay
/// (as `hooknorm queue replay`), then back to the dead letters.
async fn replay(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let form = pairs(&body);
    if !auth::csrf_ok(&token, first(&form, "csrf")) {
        return (
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong: reload the page and try again",
        )
            .into_response();
    }
    let which = if first(&form, "all") == Some("dead") {
        ReplaySelect::Dead
    } else {
        let ids: Result<Vec<i64>, _> = form
            .iter()
            .filter(|(k, _)| k == "id")
            .map(|(_, v)| v.parse::<i64>())
            .collect();
        match ids {
            Ok(ids) if !ids.is_empty() => ReplaySelect::Ids(ids),
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    "select the events to replay (or replay all dead letters)",
                )
                    .into_response()
            }
        }
    };
    match blocking(&state, move |s| s.replay(which)).await {
        Ok(Replayed::Done(ids)) => {
            state.wake.notify_one();
            tracing::info!(events = ids.len(), "console: replayed");
            redirect(&format!("/console/dead?replayed={}", ids.len()))
        }
        Ok(Replayed::Unknown(ids)) => (
            StatusCode::NOT_FOUND,
            format!("no event with id {ids:?}; nothing replayed"),
        )
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, store_error(&e)).into_response(),
    }
}

/// `GET /console/connectors`: the specs serving and the last reload's errors.
async fn connectors(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let engine = state.specs.engine();
    let list: Vec<_> = engine
        .connector_names()
        .map(|n| context! { name => n, version => engine.connector(n).and_then(|c| c.version.clone()) })
        .collect();
    let (registry, last_reload, spec_errors) = match &state.specs {
        Specs::Fixed(_) => (None, None, Vec::new()),
        Specs::Dir(r) => {
            let s = r.status();
            let last = s
                .last_reload
                .as_ref()
                .map(|l| view::utc(i64::try_from(l.at_unix_ms).unwrap_or(i64::MAX)));
            let errors = s
                .last_reload
                .as_ref()
                .map(|l| l.errors.clone())
                .unwrap_or_default();
            (Some(s), last, errors)
        }
    };
    render(
        StatusCode::OK,
        "connectors.html",
        context! {
            title => "Connectors", nav => "connectors", csrf => auth::csrf(&token),
            connectors => list, registry, last_reload, spec_errors,
        },
    )
}

/// `GET /console/rejected`: the last webhooks refused, with their verification steps.
async fn rejected(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let token = match gate(&state, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let list: Vec<_> = state
        .rejected
        .newest_first()
        .into_iter()
        .map(|r| context! { time => view::utc(r.at_ms), ..Value::from_serialize(&r) })
        .collect();
    render(
        StatusCode::OK,
        "rejected.html",
        context! {
            title => "Rejected webhooks", nav => "rejected", csrf => auth::csrf(&token),
            rejected => list, keep => rejected::KEEP,
        },
    )
}
