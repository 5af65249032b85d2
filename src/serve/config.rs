//! `hooknorm serve` configuration: a YAML file (see `examples/serve.yaml`) plus environment
//! variables for secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::{Secret, WebhookSecrets};

/// The configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Listen address (default `127.0.0.1:8080`; `--addr` wins).
    #[serde(default)]
    pub addr: Option<String>,
    /// Directory of specs, hot-reloaded (default: the bundled connectors; `--connectors` wins).
    #[serde(default)]
    pub connectors: Option<PathBuf>,
    /// Largest accepted request body (default 1 MiB).
    #[serde(default)]
    pub body_limit_bytes: Option<usize>,
    /// Time allowed for one request, reading the body included (default 10 s).
    #[serde(default)]
    pub request_timeout_ms: Option<u64>,
    /// Processor accounts served at `/webhooks/{connector}/{account}`.
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// Where normalized events from `/webhooks/...` go (default: JSON lines on stdout).
    #[serde(default)]
    pub sink: SinkConfig,
    /// The directory of the durable intake queue (`--data-dir` wins; default
    /// [`default_data_dir`]).
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// How long idempotency keys of delivered events are kept for dedup (default 168 h, 7 days).
    #[serde(default)]
    pub dedup_window_hours: Option<u64>,
    /// The bearer token of the `/v1/queue/...` admin endpoints (none: those endpoints are off).
    #[serde(default)]
    pub admin_token: Option<String>,
    /// The environment variable holding the admin token (instead of `admin_token`).
    #[serde(default)]
    pub admin_token_env: Option<String>,
    /// Where events are stored before the acknowledgement (default: the embedded store in
    /// `data_dir`).
    #[serde(default)]
    pub intake: IntakeConfig,
}

/// The intake store: the embedded one unless a shared broker is named.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeConfig {
    /// A Redis stream shared by all instances (the README's "Broker mode on Redis").
    #[serde(default)]
    pub redis: Option<super::RedisIntake>,
    /// A NATS JetStream stream as the shared intake (broker mode).
    #[serde(default)]
    pub nats: Option<NatsIntake>,
}

/// Broker-mode intake on NATS JetStream: webhooks are acknowledged once the stream's PubAck
/// arrives, and every instance delivers from one durable pull consumer. Its `Debug` hides the
/// URL's user and password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsIntake {
    /// The server, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// The intake stream (default `HOOKNORM_INTAKE`, file storage), created at start with
    /// subjects `<subject_prefix>.>` if it does not exist.
    #[serde(default)]
    pub stream: Option<String>,
    /// Events are published to `<subject_prefix>.<connector>.<account>` (default
    /// `hooknorm_intake`).
    #[serde(default)]
    pub subject_prefix: Option<String>,
    /// The durable pull consumer shared by all instances (default `hooknorm-delivery`).
    #[serde(default)]
    pub consumer: Option<String>,
    /// The dead-letter stream (default `<stream>_DEAD`), subjects `<dead_subject_prefix>.>`.
    #[serde(default)]
    pub dead_stream: Option<String>,
    /// Dead letters are published to `<dead_subject_prefix>.<connector>.<account>` (default
    /// `<subject_prefix>_dead`).
    #[serde(default)]
    pub dead_subject_prefix: Option<String>,
    /// JetStream's duplicate window of the stream created by hooknorm, the cross-instance dedup
    /// (default: `dedup_window_hours`, 7 days). Delivered messages are kept as long.
    #[serde(default)]
    pub duplicate_window_secs: Option<u64>,
    /// A message not acknowledged this long after it was handed to an instance is redelivered
    /// (an instance that died mid-delivery; default 60 s).
    #[serde(default)]
    pub ack_wait_ms: Option<u64>,
    /// Messages an instance takes per pull (default 32).
    #[serde(default)]
    pub batch: Option<usize>,
    /// The connection, each publish's PubAck and each admin request (default 5 s): a webhook
    /// whose PubAck does not come within it gets 503.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl std::fmt::Debug for NatsIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsIntake")
            .field("url", &super::broker_nats::hide_credentials(&self.url))
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("consumer", &self.consumer)
            .field("dead_stream", &self.dead_stream)
            .field("dead_subject_prefix", &self.dead_subject_prefix)
            .field("duplicate_window_secs", &self.duplicate_window_secs)
            .field("ack_wait_ms", &self.ack_wait_ms)
            .field("batch", &self.batch)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// The queue's data directory: `flag` (`--data-dir`), else the config's `data_dir`, else
