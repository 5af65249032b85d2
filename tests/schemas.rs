//! The committed JSON Schemas must equal what the Rust types generate
//! (regenerate with `cargo run -- schema > schemas/connector.schema.json` and
//! `cargo run -- schema --event > schemas/event.schema.json`).

use std::path::Path;

fn committed(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn connector_schema_has_not_drifted() {
    assert!(
        committed("connector.schema.json") == hooknorm::schema::connector_schema(),
        "schemas/connector.schema.json is stale: run `cargo run -- schema > schemas/connector.schema.json`"
    );
}

#[test]
fn event_schema_has_not_drifted() {
    assert!(
        committed("event.schema.json") == hooknorm::schema::event_schema(),
        "schemas/event.schema.json is stale: run `cargo run -- schema --event > schemas/event.schema.json`"
    );
}

#[test]
fn every_bundled_spec_points_editors_at_the_schema() {
    for (file, text) in hooknorm::BUNDLED {
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/connector.schema.json"),
            "{file} does not reference the schema on its first line"
        );
    }
}

#[test]
fn the_schema_rejects_unknown_keys_like_the_loader() {
    let schema: serde_json::Value =
        serde_json::from_str(&committed("connector.schema.json")).unwrap();
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    assert!(schema["required"]
        .as_array()
        .unwrap()
        .contains(&"events".into()));
}
