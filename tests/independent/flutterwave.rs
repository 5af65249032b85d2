//! Flutterwave: `flutterwave-signature` = base64 HMAC-SHA256(secret hash as-is, raw body), per
//! Flutterwave's webhook documentation; v3's `verif-hash` = the secret hash. No timestamp.
use super::*;

#[test]
fn flutterwave_signature_is_base64_hmac_sha256_of_the_body() {
    let secret = "independent-flw-secret-hash";
    let body = br#"{"event":"charge.completed","data":{"id":4975399,"tx_ref":"IND-1","amount":19.99,"currency":"USD","status":"successful","payment_type":"card","customer":{"id":1}}}"#;
    let signed = sign("flutterwave", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body);
    let expected = b64(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(header(&signed, "flutterwave-signature"), expected);
    let out = round_trip("flutterwave", &signed, "", secrets(secret, None));
    let ev = &out.events[0];
    assert_eq!(ev.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // 19.99 USD in the major unit is 1999 cents.
    let json = serde_json::to_value(ev).unwrap();
    assert_eq!(
        json.pointer("/event_response/payments_response/amount/minor_amount"),
        Some(&serde_json::json!(1999))
    );
    let err = handle("flutterwave", &signed, "", secrets("other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    assert!(handle("flutterwave", &signed, "", secrets("other", Some(secret))).is_ok());
    // v3: `verif-hash` is the secret hash itself (a token, signed with the `verif-hash` scheme).
    let v3 = sign(
        "flutterwave",
        secrets(secret, None),
        body,
        "",
        Some("verif-hash"),
    );
    assert_eq!(header(&v3, "verif-hash"), secret);
    let out = handle("flutterwave", &v3, "", secrets(secret, None)).unwrap();
    assert!(out.events[0].source_verified);
    let err = handle("flutterwave", &v3, "", secrets("other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
