//! Braintree: form fields `bt_payload` (base64 XML) and `bt_signature` = `public_key|hex
//! HMAC-SHA1(SHA-1(private key), bt_payload)`.
use super::*;
use sha1::Digest as _;

#[test]
fn braintree_signature_is_listed_under_the_public_key() {
    let (private, public) = ("independent-private-key", "independent-public-key");
    let xml = "<notification><kind>dispute_won</kind><timestamp type=\"datetime\">2024-01-10T12:00:00Z</timestamp><subject><dispute><id>d1</id><kind>chargeback</kind><status>won</status><amount-disputed>49.99</amount-disputed><currency-iso-code>USD</currency-iso-code><transaction><id>t1</id></transaction></dispute></subject></notification>\n";
    // Base64 with a line break every 76 characters, as Braintree sends it.
    let encoded = b64(xml.as_bytes());
    let mut payload = String::new();
    for chunk in encoded.as_bytes().chunks(76) {
        payload.push_str(std::str::from_utf8(chunk).unwrap());
        payload.push('\n');
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("bt_payload", &payload)
        .finish();
    let signed = sign(
        "braintree",
        secrets(private, Some(public)),
        body.as_bytes(),
        "",
        None,
    );
    let key = sha1::Sha1::digest(private.as_bytes());
    let expected = hex(&hmac_sha1(&key, &[payload.as_bytes()]));
    let fields: Vec<(String, String)> = form_urlencoded::parse(&signed.body).into_owned().collect();
    assert_eq!(
        fields,
        [
            ("bt_payload".to_string(), payload.clone()),
            ("bt_signature".to_string(), format!("{public}|{expected}")),
        ]
    );
    let out = round_trip("braintree", &signed, "", secrets(private, Some(public)));
    assert_eq!(out.events[0].event_type.as_str(), "WEBHOOK_DISPUTE_WON");
}
