//! PayU GPO: `OpenPayu-Signature: sender=checkout;signature=<hex>;algorithm=MD5;content=DOCUMENT`
//! with the hex MD5 (or SHA-256) of the raw body followed by the second key, per PayU's docs.
use super::*;

fn md5_hex(data: &[u8]) -> String {
    use md5::Digest as _;
    hex(&md5::Md5::digest(data))
}

#[test]
fn payu_signature_is_md5_of_body_and_second_key() {
    let key = "0123456789abcdef0123456789abcdef";
    let body = br#"{"order":{"orderId":"IND0000001","extOrderId":"IND-1","currencyCode":"PLN","totalAmount":"1234","status":"COMPLETED","payMethod":{"type":"PBL"}}}"#;
    let signed = sign("payu", secrets(key, None), body, "", Some("md5"));
    let mut material = body.to_vec();
    material.extend_from_slice(key.as_bytes());
    let expected = md5_hex(&material);
    assert_eq!(
        header(&signed, "OpenPayu-Signature"),
        format!("sender=checkout;signature={expected};algorithm=MD5;content=DOCUMENT")
    );
    let out = round_trip("payu", &signed, "", secrets(key, None));
    let json = serde_json::to_value(&out.events[0]).unwrap();
    assert_eq!(json["event_type"], "PAYMENT_INTENT_SUCCESS");
    assert_eq!(json["connector_event_type"], "order:COMPLETED");
    // The SHA-256 variant: the same text, hashed with SHA-256.
    let signed = sign("payu", secrets(key, None), body, "", Some("sha256"));
    let expected = hex(&sha256(&[body, key.as_bytes()]));
    assert_eq!(
        header(&signed, "OpenPayu-Signature"),
        format!("sender=checkout;signature={expected};algorithm=SHA-256;content=DOCUMENT")
    );
    round_trip("payu", &signed, "", secrets(key, None));
    let err = handle("payu", &signed, "", secrets("another-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
