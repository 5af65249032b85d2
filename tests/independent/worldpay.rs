//! Worldpay (Access Worldpay Events): `Event-Signature: {keyId}/SHA256/{hex}` entries separated by
//! `,`; hex HMAC-SHA256 of the raw body keyed with the hex-decoded shared secret.
use super::*;

#[test]
fn worldpay_signature_is_hex_hmac_of_the_body_with_a_hex_key() {
    let key: [u8; 32] = *b"independent-worldpay-shared-key!";
    let secret = hex(&key);
    let body = br#"{"eventId":"e-1","eventTimestamp":"2023-11-14T22:13:20.407","eventDetails":{"classification":"payment","transactionReference":"ORD-1","type":"authorized","date":"2023-11-14","amount":{"value":2599,"currencyCode":"GBP"}}}"#;
    let signed = sign("worldpay", secrets(&secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(&key, &[body]));
    assert_eq!(
        header(&signed, "Event-Signature"),
        format!("1/SHA256/{expected}")
    );
    let out = round_trip("worldpay", &signed, "", secrets(&secret, None));
    assert_eq!(
        out.events[0].event_type.as_str(),
        "PAYMENT_INTENT_AUTHORIZATION_SUCCESS"
    );
    assert_eq!(out.events[0].idempotency_key, "worldpay:e-1");
    // The key is the hex-decoded secret, not its text.
    let as_text = hex(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_ne!(as_text, expected);
    // A different key does not verify what was signed.
    let err = handle("worldpay", &signed, "", secrets(&hex(b"another key"), None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // During a key renewal any listed entry may match, in any order.
    let other = hex(&hmac_sha256(b"old key", &[body]));
    let mut renewed = signed.clone();
    renewed.headers.insert(
        "Event-Signature".into(),
        format!("2/SHA256/{expected},1/SHA256/{other}"),
    );
    let out = handle("worldpay", &renewed, "", secrets(&secret, None)).unwrap();
    assert!(out.events[0].source_verified);
}
