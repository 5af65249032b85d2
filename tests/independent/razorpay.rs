//! Razorpay: `X-Razorpay-Signature` = hex HMAC-SHA256(secret, raw body).
use super::*;

#[test]
fn razorpay_signature_is_razorpays_scheme() {
    let secret = "rzp_independent";
    let body = br#"{"entity":"event","account_id":"acc_1","event":"payment.captured","contains":["payment"],"payload":{"payment":{"entity":{"id":"pay_1","amount":50000,"currency":"INR","status":"captured"}}},"created_at":1700000000}"#;
    let signed = sign("razorpay", secrets(secret, None), body, "", None);
    assert_eq!(
        header(&signed, "X-Razorpay-Signature"),
        hex(&hmac_sha256(secret.as_bytes(), &[body]))
    );
    round_trip("razorpay", &signed, "", secrets(secret, None));
}
