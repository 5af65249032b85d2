//! TrustPay notifications: body field `Signature` = hex HMAC-SHA256 (the secret as text) over
//! every leaf value of the body but the signature, numbers with two decimals, booleans
//! `true` / `false`, null `null`, sorted and joined with `/` (the rule the contract's reference
//! implementation verifies). The signed message is written out by hand here.
use super::*;

const SECRET: &str = "trustpay-independent-secret";

const BODY: &[u8] = br#"{"AccountId":4107111111,"PaymentInformation":{"Amount":{"Amount":12.5,"Currency":"EUR"},"CreditDebitIndicator":"CRDT","References":{"MerchantReference":"m-1","PaymentId":"p-9"},"Status":"Paid","Recurring":true,"Note":null,"Tags":["Zeta","alpha"]}}"#;

// The leaves as texts, sorted by bytes: digits < upper case < lower case.
const MESSAGE: &[u8] = b"12.50/4107111111.00/CRDT/EUR/Paid/Zeta/alpha/m-1/null/p-9/true";

fn with_signature(signature: &str, body: &[u8]) -> SignedWebhook {
    let mut doc: serde_json::Value = serde_json::from_slice(body).unwrap();
    doc["Signature"] = serde_json::Value::String(signature.into());
    SignedWebhook {
        headers: Default::default(),
        body: serde_json::to_vec(&doc).unwrap(),
    }
}

#[test]
fn trustpay_signature_is_hmac_of_sorted_leaf_values() {
    let expected = hex(&hmac_sha256(SECRET.as_bytes(), &[MESSAGE]));
    let signed = sign("trustpay", secrets(SECRET, None), BODY, "", None);
    let sent: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
    assert_eq!(
        sent["Signature"].as_str().unwrap().to_ascii_lowercase(),
        expected,
        "sign writes the HMAC of the sorted leaf values into the body"
    );
    let out = round_trip("trustpay", &signed, "", secrets(SECRET, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle(
        "trustpay",
        &signed,
        "",
        secrets("another-secret-value", None),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);

    // Upper-case hex written by hand (TrustPay's spelling) verifies, and so does a second key.
    let by_hand = with_signature(&expected.to_ascii_uppercase(), BODY);
    handle("trustpay", &by_hand, "", secrets(SECRET, None)).expect("upper-case hex verifies");
    handle(
        "trustpay",
        &by_hand,
        "",
        secrets("old-secret-for-rotation", Some(SECRET)),
    )
    .expect("additional_secret verifies");

    // Values moved between keys keep the same sorted message: the scheme cannot see it.
    let swapped = String::from_utf8(BODY.to_vec())
        .unwrap()
        .replace("\"m-1\"", "\"TMP\"")
        .replace("\"p-9\"", "\"m-1\"")
        .replace("\"TMP\"", "\"p-9\"");
    let swapped = with_signature(&expected, swapped.as_bytes());
    let out = handle("trustpay", &swapped, "", secrets(SECRET, None))
        .expect("swapped values verify: only values are signed");
    assert!(out.events[0].source_verified);

    // An extra member is extra signed material; a missing signature is missing.
    let mut doc: serde_json::Value = serde_json::from_slice(&by_hand.body).unwrap();
    doc["Extra"] = serde_json::Value::from(1);
    let extra = SignedWebhook {
        headers: Default::default(),
        body: serde_json::to_vec(&doc).unwrap(),
    };
    let err = handle("trustpay", &extra, "", secrets(SECRET, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let unsigned = SignedWebhook {
        headers: Default::default(),
        body: BODY.to_vec(),
    };
    let err = handle("trustpay", &unsigned, "", secrets(SECRET, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingSignature);
}
