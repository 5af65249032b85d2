//! The console's login: the admin token, checked in constant time, kept by the browser for the
//! session only as a cookie that is derived from it (never the token itself), and the CSRF token
//! of its forms, derived from it too. Both derivations are HMAC-SHA-256 keyed by the token, so
//! neither can be made without it, and a new token ends every session.

use axum::http::{header, HeaderMap};
use hmac::{Hmac, Mac};

use crate::serve::admin::ct_eq;

/// The session cookie's name.
pub(super) const COOKIE: &str = "hooknorm_console";

fn derive(token: &str, purpose: &str) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes()) else {
        return String::new();
    };
    mac.update(b"hooknorm console ");
    mac.update(purpose.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session cookie's value for this token.
pub(super) fn session(token: &str) -> String {
    derive(token, "session")
}

/// The CSRF token of the console's forms.
pub(super) fn csrf(token: &str) -> String {
    derive(token, "csrf")
}

/// The `Set-Cookie` value that logs in: a session cookie (no expiry), for the console's paths
/// only, out of scripts' reach and never sent on cross-site requests.
pub(super) fn login_cookie(token: &str) -> String {
    format!(
        "{COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict",
        session(token)
    )
}

/// The `Set-Cookie` value that logs out.
pub(super) fn logout_cookie() -> String {
    format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The request carries the session cookie, or the token as a bearer token.
pub(super) fn allowed(token: &str, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(b) = bearer {
        return ct_eq(b.trim().as_bytes(), token.as_bytes());
    }
    let want = session(token);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(k, v)| k == COOKIE && ct_eq(v.as_bytes(), want.as_bytes()))
}

/// The form's CSRF token is this token's.
pub(super) fn csrf_ok(token: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| ct_eq(g.as_bytes(), csrf(token).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_and_csrf_derive_from_the_token() {
        let mut h = HeaderMap::new();
        assert!(!allowed("t0ken", &h));
        h.insert(
            header::COOKIE,
            format!("a=b; {COOKIE}={}", session("t0ken"))
                .parse()
                .unwrap(),
        );
        assert!(allowed("t0ken", &h));
        assert!(!allowed("other", &h));
        assert_ne!(session("t0ken"), csrf("t0ken"));
        assert!(!session("t0ken").contains("t0ken"));
        assert!(csrf_ok("t0ken", Some(&csrf("t0ken"))));
        assert!(!csrf_ok("t0ken", Some(&csrf("other"))));
        assert!(!csrf_ok("t0ken", None));
        let mut b = HeaderMap::new();
        b.insert(header::AUTHORIZATION, "Bearer t0ken".parse().unwrap());
        assert!(allowed("t0ken", &b));
        b.insert(header::AUTHORIZATION, "Bearer t0keN".parse().unwrap());
        assert!(!allowed("t0ken", &b));
    }
}
