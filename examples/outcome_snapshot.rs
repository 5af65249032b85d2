//! Writes everything the bundled connectors make of the committed fixtures to one file, so a
//! refactor can be shown to change no outcome: run it before and after, then `cmp` the files.
//!
//! ```sh
//! cargo run --release --example outcome_snapshot -- /tmp/before.txt
//! ```
//!
//! Per connector: its spec warnings. Per fixture: the full outcome or error of `handle` (with the
//! verification report), the secret warnings, and a `sign` → `handle` round trip. Then both JSON
//! Schemas.

use std::io::Write as _;
use std::path::Path;

use hooknorm::{Engine, SignRequest};

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("serializes")
}

fn handled(engine: &Engine, req: &hooknorm::HandleRequest, now: i64) -> String {
    match engine.handle_at(req, now) {
        Ok(o) => json(&o),
        Err(e) => format!("ERR {}", json(&e)),
    }
}

fn main() -> std::io::Result<()> {
    let Some(out_path) = std::env::args().nth(1) else {
        eprintln!("usage: outcome_snapshot OUT_FILE");
        std::process::exit(2);
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let engine = Engine::bundled().expect("the bundled specs compile");
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    for name in engine.connector_names() {
        let conn = engine.connector(name).expect("listed");
        writeln!(out, "WARN {name} {}", json(&conn.warnings))?;
    }
    for path in hooknorm::fixture::tree(&root) {
        let fx = hooknorm::fixture::read(&path).expect("fixture parses");
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        writeln!(
            out,
            "HANDLE {rel} {}",
            handled(&engine, &fx.request, fx.now)
        )?;
        if let Some(conn) = engine.connector(&fx.request.connector) {
            let warnings = conn.secret_warnings(&fx.request.webhook_secrets);
            writeln!(out, "SECWARN {rel} {warnings:?}")?;
        }
        let sign = SignRequest {
            connector: fx.request.connector.clone(),
            secrets: fx
                .signing_secrets
                .clone()
                .unwrap_or_else(|| fx.request.webhook_secrets.clone()),
            body: fx.request.request_details.body.clone(),
            url: fx.request.request_details.url.clone(),
            now: fx.now,
            scheme: None,
        };
        let line = match engine.sign(&sign) {
            Ok(signed) => {
                let mut req = fx.request.clone();
                req.request_details.body = signed.body.clone();
                req.request_details.headers.extend(signed.headers.clone());
                format!("{} => {}", json(&signed), handled(&engine, &req, fx.now))
            }
            Err(e) => format!("ERR {}", json(&e)),
        };
        writeln!(out, "SIGN {rel} {line}")?;
    }
    writeln!(out, "SCHEMA {}", hooknorm::schema::connector_schema())?;
    writeln!(out, "SCHEMA {}", hooknorm::schema::event_schema())?;
    out.flush()
}
