//! `sign`: produce a webhook exactly as the processor would send it, from a spec's `sign`
//! recipe and the same message definition that verification uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::contract::{RequestDetails, WebhookSecrets};
use crate::crypto;
use crate::engine::Engine;
use crate::error::{ErrorKind, HandleError};
use crate::message::{SignedMessage, Unbuilt};
use crate::plan::{Connector, Scheme, SignPlan, Template};
use crate::request::{Req, Scope};
use crate::spec::Scope as SigScope;

/// What to sign.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SignRequest {
    /// The connector whose `sign` recipe is used.
    pub connector: String,
    /// The signing secrets (for PayPal: `secret` = webhook id, `additional_secret` = the RSA
    /// private key PEM; for Standard Webhooks `v1a`: the `whsk_` Ed25519 secret key).
    pub secrets: WebhookSecrets,
    /// The body to send, as the processor would.
    pub body: Vec<u8>,
    /// The URL the webhook is sent to (needed when the URL is signed).
    pub url: String,
    /// Unix seconds.
    pub now: i64,
    /// Which scheme to sign with; default the first whose signing key the secrets provide.
    pub scheme: Option<String>,
}

/// A signed webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedWebhook {
    /// The headers to send (the signature's among them, for header schemes).
    pub headers: BTreeMap<String, String>,
    /// The body to send (base64 in JSON). Item-scope signatures are written into it.
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

fn unsupported(msg: impl Into<String>) -> HandleError {
    HandleError::new(ErrorKind::SignUnsupported, msg)
}

impl Engine {
    /// Signs a webhook for a connector.
    pub fn sign(&self, req: &SignRequest) -> Result<SignedWebhook, HandleError> {
        let conn = self.connector(&req.connector).ok_or_else(|| {
            HandleError::new(
                ErrorKind::UnknownConnector,
                format!("no connector named `{}`", req.connector),
            )
        })?;
        let sig = conn
            .signature
            .as_ref()
            .ok_or_else(|| unsupported(format!("`{}` does not sign its webhooks", conn.name)))?;
        let recipe = conn
            .sign
            .as_ref()
            .ok_or_else(|| unsupported(format!("`{}` has no `sign` recipe", conn.name)))?;
        let (scheme, key) = pick_scheme(&sig.schemes, &req.secrets, req.scheme.as_deref())?;

        let now_rfc3339 = chrono::DateTime::from_timestamp(req.now, 0)
            .ok_or_else(|| HandleError::new(ErrorKind::InvalidRequest, "`now` is out of range"))?
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let mut ctx: BTreeMap<&str, minijinja::Value> = BTreeMap::new();
        ctx.insert("now", req.now.into());
        ctx.insert("now_rfc3339", now_rfc3339.into());
        ctx.insert("body_sha256", crypto::sha256_hex(&[&req.body]).into());
        ctx.insert("scheme", scheme.name.clone().into());
        // The key a `key_equals_secret` signature is listed under (Braintree's public key).
        if let crate::spec::SigFormat::Params {
            key_equals_secret: Some(name),
            ..
        } = &scheme.format
        {
            let id = req.secrets.get(name).ok_or_else(|| {
                HandleError::new(
                    ErrorKind::MissingSecret,
                    format!("secret `{name}` names the signature's key"),
                )
            })?;
            ctx.insert("key_id", id.expose().to_string().into());
        }

        let mut params: Vec<(String, String)> = Vec::new();
        for (name, t) in &recipe.params {
            params.push((name.clone(), render(conn, t, &ctx)?));
        }
        ctx.insert(
            "params",
            minijinja::Value::from(params.iter().cloned().collect::<BTreeMap<String, String>>()),
        );
        let mut headers = BTreeMap::new();
        for (name, t) in recipe.headers.iter().filter(|(_, t)| !t.uses_signature) {
            headers.insert(name.clone(), render(conn, t, &ctx)?);
        }
        let details = RequestDetails {
            url: req.url.clone(),
            headers: headers.clone(),
            body: req.body.clone(),
            ..Default::default()
        };
        let r = Req::new(&details, &req.secrets);
        let param_refs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut body = req.body.clone();
        match scheme.scope {
            SigScope::Request => {
                let signature = sign_message(
                    scheme,
                    &key,
                    &Scope {
                        req: &r,
                        params: &param_refs,
                        item: None,
                        slots: None,
                        alt_port: false,
                    },
                )?;
                ctx.insert("signature", signature.clone().into());
                if let Some((name, t)) = &recipe.form_field {
                    let value = render(conn, t, &ctx)?;
                    let pair: String = form_urlencoded::Serializer::new(String::new())
                        .append_pair(name, &value)
                        .finish();
                    if !body.is_empty() {
                        body.push(b'&');
                    }
                    body.extend_from_slice(pair.as_bytes());
                }
            }
            SigScope::Item => {
                body = sign_items(conn, recipe, scheme, &key, &r, &param_refs)?;
            }
        }
        for (name, t) in recipe.headers.iter().filter(|(_, t)| t.uses_signature) {
            headers.insert(name.clone(), render(conn, t, &ctx)?);
        }
        Ok(SignedWebhook { headers, body })
    }
}

fn render(
    conn: &Connector,
    t: &Template,
    ctx: &BTreeMap<&str, minijinja::Value>,
) -> Result<String, HandleError> {
    t.render(&conn.env, ctx)
        .map_err(|e| unsupported(format!("{}: {e}", t.at.key)))
}

