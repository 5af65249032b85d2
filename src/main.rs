//! The `hooknorm` command line: JSON on stdout; errors as `{"error": {...}}` on stderr with a
//! non-zero exit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hooknorm::{
    Engine, ErrorKind, HandleError, HandleRequest, RequestDetails, Secret, SignRequest,
    WebhookSecrets,
};

#[derive(Parser)]
#[command(
    name = "hooknorm",
    version,
    about = "Verify and normalize payment-processor webhooks"
)]
struct Cli {
    /// Directory of connector specs (default: the bundled connectors).
    #[arg(long, global = true, env = "HOOKNORM_CONNECTORS")]
    connectors: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the connector names.
    Connectors,
    /// Verify and normalize one webhook.
    Handle {
        /// The Handle request as JSON (`-` for stdin).
        #[arg(long, conflicts_with_all = ["connector", "header", "body_file", "url", "secret"])]
        request: Option<PathBuf>,
        /// Connector name (convenience form).
        #[arg(long)]
        connector: Option<String>,
        /// A header, `Name: value` (repeatable).
        #[arg(long)]
        header: Vec<String>,
        /// File holding the raw body.
        #[arg(long)]
        body_file: Option<PathBuf>,
        /// The URL the webhook was posted to.
        #[arg(long)]
        url: Option<String>,
        /// Secret (repeatable: `secret`, then `additional_secret`).
        #[arg(long, allow_hyphen_values = true)]
        secret: Vec<String>,
        /// merchant_event_id to echo.
        #[arg(long)]
        merchant_event_id: Option<String>,
        /// Fix the clock (unix seconds).
        #[arg(long)]
        now: Option<i64>,
    },
    /// Print a webhook signed as the processor would send it.
    Sign {
        #[arg(long)]
        connector: String,
        /// Secrets may start with `-` (PEM keys and certificates do).
        #[arg(long, allow_hyphen_values = true)]
        secret: String,
        #[arg(long, allow_hyphen_values = true)]
        additional_secret: Option<String>,
        #[arg(long)]
        body_file: PathBuf,
        #[arg(long, default_value = "https://example.com/webhooks")]
        url: String,
        /// Unix seconds (default: now).
        #[arg(long)]
        now: Option<i64>,
        /// Scheme name (default: the first the secret can sign for).
        #[arg(long)]
        scheme: Option<String>,
    },
    /// Check specs and print every error with its location.
    Validate {
        /// Directory of specs (default: --connectors, else ./connectors).
        dir: Option<PathBuf>,
    },
    /// Run specs' fixtures and property checks; print each property's verdict and, for a
    /// failure, a counterexample fixture.
    #[cfg(feature = "proptest")]
    Test {
        /// Spec files or directories (default: --connectors, else ./connectors).
        paths: Vec<PathBuf>,
        /// Fixture directory: `<DIR>/<connector>/*.json`.
        #[arg(long, default_value = "tests/fixtures")]
        fixtures: PathBuf,
        /// Generated cases per property.
        #[arg(long, default_value_t = 64)]
        cases: u32,
        /// Seed of the generated cases.
        #[arg(long, default_value_t = 0x686f_6f6b)]
        seed: u64,
        /// A signing secret `[CONNECTOR:]NAME=VALUE` for specs whose fixtures hold only
        /// verification keys, replacing that secret when signing (repeatable; `@FILE` reads the
        /// value from a file; without `CONNECTOR:` it applies to every spec).
        #[arg(long, allow_hyphen_values = true)]
        signing_secret: Vec<String>,
    },
    /// Serve the engine over HTTP and gRPC on one port (specs from --connectors are
    /// hot-reloaded).
    #[cfg(feature = "serve")]
    Serve {
        /// Configuration file (YAML; see examples/serve.yaml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Listen address of HTTP and gRPC (default 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<String>,
        /// Directory of the durable intake queue (default: the config's `data_dir`, else
        /// $XDG_DATA_HOME/hooknorm, else $HOME/.local/share/hooknorm, else ./hooknorm-data).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Honour an `X-Hooknorm-Now` header (unix seconds) as the clock, for tests with fixed
        /// clocks. Never in production.
        #[arg(long)]
        test_clock: bool,
    },
    /// Inspect and operate the durable intake queue (also while `hooknorm serve` runs on it).
    #[cfg(feature = "serve")]
    Queue {
        /// Configuration file (for its `data_dir`, or the broker its `intake` names).
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        /// Directory of the queue (default: as for `serve`).
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        op: QueueOp,
    },
    /// Print the JSON Schema of connector specs (or, with --event, of handle's outcome).
    Schema {
        #[arg(long)]
        event: bool,
    },
}

