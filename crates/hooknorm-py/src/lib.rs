//! # hooknorm-py
//!
//! The native half of the `hooknorm` Python package (module `hooknorm._native`): the engine
//! behind a small PyO3 class. The public Python API (`EventClient`, the exceptions, `sign`) is
//! written in Python on top of it (`python/hooknorm/__init__.py`) and typed by its `.pyi` stubs.
//!
//! The engine runs with the GIL released. Failures are raised as `_native.HandleFailure(kind,
//! message, report, delta_seconds)`, which the Python layer turns into the typed exceptions;
//! messages and reports never contain secrets.
#![warn(missing_docs)]

mod convert;
mod event_types;

use std::collections::BTreeMap;
use std::path::PathBuf;

use hooknorm::{
    Engine, ErrorKind, HandleError, HandleRequest, HttpMethod, RequestDetails, Secret, SignRequest,
    WebhookEventType, WebhookSecrets,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

create_exception!(
    _native,
    HandleFailure,
    PyException,
    "A failed call: args are (kind, message, report, delta_seconds)."
);

/// The engine error as a `HandleFailure`.
fn failure(py: Python<'_>, e: &HandleError) -> PyErr {
    let report = PyList::empty(py);
    for step in &e.report {
        let d = PyDict::new(py);
        let filled = d
            .set_item("step", step.step.as_ref())
            .and_then(|_| d.set_item("ok", step.ok))
            .and_then(|_| d.set_item("detail", step.detail.as_ref()))
            .and_then(|_| report.append(d));
        if let Err(err) = filled {
            return err;
        }
    }
    HandleFailure::new_err((
        e.kind.as_str(),
        e.message.clone(),
        report.unbind(),
        e.delta_seconds,
    ))
}

fn invalid_request(message: impl Into<String>) -> HandleError {
    HandleError::new(ErrorKind::InvalidRequest, message)
}

/// `POST`, `post` or the contract's `HTTP_METHOD_POST`.
fn method(name: &str) -> Result<HttpMethod, HandleError> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("HTTP_METHOD_").unwrap_or(&upper);
    Ok(match bare {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        "PATCH" => HttpMethod::Patch,
        _ => {
            return Err(invalid_request(format!(
                "unknown HTTP method `{}`",
                hooknorm::printable(name)
            )))
        }
    })
}

fn secrets(pairs: Vec<(String, String)>) -> WebhookSecrets {
    let mut s = WebhookSecrets::default();
    for (name, value) in pairs {
        s.set(&name, Secret::new(value));
    }
    s
}

/// The compiled connector specs: the bundled set, or those of a directory.
#[pyclass(frozen, name = "Engine", module = "hooknorm._native")]
struct PyEngine {
    engine: Engine,
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (connectors_dir=None))]
    fn new(py: Python<'_>, connectors_dir: Option<PathBuf>) -> PyResult<Self> {
        let loaded = py.detach(|| match connectors_dir {
            Some(dir) => hooknorm::load_dir(dir),
            None => Engine::bundled(),
        });
        loaded
            .map(|engine| PyEngine { engine })
            .map_err(|e| PyValueError::new_err(format!("connector specs do not load:\n{e}")))
    }

    /// The connector names, sorted.
    fn connectors(&self) -> Vec<String> {
        self.engine.connector_names().map(str::to_string).collect()
    }

    fn has_connector(&self, name: &str) -> bool {
        self.engine.connector(name).is_some()
    }

    /// Verifies and normalizes one webhook; returns the result dict or raises `HandleFailure`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (connector, body, headers, secrets, url, method, merchant_event_id=None, now=None))]
    fn handle<'py>(
        &self,
        py: Python<'py>,
        connector: String,
        body: &[u8],
        headers: BTreeMap<String, String>,
        secrets: Vec<(String, String)>,
        url: String,
        method: &str,
        merchant_event_id: Option<String>,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let method = self::method(method).map_err(|e| failure(py, &e))?;
        let req = HandleRequest {
            connector,
            merchant_event_id,
            request_details: RequestDetails {
                method,
                url,
                headers,
                body: body.to_vec(),
            },
            webhook_secrets: self::secrets(secrets),
        };
        let result = py.detach(|| match now {
            Some(now) => self.engine.handle_at(&req, now),
            None => self.engine.handle(&req),
        });
        match result {
            Ok(outcome) => convert::outcome(py, &outcome),
            Err(e) => Err(failure(py, &e)),
        }
    }

    /// Signs a webhook as the processor would send it (`hooknorm sign`); returns
    /// `(headers, body)`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (connector, body, secrets, url, now, scheme=None))]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        connector: String,
        body: &[u8],
        secrets: Vec<(String, String)>,
        url: String,
        now: i64,
        scheme: Option<String>,
    ) -> PyResult<(BTreeMap<String, String>, Bound<'py, PyBytes>)> {
        let req = SignRequest {
            connector,
            secrets: self::secrets(secrets),
            body: body.to_vec(),
            url,
            now,
            scheme,
        };
        match py.detach(|| self.engine.sign(&req)) {
            Ok(signed) => Ok((signed.headers, PyBytes::new(py, &signed.body))),
            Err(e) => Err(failure(py, &e)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<hooknorm._native.Engine with {} connectors>",
            self.engine.connector_names().count()
        )
    }
}

/// Every error kind's name, in declaration order.
fn error_kinds() -> Vec<&'static str> {
    use ErrorKind::*;
    [
        UnknownConnector,
        InvalidRequest,
        MissingSecret,
        InvalidSecret,
        MissingSignature,
        MalformedSignature,
        InvalidSignature,
        UntrustedCertificate,
        TimestampOutOfTolerance,
        MalformedBody,
        BodyTooLarge,
        SignUnsupported,
    ]
    .iter()
    .map(|k| k.as_str())
    .collect()
}

/// The module `hooknorm._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn hooknorm_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyEngine>()?;
    m.add("HandleFailure", py.get_type::<HandleFailure>())?;
    m.add("ERROR_KINDS", error_kinds())?;
    let types = PyDict::new(py);
    for t in WebhookEventType::ALL {
        types.set_item(t.as_str(), event_types::dotted(*t))?;
    }
    m.add("EVENT_TYPES", types)?;
    Ok(())
}
