//! Cybersource webhooks: `v-c-signature: t=<ms>;keyId=<id>;sig=<b64>`, sig = base64 HMAC-SHA256 of
//! `t + "." + body` keyed with the base64-decoded digital signature key, per Cybersource's
//! "Validating a Notification with the Digital Signature Key".
use super::*;

#[test]
fn cybersource_signature_is_b64_hmac_of_t_dot_body_with_decoded_key() {
    let raw_key = b"cybersource-independent-32-bytes";
    let key = b64(raw_key);
    let body = br#"{"notificationId":"n-1","eventType":"payments.captures.accept","payload":{"data":{"id":"7001","type":"captures"}}}"#;
    let signed = sign("cybersource", secrets(&key, None), body, "", None);
    let value = header(&signed, "v-c-signature");
    let params: BTreeMap<&str, &str> = value
        .split(';')
        .map(|p| p.split_once('=').expect("name=value"))
        .collect();
    let t = params["t"];
    assert_eq!(t, (NOW * 1000).to_string(), "t is in milliseconds");
    assert!(params.contains_key("keyId"));
    assert_eq!(
        params["sig"],
        b64(&hmac_sha256(raw_key, &[t.as_bytes(), b".", body]))
    );
    let out = round_trip("cybersource", &signed, "", secrets(&key, None));
    assert_eq!(
        out.events[0].event_type.as_str(),
        "PAYMENT_INTENT_CAPTURE_SUCCESS"
    );
    assert_eq!(out.events[0].event_status.as_str(), "INCOMPLETE");
    // The key's base64 text used as-is is another key.
    let err = handle(
        "cybersource",
        &signed,
        "",
        secrets(&b64(key.as_bytes()), None),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