/// [`default_data_dir`]. `serve` and `queue` both use it.
pub fn data_dir_of(flag: Option<PathBuf>, cfg: &ServeConfig) -> PathBuf {
    flag.or(cfg.data_dir.clone())
        .unwrap_or_else(default_data_dir)
}

/// The data directory when neither `--data-dir` nor `data_dir` gives one:
/// `$XDG_DATA_HOME/hooknorm`, else `$HOME/.local/share/hooknorm`, else `./hooknorm-data`.
pub fn default_data_dir() -> PathBuf {
    let var = |v: &str| {
        std::env::var_os(v)
            .filter(|x| !x.is_empty())
            .map(PathBuf::from)
    };
    if let Some(x) = var("XDG_DATA_HOME") {
        x.join("hooknorm")
    } else if let Some(h) = var("HOME") {
        h.join(".local/share/hooknorm")
    } else {
        PathBuf::from("hooknorm-data")
    }
}

/// One account of one processor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The connector the account belongs to.
    pub connector: String,
    /// The path segment after the connector; `default` is also served at `/webhooks/{connector}`.
    #[serde(default = "default_account")]
    pub account: String,
    /// The public URL the processor posts to (scheme, host and path), when it differs from what
    /// reaches the service (a proxy in front). Processors that sign the URL (Square) need it
    /// exactly. The request's query string is appended.
    #[serde(default)]
    pub url: Option<String>,
    /// Secret name (`secret`, `additional_secret`, ...) → where its value comes from.
    pub secrets: BTreeMap<String, SecretSource>,
}

fn default_account() -> String {
    "default".into()
}

/// Where a secret's value comes from. Values are never logged.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// An environment variable.
    #[serde(default)]
    pub env: Option<String>,
    /// A file (its content, without a trailing newline).
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// The value itself (for tests; prefer `env` or `file`).
    #[serde(default)]
    pub value: Option<String>,
}

/// Where events go: JSON lines on stdout, unless one of `http`, `file`, `nats`, `redis` is
/// given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// POST each event as JSON to the host app instead.
    #[serde(default)]
    pub http: Option<HttpSink>,
    /// Append each event as a JSON line to a file instead (fsynced before it counts as
    /// delivered).
    #[serde(default)]
    pub file: Option<FileSink>,
    /// Publish each event to a NATS JetStream stream instead (delivered once the stream's
    /// PubAck arrives).
    #[serde(default)]
    pub nats: Option<NatsSink>,
    /// Add each event to a Redis stream instead, once per idempotency key across instances.
    #[serde(default)]
    pub redis: Option<super::RedisSink>,
}

/// Delivery to a NATS JetStream stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsSink {
    /// The server, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// The stream (default `HOOKNORM`); created at start with subjects `<subject_prefix>.>` if
    /// it does not exist.
    #[serde(default)]
    pub stream: Option<String>,
    /// Subjects are `<subject_prefix>.<connector>.<event_type>` (default `hooknorm`).
    #[serde(default)]
    pub subject_prefix: Option<String>,
    /// The duplicate window of a stream created by hooknorm: JetStream drops a message whose
    /// `Nats-Msg-Id` it saw within it (default 120 s).
    #[serde(default)]
    pub duplicate_window_secs: Option<u64>,
    /// Attempts in all before an event becomes a dead letter (default 25).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// First backoff; doubles after each failure, with jitter (default 200 ms).
    #[serde(default)]
    pub backoff_ms: Option<u64>,
    /// The longest backoff (default 300,000 ms, 5 minutes).
    #[serde(default)]
    pub max_backoff_ms: Option<u64>,
    /// An event older than this is a dead letter after its next failed attempt (default
    /// 259,200 s, 3 days).
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    /// Per attempt: the connection, the publish and its PubAck (default 5 s).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

