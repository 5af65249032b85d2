//! Paystack: `x-paystack-signature` = lower-case hex HMAC-SHA512(secret API key as-is, raw body),
//! per Paystack's "Verify event origin" documentation. No timestamp, no event id.
use super::*;

#[test]
fn paystack_signature_is_hex_hmac_sha512_of_the_body() {
    let secret = "sk_test_independent0check";
    let body = r#"{"event":"charge.success","data":{"id":302961,"domain":"live","status":"success","reference":"qTPrJoy9Bx","amount":10000,"currency":"NGN","channel":"card","created_at":"2023-11-14T22:12:50.000Z","customer":{"customer_code":"CUS_1rkzaqsv4rrhqo6","first_name":"Adébáyọ̀"}}}"#.as_bytes();
    let signed = sign("paystack", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha512(secret.as_bytes(), &[body]));
    assert_eq!(expected.len(), 128);
    assert_eq!(header(&signed, "x-paystack-signature"), expected);
    let out = round_trip("paystack", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(
        out.events[0].connector_event_id, None,
        "Paystack webhooks carry no event id"
    );
    // A second secret (rotation) verifies too; a different key does not.
    let rotated = handle(
        "paystack",
        &signed,
        "",
        secrets("sk_test_other", Some(secret)),
    );
    assert!(rotated.is_ok(), "{rotated:?}");
    let err = handle("paystack", &signed, "", secrets("sk_live_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The same digest in upper-case hex is refused (the SDK compares with `==`).
    let mut upper = signed.clone();
    for (k, v) in upper.headers.iter_mut() {
        if k.eq_ignore_ascii_case("x-paystack-signature") {
            *v = v.to_uppercase();
        }
    }
    let err = handle("paystack", &upper, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
