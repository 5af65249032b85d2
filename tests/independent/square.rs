//! Square: `x-square-hmacsha256-signature` = base64 HMAC-SHA256(signature key as-is,
//! notification URL + body).
use super::*;

#[test]
fn square_signature_covers_url_and_body() {
    let key = "sq0wsk-independent-check";
    let url = "https://shop.example/webhooks/square";
    let body = br#"{"merchant_id":"M1","type":"payment.updated","event_id":"e-1","data":{"type":"payment","id":"P1","object":{"payment":{"id":"P1","status":"COMPLETED","amount_money":{"amount":4599,"currency":"USD"}}}}}"#;
    let signed = sign("square", secrets(key, None), body, url, None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = b64(&hmac_sha256(key.as_bytes(), &[url.as_bytes(), body]));
    assert_eq!(header(&signed, "x-square-hmacsha256-signature"), expected);
    let out = round_trip("square", &signed, url, secrets(key, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // The URL is signed: another URL does not verify.
    let err = handle(
        "square",
        &signed,
        "https://shop.example/other",
        secrets(key, None),
    )
    .expect_err("another URL must fail");
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
