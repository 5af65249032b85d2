//! Authorize.Net: `X-ANET-Signature: sha512=<HEX>`, HEX = upper-case hex HMAC-SHA512 of the raw
//! body keyed with the Signature Key's text (not hex-decoded), per Authorize.Net's Webhooks
//! documentation and the published delivery below.
use super::*;

/// A delivery published in the Authorize.Net developer community thread "The verification of the
/// webhook signature is contingent on the value of authAmount" (December 2023): the Signature
/// Key, the body Authorize.Net signed (`"authAmount":1.10`) and the header it sent.
const KAT_KEY: &str = "A6214F6105625D5ED957CF02E749BB440DBD4E418533D219CAD26AECD104BFFE7F47DBBE5C81927CCA484AE7722BE82CE57FB5318EDE02122277A2FE90EE68EB";
const KAT_BODY: &[u8] = br#"{"notificationId":"570f7282-687a-42b7-903b-48e487d7694d","eventType":"net.authorize.payment.authcapture.created","eventDate":"2023-12-12T12:45:09.3492643Z","webhookId":"a585ea29-a370-495a-bd83-f9be7160f260","payload":{"responseCode":1,"avsResponse":"P","authAmount":1.10,"merchantReferenceId":"2M4zHFzshYBudvgIZ11B","entityName":"transaction","id":"120011377052"}}"#;
const KAT_HEADER: &str = "sha512=8E3D41B0191A9A1E668FB729F350B73C6BBB81D676070FE7CFF001CA2543ABA91BD16A4374A0F6FA4542659728C7DAF79D7EC901FEC582FC2DA3263A2D604DCF";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn authorizenet_signature_is_upper_hex_hmac_sha512_of_the_body() {
    let key = "7F3A9C1E5B2D4F6A8C0E1B3D5F7A9C2E4D6F8A0B1C3E5D7F9A2B4C6D8E0F1A3B7F3A9C1E5B2D4F6A8C0E1B3D5F7A9C2E4D6F8A0B1C3E5D7F9A2B4C6D8E0F1A3B";
    let body = br#"{"notificationId":"n-1","eventType":"net.authorize.payment.authcapture.created","eventDate":"2023-11-14T22:13:20.4420321Z","webhookId":"w-1","payload":{"responseCode":1,"authCode":"LZ6I19","avsResponse":"Y","authAmount":45.0,"entityName":"transaction","id":"60123456789"}}"#;
    let signed = sign("authorizenet", secrets(key, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let expected = hex(&hmac_sha512(key.as_bytes(), &[body])).to_ascii_uppercase();
    assert_eq!(
        header(&signed, "X-ANET-Signature"),
        format!("sha512={expected}")
    );
    let out = round_trip("authorizenet", &signed, "", secrets(key, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    assert_eq!(out.events[0].idempotency_key, "authorizenet:n-1");
    // Another key does not verify what was signed.
    let err = handle("authorizenet", &signed, "", secrets(&"0".repeat(128), None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

#[test]
fn authorizenet_published_delivery_verifies_with_the_key_text() {
    // Independently: the key's text reproduces the published header, the hex-decoded key does not.
    let text_key = hex(&hmac_sha512(KAT_KEY.as_bytes(), &[KAT_BODY])).to_ascii_uppercase();
    assert_eq!(format!("sha512={text_key}"), KAT_HEADER);
    let decoded_key = hex(&hmac_sha512(&unhex(KAT_KEY), &[KAT_BODY])).to_ascii_uppercase();
    assert_ne!(format!("sha512={decoded_key}"), KAT_HEADER);

    // The engine signs it the same way and accepts the published delivery.
    let signed = sign("authorizenet", secrets(KAT_KEY, None), KAT_BODY, "", None);
    assert_eq!(header(&signed, "X-ANET-Signature"), KAT_HEADER);
    let delivered = SignedWebhook {
        headers: [("X-ANET-Signature".to_string(), KAT_HEADER.to_string())].into(),
        body: KAT_BODY.to_vec(),
    };
    let mut with_currency = secrets(KAT_KEY, None);
    with_currency
        .other
        .insert("account_currency".into(), Secret::new("USD"));
    let out = round_trip("authorizenet", &delivered, "", with_currency);
    let event = &out.events[0];
    assert_eq!(event.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let Some(hooknorm::EventResponse::PaymentsResponse(p)) = &event.event_response else {
        panic!("a payment: {event:?}")
    };
    assert_eq!(p.connector_transaction_id.as_deref(), Some("120011377052"));
    let amount = p.amount.as_ref().expect("an amount with account_currency");
    assert_eq!(
        (amount.minor_amount, amount.currency.as_str()),
        (110, "USD")
    );

    // The body as it was delivered (`1.1`) is not what Authorize.Net signed: it fails closed.
    let reserialized = SignedWebhook {
        body: String::from_utf8(KAT_BODY.to_vec())
            .unwrap()
            .replace("\"authAmount\":1.10,", "\"authAmount\":1.1,")
            .into_bytes(),
        ..delivered
    };
    let err = handle("authorizenet", &reserialized, "", secrets(KAT_KEY, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
