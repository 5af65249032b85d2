//! The web console (`/console`) of `hooknorm serve`: its security over plain HTTP (the token,
//! the session cookie, the headers, CSRF, escaping), and the whole console in a real headless
//! chromium driven by Selenium (`tests/console_browser.py`, in the venv `.ci/python-venv` makes),
//! with screenshots under `target/console-screenshots/`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

use support::*;

const TOKEN: &str = "console-test-token-5f2e";

/// An agent that does not follow redirects (the login's 303 and its cookie are checked).
fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

/// (status, headers, body) of a request with these headers.
fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, ureq::http::HeaderMap, String) {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut resp = no_redirects()
        .run(b.body(body.as_bytes().to_vec()).unwrap())
        .unwrap();
    let status = resp.status().as_u16();
    let h = resp.headers().clone();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (status, h, body)
}

/// A service with the admin token, razorpay specs from a watched copy, and an HTTP sink at
/// `sink` tried once (so that a 500 makes a dead letter at once).
struct Setup {
    server: Server,
    spec: PathBuf,
    dir: PathBuf,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(sink: &str) -> Setup {
    let dir = temp_dir("console");
    let specs = dir.join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let spec = specs.join("razorpay.yaml");
    std::fs::copy(Path::new(ROOT).join("connectors/razorpay.yaml"), &spec).unwrap();
    let config = razorpay_config(
        &dir,
        &format!(
            "sink:\n  http: {{url: {sink:?}, max_attempts: 1, backoff_ms: 10}}\nadmin_token: {TOKEN:?}\n"
        ),
    );
    let server = Server::start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--connectors",
            specs.to_str().unwrap(),
        ],
        &[],
    );
    Setup { server, spec, dir }
}

