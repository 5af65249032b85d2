#!/usr/bin/env python3
"""Generate tests/fixtures/multisafepay/*.json (MultiSafepay POST notifications), verified with the SDK.

How to run (from the repository root):

    python3 -m venv /tmp/multisafepay-venv
    /tmp/multisafepay-venv/bin/pip install multisafepay==3.1.0
    /tmp/multisafepay-venv/bin/python tools/gen_fixtures_multisafepay.py

MultiSafepay's official Python SDK `multisafepay` 3.1.0 verifies notifications in
`multisafepay.util.webhook.Webhook.validate(request, auth, api_key, validation_time_in_seconds)`:
`auth` (the `Auth` header) is base64 of `{timestamp}:{hex}`, the hex being HMAC-SHA512(API key,
`{timestamp}:{compact JSON body}`), and a timestamp older than the window (600 s by default)
fails. The SDK has no signer, so the fixtures are signed here with Python's hmac and EVERY
fixture is checked with `Webhook.validate`: the SDK compares against the real clock, so it is
called with `validation_time_in_seconds=0` (its switch for "no time check") and the oracle applies
the SDK's own rule (`int(timestamp) + 600 < now` fails) at the fixture's `now`. Bodies are compact
JSON as MultiSafepay sends (the SDK re-serializes compactly, hooknorm hashes the raw bytes; for
these bodies both are the same). Bodies follow the order object of MultiSafepay's API reference;
ids, amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/multisafepay/*.json and writes nothing else.
"""

import base64
import hashlib
import hmac
import json

from multisafepay.util.webhook import Webhook

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, money, secrets_of

URL = "https://shop.example/webhooks/multisafepay"
SECRET = "e4b2c7a19f3d5e8b6a0c2f4d7e9b1a3c5d7f9e1b"
SECRET2 = "7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c"
NOW = 1700000000
TS = NOW - 2
CASES = Cases("multisafepay", url=URL, now=NOW)


def mac(secret, ts, text):
    return hmac.new(secret.encode(), f"{ts}:{text}".encode(), hashlib.sha512).hexdigest()


def auth(ts, hexsig):
    return base64.b64encode(f"{ts}:{hexsig}".encode()).decode()


def ev(event_type, cet, sig, response):
    return event(event_type, cet, None, response, key=fixturelib.default_idempotency_key("multisafepay", sig))


