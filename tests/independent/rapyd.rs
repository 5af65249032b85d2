//! Rapyd webhooks: `signature` = base64 of the lower-case hex HMAC-SHA256 (keyed with the secret
//! key) over `webhook URL + salt + timestamp + access_key + secret_key + body`, per Rapyd's
//! "Webhook Authentication" page.
use super::*;

const SECRET: &str = "rapyd-independent-secret-key";
const ACCESS: &str = "rak_independent_access";
const URL: &str = "https://merchant.example/hooks/rapyd";

fn keys(secret: &str) -> WebhookSecrets {
    secrets(secret, Some(ACCESS))
}

#[test]
fn rapyd_signature_is_base64_of_hex_hmac_over_url_salt_timestamp_keys_body() {
    let body = br#"{"id":"wh_1","type":"PAYMENT_COMPLETED","data":{"id":"payment_1","amount":12.5,"currency_code":"EUR"}}"#;
    let signed = sign("rapyd", keys(SECRET), body, URL, None);
    let salt = header(&signed, "salt").to_string();
    let ts = header(&signed, "timestamp").to_string();
    assert_eq!(ts, NOW.to_string());
    let mac = hmac_sha256(
        SECRET.as_bytes(),
        &[
            URL.as_bytes(),
            salt.as_bytes(),
            ts.as_bytes(),
            ACCESS.as_bytes(),
            SECRET.as_bytes(),
            body,
        ],
    );
    assert_eq!(header(&signed, "signature"), b64(hex(&mac).as_bytes()));
    let out = round_trip("rapyd", &signed, URL, keys(SECRET));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle(
        "rapyd",
        &signed,
        "https://merchant.example/other",
        keys(SECRET),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature, "the URL is signed");
    let err = handle("rapyd", &signed, URL, keys("another-secret-key")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
