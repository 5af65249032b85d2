//! Mollie next-gen webhooks: `X-Mollie-Signature: sha256=<hex HMAC-SHA256(signing secret as-is,
//! raw body)>`; classic webhooks are unsigned form posts `id=tr_...`.
use super::*;

#[test]
fn mollie_next_gen_signature_is_hex_hmac_of_the_body() {
    let secret = "whsec_mollie_independent";
    let body = br#"{"resource":"event","id":"event_1","type":"payment.paid","entityId":"tr_1","createdAt":"2023-11-14T22:13:19.0Z","_embedded":{"entity":{"resource":"payment","id":"tr_1","amount":{"value":"10.00","currency":"EUR"},"status":"paid"}}}"#;
    let signed = sign("mollie", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[body]));
    assert_eq!(
        header(&signed, "X-Mollie-Signature"),
        format!("sha256={expected}")
    );
    let out = round_trip("mollie", &signed, "", secrets(secret, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");

    // The same webhook without its signature is accepted, but unverified; a signature made with
    // another secret is rejected.
    let mut unsigned = signed.clone();
    unsigned
        .headers
        .retain(|k, _| !k.eq_ignore_ascii_case("X-Mollie-Signature"));
    let out = handle("mollie", &unsigned, "", secrets(secret, None)).unwrap();
    assert!(!out.events[0].source_verified);
    let err = handle("mollie", &signed, "", secrets("whsec_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
