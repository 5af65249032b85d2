//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret as-is, "{t}.{body}")>`.
use super::*;

#[test]
fn stripe_signature_is_stripes_scheme() {
    let secret = "whsec_independent_check";
    let body = br#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent","amount":4200,"currency":"usd","status":"succeeded"}}}"#;
    let signed = sign("stripe", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let h = header(&signed, "Stripe-Signature");
    let expected = hex(&hmac_sha256(
        secret.as_bytes(),
        &[NOW.to_string().as_bytes(), b".", body],
    ));
    assert_eq!(h, format!("t={NOW},v1={expected}"));
    let out = round_trip("stripe", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
}
