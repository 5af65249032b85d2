//! Load on `hooknorm serve`'s gRPC `ucs.v2.EventService/Handle` over loopback, beside the same
//! request as JSON to `POST /v1/events/handle` in the same run: requests per second and latency
//! percentiles for a 3 KB signed Stripe webhook.
//!
//! gRPC: C concurrent streams on one HTTP/2 connection (an `h2` client; the request encoded with
//! prost from the proto's field numbers). HTTP: C keep-alive client threads (ureq).
//!
//! Run: `cargo bench --bench grpc_load` (`HOOKNORM_LOAD_SECONDS`, default 8 per scenario;
//! `HOOKNORM_LOAD_CLIENTS`, default "1,4,16"). Clients and server share the machine.

#[path = "common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;

const SECRET: &str = "whsec_grpc_load_0123456789abcdef01234";

/// `EventServiceHandleRequest`, the fields the benchmark sends.
#[derive(Clone, PartialEq, Message)]
struct HandleRequest {
    #[prost(string, optional, tag = "1")]
    merchant_event_id: Option<String>,
    #[prost(message, optional, tag = "2")]
    request_details: Option<RequestDetails>,
    #[prost(message, optional, tag = "3")]
    webhook_secrets: Option<WebhookSecrets>,
}

#[derive(Clone, PartialEq, Message)]
struct RequestDetails {
    #[prost(int32, tag = "1")]
    method: i32,
    #[prost(string, optional, tag = "2")]
    uri: Option<String>,
    #[prost(map = "string, string", tag = "3")]
    headers: HashMap<String, String>,
    #[prost(bytes = "vec", tag = "4")]
    body: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct WebhookSecrets {
    #[prost(string, tag = "1")]
    secret: String,
}

/// `EventServiceHandleResponse`, the fields the benchmark checks.
#[derive(Clone, PartialEq, Message)]
struct HandleResponse {
    #[prost(int32, tag = "1")]
    event_type: i32,
    #[prost(bool, tag = "3")]
    source_verified: bool,
}

/// `PAYMENT_INTENT_SUCCESS`.
const PAYMENT_INTENT_SUCCESS: i32 = 2;

fn stripe_signature(body: &[u8], t: i64) -> String {
    common::stripe_signature(SECRET, body, t)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

struct Outcome {
    ok: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

/// The gRPC message of one call: the 5-byte prefix (uncompressed, big-endian length) and the
/// request.
fn grpc_frame(body: &[u8]) -> Bytes {
    let mut headers = HashMap::new();
    headers.insert(
        "stripe-signature".to_string(),
        stripe_signature(body, now()),
    );
    headers.insert("content-type".to_string(), "application/json".to_string());
    let msg = HandleRequest {
        merchant_event_id: Some("mev_load".into()),
        request_details: Some(RequestDetails {
            method: 2,
            uri: Some("https://example.com/webhooks/stripe".into()),
            headers,
            body: body.to_vec(),
        }),
        webhook_secrets: Some(WebhookSecrets {
            secret: SECRET.into(),
        }),
    }
    .encode_to_vec();
    let mut frame = BytesMut::with_capacity(5 + msg.len());
    frame.put_u8(0);
    frame.put_u32(msg.len() as u32);
    frame.put_slice(&msg);
    frame.freeze()
}

/// One unary call on the connection; Ok when grpc-status is 0 and the event is the payment.
async fn call(
    client: h2::client::SendRequest<Bytes>,
    authority: &str,
    frame: Bytes,
) -> Result<(), String> {
    let mut client = client.ready().await.map_err(|e| e.to_string())?;
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{authority}/ucs.v2.EventService/Handle"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("x-connector", "stripe")
        .body(())
        .unwrap();
    let (response, mut stream) = client
        .send_request(request, false)
        .map_err(|e| e.to_string())?;
    stream.send_data(frame, true).map_err(|e| e.to_string())?;
    let mut body = response.await.map_err(|e| e.to_string())?.into_body();
    let mut data = BytesMut::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        let _ = body.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let trailers = body.trailers().await.map_err(|e| e.to_string())?;
    let status = trailers
        .as_ref()
        .and_then(|t| t.get("grpc-status"))
        .and_then(|v| v.to_str().ok());
    if status != Some("0") || data.len() < 5 {
        return Err(format!("grpc-status {status:?}"));
    }
    let reply = HandleResponse::decode(&data[5..]).map_err(|e| e.to_string())?;
    if reply.event_type != PAYMENT_INTENT_SUCCESS || !reply.source_verified {
        return Err(format!("unexpected reply {reply:?}"));
    }
    Ok(())
}

/// `clients` concurrent streams on one HTTP/2 connection for `seconds`.
fn run_grpc(clients: usize, seconds: u64, authority: &str, body: &[u8]) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tcp = tokio::net::TcpStream::connect(authority).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        let (client, connection) = h2::client::handshake(tcp).await.unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let authority: Arc<str> = authority.into();
        let body: Arc<[u8]> = body.into();
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (client, authority, body) = (client.clone(), authority.clone(), body.clone());
                tokio::spawn(async move {
                    let (mut ok, mut errors, mut latencies) = (0, 0, Vec::new());
                    while Instant::now() < deadline {
                        let frame = grpc_frame(&body);
                        let t0 = Instant::now();
                        match call(client.clone(), &authority, frame).await {
                            Ok(()) => {
                                ok += 1;
                                latencies.push(t0.elapsed());
                            }
                            Err(e) => {
                                if errors == 0 {
                                    eprintln!("gRPC call failed: {e}");
                                }
                                errors += 1;
                            }
                        }
                    }
                    (ok, errors, latencies)
                })
            })
            .collect();
        let mut out = Outcome {
            ok: 0,
            errors: 0,
            seconds: 0.0,
            latencies: Vec::new(),
        };
        for t in tasks {
            let (ok, errors, latencies) = t.await.unwrap();
            out.ok += ok;
            out.errors += errors;
            out.latencies.extend(latencies);
        }
        out.seconds = started.elapsed().as_secs_f64();
        out.latencies.sort();
        out
    })
}

