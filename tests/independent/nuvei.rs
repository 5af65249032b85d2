//! Nuvei payment DMNs: `advanceResponseChecksum` = lower-case hex SHA-256 (no HMAC) of
//! `secret + totalAmount + currency + responseTimeStamp + PPP_TransactionID + Status + productId`,
//! a missing Status / productId counting as empty, per Nuvei's "Payment DMNs" documentation and
//! Nuvei's own plugins. Delivered as a form POST or, per merchant configuration, a GET whose
//! query string holds the same parameters.
use super::*;

const SECRET: &str = "nuvei-independent-secret";

/// The expected checksum, computed from the decoded parameters here, not through the spec.
fn checksum(secret: &str, fields: [&str; 6]) -> String {
    let mut parts: Vec<&[u8]> = vec![secret.as_bytes()];
    parts.extend(fields.iter().map(|f| f.as_bytes()));
    hex(&sha256(&parts))
}

#[test]
fn nuvei_checksum_is_sha256_of_secret_and_signed_fields() {
    // `:` is form-encoded in responseTimeStamp and `+` is a space in productId: the checksum is
    // over the decoded values.
    let body = b"ppp_status=OK&totalAmount=65.40&currency=EUR&productId=Order+7731&responseTimeStamp=2023-11-14.22%3A13%3A17&PPP_TransactionID=547385061&TransactionID=7110000000015592101&Status=APPROVED&transactionType=Sale&clientUniqueId=ORD-7731";
    let signed = sign("nuvei", secrets(SECRET, None), body, "", None);
    let expected = checksum(
        SECRET,
        [
            "65.40",
            "EUR",
            "2023-11-14.22:13:17",
            "547385061",
            "APPROVED",
            "Order 7731",
        ],
    );
    let mut sent = body.to_vec();
    sent.extend_from_slice(format!("&advanceResponseChecksum={expected}").as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&signed.body),
        String::from_utf8_lossy(&sent),
        "sign appends the checksum as a form field"
    );
    assert_eq!(
        header(&signed, "Content-Type"),
        "application/x-www-form-urlencoded"
    );
    // The first digit of the body is in totalAmount, a signed field.
    let out = round_trip("nuvei", &signed, "", secrets(SECRET, None));
    assert_eq!(out.events[0].event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
    let err = handle("nuvei", &signed, "", secrets("another-secret", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

#[test]
fn nuvei_get_delivery_reads_the_query_string() {
    let body = b"totalAmount=10.00&currency=USD&responseTimeStamp=2023-11-14.22%3A13%3A17&PPP_TransactionID=1&TransactionID=2&Status=APPROVED&transactionType=Auth";
    let signed = sign("nuvei", secrets(SECRET, None), body, "", None);
    // No productId: it counts as the empty string.
    let expected = checksum(
        SECRET,
        ["10.00", "USD", "2023-11-14.22:13:17", "1", "APPROVED", ""],
    );
    assert!(String::from_utf8_lossy(&signed.body).ends_with(&expected));
    let get = SignedWebhook {
        headers: Default::default(),
        body: Vec::new(),
    };
    let url = format!(
        "https://shop.example/dmn?{}",
        String::from_utf8(signed.body.clone()).unwrap()
    );
    let out = handle("nuvei", &get, &url, secrets(SECRET, None)).expect("GET DMN verifies");
    assert!(out.events[0].source_verified);
    assert_eq!(
        out.events[0].event_type.as_str(),
        "PAYMENT_INTENT_AUTHORIZATION_SUCCESS"
    );
    let err = handle("nuvei", &get, &url, secrets("another-secret", None)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSignature);
}

/// Known answer from Nuvei's SAP Commerce plugin tests (`NuveiValidateChecksumAspectTest`).
#[test]
fn nuvei_known_answer_from_nuvei_sap_plugin() {
    let fields = [
        "115",
        "USD",
        "2020-03-14.16:22:34",
        "3453459",
        "APPROVED",
        "NA",
    ];
    let kat = "aaa9ad16c8ed9f172dff505e4eeb8929b9c77cfed3e38127d55d42e33a70c762";
    assert_eq!(checksum("THE_SECRET_KEY", fields), kat);
    let body = b"totalAmount=115&currency=USD&responseTimeStamp=2020-03-14.16%3A22%3A34&PPP_TransactionID=3453459&Status=APPROVED&productId=NA&transactionType=Sale";
    let signed = sign("nuvei", secrets("THE_SECRET_KEY", None), body, "", None);
    assert!(
        String::from_utf8_lossy(&signed.body).ends_with(&format!("advanceResponseChecksum={kat}"))
    );
    round_trip("nuvei", &signed, "", secrets("THE_SECRET_KEY", None));
}
