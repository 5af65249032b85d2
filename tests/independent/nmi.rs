//! NMI webhooks: `Webhook-Signature: t=<nonce>,s=<sig>`, sig = lower-case hex HMAC-SHA256 of
//! `nonce + "." + body` keyed with the signing key, per NMI's "Webhooks" documentation.
use super::*;

const KEY: &str = "nmi-independent-signing-key";

#[test]
fn nmi_signature_is_hmac_sha256_of_nonce_dot_body() {
    let body = br#"{"event_id":"e-1","event_type":"transaction.sale.success","event_body":{"transaction_id":"1","currency":"USD","action":{"amount":"9.99"}}}"#;
    let signed = sign("nmi", secrets(KEY, None), body, "", None);
    let value = header(&signed, "Webhook-Signature");
    let (t, s) = value
        .strip_prefix("t=")
        .and_then(|v| v.split_once(",s="))
        .expect("t=<nonce>,s=<sig>");
    assert!(!t.is_empty());
    assert_eq!(
        s,
        hex(&hmac_sha256(KEY.as_bytes(), &[t.as_bytes(), b".", body]))
    );
    let out = round_trip("nmi", &signed, "", secrets(KEY, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // The nonce is signed: another nonce with the same signature fails.
    let mut other = signed.clone();
    let key = other
        .headers
        .keys()
        .find(|k| k.eq_ignore_ascii_case("Webhook-Signature"))
        .unwrap()
        .clone();
    other.headers.insert(key, format!("t={t}x,s={s}"));
    let err = handle("nmi", &other, "", secrets(KEY, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("nmi", &signed, "", secrets("another-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
