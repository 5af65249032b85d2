//! Wise: `X-Signature-SHA256` = base64 RSA PKCS#1 v1.5 SHA-256 signature of the raw body,
//! verified with Wise's public key (here a test key pair; the spec takes the PEM from secrets).
use super::*;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};

#[test]
fn wise_signature_is_rsa_sha256_of_the_body_in_base64() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let private = std::fs::read_to_string(root.join("tests/keys/wise-test-key.pem")).unwrap();
    let public = std::fs::read_to_string(root.join("tests/keys/wise-test-public.pem")).unwrap();
    let body = br#"{"data":{"resource":{"type":"transfer","id":7001,"profile_id":1,"account_id":2},"current_state":"outgoing_payment_sent","previous_state":"processing","occurred_at":"2023-11-14T22:13:10.512Z"},"subscription_id":"00000000-0000-4000-8000-000000000001","event_type":"transfers#state-change","schema_version":"2.0.0","sent_at":"2023-11-14T22:13:12.003Z"}"#;
    let signed = sign("wise", secrets(&private, None), body, "", None);
    // PKCS#1 v1.5 is deterministic: the same signature, computed here from the private key.
    let sk = SigningKey::<sha2::Sha256>::new(rsa::RsaPrivateKey::from_pkcs8_pem(&private).unwrap());
    let mine = b64(&sk.sign(body).to_bytes());
    assert_eq!(header(&signed, "X-Signature-SHA256"), mine);
    // And it verifies with the public key alone.
    let vk =
        VerifyingKey::<sha2::Sha256>::new(rsa::RsaPublicKey::from_public_key_pem(&public).unwrap());
    let sig = Signature::try_from(unb64(&mine).as_slice()).unwrap();
    vk.verify(body, &sig).expect("verifies with the public key");
    let out = round_trip("wise", &signed, "", secrets(&public, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYOUT_SUCCESS");
    // The other test public key does not verify it; as a second key it does not hurt.
    let other = std::fs::read_to_string(root.join("tests/keys/wise-test-public-2.pem")).unwrap();
    let err = handle("wise", &signed, "", secrets(&other, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    assert!(handle("wise", &signed, "", secrets(&other, Some(&public))).is_ok());
}
