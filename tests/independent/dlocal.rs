//! dLocal: `Authorization: V2-HMAC-SHA256, Signature: <hex>` with the hex HMAC-SHA256(secret key,
//! `X-Login + X-Date + body`), per dLocal's documentation. No replay window.
use super::*;

#[test]
fn dlocal_signature_is_hmac_sha256_over_login_date_and_body() {
    let secret = "dlocal-independent-secret";
    let body = br#"{"id":"D-4-independent","amount":10.5,"status":"PAID","status_code":"200","status_detail":"The payment was paid.","currency":"USD","payment_method_id":"CARD","order_id":"IND-3"}"#;
    let signed = sign("dlocal", secrets(secret, None), body, "", None);
    let login = header(&signed, "X-Login").to_string();
    let date = header(&signed, "X-Date").to_string();
    let mut material = format!("{login}{date}").into_bytes();
    material.extend_from_slice(body);
    let expected = format!(
        "V2-HMAC-SHA256, Signature: {}",
        hex(&hmac_sha256(secret.as_bytes(), &[&material]))
    );
    assert_eq!(header(&signed, "Authorization"), expected);
    let out = round_trip("dlocal", &signed, "", secrets(secret, None));
    let json = serde_json::to_value(&out.events[0]).unwrap();
    assert_eq!(json["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(json["connector_event_type"], "payment:PAID");
    assert_eq!(
        json.pointer("/event_response/payments_response/amount/minor_amount"),
        Some(&serde_json::json!(1050))
    );
    // X-Login is signed: another login breaks the signature.
    let mut other = signed.clone();
    for (k, v) in other.headers.iter_mut() {
        if k.eq_ignore_ascii_case("X-Login") {
            *v = "someone-else".into();
        }
    }
    let err = handle("dlocal", &other, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("dlocal", &signed, "", secrets("wrong", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
