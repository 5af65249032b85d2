#!/usr/bin/env python3
"""Generate tests/fixtures/mercadopago/*.json (Mercado Pago Webhooks notifications).

How to run (from the repository root):

    python3 -m venv /tmp/groupb-venv
    /tmp/groupb-venv/bin/pip install mercadopago==3.6.0
    /tmp/groupb-venv/bin/python tools/gen_fixtures_mercadopago.py

Oracle: Mercado Pago's official Python SDK `mercadopago` 3.6.0,
`mercadopago.webhook.WebhookSignatureValidator.validate(x_signature, x_request_id, data_id,
secret, tolerance_seconds=3600, now=...)`. The SDK cannot sign, so signatures are computed here
with hmac over the documented manifest `id:{data.id};request-id:{x-request-id};ts:{ts};`; every
fixture is then checked with the SDK (clock pinned to the fixture's `now`, tolerance 3600 s, the
window the spec uses): it must accept every fixture that expects events and reject every
signature-error fixture for the corresponding reason. As Mercado Pago's documentation instructs
(and the SDK leaves to its caller), an alphanumeric data.id is lower-cased before validating.
For the two fixtures whose ts is in milliseconds, the SDK checks the signature only (its tolerance
check assumes seconds) and the generator checks the window. One case is a deliberate, asserted
divergence: without a data.id the SDK leaves `id:` out of the
manifest and accepts, while hooknorm requires data.id (no resource id, nothing to fetch).

Bodies follow Mercado Pago's Webhooks notification shape (`action`, `api_version`, `data.id`,
`date_created`, `id`, `live_mode`, `type`, `user_id`); ids and times are this script's own.
Deterministic; writes only tests/fixtures/mercadopago/*.json.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Mercado Pago's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlparse

from mercadopago.webhook import InvalidWebhookSignatureError, SignatureFailureReason, WebhookSignatureValidator

import fixturelib
from fixturelib import Cases, details, event, secrets_of

BASE_URL = "https://shop.example/webhooks/mercadopago"
SECRET = "7d1f0c2b9a8e4f6d3c5b1a0e9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c"
SECRET2 = "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
NOW = 1700000030
TS = 1700000000
CASES = Cases("mercadopago", now=NOW)
# Fixtures where hooknorm deliberately differs from the SDK: name -> the SDK's verdict.
DIVERGES = {}
# Fixtures whose ts is in milliseconds: the SDK's tolerance check assumes seconds, so for these
# the SDK checks the signature only and the window is checked here, in milliseconds.
MS_CASES = set()


def manifest(data_id, request_id, ts):
    return f"id:{data_id};request-id:{request_id};ts:{ts};"


def v1(secret, data_id, request_id, ts):
    return hmac.new(secret.encode(), manifest(data_id, request_id, ts).encode(), hashlib.sha256).hexdigest()


def key(sig):
    return fixturelib.default_idempotency_key("mercadopago", sig)


def body(action, typ, data_id, notif_id, created="2023-11-14T19:13:18Z"):
    return json.dumps({"action": action, "api_version": "v1", "data": {"id": data_id}, "date_created": created,
                       "id": notif_id, "live_mode": True, "type": typ, "user_id": "1487654321"}, separators=(",", ":"))


def case(name, description, text, *, data_id, topic="payment", request_id="bb56a2f1-6aae-46ac-982e-9dcd3581d08e",
         ts=TS, secret=SECRET, secrets=None, xsig=None, sig_data_id=None, sig_request_id=None, events=None, error=None,
         url=None):
    """Signs manifest(sig_data_id or data_id.lower(), ...) unless `xsig` is given (False: no header)."""
    if xsig is None:
        sid = sig_data_id if sig_data_id is not None else data_id.lower()
        xsig = f"ts={ts},v1={v1(secret, sid, sig_request_id or request_id, ts)}"
    headers = {"Content-Type": "application/json", "x-request-id": request_id}
    if xsig is not False:
        headers["x-signature"] = xsig
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events,
              error=error, url=url or f"{BASE_URL}?data.id={data_id}&type={topic}")


def ev(event_type, cet, ceid, response, xsig):
    # Only data.id is signed: the host must fetch the resource (INCOMPLETE); keyed by the signature.
    sig = xsig.split("v1=")[1].strip()
    return event(event_type, cet, ceid, response, key=key(sig), status="INCOMPLETE")


def processing(tid):
    # Only the signed id; nothing else is read from the unsigned body.
    return {"payments_response": {"connector_transaction_id": tid, "status": "PENDING", "amount": None,
                                  "merchant_transaction_id": None, "created_at": None}}


def gen():
    pid = "1318493735"
    b = body("payment.updated", "payment", pid, 108765432109)
    s = v1(SECRET, pid, "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", TS)
    case("payment_success", "payment.updated of an approved payment. Mercado Pago signs only data.id (query), x-request-id and ts; the body (unsigned) names no status anyway. Verified (the SDK accepts), PAYMENT_INTENT_PROCESSING with the signed data.id, INCOMPLETE: the host fetches the payment for its status and amount. Key from the verified signature.",
         b, data_id=pid, events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432109", processing(pid), f"ts={TS},v1={s}")])
    b = body("payment.created", "payment", "1318493799", 108765432110)
    s = v1(SECRET, "1318493799", "6c3f2a10-8d4e-4b7a-9e21-5f0c3d2b1a98", TS)
    case("payment_failure", "payment.created of a payment that was rejected: the notification is the same \"payment changed\" signal (status only by fetching), PAYMENT_INTENT_PROCESSING, INCOMPLETE.",
         b, data_id="1318493799", request_id="6c3f2a10-8d4e-4b7a-9e21-5f0c3d2b1a98",
         events=[ev("PAYMENT_INTENT_PROCESSING", "payment.created", "108765432110", processing("1318493799"), f"ts={TS},v1={s}")])
    b = body("payment.updated", "payment", pid, 108765432177, created="2023-11-15T10:00:00Z")
    s = v1(SECRET, pid, "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", TS)
    case("refund", "A refund: Mercado Pago reports it as payment.updated of the refunded payment (its refunds are read from the payment): PAYMENT_INTENT_PROCESSING for the payment, INCOMPLETE.",
         b, data_id=pid, request_id="0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
         events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432177", processing(pid), f"ts={TS},v1={s}")])
    oid = "ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"
    b = body("order.processed", "order", oid, 108765432200)
    s = v1(SECRET, oid.lower(), "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716", TS)
    case("order_alphanumeric_id", "Orders API order.processed with an alphanumeric data.id: Mercado Pago signs it lower-cased (its docs: an alphanumeric data.id must be lower-case in the manifest); the SDK, given the lower-cased id, accepts. connector_transaction_id keeps the id as sent.",
         b, data_id=oid, topic="order", request_id="5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716",
         events=[ev("PAYMENT_INTENT_PROCESSING", "order.processed", "108765432200", processing(oid), f"ts={TS},v1={s}")])
    cb = json.dumps({"actions": ["changed_documentation"], "api_version": "v1",
                     "data": {"checkout": "PRO", "date_updated": "2023-11-14T19:10:00Z", "id": "236700000001",
                              "payment_id": 1318493735, "product_id": "C1H6AV2PFKC001M4C8KG", "site_id": "MLB"},
                     "date_created": "2023-11-14T19:13:18Z", "id": 108765432300, "live_mode": True,
                     "type": "topic_chargebacks_wh", "user_id": 1487654321, "version": 2}, separators=(",", ":"))
    s = v1(SECRET, "236700000001", "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", TS)
    case("unsupported_event", "A chargeback notification (type topic_chargebacks_wh): verified, but EVENT_NOT_SUPPORTED: the unsigned body cannot say how a dispute stands, and a DISPUTE_* event would assert a status; the host can fetch the chargeback named by the signed data.id.",
         cb, data_id="236700000001", topic="topic_chargebacks_wh", request_id="9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
         events=[ev("EVENT_NOT_SUPPORTED", "topic_chargebacks_wh", "108765432300", None, f"ts={TS},v1={s}")])

    good = body("payment.updated", "payment", pid, 108765432109)
    s = v1(SECRET, pid, "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", TS)
    forged = body("order.processed", "order", "999999999", 1)
    case("tampered_body", "THE BODY IS NOT SIGNED: a captured notification replayed with another body (different action, type and data.id) still verifies (the SDK accepts too). The output shows why the spec reads nothing from the body but the routing type: the resource id is still the signed query data.id, the event is INCOMPLETE, and the key equals the original delivery's.",
         forged, data_id=pid, events=[ev("PAYMENT_INTENT_PROCESSING", "order.processed", "1", processing(pid), f"ts={TS},v1={s}")])
    case("tampered_data_id", "The query data.id changed after signing: InvalidSignature (SDK: SignatureMismatch).",
         good, data_id="1318493736", sig_data_id=pid, error="InvalidSignature")
    case("tampered_request_id", "The x-request-id header changed after signing: InvalidSignature.",
         good, data_id=pid, request_id="bb56a2f1-6aae-46ac-982e-9dcd3581d08f", sig_request_id="bb56a2f1-6aae-46ac-982e-9dcd3581d08e",
         error="InvalidSignature")
    case("wrong_signature", "Signed with another secret: InvalidSignature.", good, data_id=pid, secret="not-the-secret-signature", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: the SDK compares exactly, InvalidSignature.",
         good, data_id=pid, xsig=f"ts={TS},v1={s.upper()}", error="InvalidSignature")
    case("missing_signature", "No x-signature header: MissingSignature.", good, data_id=pid, xsig=False, error="MissingSignature")
    nid = hmac.new(SECRET.encode(), f"request-id:bb56a2f1-6aae-46ac-982e-9dcd3581d08e;ts:{TS};".encode(), hashlib.sha256).hexdigest()
    case("missing_data_id", "No data.id query parameter, signed as the SDK's omission rule would (`request-id:..;ts:..;`): the SDK accepts, hooknorm requires data.id (without it the notification names no resource): MissingSignature. A deliberate divergence.",
         good, data_id=pid, url=BASE_URL, xsig=f"ts={TS},v1={nid}", error="MissingSignature")
    DIVERGES["missing_data_id"] = "ok"
    sp = f" ts = {TS} , v1 = {s} "
    case("spaces_in_header", "Spaces around `,` and `=` in x-signature: trimmed, as the SDK does; verifies.",
         good, data_id=pid, xsig=sp, events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432109", processing(pid), f"ts={TS},v1={s}")])
    case("rotated_additional_secret", "Signed with the previous secret signature, passed as additional_secret: verifies.",
         good, data_id=pid, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432109", processing(pid),
                    f"ts={TS},v1={v1(SECRET2, pid, 'bb56a2f1-6aae-46ac-982e-9dcd3581d08e', TS)}")])
    case("stale_timestamp", "ts 3601 s before now (the window is ±3600 s; ts is in seconds): TimestampOutOfTolerance (SDK with tolerance_seconds=3600: TimestampOutOfTolerance).",
         good, data_id=pid, ts=NOW - 3601, error="TimestampOutOfTolerance")
    case("future_timestamp", "ts 3601 s after now: TimestampOutOfTolerance (the SDK's tolerance is two-sided).",
         good, data_id=pid, ts=NOW + 3601, error="TimestampOutOfTolerance")
    edge = NOW - 3600
    s_edge = v1(SECRET, pid, "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", edge)
    ts_ms = TS * 1000 + 123
    s_ms = v1(SECRET, pid, "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", ts_ms)
    case("timestamp_in_milliseconds", "ts in milliseconds (13 digits, as in the SDK's unit tests and the documentation's older wording): read as milliseconds by the `seconds_or_milliseconds` unit, inside the window, verifies. The SDK verifies the signature (its tolerance check assumes seconds, so the window is checked by the generator).",
         good, data_id=pid, ts=ts_ms, events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432109", processing(pid), f"ts={ts_ms},v1={s_ms}")])
    MS_CASES.add("timestamp_in_milliseconds")
    stale_ms = (NOW - 3601) * 1000
    case("stale_timestamp_in_milliseconds", "ts in milliseconds, 3601 s before now: TimestampOutOfTolerance.",
         good, data_id=pid, ts=stale_ms, error="TimestampOutOfTolerance")
    MS_CASES.add("stale_timestamp_in_milliseconds")
    case("timestamp_at_tolerance_edge", "ts exactly 3600 s before now: still inside the window (the SDK agrees).",
         good, data_id=pid, ts=edge, events=[ev("PAYMENT_INTENT_PROCESSING", "payment.updated", "108765432109", processing(pid), f"ts={edge},v1={s_edge}")])


KINDS = {SignatureFailureReason.SIGNATURE_MISMATCH: "InvalidSignature",
         SignatureFailureReason.MISSING_SIGNATURE_HEADER: "MissingSignature",
         SignatureFailureReason.TIMESTAMP_OUT_OF_TOLERANCE: "TimestampOutOfTolerance"}


def oracle(name, fx):
    """The SDK's verdict as an error kind ("ok" when accepted with one of the secrets)."""
    rd = details(fx)
    q = parse_qs(urlparse(rd["url"]).query)
    data_id = q["data.id"][0] if "data.id" in q else None
    if data_id is not None and data_id.isalnum():
        data_id = data_id.lower()
    verdict = None
    tolerance = None if name in MS_CASES else 3600
    for secret in secrets_of(fx):
        try:
            WebhookSignatureValidator.validate(rd["headers"].get("x-signature"), rd["headers"].get("x-request-id"), data_id,
                                               secret, tolerance_seconds=tolerance, now=lambda: fx["now"] * 1000)
            verdict = "ok"
            break
        except InvalidWebhookSignatureError as e:
            verdict = e.reason
    if name in MS_CASES and verdict == "ok":
        ts_ms = int(rd["headers"]["x-signature"].split("ts=")[1].split(",")[0])
        if abs(fx["now"] * 1000 - ts_ms) > 3600 * 1000:
            verdict = SignatureFailureReason.TIMESTAMP_OUT_OF_TOLERANCE
    return KINDS.get(verdict, verdict)


def want(name, fx):
    """The fixture's error kind, except for the deliberate divergences: there the SDK's verdict."""
    if name in DIVERGES:
        assert "expect_error" in fx, "a divergence from the SDK must be an error fixture"
        return DIVERGES[name]
    return fixturelib.expected_kind(name, fx)


def main():
    gen()
    fixturelib.generate(CASES, oracle, want=want)


if __name__ == "__main__":
    main()
