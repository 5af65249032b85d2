//! `hooknorm test`: fixtures and property checks of specs, for spec authors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine as _;
use hooknorm::fixture::Fixture;
use hooknorm::properties::{check_spec, Options, Verdict};
use hooknorm::{Engine, Secret, WebhookSecrets};
use serde_json::Value as Json;

fn spec_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.extend(hooknorm::spec_files(p).map_err(|e| format!("{}: {e}", p.display()))?);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// `[CONNECTOR:]NAME=VALUE` entries that apply to `connector`.
fn signing_secrets(list: &[String], connector: &str) -> Result<Option<WebhookSecrets>, String> {
    let mut s = WebhookSecrets::default();
    let mut any = false;
    for item in list {
        let (name, value) = item.split_once('=').ok_or_else(|| {
            format!(
                "--signing-secret `{}` is not [CONNECTOR:]NAME=VALUE",
                item.split('=').next().unwrap_or("")
            )
        })?;
        let name = match name.split_once(':') {
            Some((c, n)) if c == connector => n,
            Some(_) => continue,
            None => name,
        };
        any = true;
        let value = match value.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?,
            None => value.to_string(),
        };
        s.set(name, Secret::new(value));
    }
    Ok(any.then_some(s))
}

/// The fixture as JSON, with a UTF-8 body shown as `body_text`.
fn readable(f: &Fixture) -> Json {
    let mut v = serde_json::to_value(f).unwrap_or(Json::Null);
    if let Some(d) = v
        .pointer_mut("/request/request_details")
        .and_then(Json::as_object_mut)
    {
        let text = d
            .get("body")
            .and_then(Json::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok());
        if let Some(text) = text {
            d.remove("body");
            d.insert("body_text".into(), Json::from(text));
        }
    }
    v
}

fn load_fixtures(dir: &Path) -> (Vec<Fixture>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for f in hooknorm::fixture::files(dir) {
        match hooknorm::fixture::read(&f) {
            Ok(fx) => ok.push(fx),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad)
}

pub fn run(
    paths: &[PathBuf],
    fixtures: &Path,
    cases: u32,
    seed: u64,
    signing: &[String],
) -> Result<ExitCode, ExitCode> {
    let usage = |m: String| {
        eprintln!(
            "{}",
            serde_json::json!({"error": {"kind": "InvalidRequest", "message": m}})
        );
        ExitCode::from(2)
    };
    let files = spec_files(paths).map_err(usage)?;
    let mut sources = Vec::new();
    for f in &files {
        let text =
            std::fs::read_to_string(f).map_err(|e| usage(format!("{}: {e}", f.display())))?;
        sources.push((f.display().to_string(), text));
    }
    let engine = match Engine::from_sources(sources) {
        Ok(e) => e,
        Err(e) => {
            for err in &e.errors {
                outln!("FAIL  load  {err}");
            }
            return Err(ExitCode::from(1));
        }
    };
    let mut failed = 0;
    let names: Vec<String> = engine.connector_names().map(str::to_string).collect();
    for name in &names {
        let opts = Options {
            cases,
            seed,
            signing_secrets: signing_secrets(signing, name).map_err(usage)?,
        };
        outln!("{name}");
        let dir = fixtures.join(name);
        let (fx, unreadable) = load_fixtures(&dir);
        if let Some(conn) = engine.connector(name) {
            for w in &conn.warnings {
                outln!("  warn  {w}");
            }
            let mut short: Vec<String> = fx
                .iter()
                .flat_map(|f| conn.secret_warnings(&f.request.webhook_secrets))
                .collect();
            short.sort();
            short.dedup();
            for w in short {
                outln!("  warn  fixtures: {w}");
            }
        }
        for e in &unreadable {
            failed += 1;
            outln!("  FAIL  fixtures        unreadable fixture: {e}");
        }
        for r in check_spec(&engine, name, &fx, &opts) {
            match &r.verdict {
                Verdict::Passed { cases } => outln!("  ok    {:<15} {cases} cases", r.property),
                Verdict::NotApplicable { reason } => {
                    outln!("  n/a   {:<15} {reason}", r.property)
                }
                Verdict::Failed {
                    message,
                    counterexample,
                } => {
                    failed += 1;
                    outln!("  FAIL  {:<15} {message}", r.property);
                    if let Some(c) = counterexample {
                        outln!(
                            "        counterexample (save as {}):",
                            dir.join(format!("counterexample-{}.json", r.property))
                                .display()
                        );
                        let text = serde_json::to_string_pretty(&readable(c)).unwrap_or_default();
                        for line in text.lines() {
                            outln!("        {line}");
                        }
                    }
                }
            }
        }
    }
    outln!(
        "{} spec(s), {} failure(s), {cases} cases per property, seed {seed}",
        names.len(),
        failed
    );
    if failed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(ExitCode::from(1))
    }
}
