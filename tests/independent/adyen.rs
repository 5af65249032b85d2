//! Adyen: per item, base64 HMAC-SHA256 (hex-decoded key) over
//! `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`.
use super::*;
use serde_json::Value;

#[test]
fn every_item_carries_adyens_hmac() {
    let key_hex = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
    let body = br#"{"live":"false","notificationItems":[
      {"NotificationRequestItem":{"additionalData":{},"amount":{"currency":"EUR","value":1000},"eventCode":"AUTHORISATION","merchantAccountCode":"Shop","merchantReference":"o-1","pspReference":"PSP0000000000001","success":"true"}},
      {"NotificationRequestItem":{"amount":{"currency":"EUR","value":500},"eventCode":"REFUND","merchantAccountCode":"Shop","merchantReference":"r-1","originalReference":"PSP0000000000001","pspReference":"PSP0000000000002","success":"false","reason":"Insufficient balance"}}]}"#;
    let signed = sign("adyen", secrets(key_hex, None), body, "", None);
    let doc: Value = serde_json::from_slice(&signed.body).unwrap();
    let key: Vec<u8> = (0..key_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&key_hex[i..i + 2], 16).unwrap())
        .collect();
    let items = doc["notificationItems"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for it in items {
        let n = &it["NotificationRequestItem"];
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let msg = [
            text(&n["pspReference"]),
            text(&n["originalReference"]),
            text(&n["merchantAccountCode"]),
            text(&n["merchantReference"]),
            text(&n["amount"]["value"]),
            text(&n["amount"]["currency"]),
            text(&n["eventCode"]),
            text(&n["success"]),
        ]
        .join(":");
        assert_eq!(
            n["additionalData"]["hmacSignature"],
            b64(&hmac_sha256(&key, &[msg.as_bytes()])),
            "{msg}"
        );
    }
    let out = round_trip("adyen", &signed, "", secrets(key_hex, None));
    assert_eq!(out.events.len(), 2);
    assert_eq!(out.acknowledgement.body, "[accepted]");
}
