#!/usr/bin/env python3
"""Generate tests/fixtures/nmi/*.json (NMI gateway webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_nmi.py

NMI publishes no Python SDK with a webhook check. The fixtures are signed here with hmac following
NMI's "Webhooks" documentation (`Webhook-Signature: t=<nonce>,s=<hex HMAC-SHA256 of nonce + "." +
body>`, key = the signing key as text) and each is checked by `oracle()`, a separate port of the
documentation's PHP sample (`preg_match('/t=(.*),s=(.*)/')`, `hash_hmac`, `===`). Bodies follow
NMI's documented event shape (`event_id`, `event_type`, `event_body` with `action`); ids and
amounts are this script's own. Deterministic. This script owns tests/fixtures/nmi/*.json and
writes nothing else.
"""

import hashlib
import hmac
import json
import re

import fixturelib
from fixturelib import Cases, details, event, header_get, money, secrets_of

KEY = "NMIsignKEY7f3a9c1e5b2d8046"
KEY2 = "NMIsignKEY0b6e4d2c9a7f1358"
NOW = 1700000000
CASES = Cases("nmi", now=NOW)
NONCE = "c3VwZXItbm9uY2UtMTIzNDU2"


def sig(body_text, key=KEY, nonce=NONCE):
    return hmac.new(key.encode(), f"{nonce}.{body_text}".encode(), hashlib.sha256).hexdigest()


def body(eid, event_type, tid, *, amount="25.00", currency="USD", success="1", code="100", text_="SUCCESS",
         action_type="sale", order_id="ORD-3390"):
    return {"event_id": eid, "event_type": event_type, "event_body": {
        "merchant": {"id": "900000", "name": "Example Outfitters"}, "features": {"is_test_mode": True},
        "transaction_id": tid, "transaction_type": "cc", "condition": "pendingsettlement", "processor_id": "ccprocessora",
        "order_id": order_id, "customerid": "", "currency": currency, "requested_amount": amount,
        "card": {"cc_number": "4xxxxxxxxxxx1111", "cc_exp": "1030", "cc_type": "visa"},
        "action": {"amount": amount, "action_type": action_type, "date": "20231114221320", "success": success,
                   "source": "api", "response_text": text_, "response_code": code}}}


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, header=None, headers=None, events=None, error=None, secrets=None):
    h = headers if headers is not None else {"Content-Type": "application/json",
                                             "Webhook-Signature": header if header is not None else f"t={NONCE},s={sig(body_text)}"}
    CASES.add(name, description, body_text, headers=h, secrets=secrets or {"secret": KEY}, events=events, error=error)


def ev(event_type, doc, response):
    return event(event_type, doc["event_type"], doc["event_id"], response, key=f"nmi:{doc['event_id']}")


