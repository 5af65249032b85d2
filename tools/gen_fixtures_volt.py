#!/usr/bin/env python3
"""Generate tests/fixtures/volt/*.json (Volt payment and refund notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_volt.py

Volt publishes no Python SDK. The fixtures are signed here with hmac following Volt's "Signature
verification" page (`X-Volt-Signed` = hex HMAC-SHA256 of `body|X-Volt-Timed|version`, version =
the part of `User-Agent` after the `/`, key = the notification secret as text) and each is
checked by `oracle()`, written separately from the signing helper. Bodies follow Volt's
notification fields (payment, reference, merchantInternalReference, amount in minor units,
currency, status; refund, externalReference); ids are this script's own. Deterministic. This
script owns tests/fixtures/volt/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, header_get, money, secrets_of

SECRET = "volt-notify-secret-9d2f7a1c4e6b"
SECRET2 = "volt-notify-secret-3a8e5c0b7f1d"
NOW = 1700000000
TIMED = "1700000000123"
CASES = Cases("volt", now=NOW)


def sig(body_text, secret=SECRET, timed=TIMED, version="2.0"):
    return hmac.new(secret.encode(), f"{body_text}|{timed}|{version}".encode(), hashlib.sha256).hexdigest()


def headers(body_text, *, signature=None, ua="Volt/2.0", timed=TIMED):
    return {"Content-Type": "application/json", "User-Agent": ua, "X-Volt-Timed": timed,
            "X-Volt-Signed": signature if signature is not None else sig(body_text, timed=timed)}


def payment(pid, status, *, amount=12550, currency="EUR", detailed=None):
    d = {"payment": pid, "reference": "INV-20931", "merchantInternalReference": "order-20931", "amount": amount,
         "currency": currency, "status": status}
    if detailed:
        d["detailedStatus"] = detailed
    return d


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, h=None, events=None, error=None, secrets=None):
    CASES.add(name, description, body_text, headers=h if h is not None else headers(body_text),
              secrets=secrets or {"secret": SECRET}, events=events, error=error)


def ev(event_type, doc, response):
    eid = doc.get("refund") or doc["payment"]
    return event(event_type, doc["status"], eid, response, key=f"volt:{eid}:{doc['status']}")


def gen():
    rec = payment("4b7e0c2a-9f1d-4e3b-8a6c-5d2e1f0a9b01", "RECEIVED")
    b = text(rec)
    case("payment_success", "status RECEIVED (the funds arrived): PAYMENT_INTENT_SUCCESS / CHARGED, 125.50 EUR as 12550 minor units.",
         b, events=[ev("PAYMENT_INTENT_SUCCESS", rec, {"payments_response": {
             "connector_transaction_id": rec["payment"], "merchant_transaction_id": "order-20931", "status": "CHARGED",
             "amount": money(12550, "EUR"), "error": None}})])
    comp = payment("4b7e0c2a-9f1d-4e3b-8a6c-5d2e1f0a9b02", "COMPLETED", currency="GBP", amount=5000)
    case("payment_completed", "status COMPLETED (the payer's bank accepted it, funds not yet seen): PAYMENT_INTENT_PROCESSING.",
         text(comp), events=[ev("PAYMENT_INTENT_PROCESSING", comp, {"payments_response": {
             "status": "PENDING", "amount": money(5000, "GBP")}})])
    fail = payment("4b7e0c2a-9f1d-4e3b-8a6c-5d2e1f0a9b03", "FAILED", detailed="REFUSED_BY_BANK")
    case("payment_failure", "status FAILED with detailedStatus REFUSED_BY_BANK: PAYMENT_INTENT_FAILURE, the detailed status as error code.",
         text(fail), events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "status": "FAILURE", "error": {"code": "REFUSED_BY_BANK"}}})])
    nr = payment("4b7e0c2a-9f1d-4e3b-8a6c-5d2e1f0a9b04", "NOT_RECEIVED")
    case("payment_not_received", "status NOT_RECEIVED (the money never arrived): PAYMENT_INTENT_FAILURE.",
         text(nr), events=[ev("PAYMENT_INTENT_FAILURE", nr, {"payments_response": {"status": "FAILURE", "error": {"code": "NOT_RECEIVED"}}})])
    ref = {"refund": "9a1c3e5f-7b2d-4f6a-8c0e-1d3b5f7a9c01", "payment": rec["payment"], "externalReference": "refund-20931-1",
           "amount": 2500, "currency": "EUR", "status": "REFUND_CONFIRMED"}
    case("refund_success", "status REFUND_CONFIRMED: WEBHOOK_REFUND_SUCCESS with the refund id, the payment and 25.00 EUR.",
         text(ref), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": ref["refund"], "merchant_refund_id": "refund-20931-1", "connector_transaction_id": rec["payment"],
             "status": "REFUND_SUCCESS", "refund_amount": money(2500, "EUR")}})])
    ref_fail = dict(ref, refund="9a1c3e5f-7b2d-4f6a-8c0e-1d3b5f7a9c02", status="REFUND_FAILED")
    case("refund_failure", "status REFUND_FAILED: WEBHOOK_REFUND_FAILURE.",
         text(ref_fail), events=[ev("WEBHOOK_REFUND_FAILURE", ref_fail, {"refunds_response": {"status": "REFUND_FAILURE"}})])
    aband = payment("4b7e0c2a-9f1d-4e3b-8a6c-5d2e1f0a9b05", "ABANDONED_BY_USER")
    case("unsupported_status", "status ABANDONED_BY_USER: verified, EVENT_NOT_SUPPORTED.",
         text(aband), events=[ev("EVENT_NOT_SUPPORTED", aband, None)])

    ok = [ev("PAYMENT_INTENT_SUCCESS", rec, {"payments_response": {"connector_transaction_id": rec["payment"]}})]
    escaped = dict(rec, payer={"groupName": "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale"})
    eb = json.dumps(escaped, separators=(",", ":"))  # ensure_ascii: \u00e9 escapes, as Volt sends them
    assert "\\u00e9" in eb
    case("escaped_characters_signed_as_sent", "A body with escaped accented characters (\\u00e9), signed over the bytes as sent (Volt: do not unescape): verifies.",
         eb, events=[ev("PAYMENT_INTENT_SUCCESS", escaped, {"payments_response": {"connector_transaction_id": rec["payment"]}})])
    case("version_3", "User-Agent Volt/3.1 with the signature over version 3.1: the version is read from the header, verifies.",
         b, h=headers(b, ua="Volt/3.1", signature=sig(b, version="3.1")), events=ok)
    case("rotated_additional_secret", "Signed with a second notification secret supplied as additional_secret: verifies.",
         b, h=headers(b, signature=sig(b, SECRET2)), secrets={"secret": SECRET, "additional_secret": SECRET2}, events=ok)
    case("wrong_secret", "Signed with another secret: InvalidSignature.", b, h=headers(b, signature=sig(b, "volt-another-secret-000")),
         error="InvalidSignature")
    case("version_changed", "User-Agent changed to Volt/2.1 after signing over 2.0: InvalidSignature.", b,
         h=headers(b, ua="Volt/2.1", signature=sig(b)), error="InvalidSignature")
    case("whole_user_agent_signed", "Signature over `body|timed|Volt/2.0` (the whole User-Agent instead of its version): InvalidSignature.",
         b, h=headers(b, signature=sig(b, version="Volt/2.0")), error="InvalidSignature")
    case("timed_changed", "X-Volt-Timed changed after signing: InvalidSignature.", b,
         h=headers(b, timed="1700000000999", signature=sig(b)), error="InvalidSignature")
    case("tampered_body", "amount changed after signing: InvalidSignature.", b.replace("12550", "125500"),
         h=headers(b), error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: compared exactly, InvalidSignature.", b,
         h=headers(b, signature=sig(b).upper()), error="InvalidSignature")
    no_sig = headers(b)
    del no_sig["X-Volt-Signed"]
    case("missing_signature", "No X-Volt-Signed header: MissingSignature.", b, h=no_sig, error="MissingSignature")
    no_timed = headers(b)
    del no_timed["X-Volt-Timed"]
    case("missing_timed", "No X-Volt-Timed header (signed material): MissingSignature.", b, h=no_timed, error="MissingSignature")


def oracle(name, fx):
    """Volt's documented check, written separately: version = User-Agent after '/', HMAC-SHA256 of
    body|X-Volt-Timed|version, hex, compared exactly. True = accepted."""
    d = details(fx)
    h = d["headers"]
    got, timed, ua = header_get(h, "X-Volt-Signed"), header_get(h, "X-Volt-Timed"), header_get(h, "User-Agent")
    if got is None or timed is None or ua is None:
        return False
    version = ua.split("/")[-1]
    msg = "|".join([d["body_text"], timed, version]).encode()
    return any(hmac.compare_digest(hmac.new(s.encode(), msg, hashlib.sha256).hexdigest(), got) for s in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
