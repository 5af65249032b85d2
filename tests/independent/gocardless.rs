//! GoCardless: `Webhook-Signature` = hex HMAC-SHA256(endpoint secret as-is, body); the body is a
//! batch of events.
use super::*;

#[test]
fn gocardless_signature_is_hmac_of_the_body() {
    let secret = "gocardless-independent-check";
    let body = br#"{"events":[{"id":"EV1","created_at":"2023-11-14T22:00:12.348Z","resource_type":"payments","action":"confirmed","links":{"payment":"PM1"},"details":{"cause":"payment_confirmed"}},{"id":"EV2","created_at":"2023-11-14T22:00:13.000Z","resource_type":"mandates","action":"cancelled","links":{"mandate":"MD1"},"details":{"cause":"bank_account_closed"}}],"meta":{"webhook_id":"WB1"}}"#;
    let signed = sign("gocardless", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(header(&signed, "Webhook-Signature"), expected);
    let out = round_trip("gocardless", &signed, "", secrets(secret, None));
    let types: Vec<&str> = out.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["PAYMENT_INTENT_SUCCESS", "MANDATE_REVOKED"]);
}
