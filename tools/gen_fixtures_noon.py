#!/usr/bin/env python3
"""Generate tests/fixtures/noon/*.json (Noon Payments order notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_noon.py

Noon publishes no Python SDK. The fixtures are signed here with hmac following Noon's
notification documentation (`signature` = base64 HMAC-SHA512 over `orderId,orderStatus,eventId,
eventType,timeStamp`, key = the notification key as text) and each is checked by `oracle()`,
written separately from the signing helper. Bodies follow the fields of Noon's notification;
ids and times are this script's own. Deterministic. This script owns tests/fixtures/noon/*.json
and writes nothing else.
"""

import base64
import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, secrets_of

KEY = "noon-notify-key-3c9e2a71b5d04f68"
KEY2 = "noon-notify-key-8f1d6b2e0a9c4735"
NOW = 1700000000
CASES = Cases("noon", now=NOW)


def sig(doc, key=KEY, sep=","):
    msg = sep.join(str(doc[k]) for k in ("orderId", "orderStatus", "eventId", "eventType", "timeStamp"))
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), hashlib.sha512).digest()).decode()


def note(order_id, status, event_type, event_id, ts="2023-11-14T22:13:20.123Z"):
    return {"orderId": order_id, "orderStatus": status, "orderReference": f"ref-{order_id}",
            "eventType": event_type, "eventId": event_id, "timeStamp": ts}


def signed(doc, key=KEY, signature=None):
    return dict(doc, signature=signature if signature is not None else sig(doc, key))


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, events=None, error=None, secrets=None):
    CASES.add(name, description, body_text, headers={"Content-Type": "application/json"},
              secrets=secrets or {"secret": KEY}, events=events, error=error)


def ev(event_type, doc, response):
    return event(event_type, doc["eventType"], doc["eventId"], response, key=f"noon:{doc['eventId']}", status="INCOMPLETE")


def gen():
    sale = note(284910376512, "CAPTURED", "Sale", "e7b1c2d3-0001")
    case("payment_success", "Sale with orderStatus CAPTURED: PAYMENT_INTENT_SUCCESS / CHARGED; INCOMPLETE (no amount in Noon's notification: fetch the order).",
         text(signed(sale)), events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": "284910376512", "status": "CHARGED"}})])
    cap = note(284910376513, "CAPTURED", "Capture", "e7b1c2d3-0002")
    case("capture_success", "Capture with orderStatus CAPTURED: PAYMENT_INTENT_SUCCESS / CHARGED.",
         text(signed(cap)), events=[ev("PAYMENT_INTENT_SUCCESS", cap, {"payments_response": {
             "connector_transaction_id": "284910376513", "status": "CHARGED"}})])
    auth = note(284910376513, "AUTHORIZED", "Authorize", "e7b1c2d3-0003")
    case("payment_authorized", "Authorize with orderStatus AUTHORIZED: PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         text(signed(auth)), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", auth, {"payments_response": {
             "status": "AUTHORIZED"}})])
    fail = note(284910376514, "FAILED", "Fail", "e7b1c2d3-0004")
    case("payment_failure", "Fail (orderStatus FAILED): PAYMENT_INTENT_FAILURE / FAILURE.",
         text(signed(fail)), events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "connector_transaction_id": "284910376514", "status": "FAILURE"}})])
    ref = note(284910376512, "PARTIALLY_REFUNDED", "Refund", "e7b1c2d3-0005")
    case("refund_success", "Refund with orderStatus PARTIALLY_REFUNDED: WEBHOOK_REFUND_SUCCESS on the order (no refund id or amount in the notification).",
         text(signed(ref)), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_transaction_id": "284910376512", "status": "REFUND_SUCCESS"}})])
    rev = note(284910376513, "REVERSED", "Reverse", "e7b1c2d3-0006")
    case("payment_reversed", "Reverse with orderStatus REVERSED (an authorization released): PAYMENT_INTENT_CANCELLED / VOIDED.",
         text(signed(rev)), events=[ev("PAYMENT_INTENT_CANCELLED", rev, {"payments_response": {"status": "VOIDED"}})])
    authn = note(284910376515, "INITIATED", "Authenticate", "e7b1c2d3-0007")
    case("unsupported_event", "Authenticate (3-D Secure step): verified, EVENT_NOT_SUPPORTED.",
         text(signed(authn)), events=[ev("EVENT_NOT_SUPPORTED", authn, None)])

    case("rotated_additional_secret", "Signed with a second key supplied as additional_secret: verifies.",
         text(signed(sale, KEY2)), secrets={"secret": KEY, "additional_secret": KEY2},
         events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": "284910376512"}})])
    case("wrong_secret", "Signed with another key: InvalidSignature.", text(signed(sale, "noon-another-key-0000000000")),
         error="InvalidSignature")
    case("wrong_separator", "The five values joined without commas: InvalidSignature.",
         text(signed(sale, signature=sig(sale, sep=""))), error="InvalidSignature")
    case("hex_signature", "The right HMAC as hex instead of base64: InvalidSignature.",
         text(signed(sale, signature=base64.b64decode(sig(sale)).hex())), error="InvalidSignature")
    case("tampered_status", "orderStatus changed from FAILED to CAPTURED after signing: InvalidSignature.",
         text(dict(signed(fail), orderStatus="CAPTURED", eventType="Sale")), error="InvalidSignature")
    case("tampered_timestamp", "timeStamp changed after signing (signed material): InvalidSignature.",
         text(dict(signed(sale), timeStamp="2023-11-15T22:13:20.123Z")), error="InvalidSignature")
    case("missing_signature", "No signature field: MissingSignature.", text(sale), error="MissingSignature")
    no_event = signed(sale)
    del no_event["eventId"]
    case("missing_signed_field", "eventId (a signed field) removed: MissingSignature.", text(no_event), error="MissingSignature")


def oracle(name, fx):
    """Noon's documented check, written separately: base64(HMAC-SHA512(key, "orderId,orderStatus,
    eventId,eventType,timeStamp")). True = accepted."""
    doc = json.loads(details(fx)["body_text"])
    keys = ("orderId", "orderStatus", "eventId", "eventType", "timeStamp")
    if "signature" not in doc or any(k not in doc for k in keys):
        return False
    msg = ",".join(str(doc[k]) for k in keys).encode()
    return any(hmac.compare_digest(base64.b64encode(hmac.new(s.encode(), msg, hashlib.sha512).digest()).decode(), doc["signature"])
               for s in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
