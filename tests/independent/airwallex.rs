//! Airwallex: `x-signature` = lower-case hex HMAC-SHA256(webhook secret as-is,
//! x-timestamp text + raw body); `x-timestamp` is Unix time in milliseconds. Per Airwallex's
//! "Listen for webhook events" documentation.
use super::*;

#[test]
fn airwallex_signature_is_hex_hmac_of_timestamp_and_body() {
    let secret = "whsec_awx_independent_check";
    let body = br#"{"id":"evt_1","name":"payment_intent.succeeded","account_id":"acct_1","data":{"object":{"id":"int_1","merchant_order_id":"ORD-1","amount":65.4,"currency":"GBP","captured_amount":65.4,"status":"SUCCEEDED","created_at":"2023-11-14T22:13:20+0000"}},"created_at":"2023-11-14T22:13:20+0000"}"#;
    let signed = sign("airwallex", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let ts = header(&signed, "x-timestamp");
    assert_eq!(ts, format!("{}", NOW * 1000), "milliseconds");
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[ts.as_bytes(), body]));
    assert_eq!(header(&signed, "x-signature"), expected);
    let out = round_trip("airwallex", &signed, "", secrets(secret, None));
    let event = &out.events[0];
    assert_eq!(event.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(event.idempotency_key, "airwallex:evt_1");
    let Some(hooknorm::EventResponse::PaymentsResponse(p)) = &event.event_response else {
        panic!("a payment: {event:?}")
    };
    let amount = p.amount.as_ref().expect("an amount");
    assert_eq!(
        (amount.minor_amount, amount.currency.as_str()),
        (6540, "GBP")
    );
    assert_eq!(p.created_at, Some(1_700_000_000), "`+0000` read as UTC");
    // Another secret does not verify what was signed.
    let err = handle("airwallex", &signed, "", secrets("whsec_awx_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The timestamp is signed: changing it breaks the signature.
    let mut moved = signed.clone();
    moved
        .headers
        .insert("x-timestamp".into(), format!("{}", NOW * 1000 + 1));
    let err = handle("airwallex", &moved, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
