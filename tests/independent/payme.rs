//! PayMe callbacks: form field `payme_signature` = lower-case hex MD5 of
//! `additional_secret + secret + payme_transaction_id + payme_sale_id`, as the contract's
//! reference implementation verifies them.
use super::*;

const SECRET: &str = "payme-independent-secret";
const ADDITIONAL: &str = "payme-independent-additional";

#[test]
fn payme_signature_is_md5_of_both_secrets_and_ids() {
    use md5::Digest as _;
    let body = b"notify_type=sale-complete&payme_sale_id=SALE-1&payme_transaction_id=TRAN-1&price=1000&currency=ILS";
    let signed = sign("payme", secrets(SECRET, Some(ADDITIONAL)), body, "", None);
    let mut d = md5::Md5::new();
    d.update(format!("{ADDITIONAL}{SECRET}TRAN-1SALE-1"));
    let expected = hex(&d.finalize());
    let mut sent = body.to_vec();
    sent.extend_from_slice(format!("&payme_signature={expected}").as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&signed.body),
        String::from_utf8_lossy(&sent)
    );
    let out = round_trip("payme", &signed, "", secrets(SECRET, Some(ADDITIONAL)));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    // The order of the two secrets matters.
    let err = handle("payme", &signed, "", secrets(ADDITIONAL, Some(SECRET))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}
