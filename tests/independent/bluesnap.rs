//! BlueSnap: `bls-signature` = hex HMAC-SHA256(security-header key as-is, bls-ipn-timestamp text +
//! raw form body), per BlueSnap's webhook settings ("Add Security Header"); the timestamp header is
//! `yyyy-MM-dd HH:mm:ss.SSS`.
use super::*;

#[test]
fn bluesnap_signature_is_hex_hmac_of_timestamp_and_body() {
    let secret = "bsipn_independent_check";
    let body = b"transactionType=CHARGE&referenceNumber=1012345678&merchantTransactionId=ORD-1&invoiceChargeAmount=49.99&invoiceChargeCurrency=USD&accountId=25614412";
    let signed = sign("bluesnap", secrets(secret, None), body, "", None);
    assert_eq!(signed.body, body, "the body is sent as given");
    let ts = header(&signed, "bls-ipn-timestamp");
    assert_eq!(
        ts, "2023-11-14 22:13:20.000",
        "NOW as BlueSnap formats the header"
    );
    let expected = hex(&hmac_sha256(secret.as_bytes(), &[ts.as_bytes(), body]));
    assert_eq!(header(&signed, "bls-signature"), expected);
    let out = round_trip("bluesnap", &signed, "", secrets(secret, None));
    let event = &out.events[0];
    assert_eq!(event.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let body_digest = hex(&{
        use sha2::Digest;
        sha2::Sha256::digest(body).to_vec()
    });
    assert_eq!(event.idempotency_key, format!("bluesnap:{body_digest}"));
    // A different key does not verify what was signed.
    let err = handle("bluesnap", &signed, "", secrets("bsipn_other", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The timestamp is signed: changing it breaks the signature.
    let mut moved = signed.clone();
    moved
        .headers
        .insert("bls-ipn-timestamp".into(), "2023-11-14 22:13:21.000".into());
    let err = handle("bluesnap", &moved, "", secrets(secret, None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
    // The second key verifies during a rotation.
    let out = handle("bluesnap", &signed, "", secrets("bsipn_old", Some(secret))).unwrap();
    assert!(out.events[0].source_verified);
}
