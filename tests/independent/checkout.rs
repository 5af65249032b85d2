//! Checkout.com: `Cko-Signature` = lower-case hex HMAC-SHA256(webhook secret key as-is, raw body),
//! per Checkout.com's "Verify webhook signatures" documentation.
use super::*;

#[test]
fn checkout_signature_is_hex_hmac_of_the_body() {
    let secret = "ck_whsk_independent-check";
    let body = br#"{"id":"evt_1","type":"payment_captured","created_on":"2023-11-14T22:13:20Z","data":{"id":"pay_1","action_id":"act_1","reference":"ORD-1","amount":6540,"currency":"GBP","response_code":"10000","response_summary":"Approved"}}"#;
    let signed = sign("checkout", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(header(&signed, "Cko-Signature"), expected);
    let out = round_trip("checkout", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(out.events[0].idempotency_key, "checkout:evt_1");
    // A different key does not verify what was signed.
    let err = handle("checkout", &signed, "", secrets("ck_whsk_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
