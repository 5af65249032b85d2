//! Mercado Pago: `x-signature: ts=<unix s>,v1=<hex HMAC-SHA256(secret as-is,
//! "id:{data.id};request-id:{x-request-id};ts:{ts};")>`, data.id from the URL's query (lower-case
//! when alphanumeric). The body is not signed, so `round_trip`'s tampered-body check does not
//! apply: this module checks instead that the query id and the request id are what is signed.
use super::*;

#[test]
fn mercadopago_signature_is_hmac_of_the_manifest() {
    let secret = "mp-independent-secret-signature";
    let url = "https://shop.example/webhooks/mercadopago?data.id=ORD01ABC&type=order";
    let body = br#"{"action":"order.processed","api_version":"v1","data":{"id":"ORD01ABC"},"date_created":"2023-11-14T19:13:18Z","id":1,"live_mode":true,"type":"order","user_id":"1"}"#;
    let signed = sign("mercadopago", secrets(secret, None), body, url, None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let request_id = header(&signed, "x-request-id").to_string();
    assert!(!request_id.is_empty());
    let manifest = format!("id:ord01abc;request-id:{request_id};ts:{NOW};");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[manifest.as_bytes()]));
    assert_eq!(
        header(&signed, "x-signature"),
        format!("ts={NOW},v1={expected}")
    );

    let out = handle("mercadopago", &signed, url, secrets(secret, None)).unwrap();
    let ev = &out.events[0];
    assert!(ev.source_verified);
    assert_eq!(ev.event_type.as_str(), "PAYMENT_INTENT_PROCESSING");
    assert_eq!(ev.event_status.as_str(), "INCOMPLETE");

    // What is signed: the query data.id and the x-request-id header.
    let other_url = "https://shop.example/webhooks/mercadopago?data.id=ORD01ABD&type=order";
    let err = handle("mercadopago", &signed, other_url, secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let mut other_id = signed.clone();
    other_id
        .headers
        .insert("x-request-id".into(), format!("{request_id}0"));
    let err = handle("mercadopago", &other_id, url, secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("mercadopago", &signed, url, secrets("another", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // What is not: the body. A changed body verifies; the reported id is still the signed one.
    let mut forged = signed.clone();
    forged.body =
        br#"{"action":"payment.updated","data":{"id":"999"},"id":2,"type":"payment"}"#.to_vec();
    let out = handle("mercadopago", &forged, url, secrets(secret, None)).unwrap();
    let json = serde_json::to_value(&out.events[0]).unwrap();
    assert_eq!(
        json["event_response"]["payments_response"]["connector_transaction_id"],
        "ORD01ABC"
    );
}