def case(name, description, text, event_type=None, response=OMIT, *, error=None, secret=SECRET, secrets=None, ts=TS,
         header=None, header_name="Auth"):
    headers = {"Content-Type": "application/json", "User-Agent": "MultiSafepay"}
    sig = mac(secret, ts, text)
    value = header if header is not None else auth(ts, sig)
    if header is not False:
        headers[header_name] = value
    cet = json.loads(text)["status"] if event_type else None
    events = [ev(event_type, cet, sig, response)] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def order(status, amount=2995, currency="EUR", refunded=0, ptype="IDEAL", reason="", reason_code="", **extra):
    d = {"amount": amount, "amount_refunded": refunded, "costs": [], "created": "2023-11-14T23:13:15",
         "currency": currency, "custom_info": {"custom_1": None}, "customer": {"locale": "nl_NL", "first_name": "Sjoerd",
                                                                            "last_name": "van 't Hoff", "email": "sjoerd@example.com"},
         "description": "Bestelling 8821", "fastcheckout": "NO", "financial_status": status, "items": "",
         "modified": "2023-11-14T23:13:18", "order_id": "order-8821", "payment_details": {"type": ptype, "account_holder_name": "S. van 't Hoff"},
         "payment_methods": [{"amount": amount, "currency": currency, "description": "Bestelling 8821", "status": status, "type": ptype}],
         "reason": reason, "reason_code": reason_code, "related_transactions": None, "status": status, "transaction_id": 4051823}
    d.update(extra)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def gen():
    done = order("completed")
    case("payment_success", "Status completed: PAYMENT_INTENT_SUCCESS / CHARGED; transaction id, the merchant's order_id, EUR 29.95 = 2995 cents, payment type IDEAL. Auth = base64(\"{timestamp}:{hex HMAC-SHA512 over timestamp:body}\"), verified with multisafepay's Webhook.validate.",
         done, "PAYMENT_INTENT_SUCCESS", {"payments_response": {
             "connector_transaction_id": "4051823", "merchant_transaction_id": "order-8821", "status": "CHARGED",
             "amount": money(2995, "EUR"), "payment_method_type": "IDEAL"}})
    init = order("initialized", ptype="BANKTRANS")
    case("payment_processing", "Status initialized (a bank transfer waiting for the money): PAYMENT_INTENT_PROCESSING.", init, "PAYMENT_INTENT_PROCESSING")
    reserved = order("reserved", ptype="VISA")
    case("payment_authorized", "Status reserved (card authorized, not yet captured): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         reserved, "PAYMENT_INTENT_AUTHORIZATION_SUCCESS", {"payments_response": {"status": "AUTHORIZED"}})
    declined = order("declined", ptype="VISA", reason="Card declined by issuer", reason_code="1002")
    case("payment_failure", "Status declined: PAYMENT_INTENT_FAILURE / FAILURE with reason_code and reason as the error.",
         declined, "PAYMENT_INTENT_FAILURE", {"payments_response": {
             "status": "FAILURE", "error": {"code": "1002", "message": "Card declined by issuer"}}})
    expired = order("expired")
    case("payment_expired", "Status expired: PAYMENT_INTENT_EXPIRED.", expired, "PAYMENT_INTENT_EXPIRED")
    void = order("void")
    case("payment_cancelled", "Status void (cancelled): PAYMENT_INTENT_CANCELLED / VOIDED.", void, "PAYMENT_INTENT_CANCELLED",
         {"payments_response": {"status": "VOIDED"}})
    partial = order("partial_refunded", refunded=1000)
    case("refund", "Status partial_refunded with amount_refunded 1000: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, EUR 10.00; the order's transaction id stands in as the refund id.",
         partial, "WEBHOOK_REFUND_SUCCESS", {"refunds_response": {
             "connector_refund_id": "4051823", "connector_transaction_id": "4051823", "status": "REFUND_SUCCESS",
             "refund_amount": money(1000, "EUR")}})
    cb = order("chargedback", reason_code="4837")
    case("dispute_lost", "Status chargedback (the customer's bank reversed the payment): WEBHOOK_DISPUTE_LOST with the order amount.",
         cb, "WEBHOOK_DISPUTE_LOST", {"disputes_response": {
             "connector_dispute_id": "4051823", "dispute_status": "DISPUTE_LOST", "dispute_amount": money(2995, "EUR"),
             "dispute_reason": "4837", "connector_status_code": "chargedback"}})
    shipped = order("shipped")
    case("unsupported_event", "Status shipped: verified, EVENT_NOT_SUPPORTED.", shipped, "EVENT_NOT_SUPPORTED")
    case("rotated_additional_secret", "Signed with a second API key configured as additional_secret: verified.",
         done, "PAYMENT_INTENT_SUCCESS", secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2})
    case("header_name_case", "The header as `auth`: header names are case-insensitive.", done, "PAYMENT_INTENT_SUCCESS",
         header_name="auth")
    case("replay_edge_past", "Timestamp exactly 600 s old: accepted (the SDK rejects only `timestamp + 600 < now`).",
         done, "PAYMENT_INTENT_SUCCESS", ts=NOW - 600)
    case("replay_stale", "Timestamp 601 s old, correctly signed: TimestampOutOfTolerance.", done, ts=NOW - 601, error="TimestampOutOfTolerance")
    case("future_timestamp", "Timestamp an hour ahead: accepted, as the SDK sets no future limit.", done, "PAYMENT_INTENT_SUCCESS", ts=NOW + 3600)
    good = mac(SECRET, TS, done)
    case("wrong_signature", "Signed with another API key: InvalidSignature.", done, secret="0" * 40, error="InvalidSignature")
    tampered = done.replace('"amount":2995', '"amount":29950', 1)
    assert tampered != done
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, header=auth(TS, good), error="InvalidSignature")
    case("timestamp_changed", "The timestamp in the header changed after signing: InvalidSignature.", done,
         header=auth(TS + 1, good), error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: InvalidSignature (the SDK compares with ==).",
         done, header=auth(TS, good.upper()), error="InvalidSignature")
    case("not_base64", "The `timestamp:hex` text sent without base64: MalformedSignature.", done,
         header=f"{TS}:{good}", error="MalformedSignature")
    case("no_separator", "base64 of the hex alone (no timestamp): MalformedSignature.", done,
         header=base64.b64encode(good.encode()).decode(), error="MalformedSignature")
    case("missing_signature", "No Auth header: MissingSignature.", done, header=False, error="MissingSignature")


def sdk_verdict(name, fx):
    """multisafepay's Webhook.validate (time check off) with each key, then the SDK's own time
    rule at the fixture's clock: "ok" or the expected error kind."""
    rd = details(fx)
    value = header_get(rd["headers"], "Auth")
    if value is None:
        return "MissingSignature"
    try:
        ts, _ = base64.b64decode(value, validate=True).decode().split(":")
        int(ts)
    except Exception:
        return "MalformedSignature"
    if not any(Webhook.validate(rd["body_text"], value, k, validation_time_in_seconds=0) for k in secrets_of(fx)):
        return "InvalidSignature"
    if int(ts) + 600 < fx["now"]:
        return "TimestampOutOfTolerance"
    return "ok"


def main():
    gen()
    fixturelib.generate(CASES, sdk_verdict, want=fixturelib.expected_kind,
                        note=" (each checked with multisafepay 3.1.0)")


if __name__ == "__main__":
    main()
