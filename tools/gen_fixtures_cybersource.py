#!/usr/bin/env python3
"""Generate tests/fixtures/cybersource/*.json (Cybersource webhook notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_cybersource.py

Cybersource's official Python SDK (`cybersource-rest-client-python` 0.0.80) manages webhook
subscriptions and keys but has no notification check. The fixtures are signed here with hmac
following Cybersource's "Validating a Notification with the Digital Signature Key"
(`v-c-signature: t=<ms>;keyId=<id>;sig=<base64 HMAC-SHA256 of t + "." + body>`, the key being
the base64-decoded digital signature key) and each is checked by `oracle()`, written separately.
Bodies follow the documented notification shape (notificationId, eventType, payload.data.id and
self link); ids are this script's own. Deterministic. This script owns
tests/fixtures/cybersource/*.json and writes nothing else.
"""

import base64
import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, header_get, secrets_of

KEY = base64.b64encode(bytes(range(1, 33))).decode()
KEY2 = base64.b64encode(bytes(range(101, 133))).decode()
KEY_ID = "bf44c857-b182-bb05-e053-34b8d30a7a72"
NOW = 1700000000
T = "1700000000123"
CASES = Cases("cybersource", now=NOW)


def sig(body_text, key=KEY, t=T):
    return base64.b64encode(hmac.new(base64.b64decode(key), f"{t}.{body_text}".encode(), hashlib.sha256).digest()).decode()


def header(body_text, key=KEY, t=T, key_id=KEY_ID, s=None):
    return f"t={t};keyId={key_id};sig={s if s is not None else sig(body_text, key, t)}"


def note(nid, event_type, rid, kind="payments"):
    return {"notificationId": nid, "retryNumber": 0, "eventType": event_type, "eventDate": "2023-11-14T22:13:20.123Z",
            "webhookId": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "productId": "payments", "organizationId": "example_org",
            "payload": {"data": {"_links": {"self": {"href": f"https://api.cybersource.com/pts/v2/{kind}/{rid}", "method": "GET"}},
                                 "id": rid, "type": kind}, "organizationId": "example_org"}}


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, sig_header=None, headers=None, events=None, error=None, secrets=None):
    h = headers if headers is not None else {"Content-Type": "application/json",
                                             "v-c-signature": sig_header if sig_header is not None else header(body_text)}
    CASES.add(name, description, body_text, headers=h, secrets=secrets or {"secret": KEY}, events=events, error=error)


def ev(event_type, doc, response):
    return event(event_type, doc["eventType"], doc["notificationId"], response, key=f"cybersource:{doc['notificationId']}",
                 status="INCOMPLETE")


