//! Worldline Connect: `X-GCS-Signature` = base64 HMAC-SHA256(webhooks secret key as-is, raw body),
//! as connect-sdk-python3's `SignatureValidator` checks it. No timestamp; the event id is signed.
use super::*;

#[test]
fn worldline_signature_is_base64_hmac_sha256_of_the_body() {
    let secret = "independentWorldlineSecretKey012";
    let body = br#"{"apiVersion":"v1","id":"4f6a8c0e-2b4d-4f6a-8c0e-2b4d6f8a0c2e","created":"2023-11-14T23:13:20.040+0100","merchantId":"20000","type":"payment.paid","payment":{"id":"000000850010000188180000200009","paymentOutput":{"amountOfMoney":{"amount":1999,"currencyCode":"EUR"},"references":{"merchantReference":"IND-1"},"paymentMethod":"card"},"status":"PAID"}}"#;
    let signed = sign("worldline", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body);
    let expected = b64(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(expected.len(), 44, "32 bytes in padded base64");
    assert_eq!(header(&signed, "X-GCS-Signature"), expected);
    let out = round_trip("worldline", &signed, "", secrets(secret, None));
    let ev = &out.events[0];
    assert_eq!(ev.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(
        ev.connector_event_id.as_deref(),
        Some("4f6a8c0e-2b4d-4f6a-8c0e-2b4d6f8a0c2e")
    );
    // Rotation: the key may be the second one; another key fails.
    assert!(handle("worldline", &signed, "", secrets("other-key", Some(secret))).is_ok());
    let err = handle("worldline", &signed, "", secrets("other-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The same MAC as hex is not accepted: the SDK compares the base64 text.
    let mut hexed = signed.clone();
    for (k, v) in hexed.headers.iter_mut() {
        if k.eq_ignore_ascii_case("X-GCS-Signature") {
            *v = hex(&hmac_sha256(secret.as_bytes(), &[body]));
        }
    }
    let err = handle("worldline", &hexed, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
