//! Revolut Merchant API: `Revolut-Signature: v1=<hex>`, hex HMAC-SHA256(signing secret as-is,
//! `v1.{Revolut-Request-Timestamp}.{body}`), the timestamp in UNIX milliseconds within 5 minutes,
//! per Revolut's "Webhook signature verification" guide.
use super::*;

#[test]
fn revolut_signature_is_v1_hmac_sha256_over_version_timestamp_and_body() {
    let secret = "wsk_independentRevolutSecret01";
    let body = br#"{"event":"ORDER_COMPLETED","order_id":"6516e61c-0000-a454-a837-bc52ce55ed49","merchant_order_ext_ref":"IND-9"}"#;
    let signed = sign("revolut", secrets(secret, None), body, "", None);
    let ts = header(&signed, "Revolut-Request-Timestamp").to_string();
    assert_eq!(ts, format!("{}", NOW * 1000), "milliseconds");
    let mut material = format!("v1.{ts}.").into_bytes();
    material.extend_from_slice(body);
    let expected = format!("v1={}", hex(&hmac_sha256(secret.as_bytes(), &[&material])));
    assert_eq!(header(&signed, "Revolut-Signature"), expected);
    let out = round_trip("revolut", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // Two signatures (an old secret still valid): the second one matching is enough.
    let mut two = signed.clone();
    for (k, v) in two.headers.iter_mut() {
        if k.eq_ignore_ascii_case("Revolut-Signature") {
            *v = format!("v1={},{expected}", "0".repeat(64));
        }
    }
    assert!(handle("revolut", &two, "", secrets(secret, None)).is_ok());
    // Another timestamp in the header breaks the signature.
    let mut moved = signed.clone();
    for (k, v) in moved.headers.iter_mut() {
        if k.eq_ignore_ascii_case("Revolut-Request-Timestamp") {
            *v = format!("{}", NOW * 1000 + 1);
        }
    }
    let err = handle("revolut", &moved, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("revolut", &signed, "", secrets("wsk_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
