"""hooknorm: verify and normalize payment-processor webhooks, in process.

The engine is the Rust crate ``hooknorm-core``, compiled into this package; the connector specs
are bundled. ``EventClient(connector=...).handle_event({...})`` checks the signature exactly as
the processor's own SDK does and returns the Event Service ``Handle`` response as a dict, with a
dotted ``type`` and the resource's fields under ``data``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Tuple, Union

from . import _native
from ._native import ERROR_KINDS, EVENT_TYPES

__all__ = [
    "EventClient",
    "sign",
    "connectors",
    "EVENT_TYPES",
    "ERROR_KINDS",
    "WebhookError",
    "UnknownConnector",
    "InvalidRequest",
    "MissingSecret",
    "InvalidSecret",
    "MissingSignature",
    "MalformedSignature",
    "InvalidSignature",
    "UntrustedCertificate",
    "TimestampOutOfTolerance",
    "MalformedBody",
    "BodyTooLarge",
    "SignUnsupported",
]


class WebhookError(Exception):
    """A webhook that was not accepted. ``kind`` names the reason (one of ``ERROR_KINDS``),
    ``report`` lists the verification steps taken (the last one failed). Neither the message nor
    the report ever contains a secret or a signature value."""

    kind: str = "WebhookError"

    def __init__(
        self,
        message: str,
        report: Optional[List[Dict[str, Any]]] = None,
        delta_seconds: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.report: List[Dict[str, Any]] = list(report or [])
        #: For ``TimestampOutOfTolerance``: now minus the signed timestamp, in seconds.
        self.delta_seconds = delta_seconds

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class UnknownConnector(WebhookError):
    """No connector of that name is loaded."""

    kind = "UnknownConnector"


class InvalidRequest(WebhookError):
    """The request itself is unusable (a missing ``payload``, an unknown key, a bad URL...)."""

    kind = "InvalidRequest"


class MissingSecret(WebhookError):
    """The secret the connector needs was not supplied."""

    kind = "MissingSecret"


class InvalidSecret(WebhookError):
    """A supplied secret cannot be used as the connector's key (bad hex, bad PEM...)."""

    kind = "InvalidSecret"


class MissingSignature(WebhookError):
    """The request carries no signature (or a signed input such as a timestamp is missing)."""

    kind = "MissingSignature"


class MalformedSignature(WebhookError):
    """The signature value cannot be parsed."""

    kind = "MalformedSignature"


class InvalidSignature(WebhookError):
    """No signature matched: a tampered body, or the wrong secret."""

    kind = "InvalidSignature"


class UntrustedCertificate(WebhookError):
    """The signing certificate's URL is not the processor's."""

    kind = "UntrustedCertificate"


class TimestampOutOfTolerance(WebhookError):
    """The signed timestamp is outside the replay window (``delta_seconds`` says by how much)."""

    kind = "TimestampOutOfTolerance"


class MalformedBody(WebhookError):
    """The body cannot be decoded, or a value the spec needs has the wrong form."""

    kind = "MalformedBody"


class BodyTooLarge(WebhookError):
    """The body is larger than the connector allows."""

    kind = "BodyTooLarge"


class SignUnsupported(WebhookError):
    """``sign`` was asked for something the connector's spec cannot produce."""

    kind = "SignUnsupported"


_ERRORS: Dict[str, type] = {
    cls.kind: cls
    for cls in (
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
    )
}


def _raise(failure: _native.HandleFailure) -> NoReturn:
    kind, message, report, delta = failure.args
    raise _ERRORS.get(kind, WebhookError)(message, report, delta) from None


_ENGINES: Dict[Optional[str], _native.Engine] = {}


def _engine(connectors_dir: Union[str, "os.PathLike[str]", None]) -> _native.Engine:
    """The bundled engine, or one loaded from a directory; each is compiled once per process."""
    key = None if connectors_dir is None else os.path.abspath(os.fspath(connectors_dir))
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = _native.Engine(key)
    return engine


def connectors(connectors_dir: Union[str, "os.PathLike[str]", None] = None) -> List[str]:
    """The names of the loaded connectors (bundled ones by default), sorted."""
    return _engine(connectors_dir).connectors()


#: The keys ``handle_event`` accepts; any other key is an ``InvalidRequest``.
_KEYS = frozenset(
    {
        "payload",
        "headers",
        "webhook_secret",
        "additional_secret",
        "webhook_secrets",
        "url",
        "uri",
        "query_params",
        "method",
        "merchant_event_id",
        "now",
        "request_details",
    }
)

#: The keys of the contract's nested ``request_details`` (``body`` is the payload).
_DETAIL_KEYS = frozenset({"body", "headers", "url", "uri", "query_params", "method"})


def _flatten(request: Mapping[str, Any]) -> Mapping[str, Any]:
    """The contract's ``EventServiceHandleRequest`` shape (``request_details: {method, uri,
    headers, body, query_params}``) as the flat keys."""
    details = request["request_details"]
    if not isinstance(details, Mapping):
        raise TypeError("`request_details` must be a mapping")
    unknown = details.keys() - _DETAIL_KEYS
    if unknown:
        raise InvalidRequest(
            f"unknown request_details keys {sorted(unknown)}; accepted: {sorted(_DETAIL_KEYS)}"
        )
    flat = {k: v for k, v in request.items() if k != "request_details"}
    for key, value in details.items():
        name = "payload" if key == "body" else key
        if name in flat:
            raise InvalidRequest(f"`{name}` is given both flat and in `request_details`")
        flat[name] = value
    return flat

#: Bodies up to this size are handled inline by ``handle_event`` (microseconds of work); larger
#: ones go to the event loop's default executor so the loop is never held for long.
INLINE_LIMIT = 64 * 1024