/// Delivery to a file of JSON lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSink {
    /// The file the lines are appended to (created if missing).
    pub path: PathBuf,
    /// Attempts in all before an event becomes a dead letter (default 25).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// First backoff; doubles after each failure, with jitter (default 200 ms).
    #[serde(default)]
    pub backoff_ms: Option<u64>,
    /// The longest backoff (default 300,000 ms, 5 minutes).
    #[serde(default)]
    pub max_backoff_ms: Option<u64>,
    /// An event older than this is a dead letter after its next failed attempt (default
    /// 259,200 s, 3 days).
    #[serde(default)]
    pub max_age_secs: Option<u64>,
}

/// Delivery to the host app over HTTP.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSink {
    /// Where events are POSTed.
    pub url: String,
    /// Attempts in all before an event becomes a dead letter (default 25; `retries` + 1 when
    /// only `retries` is given).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Retries after the first attempt (the older key: `max_attempts` = `retries` + 1).
    #[serde(default)]
    pub retries: Option<u32>,
    /// First backoff; doubles after each failure, with jitter (default 200 ms).
    #[serde(default)]
    pub backoff_ms: Option<u64>,
    /// The longest backoff (default 300,000 ms, 5 minutes).
    #[serde(default)]
    pub max_backoff_ms: Option<u64>,
    /// An event older than this is a dead letter after its next failed attempt (default
    /// 259,200 s, 3 days).
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    /// Per attempt (default 5 s).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// hooknorm's own Standard Webhooks secret, `whsec_<base64>`: each POST then carries
    /// `webhook-id`, `webhook-timestamp` and `webhook-signature` so the host can verify it. Prefer
    /// `signing_secret_env`. Without either, POSTs are not signed.
    #[serde(default)]
    pub signing_secret: Option<String>,
    /// The environment variable holding the signing secret (`whsec_<base64>`).
    #[serde(default)]
    pub signing_secret_env: Option<String>,
}

impl HttpSink {
    /// The HMAC key: the base64-decoded part of the `whsec_` secret, or `None` when no secret is
    /// configured. Errors never contain the secret.
    pub(crate) fn signing_key(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Vec<u8>>, String> {
        use base64::Engine as _;
        let secret = match (&self.signing_secret, &self.signing_secret_env) {
            (None, None) => return Ok(None),
            (Some(s), None) => s.clone(),
            (None, Some(var)) => env(var).ok_or_else(|| {
                format!("sink.http.signing_secret_env: environment variable `{var}` is not set")
            })?,
            (Some(_), Some(_)) => {
                return Err(
                    "sink.http: give one of signing_secret, signing_secret_env, not both".into(),
                )
            }
        };
        let b64 = secret.trim().strip_prefix("whsec_").ok_or(
            "sink.http: the signing secret must be `whsec_` followed by base64 (Standard Webhooks)",
        )?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| "sink.http: the signing secret after `whsec_` is not valid base64")?;
        if key.is_empty() {
            return Err("sink.http: the signing secret is empty".into());
        }
        Ok(Some(key))
    }
}

