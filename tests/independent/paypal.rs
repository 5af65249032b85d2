//! PayPal: base64 RSA PKCS#1 v1.5 SHA-256 over
//! `{transmission_id}|{transmission_time}|{webhook_id}|{crc32(body) as unsigned decimal}`.
use super::*;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

#[test]
fn paypal_signature_verifies_with_the_certificate_key() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let key = std::fs::read_to_string(root.join("tests/keys/paypal-test-key.pem")).unwrap();
    let cert = std::fs::read_to_string(root.join("tests/keys/paypal-test-cert.pem")).unwrap();
    let webhook_id = "8PT597110X687430LKGECATA";
    let body = br#"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"CAP-1","status":"COMPLETED","amount":{"value":"19.99","currency_code":"USD"}}}"#;
    let signed = sign("paypal", secrets(webhook_id, Some(&key)), body, "", None);
    let msg = format!(
        "{}|{}|{webhook_id}|{}",
        header(&signed, "PAYPAL-TRANSMISSION-ID"),
        header(&signed, "PAYPAL-TRANSMISSION-TIME"),
        crc32fast::hash(body)
    );
    // The public key, read independently of the engine from the certificate's DER.
    let pem_body: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = unb64(&pem_body);
    use x509_cert::der::{Decode, Encode};
    let c = x509_cert::Certificate::from_der(&der).unwrap();
    let spki = c.tbs_certificate.subject_public_key_info.to_der().unwrap();
    let vk =
        VerifyingKey::<sha2::Sha256>::new(rsa::RsaPublicKey::from_public_key_der(&spki).unwrap());
    let sig =
        Signature::try_from(unb64(header(&signed, "PAYPAL-TRANSMISSION-SIG")).as_slice()).unwrap();
    vk.verify(msg.as_bytes(), &sig)
        .expect("PayPal's signature verifies");
    assert!(header(&signed, "PAYPAL-CERT-URL").starts_with("https://"));
    assert_eq!(header(&signed, "PAYPAL-AUTH-ALGO"), "SHA256withRSA");
    let out = round_trip("paypal", &signed, "", secrets(webhook_id, Some(&cert)));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
}
