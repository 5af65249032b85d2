//! MultiSafepay: `Auth: base64("{timestamp}:{hex}")` with the hex HMAC-SHA512(API key,
//! `{timestamp}:{body}`), timestamp in seconds, at most 600 s old (multisafepay SDK's default).
use super::*;

#[test]
fn multisafepay_auth_is_base64_of_timestamp_and_hmac_sha512() {
    let key = "independent-msp-api-key-0123456789";
    let body = br#"{"amount":1000,"amount_refunded":0,"currency":"EUR","order_id":"IND-5","status":"completed","transaction_id":99,"payment_details":{"type":"IDEAL"}}"#;
    let signed = sign("multisafepay", secrets(key, None), body, "", None);
    let decoded = String::from_utf8(unb64(header(&signed, "Auth"))).unwrap();
    let (ts, sig) = decoded.split_once(':').expect("timestamp:signature");
    assert_eq!(ts, NOW.to_string(), "seconds");
    let mut material = format!("{ts}:").into_bytes();
    material.extend_from_slice(body);
    assert_eq!(sig, hex(&hmac_sha512(key.as_bytes(), &[&material])));
    let out = round_trip("multisafepay", &signed, "", secrets(key, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // Re-encoded with another timestamp but the same MAC: the timestamp is signed.
    let mut moved = signed.clone();
    for (k, v) in moved.headers.iter_mut() {
        if k.eq_ignore_ascii_case("Auth") {
            *v = b64(format!("{}:{sig}", NOW - 1).as_bytes());
        }
    }
    let err = handle("multisafepay", &moved, "", secrets(key, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("multisafepay", &signed, "", secrets("other-key", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // 601 s later the same webhook is stale.
    let stale = engine()
        .handle_at(
            &HandleRequest {
                connector: "multisafepay".into(),
                request_details: RequestDetails {
                    headers: signed.headers.clone(),
                    body: signed.body.clone(),
                    ..Default::default()
                },
                webhook_secrets: secrets(key, None),
                ..Default::default()
            },
            NOW + 601,
        )
        .unwrap_err();
    assert_eq!(stale.kind, ErrorKind::TimestampOutOfTolerance);
}
