//! Shift4 does not sign webhooks (its documentation and its SDK's `events.get` say to fetch the
//! event to confirm it): the spec must never report one as verified, whatever it carries.
use super::*;

#[test]
fn shift4_events_are_never_verified() {
    let body = br#"{"id":"evt_1","objectType":"event","type":"CHARGE_SUCCEEDED","data":{"id":"char_1","amount":1234,"currency":"EUR","captured":true}}"#;
    let err = engine()
        .sign(&SignRequest {
            connector: "shift4".into(),
            secrets: secrets("unused-secret", None),
            body: body.to_vec(),
            url: String::new(),
            now: NOW,
            scheme: None,
        })
        .unwrap_err();
    assert!(err.to_string().contains("does not sign"), "{err}");
    let signed = SignedWebhook {
        headers: Default::default(),
        body: body.to_vec(),
    };
    let mut with_header = signed.clone();
    with_header.headers.insert(
        "X-Shift4-Signature".into(),
        hex(&hmac_sha256(b"unused-secret", &[body])),
    );
    for req in [&signed, &with_header] {
        let out = handle("shift4", req, "", secrets("unused-secret", None)).expect("accepted");
        let e = &out.events[0];
        assert!(!e.source_verified);
        assert_eq!(e.event_type.as_str(), "PAYMENT_INTENT_SUCCESS");
        assert_eq!(e.event_status.as_str(), "INCOMPLETE");
    }
}