def gen():
    acc = note("nt-7001", "payments.payments.accept", "7000000000000000000001")
    b = text(acc)
    case("payment_authorized", "payments.payments.accept: PAYMENT_INTENT_AUTHORIZATION_SUCCESS for payload.data.id, INCOMPLETE (the notification holds only the id and link: fetch the payment).",
         b, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", acc, {"payments_response": {
             "connector_transaction_id": "7000000000000000000001", "status": "AUTHORIZED"}})])
    rej = note("nt-7002", "payments.payments.reject", "7000000000000000000002")
    case("payment_failure", "payments.payments.reject: PAYMENT_INTENT_AUTHORIZATION_FAILURE.",
         text(rej), events=[ev("PAYMENT_INTENT_AUTHORIZATION_FAILURE", rej, {"payments_response": {
             "connector_transaction_id": "7000000000000000000002"}})])
    rev = note("nt-7003", "payments.payments.review", "7000000000000000000003")
    case("payment_review", "payments.payments.review (Decision Manager review): PAYMENT_INTENT_PROCESSING.",
         text(rev), events=[ev("PAYMENT_INTENT_PROCESSING", rev, {"payments_response": {"connector_transaction_id": "7000000000000000000003"}})])
    cap = note("nt-7004", "payments.captures.accept", "7000000000000000000004", "captures")
    case("capture_success", "payments.captures.accept: PAYMENT_INTENT_CAPTURE_SUCCESS (the capture's id).",
         text(cap), events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", cap, {"payments_response": {"connector_transaction_id": "7000000000000000000004"}})])
    ref = note("nt-7005", "payments.refunds.accept", "7000000000000000000005", "refunds")
    case("refund_success", "payments.refunds.accept: WEBHOOK_REFUND_SUCCESS with the refund's id.",
         text(ref), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": "7000000000000000000005", "status": "REFUND_SUCCESS"}})])
    ref_rej = note("nt-7006", "payments.refunds.reject", "7000000000000000000006", "refunds")
    case("refund_failure", "payments.refunds.reject: WEBHOOK_REFUND_FAILURE.",
         text(ref_rej), events=[ev("WEBHOOK_REFUND_FAILURE", ref_rej, {"refunds_response": {"status": "REFUND_FAILURE"}})])
    void = note("nt-7007", "payments.voids.accept", "7000000000000000000007", "voids")
    case("void_success", "payments.voids.accept: PAYMENT_INTENT_CANCELLED.",
         text(void), events=[ev("PAYMENT_INTENT_CANCELLED", void, {"payments_response": {"status": "VOIDED"}})])
    tok = note("nt-7008", "tms.networktoken.updated", "7000000000000000000008", "tokens")
    case("unsupported_event", "A token-management notification: verified, EVENT_NOT_SUPPORTED.",
         text(tok), events=[ev("EVENT_NOT_SUPPORTED", tok, None)])

    ok = [ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", acc, {"payments_response": {"connector_transaction_id": "7000000000000000000001"}})]
    case("rotated_additional_secret", "Signed with the new key of a yearly replacement supplied as additional_secret: verifies.",
         b, sig_header=header(b, KEY2, key_id="c0ffee00-new-key"), secrets={"secret": KEY, "additional_secret": KEY2}, events=ok)
    case("header_name_case", "Header name sent as V-C-Signature: case-insensitive, verifies.", b,
         headers={"Content-Type": "application/json", "V-C-Signature": header(b)}, events=ok)
    case("wrong_secret", "Signed with another key: InvalidSignature.", b, sig_header=header(b, KEY2), error="InvalidSignature")
    raw_key = base64.b64encode(hmac.new(KEY.encode(), f"{T}.{b}".encode(), hashlib.sha256).digest()).decode()
    case("key_not_decoded", "HMAC keyed with the key's base64 text instead of its decoded bytes: InvalidSignature.",
         b, sig_header=header(b, s=raw_key), error="InvalidSignature")
    case("timestamp_changed", "t changed after signing (signed material): InvalidSignature.",
         b, sig_header=header(b, s=sig(b)).replace(f"t={T}", "t=1700000000999"), error="InvalidSignature")
    case("tampered_body", "payload.data.id changed after signing: InvalidSignature.",
         b.replace("7000000000000000000001", "7000000000000000000009"), sig_header=header(b), error="InvalidSignature")
    case("comma_separated", "The parameters separated by `,` instead of `;` (Stripe's style): the `sig` parameter is not found, MissingSignature.",
         b, sig_header=header(b).replace(";", ","), error="MissingSignature")
    case("missing_signature", "No v-c-signature header: MissingSignature.", b, headers={"Content-Type": "application/json"},
         error="MissingSignature")


def oracle(name, fx):
    """Cybersource's documented check, written separately: split v-c-signature on ';' into t, keyId,
    sig; base64(HMAC-SHA256(b64decode(key), t + '.' + body)) == sig. True = accepted."""
    d = details(fx)
    h = header_get(d["headers"], "v-c-signature")
    if h is None:
        return False
    parts = dict(p.split("=", 1) for p in h.split(";") if "=" in p)
    if "t" not in parts or "sig" not in parts:
        return False
    msg = f"{parts['t']}.{d['body_text']}".encode()
    return any(hmac.compare_digest(base64.b64encode(hmac.new(base64.b64decode(k), msg, hashlib.sha256).digest()).decode(), parts["sig"])
               for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