/// `hooknorm queue ...`.
#[cfg(feature = "serve")]
#[derive(Subcommand)]
enum QueueOp {
    /// Counts by state and the oldest pending event's age.
    Stats,
    /// Events in arrival order.
    List {
        /// Only events in this state.
        #[arg(long, value_parser = ["pending", "delivered", "dead"])]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One event with its delivered line and attempt history.
    Show {
        /// The event's id (from `list`).
        id: i64,
    },
    /// Put events back to pending, due now (a running service delivers them; the attempt
    /// history is kept).
    Replay {
        /// Event ids.
        #[arg(required_unless_present = "dead", conflicts_with = "dead")]
        ids: Vec<i64>,
        /// Every dead letter.
        #[arg(long)]
        dead: bool,
    },
    /// Delete delivered events (and their history) delivered before a time.
    Purge {
        /// Unix seconds or RFC 3339.
        #[arg(long)]
        delivered_before: String,
    },
}

#[cfg(feature = "serve")]
fn queue(
    config: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    op: QueueOp,
) -> Result<ExitCode, ExitCode> {
    use hooknorm::queue::{self, ReplaySelect, Replayed, SqliteStore, State, Store};
    let cfg = match config {
        Some(p) => {
            hooknorm::serve::ServeConfig::read(&p).map_err(|m| fail("InvalidRequest", m, None))?
        }
        None => Default::default(),
    };
    let store_err = |e: queue::StoreError| fail("StoreUnavailable", e.to_string(), None);
    // Broker mode: the config's intake names a broker; its client needs a runtime that lives
    // as long as the store.
    let runtime;
    let mut intake_about = None;
    let broker = if cfg.intake.nats.is_some() || cfg.intake.redis.is_some() {
        runtime =
            tokio::runtime::Runtime::new().map_err(|e| fail("Internal", e.to_string(), None))?;
        runtime
            .block_on(hooknorm::serve::open_broker(&cfg))
            .map_err(|m| fail("InvalidRequest", m, None))?
    } else {
        None
    };
    let (store, place, local): (std::sync::Arc<dyn Store>, String, bool) = match broker {
        Some((b, shown, about)) => {
            intake_about = Some(about);
            (b, shown, false)
        }
        None => {
            let dir = hooknorm::serve::data_dir_of(data_dir, &cfg);
            let s = SqliteStore::open(&dir).map_err(store_err)?;
            let shown = s.path().display().to_string();
            (std::sync::Arc::new(s), shown, true)
        }
    };
    let out = match op {
        QueueOp::Stats => {
            let mut v = queue::stats_json(&store.stats().map_err(store_err)?, queue::now_ms());
            v[if local { "file" } else { "broker" }] = place.clone().into();
            if let Some(about) = intake_about {
                v["intake"] = about;
            }
            v
        }
        QueueOp::List { state, limit } => {
            let state = state.as_deref().and_then(State::parse);
            serde_json::to_value(store.list(state, limit).map_err(store_err)?)
                .map_err(|e| fail("Internal", e.to_string(), None))?
        }
        QueueOp::Show { id } => match store.event(id).map_err(store_err)? {
            Some(d) => queue::detail_json(&d),
            None => {
                return Err(fail(
                    "NotFound",
                    format!("no event with id {id} in {}", place),
                    None,
                ))
            }
        },
        QueueOp::Replay { ids, dead } => {
            let which = if dead {
                ReplaySelect::Dead
            } else {
                ReplaySelect::Ids(ids)
            };
            match store.replay(which).map_err(store_err)? {
                Replayed::Done(ids) => serde_json::json!({ "replayed": ids }),
                Replayed::Unknown(ids) => {
                    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                    return Err(fail(
                        "NotFound",
                        format!(
                            "no event with id {} in {}; nothing replayed",
                            list.join(", "),
                            place
                        ),
                        None,
                    ));
                }
            }
        }
        QueueOp::Purge { delivered_before } => {
            let before = queue::parse_time(&delivered_before)
                .map_err(|m| fail("InvalidRequest", m, None))?;
            serde_json::json!({ "purged": store.purge_delivered(before).map_err(store_err)? })
        }
    };
    Ok(print(&out))
}

fn fail(kind: &str, message: impl Into<String>, report: Option<&HandleError>) -> ExitCode {
    let mut err = serde_json::json!({"kind": kind, "message": message.into()});
    if let Some(e) = report {
        err = serde_json::to_value(e).unwrap_or(err);
    }
    eprintln!("{}", serde_json::json!({ "error": err }));
    ExitCode::from(1)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The connectors of `--connectors DIR` (or the bundled ones). A spec file that does not load
/// is reported on stderr and left out; the others stay usable.
fn load(dir: &Option<PathBuf>) -> Result<Engine, ExitCode> {
    let loaded = match dir {
        Some(d) => hooknorm::load_dir_lenient(d).map(|(engine, errors)| {
            for e in &errors {
                eprintln!("warning: spec not loaded: {e}");
            }
            engine
        }),
        None => Engine::bundled(),
    };
    loaded.map_err(|e| fail("SpecError", e.to_string(), None))
}

fn read(path: &PathBuf) -> Result<Vec<u8>, ExitCode> {
    let r = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    r.map_err(|e| fail("Io", format!("{}: {e}", path.display()), None))
}

fn print(v: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(v) {
        Ok(s) => emit(&format!("{s}\n")),
        Err(e) => fail("Internal", e.to_string(), None),
    }
}

/// Writes to stdout. A reader that went away (`hooknorm connectors | head -1`) ends the
/// command quietly, as a CLI should; other write errors are reported.
fn emit(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail("Io", format!("stdout: {e}"), None),
    }
}

fn secrets(list: &[String]) -> WebhookSecrets {
    WebhookSecrets {
        secret: list.first().map(|s| Secret::new(s.clone())),
        additional_secret: list.get(1).map(|s| Secret::new(s.clone())),
        other: BTreeMap::new(),
    }
}

fn run(cli: Cli) -> Result<ExitCode, ExitCode> {
    match cli.command {
        Command::Connectors => {
            let engine = load(&cli.connectors)?;
            Ok(print(&engine.connector_names().collect::<Vec<_>>()))
        }
        Command::Handle {
            request,
            connector,
            header,
            body_file,
            url,
            secret,
            merchant_event_id,
            now: at,
        } => {
            let engine = load(&cli.connectors)?;
            let req: HandleRequest = match request {
                Some(path) => {
                    let bytes = read(&path)?;
                    serde_json::from_slice(&bytes).map_err(|e| {
                        fail(
                            ErrorKind::InvalidRequest.as_str(),
                            format!("{}: {e}", path.display()),
                            None,
                        )
                    })?
                }
                None => {
                    let connector = connector.ok_or_else(|| {
                        fail(
                            ErrorKind::InvalidRequest.as_str(),
                            "give --request FILE or --connector NAME",
                            None,
                        )
                    })?;
                    let mut headers = BTreeMap::new();
                    for h in &header {
                        let (n, v) = h.split_once(':').ok_or_else(|| {
                            fail(
                                ErrorKind::InvalidRequest.as_str(),
                                format!("header `{h}` is not `Name: value`"),
                                None,
                            )
                        })?;
                        headers.insert(n.trim().to_string(), v.trim_start().to_string());
                    }
                    let body = match &body_file {
                        Some(p) => read(p)?,
                        None => Vec::new(),
                    };
                    HandleRequest {
                        connector,
                        merchant_event_id,
                        request_details: RequestDetails {
                            url: url.unwrap_or_default(),
                            headers,
                            body,
                            ..Default::default()
                        },
                        webhook_secrets: secrets(&secret),
                    }
                }
            };
            match engine.handle_at(&req, at.unwrap_or_else(now)) {
                Ok(outcome) => Ok(print(&outcome)),
                Err(e) => Err(fail(e.kind.as_str(), e.message.clone(), Some(&e))),
            }
        }
        Command::Sign {
            connector,
            secret,
            additional_secret,
            body_file,
            url,
            now: at,
            scheme,
        } => {
            let engine = load(&cli.connectors)?;
            let mut list = vec![secret];
            list.extend(additional_secret);
            let req = SignRequest {
                connector,
                secrets: secrets(&list),
                body: read(&body_file)?,
                url,
                now: at.unwrap_or_else(now),
                scheme,
            };
            match engine.sign(&req) {
                Ok(signed) => Ok(print(&signed)),
                Err(e) => Err(fail(e.kind.as_str(), e.message.clone(), None)),
            }
        }
        Command::Validate { dir } => {
            let dir = dir
                .or(cli.connectors)
                .unwrap_or_else(|| PathBuf::from("connectors"));
            match hooknorm::load_dir(&dir) {
                Ok(engine) => {
                    let warnings: Vec<_> = engine
                        .connector_names()
                        .filter_map(|n| engine.connector(n))
                        .flat_map(|c| c.warnings.iter())
                        .collect();
                    for w in &warnings {
                        eprintln!("warning: {w}");
                    }
                    Ok(print(&serde_json::json!({
                        "valid": true,
                        "connectors": engine.connector_names().collect::<Vec<_>>(),
                        "warnings": warnings,
                    })))
                }
                Err(e) => {
                    for err in &e.errors {
                        eprintln!("{err}");
                    }
                    print(&serde_json::json!({"valid": false, "errors": e.errors}));
                    Err(ExitCode::from(1))
                }
            }
        }
        #[cfg(feature = "proptest")]
        Command::Test {
            paths,
            fixtures,
            cases,
            seed,
            signing_secret,
        } => {
            let paths = if paths.is_empty() {
                vec![cli
                    .connectors
                    .unwrap_or_else(|| PathBuf::from("connectors"))]
            } else {
                paths
            };
            spec_test::run(&paths, &fixtures, cases, seed, &signing_secret)
        }
        #[cfg(feature = "serve")]
        Command::Serve {
            config,
            addr,
            data_dir,
            test_clock,
        } => {
            let config = match config {
                Some(p) => hooknorm::serve::ServeConfig::read(&p)
                    .map_err(|m| fail("InvalidRequest", m, None))?,
                None => Default::default(),
            };
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(std::io::stderr)
                .with_target(false)
                .init();
            let runtime = tokio::runtime::Runtime::new()
                .map_err(|e| fail("Internal", e.to_string(), None))?;
            let opts = hooknorm::serve::ServeOptions {
                addr,
                connectors: cli.connectors,
                config,
                test_clock,
                data_dir,
            };
            match runtime.block_on(hooknorm::serve::run(opts)) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(m) => Err(fail("ServeError", m, None)),
            }
        }
        #[cfg(feature = "serve")]
        Command::Queue {
            config,
            data_dir,
            op,
        } => queue(config, data_dir, op),
        Command::Schema { event } => Ok(emit(&if event {
            hooknorm::schema::event_schema()
        } else {
            hooknorm::schema::connector_schema()
        })),
    }
}

/// `println!` that ends the process quietly when stdout's reader went away (a closed pipe)
/// instead of panicking; `hooknorm test` prints its report line by line with it.
#[cfg(feature = "proptest")]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, $($arg)*) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("stdout: {e}");
            }
            std::process::exit(1);
        }
    }};
}

#[cfg(feature = "proptest")]
mod spec_test;

fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli).unwrap_or_else(|code| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_may_be_pem_text() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        let cli = Cli::try_parse_from([
            "hooknorm",
            "sign",
            "--connector",
            "x",
            "--secret",
            "wh_id",
            "--additional-secret",
            pem,
            "--body-file",
            "b",
        ])
        .expect("a PEM value parses");
        match cli.command {
            Command::Sign {
                additional_secret, ..
            } => {
                assert_eq!(additional_secret.as_deref(), Some(pem))
            }
            _ => panic!("not sign"),
        }
        let cli = Cli::try_parse_from(["hooknorm", "handle", "--secret", pem, "--connector", "x"])
            .expect("a PEM value parses");
        match cli.command {
            Command::Handle { secret, .. } => assert_eq!(secret, vec![pem.to_string()]),
            _ => panic!("not handle"),
        }
    }
}
