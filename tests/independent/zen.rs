//! ZEN.COM IPNs: body field `hash` = hex SHA-256 (no HMAC) of `merchantTransactionId + currency +
//! amount + status + ipnSecret`, per ZEN's "Instant Payment Notification" documentation (ZEN
//! sends upper-case hex).
use super::*;

const SECRET: &str = "zen-independent-ipn-secret";

#[test]
fn zen_hash_is_sha256_of_signed_fields_and_secret() {
    let body = br#"{"type":"TRT_PURCHASE","transactionId":"t-1","merchantTransactionId":"m-1","amount":"12.34","currency":"EUR","status":"ACCEPTED"}"#;
    let signed = sign("zen", secrets(SECRET, None), body, "", None);
    let sent: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
    let expected = hex(&sha256(&[
        b"m-1",
        b"EUR",
        b"12.34",
        b"ACCEPTED",
        SECRET.as_bytes(),
    ]));
    assert_eq!(
        sent["hash"].as_str().unwrap().to_ascii_lowercase(),
        expected,
        "sign writes the hash into the body"
    );
    let out = round_trip("zen", &signed, "", secrets(SECRET, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle("zen", &signed, "", secrets("another-secret", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // ZEN's own spelling, upper-case hex, written by hand: verifies too.
    let mut doc: serde_json::Value = serde_json::from_slice(body).unwrap();
    doc["hash"] = serde_json::Value::String(expected.to_ascii_uppercase());
    let by_hand = SignedWebhook {
        headers: Default::default(),
        body: serde_json::to_vec(&doc).unwrap(),
    };
    handle("zen", &by_hand, "", secrets(SECRET, None)).expect("upper-case hash verifies");
}
