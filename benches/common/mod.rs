//! What the benchmarks share.

/// A payment_intent.succeeded event shaped like Stripe's (API 2023-10-16), about 3 KB.
pub fn stripe_body() -> Vec<u8> {
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/stripe/payment_success.json"
        ))
        .expect("stripe fixture"),
    )
    .unwrap();
    let mut text = fixture["request"]["request_details"]["body_text"]
        .as_str()
        .unwrap()
        .to_string();
    // Pad the metadata to ~3 KB with realistic keys (still valid JSON).
    let extra: String = (0..6)
        .map(|i| format!("\"line_item_{i}\": \"sku_{i:04}_blue_cotton_tshirt_size_m\", "))
        .collect();
    text = text.replacen("\"metadata\": {", &format!("\"metadata\": {{{extra}"), 1);
    text.into_bytes()
}