fn pick_scheme<'c>(
    schemes: &'c [Scheme],
    secrets: &WebhookSecrets,
    wanted: Option<&str>,
) -> Result<(&'c Scheme, crypto::SignKey), HandleError> {
    let mut last_err = None;
    for s in schemes {
        if wanted.is_some_and(|w| w != s.name) {
            continue;
        }
        for name in &s.signing_key.secrets {
            let Some(secret) = secrets.get(name) else {
                continue;
            };
            let Some(text) = crypto::key_text(&s.signing_key, secret.expose()) else {
                continue;
            };
            match crypto::sign_key(s.algorithm, s.signing_key.encoding, text) {
                Ok(k) => return Ok((s, k)),
                Err(e) => last_err = Some(format!("scheme `{}`, secret `{name}`: {e}", s.name)),
            }
        }
    }
    if let Some(w) = wanted {
        if !schemes.iter().any(|s| s.name == w) {
            return Err(unsupported(format!("no scheme named `{w}`")));
        }
    }
    Err(HandleError::new(
        if last_err.is_some() {
            ErrorKind::InvalidSecret
        } else {
            ErrorKind::MissingSecret
        },
        last_err.unwrap_or_else(|| "no supplied secret is a signing key of this connector".into()),
    ))
}

fn sign_message(
    scheme: &Scheme,
    key: &crypto::SignKey,
    scope: &Scope,
) -> Result<String, HandleError> {
    let msg = SignedMessage::build(scheme, scope).map_err(|e| match e {
        Unbuilt::Failed(e) => e,
        Unbuilt::Missing(m) => unsupported(format!(
            "the signed {} is not available when signing",
            Scope::describe(m.part)
        )),
    })?;
    let raw = crypto::sign(scheme.algorithm, key, &msg.concat()).map_err(unsupported)?;
    Ok(crypto::encode_sig(scheme.encoding, &raw))
}

fn sign_items(
    conn: &Connector,
    recipe: &SignPlan,
    scheme: &Scheme,
    key: &crypto::SignKey,
    r: &Req,
    params: &[(&str, &str)],
) -> Result<Vec<u8>, HandleError> {
    let field = recipe
        .item_field
        .as_deref()
        .ok_or_else(|| unsupported("item-scope signing needs `sign.item_field`"))?;
    let mut doc: Json = serde_json::from_slice(&r.details.body).map_err(|e| {
        HandleError::new(
            ErrorKind::MalformedBody,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let pointers: Vec<String> = match &conn.items {
        Some(p) => p
            .query_located(&doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect(),
        None => vec![String::new()],
    };
    if pointers.is_empty() {
        return Err(HandleError::new(
            ErrorKind::MalformedBody,
            "the body has no items to sign",
        ));
    }
    for ptr in pointers {
        let item = doc.pointer(&ptr).cloned().unwrap_or(Json::Null);
        let signature = sign_message(
            scheme,
            key,
            &Scope {
                req: r,
                params,
                item: Some(&item),
                slots: None,
                alt_port: false,
            },
        )?;
        let target = doc
            .pointer_mut(&ptr)
            .ok_or_else(|| HandleError::new(ErrorKind::MalformedBody, "item vanished"))?;
        set_dotted(target, field, Json::String(signature))?;
    }
    serde_json::to_vec(&doc).map_err(|e| HandleError::new(ErrorKind::MalformedBody, e.to_string()))
}

/// Sets `a.b.c` in an object, creating objects on the way.
fn set_dotted(mut target: &mut Json, path: &str, value: Json) -> Result<(), HandleError> {
    let names: Vec<&str> = path.split('.').collect();
    for (i, name) in names.iter().enumerate() {
        let obj = target.as_object_mut().ok_or_else(|| {
            HandleError::new(
                ErrorKind::MalformedBody,
                format!("`{path}`: not inside an object"),
            )
        })?;
        if i == names.len() - 1 {
            obj.insert((*name).to_string(), value);
            return Ok(());
        }
        target = obj
            .entry((*name).to_string())
            .or_insert_with(|| Json::Object(Default::default()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `key_id` in a sign template is the secret named by `key_equals_secret`, so a signature
    /// listed under a public key round-trips.
    #[test]
    fn key_id_lists_the_signature_under_its_key() {
        let spec = r#"
connector: t
secrets:
  secret: { description: private key }
  additional_secret: { description: public key }
body: { format: form }
signature:
  schemes:
    - algorithm: hmac-sha256
      key: { secrets: [secret] }
      signature:
        from: { form_field: sig }
        format: { kind: params, separator: "&", assign: "|", key_equals_secret: additional_secret }
      encoding: hex
      message:
        - form_field: payload
events:
  type: $.payload
sign:
  form_field: { name: sig, value: "{{ key_id }}|{{ signature }}" }
"#;
        let engine = Engine::from_sources([("t.yaml".to_string(), spec.to_string())])
            .expect("spec compiles");
        let mut secrets = WebhookSecrets {
            secret: Some(crate::Secret::new("priv")),
            additional_secret: Some(crate::Secret::new("pub_1")),
            ..Default::default()
        };
        let signed = engine
            .sign(&SignRequest {
                connector: "t".into(),
                secrets: secrets.clone(),
                body: b"payload=abc".to_vec(),
                ..Default::default()
            })
            .expect("signs");
        let body = String::from_utf8(signed.body.clone()).unwrap();
        assert!(body.starts_with("payload=abc&sig=pub_1%7C"), "{body}");
        let mut req = crate::HandleRequest {
            connector: "t".into(),
            webhook_secrets: secrets.clone(),
            ..Default::default()
        };
        req.request_details.body = signed.body;
        let out = engine.handle_at(&req, 0).expect("verifies");
        assert!(out.events[0].source_verified);
        // Without the public key there is nothing to list the signature under.
        secrets.additional_secret = None;
        let err = engine
            .sign(&SignRequest {
                connector: "t".into(),
                secrets,
                body: b"payload=abc".to_vec(),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingSecret);
    }
}
