//! Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex HMAC-SHA256(secret as-is, "{ts}:{body}")>`.
use super::*;

#[test]
fn paddle_signature_is_paddles_scheme() {
    let secret = "pdl_ntfset_01independent_check";
    let body = br#"{"event_id":"evt_1","event_type":"transaction.completed","occurred_at":"2023-11-14T22:13:19Z","notification_id":"ntf_1","data":{"id":"txn_1","status":"completed","currency_code":"EUR","details":{"totals":{"total":"3000"}}}}"#;
    let signed = sign("paddle", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(
        secret.as_bytes(),
        &[NOW.to_string().as_bytes(), b":", body],
    ));
    assert_eq!(
        header(&signed, "Paddle-Signature"),
        format!("ts={NOW};h1={expected}")
    );
    let out = round_trip("paddle", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
}
