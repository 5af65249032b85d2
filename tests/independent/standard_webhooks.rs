//! Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded whsec_ key,
//! "{id}.{timestamp}.{body}")>`; `v1a,<base64 Ed25519 signature>` over the same message.
use super::*;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};

const BODY: &[u8] = br#"{"type":"payment.succeeded","timestamp":"2023-11-14T22:13:20Z","data":{"id":"pay_1","amount":1500,"currency":"usd"}}"#;

#[test]
fn v1_is_the_standard_webhooks_hmac() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let signed = sign(
        "standard-webhooks",
        secrets(secret, None),
        BODY,
        "",
        Some("v1"),
    );
    let id = header(&signed, "webhook-id");
    assert_eq!(header(&signed, "webhook-timestamp"), NOW.to_string());
    let key = unb64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let mac = hmac_sha256(
        &key,
        &[id.as_bytes(), b".", NOW.to_string().as_bytes(), b".", BODY],
    );
    assert_eq!(
        header(&signed, "webhook-signature"),
        format!("v1,{}", b64(&mac))
    );
    round_trip("standard-webhooks", &signed, "", secrets(secret, None));
}

#[test]
fn v1a_is_ed25519_over_the_same_message() {
    let secret_key =
        "6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    let public = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
    let signed = sign(
        "standard-webhooks",
        secrets(&format!("whsk_{secret_key}"), None),
        BODY,
        "",
        Some("v1a"),
    );
    let id = header(&signed, "webhook-id");
    let sig = header(&signed, "webhook-signature")
        .strip_prefix("v1a,")
        .expect("a v1a signature");
    let vk = VerifyingKey::from_bytes(
        &unb64("1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=")
            .try_into()
            .unwrap(),
    )
    .unwrap();
    let msg = [id.as_bytes(), b".", NOW.to_string().as_bytes(), b".", BODY].concat();
    vk.verify(&msg, &Signature::from_slice(&unb64(sig)).unwrap())
        .expect("the Ed25519 signature verifies");
    round_trip("standard-webhooks", &signed, "", secrets(public, None));
}
