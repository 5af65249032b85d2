//! Cashfree: `x-webhook-signature` = base64 HMAC-SHA256(client secret as-is,
//! x-webhook-timestamp text + raw body); the timestamp header is in milliseconds.
use super::*;

#[test]
fn cashfree_signature_is_base64_hmac_of_timestamp_and_body() {
    let secret = "cfsk_independent_check";
    let body = br#"{"data":{"order":{"order_id":"order_1","order_amount":170.00,"order_currency":"INR"},"payment":{"cf_payment_id":"51149","payment_status":"SUCCESS","payment_amount":170.00,"payment_currency":"INR"}},"event_time":"2023-11-15T03:43:18+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}"#;
    let signed = sign("cashfree", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let ts = header(&signed, "x-webhook-timestamp");
    assert_eq!(ts, format!("{}", NOW * 1000), "milliseconds");
    let expected = b64(&hmac_sha256(secret.as_bytes(), &[ts.as_bytes(), body]));
    assert_eq!(header(&signed, "x-webhook-signature"), expected);
    let out = round_trip("cashfree", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // The timestamp is signed: changing it breaks the signature.
    let mut moved = signed.clone();
    moved
        .headers
        .insert("x-webhook-timestamp".into(), format!("{}", NOW * 1000 + 1));
    let err = handle("cashfree", &moved, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
