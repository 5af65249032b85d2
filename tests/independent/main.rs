//! `hooknorm sign` output checked by independent implementations of each processor's scheme,
//! written here from the processors' documentation, not through the specs: a spec that is wrong
//! the same way when signing and verifying is caught. Each module also checks that the engine
//! accepts what it signed and rejects a tampered copy.

use std::collections::BTreeMap;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use hooknorm::{
    Engine, ErrorKind, HandleOutcome, HandleRequest, RequestDetails, Secret, SignRequest,
    SignedWebhook, WebhookSecrets,
};

mod adyen;
mod airwallex;
mod authorizenet;
mod bluesnap;
mod braintree;
mod cashfree;
mod checkout;
mod coinbase_commerce;
mod cybersource;
mod dlocal;
mod flutterwave;
mod globalpay;
mod gocardless;
mod mercadopago;
mod midtrans;
mod mollie;
mod multisafepay;
mod nmi;
mod noon;
mod novalnet;
mod nuvei;
mod paddle;
mod payme;
mod paypal;
mod paystack;
mod payu;
mod rapyd;
mod razorpay;
mod revolut;
mod shift4;
mod square;
mod standard_webhooks;
mod stripe;
mod trustpay;
mod volt;
mod wise;
mod worldline;
mod worldpay;
mod xendit;
mod zen;

pub const NOW: i64 = 1_700_000_000;

pub fn engine() -> Engine {
    Engine::bundled().expect("bundled connectors load")
}

pub fn secrets(secret: &str, additional: Option<&str>) -> WebhookSecrets {
    WebhookSecrets {
        secret: Some(Secret::new(secret)),
        additional_secret: additional.map(Secret::new),
        other: BTreeMap::new(),
    }
}

/// Signs with the engine.
pub fn sign(
    connector: &str,
    signing: WebhookSecrets,
    body: &[u8],
    url: &str,
    scheme: Option<&str>,
) -> SignedWebhook {
    engine()
        .sign(&SignRequest {
            connector: connector.into(),
            secrets: signing,
            body: body.to_vec(),
            url: url.into(),
            now: NOW,
            scheme: scheme.map(str::to_string),
        })
        .unwrap_or_else(|e| panic!("{connector}: sign failed: {e}"))
}

/// Handles a signed webhook with the verification secrets.
pub fn handle(
    connector: &str,
    signed: &SignedWebhook,
    url: &str,
    verify: WebhookSecrets,
) -> Result<HandleOutcome, hooknorm::HandleError> {
    engine().handle_at(
        &HandleRequest {
            connector: connector.into(),
            merchant_event_id: Some("independent".into()),
            request_details: RequestDetails {
                url: url.into(),
                headers: signed.headers.clone(),
                body: signed.body.clone(),
                ..Default::default()
            },
            webhook_secrets: verify,
        },
        NOW + 1,
    )
}

/// The engine accepts its own signature, and rejects the same webhook with one body byte changed.
pub fn round_trip(
    connector: &str,
    signed: &SignedWebhook,
    url: &str,
    verify: WebhookSecrets,
) -> HandleOutcome {
    let out = handle(connector, signed, url, verify.clone())
        .unwrap_or_else(|e| panic!("{connector}: {e}"));
    assert!(out.events.iter().all(|e| e.source_verified), "{connector}");
    let mut tampered = signed.clone();
    let i = tampered
        .body
        .iter()
        .position(|b| b.is_ascii_digit())
        .expect("a digit to change");
    tampered.body[i] = if tampered.body[i] == b'9' {
        b'8'
    } else {
        tampered.body[i] + 1
    };
    let err = handle(connector, &tampered, url, verify).expect_err("a tampered body must fail");
    assert_eq!(err.kind, ErrorKind::InvalidSignature, "{connector}: {err}");
    out
}

pub fn header<'a>(signed: &'a SignedWebhook, name: &str) -> &'a str {
    signed
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("sign produced no {name} header: {:?}", signed.headers))
}

pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

pub fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// Plain SHA-256 of the concatenated parts (processors that hash a secret with the data).
pub fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    use sha2::Digest as _;
    let mut d = sha2::Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}
