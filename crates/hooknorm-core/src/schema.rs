//! JSON Schemas generated from the Rust types: `schemas/connector.schema.json` (the spec
//! language) and `schemas/event.schema.json` (the normalized outcome of `handle`).

use crate::contract::HandleOutcome;
use crate::spec::ConnectorSpec;

/// The JSON Schema of connector specs, as pretty JSON text.
pub fn connector_schema() -> String {
    let mut s = schemars::schema_for!(ConnectorSpec);
    s.insert(
        "$id".into(),
        "https://hooknorm.dev/schemas/connector.schema.json".into(),
    );
    pretty(&s)
}

/// The JSON Schema of `handle`'s outcome, as pretty JSON text.
pub fn event_schema() -> String {
    let mut s = schemars::schema_for!(HandleOutcome);
    s.insert(
        "$id".into(),
        "https://hooknorm.dev/schemas/event.schema.json".into(),
    );
    pretty(&s)
}

fn pretty(s: &schemars::Schema) -> String {
    let mut out = serde_json::to_string_pretty(s).expect("a schema serializes");
    out.push('\n');
    out
}