/// `clients` keep-alive threads posting the same request as JSON to `/v1/events/handle`.
fn run_http(clients: usize, seconds: u64, url: &str, body: &[u8]) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let text = String::from_utf8_lossy(body);
    let per_thread: Vec<(usize, usize, Vec<Duration>)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..clients)
            .map(|_| {
                let text = &text;
                s.spawn(move || {
                    let agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .new_agent();
                    let (mut ok, mut errors, mut latencies) = (0, 0, Vec::new());
                    while Instant::now() < deadline {
                        let request = serde_json::json!({
                            "connector": "stripe",
                            "merchant_event_id": "mev_load",
                            "request_details": {
                                "method": "POST",
                                "url": "https://example.com/webhooks/stripe",
                                "headers": {
                                    "stripe-signature": stripe_signature(text.as_bytes(), now()),
                                    "content-type": "application/json",
                                },
                                "body_text": text,
                            },
                            "webhook_secrets": {"secret": SECRET},
                        })
                        .to_string();
                        let t0 = Instant::now();
                        let reply = agent
                            .post(url)
                            .header("content-type", "application/json")
                            .send(request.as_bytes());
                        match reply {
                            Ok(mut r) if r.status() == 200 => {
                                let _ = r.body_mut().read_to_vec();
                                ok += 1;
                                latencies.push(t0.elapsed());
                            }
                            _ => errors += 1,
                        }
                    }
                    (ok, errors, latencies)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut latencies: Vec<Duration> = per_thread.iter().flat_map(|t| t.2.clone()).collect();
    latencies.sort();
    Outcome {
        ok: per_thread.iter().map(|t| t.0).sum(),
        errors: per_thread.iter().map(|t| t.1).sum(),
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run briefly.
    let seconds: u64 = std::env::var("HOOKNORM_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            8
        } else {
            1
        });
    let clients: Vec<usize> = std::env::var("HOOKNORM_LOAD_CLIENTS")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let dir = std::env::temp_dir().join(format!("hooknorm-grpc-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = common::hooknorm_serve(env!("CARGO_BIN_EXE_hooknorm"));
    c.arg("--data-dir")
        .arg(dir.join("data"))
        .env("RUST_LOG", "warn");
    let server = common::spawn(c, "hooknorm: listening on ");
    let base = server.base.clone();
    let authority = base.trim_start_matches("http://").to_string();
    let body = common::stripe_body();
    println!(
        "{} cores; {} s per scenario; body {} bytes",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seconds,
        body.len()
    );
    println!("| interface | clients | requests/s | p50 µs | p90 µs | p99 µs | max µs | errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for &c in &clients {
        for (name, r) in [
            (
                "gRPC Handle (streams on one connection)",
                run_grpc(c, seconds, &authority, &body),
            ),
            (
                "POST /v1/events/handle (JSON)",
                run_http(c, seconds, &format!("{base}/v1/events/handle"), &body),
            ),
        ] {
            println!(
                "| {name} | {c} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} |",
                r.ok as f64 / r.seconds,
                percentile(&r.latencies, 0.50),
                percentile(&r.latencies, 0.90),
                percentile(&r.latencies, 0.99),
                percentile(&r.latencies, 1.0),
                r.errors
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
