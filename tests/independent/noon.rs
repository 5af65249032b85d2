//! Noon Payments notifications: body field `signature` = base64 HMAC-SHA512 over
//! `orderId,orderStatus,eventId,eventType,timeStamp`, keyed with the notification key as text,
//! per Noon's notification documentation.
use super::*;

const KEY: &str = "noon-independent-notification-key";

#[test]
fn noon_signature_is_base64_hmac_sha512_of_comma_joined_fields() {
    let body = br#"{"orderId":123456789012,"orderStatus":"CAPTURED","eventType":"Sale","eventId":"ev-1","timeStamp":"2023-11-14T22:13:20Z"}"#;
    let signed = sign("noon", secrets(KEY, None), body, "", None);
    let sent: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
    let expected = b64(&hmac_sha512(
        KEY.as_bytes(),
        &[b"123456789012,CAPTURED,ev-1,Sale,2023-11-14T22:13:20Z"],
    ));
    assert_eq!(sent["signature"].as_str().unwrap(), expected);
    let out = round_trip("noon", &signed, "", secrets(KEY, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle("noon", &signed, "", secrets("another-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