impl ServeConfig {
    /// Reads a configuration file.
    pub fn read(path: &Path) -> Result<ServeConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// (connector, account) → its secrets and public URL.
/// An account's secrets and public URL.
pub(crate) type Account = (WebhookSecrets, Option<String>);
pub(crate) type Accounts = BTreeMap<(String, String), Account>;

fn env_name(connector: &str) -> String {
    connector.to_ascii_uppercase().replace('-', "_")
}

/// The `default` account of `connector` from `HOOKNORM_SECRET_<CONNECTOR>` (and
/// `HOOKNORM_ADDITIONAL_SECRET_<CONNECTOR>`), when the first is set.
pub(crate) fn env_account(
    connector: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Option<Account> {
    let n = env_name(connector);
    let secret = env(&format!("HOOKNORM_SECRET_{n}"))?;
    let secrets = WebhookSecrets {
        secret: Some(Secret::new(secret)),
        additional_secret: env(&format!("HOOKNORM_ADDITIONAL_SECRET_{n}")).map(Secret::new),
        other: BTreeMap::new(),
    };
    Some((secrets, None))
}

/// The secrets of every account: from the file's accounts, and for connectors without a
/// `default` account there, from `HOOKNORM_SECRET_<CONNECTOR>` and
/// `HOOKNORM_ADDITIONAL_SECRET_<CONNECTOR>`.
pub(crate) fn resolve_accounts(
    cfg: &ServeConfig,
    connectors: &[String],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Accounts, String> {
    let mut out = BTreeMap::new();
    for a in &cfg.accounts {
        let mut secrets = WebhookSecrets::default();
        for (name, src) in &a.secrets {
            let value = match (&src.env, &src.file, &src.value) {
                (Some(var), None, None) => env(var).ok_or_else(|| {
                    format!(
                        "account {}/{}: secret `{name}`: environment variable `{var}` is not set",
                        a.connector, a.account
                    )
                })?,
                (None, Some(file), None) => std::fs::read_to_string(file)
                    .map(|t| t.trim_end_matches(['\r', '\n']).to_string())
                    .map_err(|e| {
                        format!(
                            "account {}/{}: secret `{name}`: {}: {e}",
                            a.connector,
                            a.account,
                            file.display()
                        )
                    })?,
                (None, None, Some(v)) => v.clone(),
                _ => {
                    return Err(format!(
                        "account {}/{}: secret `{name}`: give exactly one of env, file, value",
                        a.connector, a.account
                    ))
                }
            };
            secrets.set(name, Secret::new(value));
        }
        let key = (a.connector.clone(), a.account.clone());
        if out.insert(key, (secrets, a.url.clone())).is_some() {
            return Err(format!(
                "account {}/{} is configured twice",
                a.connector, a.account
            ));
        }
    }
    for c in connectors {
        let key = (c.clone(), "default".to_string());
        if out.contains_key(&key) {
            continue;
        }
        if let Some(account) = env_account(c, &env) {
            out.insert(key, account);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod sink_tests {
    use super::*;

    fn http(secret: Option<&str>, env: Option<&str>) -> HttpSink {
        HttpSink {
            url: "http://127.0.0.1:1/".into(),
            max_attempts: None,
            retries: None,
            backoff_ms: None,
            max_backoff_ms: None,
            max_age_secs: None,
            timeout_ms: None,
            signing_secret: secret.map(String::from),
            signing_secret_env: env.map(String::from),
        }
    }

    #[test]
    fn signing_keys_are_decoded_and_errors_never_show_the_secret() {
        let none = |_: &str| None;
        assert_eq!(http(None, None).signing_key(none), Ok(None));
        assert_eq!(
            http(Some("whsec_AQID"), None).signing_key(none),
            Ok(Some(vec![1, 2, 3]))
        );
        let from_env = |v: &str| (v == "K").then(|| "whsec_BAUG".to_string());
        assert_eq!(
            http(None, Some("K")).signing_key(from_env),
            Ok(Some(vec![4, 5, 6]))
        );
        let e = http(None, Some("MISSING")).signing_key(none).unwrap_err();
        assert!(e.contains("MISSING"), "{e}");
        for bad in ["s3cr3t-no-prefix", "whsec_s3cr3t!!not*base64"] {
            let e = http(Some(bad), None).signing_key(none).unwrap_err();
            assert!(!e.contains("s3cr3t"), "{e}");
        }
        assert!(http(Some("whsec_AQID"), Some("K"))
            .signing_key(from_env)
            .is_err());
    }
}