def _body(payload: Any) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(f"`payload` must be bytes or str, not {type(payload).__name__}")


def _secrets(request: Mapping[str, Any]) -> List[Tuple[str, str]]:
    pairs: List[Tuple[str, str]] = []
    nested = request.get("webhook_secrets")
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise TypeError("`webhook_secrets` must be a mapping of secret names to strings")
        pairs.extend(nested.items())
    for key, name in (("webhook_secret", "secret"), ("additional_secret", "additional_secret")):
        value = request.get(key)
        if value is not None:
            pairs.append((name, value))
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            # Never echo the value: it is a secret.
            raise TypeError(f"secret `{name}` must be a string")
    return pairs


class EventClient:
    """Verifies and normalizes the webhooks of one connector.

    ``api_key`` and ``environment`` are accepted for compatibility with the Event Service SDK
    and unused (handling a webhook needs no processor API); ``api_key`` is not even kept.
    ``connectors_dir`` loads specs from a directory instead of the bundled ones.
    """

    __slots__ = ("connector", "environment", "_engine")

    def __init__(
        self,
        connector: str,
        api_key: Optional[str] = None,
        environment: Optional[str] = None,
        connectors_dir: Union[str, "os.PathLike[str]", None] = None,
    ) -> None:
        del api_key
        self.connector = connector
        self.environment = environment
        self._engine = _engine(connectors_dir)
        if not self._engine.has_connector(connector):
            raise UnknownConnector(f"no connector named `{connector}`")

    def __repr__(self) -> str:
        return f"EventClient(connector={self.connector!r})"

    def handle_event_sync(self, request: Mapping[str, Any]) -> Dict[str, Any]:
        """``handle_event`` for synchronous code (Django, WSGI): same argument, same result."""
        if type(request) is not dict and not isinstance(request, Mapping):
            raise TypeError("the request must be a mapping such as {'payload': ..., 'headers': ...}")
        unknown = request.keys() - _KEYS
        if unknown:
            raise InvalidRequest(
                f"unknown request keys {sorted(unknown)}; accepted: {sorted(_KEYS)}",
            )
        if "request_details" in request:
            request = _flatten(request)
        if "payload" not in request:
            raise InvalidRequest("the request has no `payload` (the raw body bytes)")
        headers = request.get("headers") or {}
        if not isinstance(headers, dict):
            headers = dict(headers.items()) if hasattr(headers, "items") else dict(headers)
        url = request.get("url") or request.get("uri") or ""
        query = request.get("query_params")
        if query and "?" not in url:
            url = f"{url}?{query.lstrip('?')}"
        try:
            return self._engine.handle(
                self.connector,
                _body(request["payload"]),
                headers,
                _secrets(request),
                url,
                request.get("method") or "POST",
                request.get("merchant_event_id"),
                request.get("now"),
            )
        except _native.HandleFailure as failure:
            _raise(failure)

    async def handle_event(self, request: Mapping[str, Any]) -> Dict[str, Any]:
        """Verifies and normalizes one webhook.

        ``request``: ``payload`` (the raw body, bytes or str), ``headers`` (a mapping),
        ``webhook_secret`` (and ``additional_secret``, or a ``webhook_secrets`` mapping as in the
        contract), optionally ``url``/``uri`` and ``query_params`` (for processors that sign the
        URL), ``method``, ``merchant_event_id`` and ``now`` (unix seconds, to pin the clock).

        Returns the ``Handle`` response fields (``event_type``, ``event_response``,
        ``source_verified``, ``event_status``, ``merchant_event_id``, ...), ``type`` (a dotted
        name, see ``EVENT_TYPES``), ``data`` (the resource's fields), ``events`` (every event of
        a batch), ``connector``, ``acknowledgement`` and ``warnings`` (optional values left out of
        a verified webhook, as ``{item, field, message}``). Raises a ``WebhookError`` subclass.

        The contract's nested shape is accepted too: ``{"merchant_event_id": ...,
        "request_details": {"method", "uri", "headers", "body", "query_params"},
        "webhook_secrets": {"secret", "additional_secret"}}``.
        """
        if isinstance(request, Mapping):
            details = request.get("request_details")
            payload = details.get("body") if isinstance(details, Mapping) else request.get("payload")
        else:
            payload = None
        if payload is not None and len(payload) > INLINE_LIMIT:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                None, functools.partial(self.handle_event_sync, request)
            )
        return self.handle_event_sync(request)


def sign(
    connector: str,
    body: Union[bytes, str],
    secret: str,
    additional_secret: Optional[str] = None,
    url: str = "https://example.com/webhooks",
    now: Optional[int] = None,
    scheme: Optional[str] = None,
    connectors_dir: Union[str, "os.PathLike[str]", None] = None,
) -> Dict[str, Any]:
    """Signs ``body`` as the processor would send it (``hooknorm sign``), for tests.

    Returns ``{"headers": {...}, "body": bytes}``: post both to the app under test. ``now``
    defaults to the current time. For processors that sign with a private key, pass that key
    (PayPal: ``additional_secret`` is the RSA private key PEM; Standard Webhooks ``v1a``: the
    ``whsk_`` secret key with ``scheme="v1a"``).
    """
    pairs = [("secret", secret)]
    if additional_secret is not None:
        pairs.append(("additional_secret", additional_secret))
    at = int(time.time()) if now is None else now
    try:
        headers, signed = _engine(connectors_dir).sign(
            connector, _body(body), pairs, url, at, scheme
        )
    except _native.HandleFailure as failure:
        _raise(failure)
    return {"headers": headers, "body": signed}