def gen():
    sale = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000001", "transaction.sale.success", "10000000001")
    b = text(sale)
    case("payment_success", "transaction.sale.success: PAYMENT_INTENT_SUCCESS / CHARGED; action.amount 25.00 USD is 2500 cents.",
         b, events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": "10000000001", "merchant_transaction_id": "ORD-3390", "status": "CHARGED",
             "amount": money(2500, "USD"), "error": None, "payment_method_type": "cc"}})])
    fail = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000002", "transaction.sale.failure", "10000000002", success="0", code="200",
                text_="DECLINE")
    case("payment_failure", "transaction.sale.failure: PAYMENT_INTENT_FAILURE / FAILURE with response_code / response_text.",
         text(fail), events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "status": "FAILURE", "error": {"code": "200", "message": "DECLINE"}}})])
    auth = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000003", "transaction.auth.success", "10000000003", action_type="auth",
                amount="1500", currency="JPY")
    case("payment_authorized", "transaction.auth.success, JPY (exponent 0): PAYMENT_INTENT_AUTHORIZATION_SUCCESS, 1500 JPY.",
         text(auth), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", auth, {"payments_response": {
             "status": "AUTHORIZED", "amount": money(1500, "JPY")}})])
    cap = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000004", "transaction.capture.success", "10000000003", action_type="capture")
    case("capture_success", "transaction.capture.success: PAYMENT_INTENT_CAPTURE_SUCCESS.",
         text(cap), events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", cap, {"payments_response": {"connector_transaction_id": "10000000003"}})])
    void = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000005", "transaction.void.success", "10000000003", action_type="void")
    case("void_success", "transaction.void.success: PAYMENT_INTENT_CANCELLED / VOIDED.",
         text(void), events=[ev("PAYMENT_INTENT_CANCELLED", void, {"payments_response": {"status": "VOIDED"}})])
    ref = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000006", "transaction.refund.success", "10000000007", action_type="refund",
               amount="10.50", order_id="RF-3390-1")
    case("refund_success", "transaction.refund.success: WEBHOOK_REFUND_SUCCESS with the refund transaction's id and 10.50 USD.",
         text(ref), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": "10000000007", "merchant_refund_id": "RF-3390-1", "status": "REFUND_SUCCESS",
             "refund_amount": money(1050, "USD"), "error": None}})])
    ref_fail = body("7d3a0e5c-1f2b-4a9d-8c6e-000000000007", "transaction.refund.failure", "10000000008", action_type="refund",
                    success="0", code="300", text_="Refund amount may not exceed the transaction balance")
    case("refund_failure", "transaction.refund.failure: WEBHOOK_REFUND_FAILURE with the error.",
         text(ref_fail), events=[ev("WEBHOOK_REFUND_FAILURE", ref_fail, {"refunds_response": {
             "status": "REFUND_FAILURE", "error": {"code": "300", "message": "Refund amount may not exceed the transaction balance"}}})])
    settle = {"event_id": "7d3a0e5c-1f2b-4a9d-8c6e-000000000008", "event_type": "settlement.batch.complete",
              "event_body": {"merchant": {"id": "900000"}, "batch_id": "5231", "processor_id": "ccprocessora"}}
    case("unsupported_event", "settlement.batch.complete: verified, EVENT_NOT_SUPPORTED.",
         text(settle), events=[ev("EVENT_NOT_SUPPORTED", settle, None)])

    ok = [ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": "10000000001"}})]
    case("rotated_additional_secret", "Signed with a second signing key supplied as additional_secret: verifies.",
         b, header=f"t={NONCE},s={sig(b, KEY2)}", secrets={"secret": KEY, "additional_secret": KEY2}, events=ok)
    case("lowercase_header_name", "Header name sent as webhook-signature: header names are case-insensitive, verifies.",
         b, headers={"content-type": "application/json", "webhook-signature": f"t={NONCE},s={sig(b)}"}, events=ok)
    case("wrong_secret", "Signed with another key: InvalidSignature.", b, header=f"t={NONCE},s={sig(b, 'NMIsignKEYanother000000')}",
         error="InvalidSignature")
    case("other_nonce", "The signature of the body under another nonce, sent with this nonce: InvalidSignature.",
         b, header=f"t={NONCE},s={sig(b, nonce='b3RoZXItbm9uY2U')}", error="InvalidSignature")
    case("body_only_signature", "HMAC of the body alone (no nonce): InvalidSignature.",
         b, header=f"t={NONCE},s={hmac.new(KEY.encode(), b.encode(), hashlib.sha256).hexdigest()}", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: NMI's sample compares with ===, InvalidSignature.",
         b, header=f"t={NONCE},s={sig(b).upper()}", error="InvalidSignature")
    case("tampered_body", "action.amount changed after signing: InvalidSignature.",
         b.replace('"amount":"25.00"', '"amount":"2500.00"'), header=f"t={NONCE},s={sig(b)}", error="InvalidSignature")
    case("missing_signature", "No Webhook-Signature header: MissingSignature.", b, headers={"Content-Type": "application/json"},
         error="MissingSignature")
    case("missing_s", "A Webhook-Signature header with the nonce only (no s=): MissingSignature.",
         b, header=f"t={NONCE}", error="MissingSignature")


def oracle(name, fx):
    """NMI's documented PHP check, ported: /t=(.*),s=(.*)/ on the header, then hash_hmac('sha256',
    nonce . '.' . body, key) === s. True = accepted."""
    d = details(fx)
    h = header_get(d["headers"], "Webhook-Signature")
    m = re.search(r"t=(.*),s=(.*)", h or "")
    if not m:
        return False
    nonce, got = m.group(1), m.group(2)
    return any(hmac.new(k.encode(), f"{nonce}.{d['body_text']}".encode(), hashlib.sha256).hexdigest() == got
               for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
