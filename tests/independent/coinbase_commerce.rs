//! Coinbase Commerce: `X-CC-Webhook-Signature` = lower-case hex HMAC-SHA256(shared secret as-is,
//! raw body), per Coinbase Commerce's webhook documentation and its Python SDK.
use super::*;

#[test]
fn coinbase_commerce_signature_is_hex_hmac_sha256_of_the_body() {
    let secret = "0e7d1c2b-independent-check";
    let body = br#"{"attempt_number":1,"event":{"api_version":"2018-03-22","created_at":"2023-11-14T22:13:19Z","data":{"id":"2aee9dd1-67b8-43ef-8dfe-977959850f27","code":"XA6G6ZFR","created_at":"2023-11-14T21:10:00Z","pricing":{"local":{"amount":"25.50","currency":"USD"}},"timeline":[{"time":"2023-11-14T21:10:00Z","status":"NEW"},{"time":"2023-11-14T21:35:45Z","status":"COMPLETED"}]},"id":"6f7c2d8e-4a1b-4c3d-9e5f-0a1b2c3d4e5f","resource":"event","type":"charge:confirmed"},"id":"f4b1c9a0-11d3-4a5e-9e57-2b2f0c3e9a10","scheduled_for":"2023-11-14T22:13:19Z"}"#;
    let signed = sign("coinbase-commerce", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(header(&signed, "X-CC-Webhook-Signature"), expected);
    let out = round_trip("coinbase-commerce", &signed, "", secrets(secret, None));
    let ev = &out.events[0];
    assert_eq!(ev.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(
        ev.idempotency_key,
        "coinbase-commerce:6f7c2d8e-4a1b-4c3d-9e5f-0a1b2c3d4e5f"
    );
    // A different key does not verify what was signed.
    let err = handle("coinbase-commerce", &signed, "", secrets("other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

/// The known-answer vector of Coinbase Commerce's Python SDK tests (tests/test_webhook.py).
#[test]
fn coinbase_commerce_sdk_known_answer() {
    let secret = "30291a20-0bd1-4267-9b0f-e6e7b123c0bf";
    let body = concat!(
        r#"{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"#,
        r#""id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","#,
        r#""created_at":"2017-01-31T20:49:02Z","data":{"code":"66BEOV2A","name":"The Sovereign Individual","#,
        r#""description":"Mastering the Transition to the Information Age","#,
        r#""hosted_url":"https://commerce.coinbase.com/charges/66BEOV2A","created_at":"2017-01-31T20:49:02Z","#,
        r#""expires_at":"2017-01-31T21:04:02Z","timeline":[{"time":"2017-01-31T20:49:02Z","status":"NEW"}],"#,
        r#""metadata":{},"pricing_type":"no_price","payments":[],"addresses":{"#,
        r#""bitcoin":"0000000000000000000000000000000000","ethereum":"0x0000000000000000000000000000000000000000","#,
        r#""litecoin":"3000000000000000000000000000000000","#,
        r#""bitcoincash":"bitcoincash:000000000000000000000000000000000000000000"}}}}"#
    )
    .as_bytes();
    let known = "8be7742c7d372f08a6a3224edadf18a22b65fa9e28f3f2de97376cdaa092590d";
    assert_eq!(hex(&hmac_sha256(secret.as_bytes(), &[body])), known);
    let signed = sign("coinbase-commerce", secrets(secret, None), body, "", None);
    assert_eq!(header(&signed, "X-CC-Webhook-Signature"), known);
    let out = round_trip("coinbase-commerce", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "EVENT_NOT_SUPPORTED");
    assert_eq!(
        out.events[0].connector_event_id.as_deref(),
        Some("24934862-d980-46cb-9402-43c81b0cdba6")
    );
}
