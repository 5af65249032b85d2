//! Xendit: no signature; `x-callback-token` must equal the account's verification token, per
//! Xendit's webhook documentation.
use super::*;

#[test]
fn xendit_callback_token_is_the_configured_token() {
    let token = "XnD-independent-token-0123456789abcdef";
    let body = br#"{"event":"payment.succeeded","business_id":"b1","created":"2023-11-14T22:13:21.000Z","data":{"id":"py-ind-1","reference_id":"IND-7","amount":10000,"currency":"IDR","status":"SUCCEEDED","payment_method":{"type":"EWALLET"}}}"#;
    let signed = sign("xendit", secrets(token, None), body, "", None);
    assert_eq!(signed.body, body);
    assert_eq!(
        header(&signed, "x-callback-token"),
        token,
        "the token as-is"
    );
    let out = handle("xendit", &signed, "", secrets(token, None)).unwrap();
    let json = serde_json::to_value(&out.events[0]).unwrap();
    assert_eq!(json["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(json["source_verified"], true);
    assert_eq!(
        json.pointer("/event_response/payments_response/amount/minor_amount"),
        Some(&serde_json::json!(1_000_000))
    );
    // A token only authenticates the sender: another body with the same token verifies too,
    // and gets another idempotency key (derived from the body, not the token).
    let mut other = signed.clone();
    other.body = body
        .iter()
        .map(|&b| if b == b'7' { b'8' } else { b })
        .collect();
    let out2 = handle("xendit", &other, "", secrets(token, None)).unwrap();
    assert_ne!(
        out.events[0].idempotency_key,
        out2.events[0].idempotency_key
    );
    let err = handle("xendit", &signed, "", secrets("another-token", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    assert!(handle("xendit", &signed, "", secrets("another-token", Some(token))).is_ok());
}
