#!/usr/bin/env python3
"""Generate tests/fixtures/revolut/*.json (Revolut Merchant API webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_revolut.py

Revolut publishes no SDK with a webhook helper; its "Webhook signature verification" guide is
the reference: `payload_to_sign = "v1.{Revolut-Request-Timestamp}.{raw body}"`, the expected
signature is `"v1=" + hex(HMAC-SHA256(signing secret, payload_to_sign))`, the header may list
several comma-separated signatures while an old secret is still valid, and the timestamp (UNIX
milliseconds) must be within 5 minutes of the current UTC time. The fixtures are signed here with
Python's hmac, and every fixture is checked by `docs_verifies`, a separate reading of that guide
(it splits the header, compares each entry's full `v1=<hex>` text in constant time and applies
the 5-minute window at the fixture's `now`). Bodies follow the Merchant API's webhook event
payload (`event`, `order_id`, `merchant_order_ext_ref`); ids and times are this script's own.
Deterministic. This script owns tests/fixtures/revolut/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, secrets_of

URL = "https://shop.example/webhooks/revolut"
SECRET = "wsk_r7Qm2Xv9Lc4Tn8Pb3Hs6Jd1Kf5Gw0Za"
SECRET2 = "wsk_N4pV8sY2kB6mQ1xD9cR3tF7hL5jW0gEz"
NOW = 1700000000
TS = NOW * 1000 - 1500  # delivered 1.5 s before `now`, in milliseconds
CASES = Cases("revolut", url=URL, now=NOW)
ORDER = "6516e61c-d279-a454-a837-bc52ce55ed49"


def mac(secret, ts, text):
    return hmac.new(secret.encode(), f"v1.{ts}.{text}".encode(), hashlib.sha256).hexdigest()


def body(ev_name, **ids):
    return json.dumps({"event": ev_name, **ids}, separators=(",", ":"))


def ev(event_type, cet, object_id, response):
    return event(event_type, cet, None, response, key=f"revolut:{object_id}:{cet}", status="INCOMPLETE")


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None, ts=TS,
         sig_header="Revolut-Signature"):
    headers = {"Content-Type": "application/json", "User-Agent": "Revolut Business Webhooks"}
    if ts is not None:
        headers["Revolut-Request-Timestamp"] = str(ts)
    signature = sig if sig is not None else "v1=" + mac(secret, ts, text)
    if sig is not False:
        headers[sig_header] = signature
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def order_ev(event_type, cet, order=ORDER, ref="ORD-77123"):
    return ev(event_type, cet, order, {"payments_response": {"connector_transaction_id": order, "merchant_transaction_id": ref}})


def gen():
    completed = body("ORDER_COMPLETED", order_id=ORDER, merchant_order_ext_ref="ORD-77123")
    case("payment_success", "ORDER_COMPLETED: PAYMENT_INTENT_SUCCESS / CHARGED, INCOMPLETE (Revolut's webhooks carry no amount: the host retrieves the order); the order id and the merchant's ext ref; key revolut:{order}:{event}. Signed v1 = hex HMAC-SHA256 over v1.{timestamp ms}.{body}.",
         completed, events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    authorised = body("ORDER_AUTHORISED", order_id=ORDER, merchant_order_ext_ref="ORD-77123")
    case("payment_authorized", "ORDER_AUTHORISED: PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         authorised, events=[order_ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "ORDER_AUTHORISED")])
    authenticated = body("ORDER_PAYMENT_AUTHENTICATED", order_id=ORDER, merchant_order_ext_ref="ORD-77123")
    case("payment_authenticated", "ORDER_PAYMENT_AUTHENTICATED (3-D Secure passed, not yet authorised): PAYMENT_INTENT_PROCESSING.",
         authenticated, events=[order_ev("PAYMENT_INTENT_PROCESSING", "ORDER_PAYMENT_AUTHENTICATED")])
    declined = body("ORDER_PAYMENT_DECLINED", order_id="6516e6a1-0b4f-a0c2-9d3e-5f1a7b2c8d4e", merchant_order_ext_ref="ORD-77124")
    case("payment_failure", "ORDER_PAYMENT_DECLINED: PAYMENT_INTENT_FAILURE / FAILURE.",
         declined, events=[order_ev("PAYMENT_INTENT_FAILURE", "ORDER_PAYMENT_DECLINED", "6516e6a1-0b4f-a0c2-9d3e-5f1a7b2c8d4e", "ORD-77124")])
    cancelled = body("ORDER_CANCELLED", order_id=ORDER, merchant_order_ext_ref="ORD-77123")
    case("payment_cancelled", "ORDER_CANCELLED: PAYMENT_INTENT_CANCELLED / VOIDED.",
         cancelled, events=[order_ev("PAYMENT_INTENT_CANCELLED", "ORDER_CANCELLED")])
    payout = body("PAYOUT_COMPLETED", payout_id="65a5f2c4-7e1b-a3d9-b2c6-0e4f8a1d3c5b")
    case("payout_success", "PAYOUT_COMPLETED: PAYOUT_SUCCESS (no resource response: the contract has no payout response); key from the payout id.",
         payout, events=[ev("PAYOUT_SUCCESS", "PAYOUT_COMPLETED", "65a5f2c4-7e1b-a3d9-b2c6-0e4f8a1d3c5b", OMIT)])
    dispute_open = body("DISPUTE_ACTION_REQUIRED", order_id=ORDER, dispute_id="66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c")
    case("dispute_opened", "DISPUTE_ACTION_REQUIRED (a chargeback that needs the merchant's response): WEBHOOK_DISPUTE_OPENED / DISPUTE_OPENED with the dispute id and the order; INCOMPLETE (no amount).",
         dispute_open, events=[ev("WEBHOOK_DISPUTE_OPENED", "DISPUTE_ACTION_REQUIRED", ORDER, {"disputes_response": {
             "connector_dispute_id": "66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c", "connector_transaction_id": ORDER,
             "dispute_status": "DISPUTE_OPENED"}})])
    review = body("DISPUTE_UNDER_REVIEW", order_id=ORDER, dispute_id="66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c")
    case("dispute_challenged", "DISPUTE_UNDER_REVIEW (evidence submitted, under review): WEBHOOK_DISPUTE_CHALLENGED.",
         review, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", "DISPUTE_UNDER_REVIEW", ORDER, {"disputes_response": {
             "connector_dispute_id": "66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c", "dispute_status": "DISPUTE_CHALLENGED"}})])
    won = body("DISPUTE_WON", order_id=ORDER, dispute_id="66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c")
    case("dispute_won", "DISPUTE_WON: WEBHOOK_DISPUTE_WON.", won, events=[ev("WEBHOOK_DISPUTE_WON", "DISPUTE_WON", ORDER, {"disputes_response": {
        "connector_dispute_id": "66b0c3d5-9e2f-a7b1-8c4d-2f6a0e3b5d7c", "dispute_status": "DISPUTE_WON"}})])
    lost = body("DISPUTE_LOST", order_id=ORDER)
    case("dispute_lost", "DISPUTE_LOST without a dispute id: WEBHOOK_DISPUTE_LOST, the order id stands in as the dispute id.",
         lost, events=[ev("WEBHOOK_DISPUTE_LOST", "DISPUTE_LOST", ORDER, {"disputes_response": {
             "connector_dispute_id": ORDER, "connector_transaction_id": ORDER, "dispute_status": "DISPUTE_LOST"}})])
    sub = body("SUBSCRIPTION_INITIATED", subscription_id="67c1d4e6-0f3a-a8c2-9d5e-3a7b1f4c6e8d")
    case("unsupported_event", "SUBSCRIPTION_INITIATED: verified, EVENT_NOT_SUPPORTED; it names no order, payout or dispute, so the idempotency key is the default one, from the verified signature.",
         sub, events=[event("EVENT_NOT_SUPPORTED", "SUBSCRIPTION_INITIATED", None, OMIT, status="INCOMPLETE",
                            key=fixturelib.default_idempotency_key("revolut", mac(SECRET, TS, sub)))])
    # Rotation and header forms.
    both = f"v1={mac(SECRET2, TS, completed)},v1={mac(SECRET, TS, completed)}"
    case("rotation_two_signatures", "While an old secret is still valid Revolut sends two comma-separated signatures; the second matches the configured secret: verified.",
         completed, sig=both, events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    case("rotated_additional_secret", "Signed with the new secret, configured as additional_secret beside the old one: verified.",
         completed, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    case("lowercase_header_names", "Header names in lower case (HTTP/2): verified.", completed, sig_header="revolut-signature",
         events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    edge_past = NOW * 1000 - 300_000
    case("replay_edge_past", "Timestamp exactly 5 minutes old: inside the documented tolerance.", completed, ts=edge_past,
         events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    case("replay_stale", "Timestamp 301 s old, correctly signed: TimestampOutOfTolerance.", completed, ts=NOW * 1000 - 301_000,
         error="TimestampOutOfTolerance")
    case("replay_edge_future", "Timestamp exactly 5 minutes ahead (clock skew): inside the tolerance.", completed, ts=NOW * 1000 + 300_000,
         events=[order_ev("PAYMENT_INTENT_SUCCESS", "ORDER_COMPLETED")])
    case("replay_future", "Timestamp 301 s ahead: TimestampOutOfTolerance (the window is ±5 minutes).", completed, ts=NOW * 1000 + 301_000,
         error="TimestampOutOfTolerance")
    case("timestamp_in_seconds", "The timestamp in seconds instead of milliseconds (signed as sent): 1970-era milliseconds, TimestampOutOfTolerance.",
         completed, ts=NOW, error="TimestampOutOfTolerance")
    good = "v1=" + mac(SECRET, TS, completed)
    case("wrong_signature", "Signed with another secret: InvalidSignature.", completed, secret="wsk_another0secret9xyz", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: InvalidSignature (the guide compares the v1=<hex> text).",
         completed, sig=good.upper().replace("V1=", "v1="), error="InvalidSignature")
    case("bare_hex", "The right HMAC without the `v1=` version: not a `v1=<hex>` list, MalformedSignature.", completed, sig=good[3:], error="MalformedSignature")
    case("timestamp_tampered", "The timestamp header changed after signing (signed material): InvalidSignature.",
         completed, sig="v1=" + mac(SECRET, TS - 1000, completed), error="InvalidSignature")
    tampered = completed.replace("ORDER_COMPLETED", "ORDER_CANCELLED")
    case("tampered_body", "The event changed after signing: InvalidSignature.", tampered, sig=good, error="InvalidSignature")
    case("missing_signature", "No Revolut-Signature header: MissingSignature.", completed, sig=False, error="MissingSignature")
    case("missing_timestamp", "No Revolut-Request-Timestamp header (the signed material is incomplete): MissingSignature.",
         completed, ts=None, sig=good, error="MissingSignature")


def docs_verifies(name, fx):
    """Revolut's guide, read separately: every listed `v1=<hex>` against v1.{ts}.{body}, ±5 min."""
    rd = details(fx)
    header = header_get(rd["headers"], "Revolut-Signature")
    ts = header_get(rd["headers"], "Revolut-Request-Timestamp")
    if header is None or ts is None:
        return False
    for secret in secrets_of(fx):
        expected = "v1=" + hmac.new(secret.encode(), f"v1.{ts}.{rd['body_text']}".encode(), hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, s) for s in header.split(",")):
            return abs(fx["now"] * 1000 - int(ts)) <= 5 * 60 * 1000
    return False


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against Revolut's documented rule)")


if __name__ == "__main__":
    main()
