//! Novalnet: `event.checksum` = lower-case hex SHA-256 (no HMAC) of `event.tid + event.type +
//! result.status + transaction.amount + transaction.currency + strrev(payment access key)`, the
//! amount and currency only when set, per Novalnet's webhook documentation and the
//! `validate_checksum` of Novalnet's own shop plugins.
use super::*;

const KEY: &str = "a87ff679a2f3e71d9181a67b7542122c";

fn checksum(token: &str, key: &str) -> String {
    let reversed: String = key.chars().rev().collect();
    hex(&sha256(&[token.as_bytes(), reversed.as_bytes()]))
}

fn checksum_of(body: &[u8]) -> String {
    let doc: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    doc["event"]["checksum"]
        .as_str()
        .expect("a checksum")
        .to_string()
}

#[test]
fn novalnet_checksum_is_sha256_with_the_reversed_access_key() {
    let body = br#"{"event":{"tid":14598700012345678,"type":"PAYMENT","checksum":""},"result":{"status":"SUCCESS","status_code":100},"transaction":{"tid":14598700012345678,"amount":6540,"currency":"EUR","status":"CONFIRMED","payment_type":"CREDITCARD"}}"#;
    let signed = sign("novalnet", secrets(KEY, None), body, "", None);
    let expected = checksum("14598700012345678PAYMENTSUCCESS6540EUR", KEY);
    assert_eq!(checksum_of(&signed.body), expected);
    assert_eq!(header(&signed, "Content-Type"), "application/json");
    let out = round_trip("novalnet", &signed, "", secrets(KEY, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // `round_trip` changes the first digit, which may be in the checksum itself; change the
    // signed amount too.
    let mut tampered = signed.clone();
    let text = String::from_utf8(tampered.body.clone()).unwrap();
    assert!(text.contains(r#""amount":6540"#));
    tampered.body = text
        .replace(r#""amount":6540"#, r#""amount":6541"#)
        .into_bytes();
    let err = handle("novalnet", &tampered, "", secrets(KEY, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    let err = handle("novalnet", &signed, "", secrets("0123456789abcdef", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The key appended without reversing is not Novalnet's scheme.
    let forward = hex(&sha256(&[
        b"14598700012345678PAYMENTSUCCESS6540EUR",
        KEY.as_bytes(),
    ]));
    assert_ne!(forward, expected);
}

#[test]
fn novalnet_absent_amount_and_currency_hash_as_empty() {
    // A non-transaction event: no transaction object at all.
    let body = br#"{"event":{"tid":14598700012366001,"type":"AFFILIATE_CREATION","checksum":""},"result":{"status":"SUCCESS"}}"#;
    let signed = sign("novalnet", secrets(KEY, None), body, "", None);
    assert_eq!(
        checksum_of(&signed.body),
        checksum("14598700012366001AFFILIATE_CREATIONSUCCESS", KEY)
    );
    let out = round_trip("novalnet", &signed, "", secrets(KEY, None));
    assert_eq!(out.events[0].event_type.as_str(), "EVENT_NOT_SUPPORTED");
}