fn post_webhook(server: &Server, pay_id: &str) {
    let (h, b) = razorpay_webhook_with_id(pay_id);
    let (status, _, body) = send(&agent(), "POST", &server.url("/webhooks/razorpay"), &h, &b);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// The state of the event whose payment id is `pay_id`, from the admin API.
fn state_of(server: &Server, pay_id: &str) -> Option<(i64, String)> {
    let (_, list) = admin(server, "GET", "/v1/queue/events", Some(TOKEN), "");
    list.as_array()?.iter().find_map(|e| {
        let (_, show) = admin(
            server,
            "GET",
            &format!("/v1/queue/events/{}", e["id"]),
            Some(TOKEN),
            "",
        );
        let id = &show["line"]["event"]["event_response"]["payments_response"]
            ["connector_transaction_id"];
        (id == pay_id).then(|| {
            (
                e["id"].as_i64().unwrap(),
                e["state"].as_str().unwrap().to_string(),
            )
        })
    })
}

fn assert_security_headers(h: &ureq::http::HeaderMap, what: &str) {
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
    let csp = get("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{what}: CSP {csp:?}");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert!(
        !csp.contains("script-src"),
        "{what}: no script source allowed: {csp:?}"
    );
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("cache-control"), "no-store", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
}

#[test]
fn the_console_is_off_without_an_admin_token() {
    let dir = temp_dir("console-off");
    let config = razorpay_config(&dir, "");
    let server = Server::start(&["--config", config.to_str().unwrap()], &[]);
    for (m, path) in [
        ("GET", "/console"),
        ("GET", "/console/dead"),
        ("POST", "/console/login"),
        ("POST", "/console/replay"),
        ("GET", "/console/assets/console.css"),
    ] {
        let (status, _, _) = request(m, &server.url(path), &[], "token=x");
        assert_eq!(status, 404, "{m} {path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn console_security_over_http() {
    let (url, status, _) = switchable_receiver(500);
    let s = start(&url);
    let server = &s.server;
    post_webhook(server, "pay_dead_1");
    assert!(wait_until(10, || state_of(server, "pay_dead_1")
        .is_some_and(|(_, st)| st == "dead")));
    status.store(200, Ordering::SeqCst);
    post_webhook(server, "<script>window.hooknormXss=1</script>");

    // Without the token: 401 with the login form and no data, every page; the headers always.
    for path in [
        "/console",
        "/console/dead",
        "/console/connectors",
        "/console/events/1",
    ] {
        let (st, h, body) = request("GET", &server.url(path), &[], "");
        assert_eq!(st, 401, "{path}");
        assert!(body.contains("id=\"login\""), "{path}: the login form");
        assert!(!body.contains("pay_dead_1"), "{path}: no event data");
        assert_security_headers(&h, path);
    }
    let (st, h, _) = request("GET", &server.url("/v1/queue/stats"), &[], "");
    assert_eq!(st, 401);
    assert_security_headers(&h, "/v1/queue/stats");
    // A wrong cookie or bearer token gets nothing either.
    for auth in [
        ("cookie", "hooknorm_console=0123456789abcdef"),
        ("authorization", "Bearer wrong"),
    ] {
        let (st, _, body) = request("GET", &server.url("/console"), &[auth], "");
        assert_eq!(st, 401, "{auth:?}");
        assert!(!body.contains("pay_dead_1"));
    }

    // Login: a wrong token is 401 without a cookie; the right one a session cookie.
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (st, h, body) = request("POST", &server.url("/console/login"), &form, "token=nope");
    assert_eq!(st, 401);
    assert!(h.get("set-cookie").is_none());
    assert!(body.contains("not the admin token"));
    let (st, h, _) = request(
        "POST",
        &server.url("/console/login"),
        &form,
        &format!("token={TOKEN}"),
    );
    assert_eq!(st, 303);
    let cookie = h.get("set-cookie").unwrap().to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "session only: {cookie}"
    );
    assert!(!cookie.contains(TOKEN), "the cookie is not the token");
    let session = cookie.split(';').next().unwrap().to_string();
    let with_cookie = [("cookie", session.as_str())];

    // Logged in: the events, every value escaped.
    let (st, h, body) = request("GET", &server.url("/console"), &with_cookie, "");
    assert_eq!(st, 200);
    assert_security_headers(&h, "/console logged in");
    assert!(body.contains("pay_dead_1"));
    assert!(
        body.contains("&lt;script&gt;window.hooknormXss=1&lt;&#x2f;script&gt;"),
        "escaped"
    );
    assert!(!body.contains("<script"), "no script element on the page");
    let (xss_id, _) = state_of(server, "<script>window.hooknormXss=1</script>").unwrap();
    let (_, _, page) = request(
        "GET",
        &server.url(&format!("/console/events/{xss_id}")),
        &with_cookie,
        "",
    );
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script"));
    // The bearer token opens it too (for scripts).
    let bearer = format!("Bearer {TOKEN}");
    let (st, _, _) = request(
        "GET",
        &server.url("/console"),
        &[("authorization", &bearer)],
        "",
    );
    assert_eq!(st, 200);

    // Replay needs the form's CSRF token: none or a wrong one is 403 and replays nothing.
    let (dead_id, _) = state_of(server, "pay_dead_1").unwrap();
    let post = [
        ("cookie", session.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    for body in [
        format!("id={dead_id}"),
        format!("id={dead_id}&csrf=00ff"),
        "all=dead&csrf=".to_string(),
    ] {
        let (st, _, _) = request("POST", &server.url("/console/replay"), &post, &body);
        assert_eq!(st, 403, "{body}");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(state_of(server, "pay_dead_1").unwrap().1, "dead");
    // Without the session, even the right CSRF token is 401.
    let (_, _, dead_page) = request("GET", &server.url("/console/dead"), &with_cookie, "");
    let csrf = dead_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let (st, _, _) = request(
        "POST",
        &server.url("/console/replay"),
        &form,
        &format!("id={dead_id}&csrf={csrf}"),
    );
    assert_eq!(st, 401);
    assert_eq!(state_of(server, "pay_dead_1").unwrap().1, "dead");
    // With both: replayed (the store's replay), then delivered.
    let (st, h, _) = request(
        "POST",
        &server.url("/console/replay"),
        &post,
        &format!("id={dead_id}&csrf={csrf}"),
    );
    assert_eq!(st, 303);
    assert_eq!(
        h.get("location").unwrap().to_str().unwrap(),
        "/console/dead?replayed=1"
    );
    assert!(wait_until(10, || state_of(server, "pay_dead_1")
        .is_some_and(|(_, st)| st == "delivered")));

    // Logging out clears the cookie.
    let (st, h, _) = request("POST", &server.url("/console/logout"), &post, "");
    assert_eq!(st, 303);
    assert!(h
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

fn python() -> PathBuf {
    let p = std::env::var_os("HOOKNORM_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(ROOT).join(".ci/venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import selenium"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the console's browser test needs a Python with selenium, and found none at {}: run \
         `bash .ci/python-venv` (it creates .ci/venv), or set HOOKNORM_TEST_PYTHON",
        p.display()
    );
    for bin in ["chromium", "chromedriver"] {
        assert!(
            Command::new("sh")
                .args(["-c", &format!("command -v {bin}")])
                .status()
                .is_ok_and(|s| s.success()),
            "the console's browser test needs Debian's {bin}: `apt-get install chromium \
             chromium-driver` (`.ci/test` installs them)"
        );
    }
    p
}

#[test]
fn console_in_a_real_browser() {
    let python = python();
    let (url, status, answered) = switchable_receiver(200);
    let s = start(&url);
    let server = &s.server;
    post_webhook(server, "pay_delivered_1");
    assert!(wait_until(10, || state_of(server, "pay_delivered_1")
        .is_some_and(|(_, st)| st == "delivered")));
    status.store(500, Ordering::SeqCst);
    post_webhook(server, "pay_dead_2");
    assert!(wait_until(10, || state_of(server, "pay_dead_2")
        .is_some_and(|(_, st)| st == "dead")));
    status.store(200, Ordering::SeqCst);
    let xss = "<script>window.hooknormXss=1</script>";
    post_webhook(server, xss);
    assert!(wait_until(10, || state_of(server, xss)
        .is_some_and(|(_, st)| st == "delivered")));
    // A forged webhook: a failure for the failures chart.
    let (mut h, b) = razorpay_webhook_with_id("pay_forged_1");
    h.insert("x-razorpay-signature".into(), "00".repeat(32));
    let (st, _, _) = send(&agent(), "POST", &server.url("/webhooks/razorpay"), &h, &b);
    assert_eq!(st, 401);
    let before = answered.lock().unwrap().len();

    let shots = PathBuf::from(ROOT).join("target/console-screenshots");
    // This run's screenshots only: a stale file from an earlier run must not count.
    let _ = std::fs::remove_dir_all(&shots);
    let out = Command::new(python)
        .arg(Path::new(ROOT).join("tests/console_browser.py"))
        .env("CONSOLE_BASE", &server.base)
        .env("CONSOLE_TOKEN", TOKEN)
        .env("CONSOLE_SPEC", &s.spec)
        .env("CONSOLE_SHOTS", &shots)
        .env("CONSOLE_DEAD_KEY", "pay_dead_2")
        .env("CONSOLE_DELIVERED_KEY", "pay_delivered_1")
        .env("CONSOLE_XSS_KEY", xss)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser checks failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The replay clicked in the browser reached the sink: the dead letter, answered 200.
    let got = answered.lock().unwrap();
    assert!(
        got[before..]
            .iter()
            .any(|(st, body)| *st == 200 && body.contains("pay_dead_2")),
        "the replayed event was delivered"
    );
    for name in [
        "01-wrong-token",
        "02-events",
        "03-event",
        "04-dead-letters",
        "05-replayed",
        "06-rejected",
        "07-connectors",
    ] {
        let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}.png is a PNG");
    }
}

#[test]
fn broker_mode_says_the_event_list_is_not_available() {
    let dir = temp_dir("console-broker");
    let redis = RedisServer::start(free_port(), &dir.join("redis"));
    let (sink, _) = receiver(vec![]);
    let config = razorpay_config(
        &dir,
        &format!(
            "intake:\n  redis:\n    url: {}\nsink:\n  http: {{url: {sink:?}}}\nadmin_token: {TOKEN:?}\n",
            redis.url()
        ),
    );
    let server = Server::with_config(&config, &dir.join("data"), &[]);
    post_webhook(&server, "pay_broker_1");
    let bearer = format!("Bearer {TOKEN}");
    for path in ["/console", "/console/dead"] {
        let (st, h, body) = request("GET", &server.url(path), &[("authorization", &bearer)], "");
        assert_eq!(st, 200, "{path}");
        assert_security_headers(&h, path);
        assert!(
            body.contains("The console&#x27;s event list is not available in broker mode")
                && body.contains("(intake.redis)"),
            "{path}: {body}"
        );
        assert!(body.contains("id=\"error\""), "{path}");
    }
    // The charts still come from the service's own counts.
    let (_, _, body) = request(
        "GET",
        &server.url("/console"),
        &[("authorization", &bearer)],
        "",
    );
    assert!(
        body.contains("razorpay: 1"),
        "the chart legend counts the event"
    );
    drop(server);
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn events_are_paged_and_filtered() {
    let (url, _) = receiver(vec![]);
    let s = start(&url);
    let server = &s.server;
    for i in 0..55 {
        post_webhook(server, &format!("pay_page_{i:03}"));
    }
    let bearer = format!("Bearer {TOKEN}");
    let auth = [("authorization", bearer.as_str())];
    let page = |q: &str| {
        let (st, _, body) = request("GET", &server.url(&format!("/console?{q}")), &auth, "");
        let ids: Vec<String> = body
            .split("data-id=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        (st, ids, body)
    };
    let (st, first, body) = page("");
    assert_eq!(st, 200);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "55", "most recent first");
    assert!(body.contains("id=\"next\"") && !body.contains("id=\"prev\""));
    let (_, second, body) = page("page=1");
    assert_eq!(second, ["5", "4", "3", "2", "1"]);
    assert!(body.contains("id=\"prev\"") && !body.contains("id=\"next\""));
    assert!(wait_until(20, || admin(
        server,
        "GET",
        "/v1/queue/stats",
        Some(TOKEN),
        ""
    )
    .1["delivered"]
        == 55));
    assert_eq!(page("connector=razorpay&state=delivered").1.len(), 50);
    assert!(page("state=dead").1.is_empty());
    assert_eq!(page("event_type=PAYMENT_INTENT_SUCCESS&page=1").1.len(), 5);
    assert!(page("event_type=REFUND_SUCCESS").1.is_empty());
    assert!(page("account=other").1.is_empty());
    assert!(page("since=2099-01-01T00:00:00Z").1.is_empty());
    assert_eq!(page("until=2099-01-01T00:00:00Z&page=1").1.len(), 5);
    let (st, ids, body) = page("state=nope");
    assert_eq!(st, 400);
    assert!(ids.is_empty() && body.contains("state must be pending, delivered or dead"));
}
