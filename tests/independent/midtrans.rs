//! Midtrans: the body's `signature_key` = hex SHA-512 of
//! `order_id + status_code + gross_amount + server_key`, per Midtrans' notification docs.
use super::*;

fn sha512_hex(text: &str) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha512::digest(text.as_bytes()))
}

#[test]
fn midtrans_signature_key_is_sha512_of_order_status_amount_and_server_key() {
    let key = "SB-Mid-server-independent0001";
    let body = br#"{"transaction_status":"settlement","transaction_id":"t-1","status_code":"200","payment_type":"bank_transfer","order_id":"IND-42","gross_amount":"25000.00","currency":"IDR"}"#;
    let signed = sign("midtrans", secrets(key, None), body, "", None);
    let doc: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
    let expected = sha512_hex(&format!("IND-4220025000.00{key}"));
    assert_eq!(doc["signature_key"], serde_json::json!(expected));
    assert_eq!(doc["gross_amount"], "25000.00", "signed values are kept");
    let out = handle("midtrans", &signed, "", secrets(key, None)).unwrap();
    let ev = &out.events[0];
    assert_eq!(ev.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert!(ev.source_verified);
    let json = serde_json::to_value(ev).unwrap();
    assert_eq!(
        json.pointer("/event_response/payments_response/amount/minor_amount"),
        Some(&serde_json::json!(2_500_000))
    );
    // A signed value changed: the digest no longer matches.
    let mut tampered = signed.clone();
    let text = String::from_utf8(tampered.body.clone()).unwrap();
    tampered.body = text.replace("25000.00", "25001.00").into_bytes();
    let err = handle("midtrans", &tampered, "", secrets(key, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The second server key has its own scheme.
    assert!(handle(
        "midtrans",
        &signed,
        "",
        secrets("SB-Mid-server-x", Some(key))
    )
    .is_ok());
    let err = handle("midtrans", &signed, "", secrets("SB-Mid-server-x", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
