//! Global Payments GP API notifications: `X-GP-Signature` = lower-case hex SHA-512 (no HMAC) of
//! the raw body followed by the App Key, per the GP API "Notifications" documentation.
use super::*;

const KEY: &str = "globalpay-independent-app-key";

fn digest(body: &[u8], key: &str) -> String {
    use sha2::Digest as _;
    let mut d = sha2::Sha512::new();
    d.update(body);
    d.update(key.as_bytes());
    hex(&d.finalize())
}

#[test]
fn globalpay_signature_is_sha512_of_body_then_app_key() {
    let body = br#"{"id":"TRN_1","type":"SALE","status":"CAPTURED","amount":"1050","currency":"EUR","reference":"o-1"}"#;
    let signed = sign("globalpay", secrets(KEY, None), body, "", None);
    assert_eq!(header(&signed, "X-GP-Signature"), digest(body, KEY));
    let out = round_trip("globalpay", &signed, "", secrets(KEY, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle("globalpay", &signed, "", secrets("another-app-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The second key of a key change verifies through the second scheme.
    let rotated = sign(
        "globalpay",
        secrets("unused", Some(KEY)),
        body,
        "",
        Some("sha512_additional"),
    );
    assert_eq!(header(&rotated, "X-GP-Signature"), digest(body, KEY));
    handle("globalpay", &rotated, "", secrets("old-key", Some(KEY))).expect("rotated key verifies");
}
