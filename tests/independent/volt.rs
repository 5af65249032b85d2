//! Volt notifications: `X-Volt-Signed` = lower-case hex HMAC-SHA256 of
//! `body|X-Volt-Timed|version`, version = the `User-Agent` after its `/` (`Volt/2.0` → `2.0`), per
//! Volt's "Signature verification" page.
use super::*;

const SECRET: &str = "volt-independent-notification-secret";

#[test]
fn volt_signature_is_hmac_of_body_timed_and_user_agent_version() {
    let body = br#"{"payment":"p-1","amount":4200,"currency":"EUR","status":"RECEIVED"}"#;
    let signed = sign("volt", secrets(SECRET, None), body, "", None);
    let timed = header(&signed, "X-Volt-Timed").to_string();
    let ua = header(&signed, "User-Agent").to_string();
    let version = ua.rsplit('/').next().unwrap();
    assert_eq!(version, "2.0");
    let expected = hex(&hmac_sha256(
        SECRET.as_bytes(),
        &[body, b"|", timed.as_bytes(), b"|", version.as_bytes()],
    ));
    assert_eq!(header(&signed, "X-Volt-Signed"), expected);
    let out = round_trip("volt", &signed, "", secrets(SECRET, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");

    // Another version in User-Agent is other signed material; the product name is not signed.
    let set = |w: &SignedWebhook, name: &str, value: &str| {
        let mut w = w.clone();
        let k = w
            .headers
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .unwrap()
            .clone();
        w.headers.insert(k, value.into());
        w
    };
    let err = handle(
        "volt",
        &set(&signed, "User-Agent", "Volt/2.1"),
        "",
        secrets(SECRET, None),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    handle(
        "volt",
        &set(&signed, "User-Agent", "Other/2.0"),
        "",
        secrets(SECRET, None),
    )
    .expect("only the version is signed");
    let v3 = hex(&hmac_sha256(
        SECRET.as_bytes(),
        &[body, b"|", timed.as_bytes(), b"|3.1"],
    ));
    let w = set(
        &set(&signed, "User-Agent", "Volt/3.1"),
        "X-Volt-Signed",
        &v3,
    );
    handle("volt", &w, "", secrets(SECRET, None)).expect("version 3.1 signed as 3.1");
    let err = handle("volt", &signed, "", secrets("another-secret", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
