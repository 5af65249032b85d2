//! Engine results as Python values: events as dicts with the contract's fields plus `type` and
//! `data`, and JSON values as the matching Python objects.

use std::sync::OnceLock;

use hooknorm::{EventResponse, HandleOutcome, NormalizedEvent};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value as Json;

use crate::event_types::dotted;

/// A JSON value as the Python object `json.loads` would give.
pub(crate) fn json_to_py<'py>(py: Python<'py>, v: &Json) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Json::Null => py.None().into_bound(py),
        Json::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Json::String(s) => s.into_pyobject(py)?.into_any(),
        Json::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Json::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// The field names of the three resources, from the event JSON Schema (so they follow the
/// engine's types): payment, refund, dispute.
fn resource_fields() -> &'static [Vec<String>; 3] {
    static FIELDS: OnceLock<[Vec<String>; 3]> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let schema: Json =
            serde_json::from_str(&hooknorm::schema::event_schema()).unwrap_or(Json::Null);
        let names = |def: &str| -> Vec<String> {
            schema["$defs"][def]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        [
            names("PaymentsResponse"),
            names("RefundsResponse"),
            names("DisputesResponse"),
        ]
    })
}

/// The field names of the three resources as Python strings, made once.
fn resource_keys(py: Python<'_>) -> &[Vec<Py<PyString>>; 3] {
    static KEYS: PyOnceLock<[Vec<Py<PyString>>; 3]> = PyOnceLock::new();
    KEYS.get_or_init(py, || {
        resource_fields().clone().map(|names| {
            names
                .iter()
                .map(|n| PyString::intern(py, n).unbind())
                .collect()
        })
    })
}

/// The resource of an event: its kind (0 payment, 1 refund, 2 dispute), the contract's key and
/// its JSON.
fn resource(response: &EventResponse) -> PyResult<(usize, &'static str, Json)> {
    let (kind, key, value) = match response {
        EventResponse::PaymentsResponse(r) => (0, "payments_response", serde_json::to_value(r)),
        EventResponse::RefundsResponse(r) => (1, "refunds_response", serde_json::to_value(r)),
        EventResponse::DisputesResponse(r) => (2, "disputes_response", serde_json::to_value(r)),
    };
    let value = value.map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok((kind, key, value))
}

/// One event as a dict: the contract's fields, hooknorm's extras, `type` and `data`.
///
/// `data` holds every field of the event's resource, `None` where the webhook does not carry it
/// (so `event["data"]["merchant_transaction_id"]` never raises `KeyError` on a payment), and is
/// empty for an event without a resource; `event_response` is the contract's oneof, with only
/// the fields present.
fn event<'py>(py: Python<'py>, e: &NormalizedEvent) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "type"), dotted(e.event_type))?;
    let data = PyDict::new(py);
    match &e.event_response {
        Some(r) => {
            let (kind, key, value) = resource(r)?;
            // One pass over the resource's fields fills both `data` (every field) and the
            // contract's resource (the fields present), with the same interned keys.
            let inner = PyDict::new(py);
            let names = resource_fields()[kind].iter();
            for (text, name) in names.zip(&resource_keys(py)[kind]) {
                match value.get(text) {
                    Some(v) => {
                        let v = json_to_py(py, v)?;
                        data.set_item(name.bind(py), &v)?;
                        inner.set_item(name.bind(py), v)?;
                    }
                    None => data.set_item(name.bind(py), py.None())?,
                }
            }
            let response = PyDict::new(py);
            response.set_item(key, inner)?;
            d.set_item(intern!(py, "data"), data)?;
            d.set_item(intern!(py, "event_response"), response)?;
        }
        None => {
            d.set_item(intern!(py, "data"), data)?;
            d.set_item(intern!(py, "event_response"), py.None())?;
        }
    }
    d.set_item(intern!(py, "event_type"), e.event_type.as_str())?;
    d.set_item(intern!(py, "source_verified"), e.source_verified)?;
    d.set_item(
        intern!(py, "merchant_event_id"),
        e.merchant_event_id.as_deref(),
    )?;
    d.set_item(intern!(py, "event_status"), e.event_status.as_str())?;
    d.set_item(
        intern!(py, "connector_event_type"),
        e.connector_event_type.as_deref(),
    )?;
    d.set_item(
        intern!(py, "connector_event_id"),
        e.connector_event_id.as_deref(),
    )?;
    d.set_item(intern!(py, "idempotency_key"), &e.idempotency_key)?;
    Ok(d)
}

/// The result of `handle_event`: the first event's fields at the top (a webhook carries one
/// event except for batches), `events` with every event in order, `connector`,
/// `acknowledgement` and `warnings`.
pub(crate) fn outcome<'py>(py: Python<'py>, o: &HandleOutcome) -> PyResult<Bound<'py, PyDict>> {
    let events = PyList::empty(py);
    let mut top = None;
    for e in &o.events {
        let d = event(py, e)?;
        if top.is_none() {
            top = Some(d.copy()?);
        }
        events.append(d)?;
    }
    let top = top.unwrap_or_else(|| PyDict::new(py));
    top.set_item(intern!(py, "events"), events)?;
    top.set_item(intern!(py, "connector"), &o.connector)?;
    let ack = PyDict::new(py);
    ack.set_item(intern!(py, "status"), o.acknowledgement.status)?;
    ack.set_item(intern!(py, "content_type"), &o.acknowledgement.content_type)?;
    ack.set_item(intern!(py, "body"), &o.acknowledgement.body)?;
    top.set_item(intern!(py, "acknowledgement"), ack)?;
    // Optional values the engine left out of a verified webhook (`[{item, field, message}]`).
    let warnings = PyList::empty(py);
    for w in &o.warnings {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "item"), w.item)?;
        d.set_item(intern!(py, "field"), &w.field)?;
        d.set_item(intern!(py, "message"), &w.message)?;
        warnings.append(d)?;
    }
    top.set_item(intern!(py, "warnings"), warnings)?;
    Ok(top)
}
