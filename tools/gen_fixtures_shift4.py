#!/usr/bin/env python3
"""Generate tests/fixtures/shift4/*.json (Shift4 webhook events, which Shift4 does not sign).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_shift4.py

Shift4 does not sign webhooks; its official Python SDK (`shift4` 2.1.0) offers only
`events.get(event_id)`, the fetch a host makes to confirm an event, so nothing here signs. Bodies
follow Shift4's documented event and charge / dispute objects (`evt_` / `char_` / `dp_` ids,
amounts in minor units); ids and amounts are this script's own. The oracle checks what an unsigned
spec must do: every event unverified and INCOMPLETE, a body that is not an event object
rejected. Deterministic. This script owns tests/fixtures/shift4/*.json and writes nothing else.
"""

import json

import fixturelib
from fixturelib import Cases, event, money

NOW = 1700000000
CASES = Cases("shift4", now=NOW)


def charge(cid, *, amount=2500, currency="USD", captured=True, status="successful", refunds=None, **extra):
    c = {"id": cid, "created": 1699999990, "objectType": "charge", "amount": amount, "currency": currency,
         "description": "Order 8812", "card": {"id": "card_Kd8Wq2Lm4Np6", "first6": "424242", "last4": "4242",
                                               "brand": "Visa", "type": "Credit Card"},
         "customerId": "cust_3Fh9Lq2Zx7", "captured": captured, "refunded": bool(refunds), "disputed": False,
         "status": status, "metadata": {"order_id": "8812"}}
    if refunds is not None:
        c["refunds"] = refunds
    c.update(extra)
    return c


def ev_body(eid, type_, data):
    return {"id": eid, "created": 1700000000, "objectType": "event", "type": type_, "data": data}


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, doc, *, events=None, error=None, headers=None, body_text=None):
    CASES.add(name, description, body_text if body_text is not None else text(doc),
              headers=headers or {"Content-Type": "application/json"}, secrets={}, events=events, error=error)


def ev(event_type, doc, response):
    return event(event_type, doc["type"], doc["id"], response, key=f"shift4:{doc['id']}", status="INCOMPLETE", verified=False)


def gen():
    ok = ev_body("evt_Lq8Wm2Zx4Kd1", "CHARGE_SUCCEEDED", charge("char_Qd7Lm2Wx9Zp3"))
    case("payment_success", "CHARGE_SUCCEEDED of a captured charge: PAYMENT_INTENT_SUCCESS / CHARGED, unverified and INCOMPLETE (Shift4 does not sign: fetch the event to confirm).",
         ok, events=[ev("PAYMENT_INTENT_SUCCESS", ok, {"payments_response": {
             "connector_transaction_id": "char_Qd7Lm2Wx9Zp3", "merchant_transaction_id": "8812", "status": "CHARGED",
             "amount": money(2500, "USD"), "connector_customer_id": "cust_3Fh9Lq2Zx7"}})])
    auth = ev_body("evt_Lq8Wm2Zx4Kd2", "CHARGE_SUCCEEDED", charge("char_Qd7Lm2Wx9Zp4", captured=False))
    case("payment_authorized", "CHARGE_SUCCEEDED of an uncaptured charge (captured: false): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         auth, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", auth, {"payments_response": {"status": "AUTHORIZED"}})])
    cap = ev_body("evt_Lq8Wm2Zx4Kd3", "CHARGE_CAPTURED", charge("char_Qd7Lm2Wx9Zp4", amount=1000, currency="JPY"))
    case("capture_success", "CHARGE_CAPTURED, JPY (exponent 0): PAYMENT_INTENT_CAPTURE_SUCCESS, 1000 JPY.",
         cap, events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", cap, {"payments_response": {"amount": money(1000, "JPY")}})])
    fail = ev_body("evt_Lq8Wm2Zx4Kd4", "CHARGE_FAILED", charge("char_Qd7Lm2Wx9Zp5", captured=False, status="failed",
                                                                  failureCode="card_declined", failureMessage="The card was declined."))
    case("payment_failure", "CHARGE_FAILED: PAYMENT_INTENT_FAILURE / FAILURE with failureCode / failureMessage.",
         fail, events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "status": "FAILURE", "error": {"code": "card_declined", "message": "The card was declined."}}})])
    refunds = [{"id": "re_Zp3Wd8Lq1", "created": 1700000000, "amount": 700, "currency": "USD", "charge": "char_Qd7Lm2Wx9Zp3",
                "reason": "requested_by_customer", "status": "successful"}]
    ref = ev_body("evt_Lq8Wm2Zx4Kd5", "CHARGE_REFUNDED", charge("char_Qd7Lm2Wx9Zp3", refunds=refunds))
    case("refund_success", "CHARGE_REFUNDED: WEBHOOK_REFUND_SUCCESS for the first listed refund (id, amount 700, reason).",
         ref, events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": "re_Zp3Wd8Lq1", "connector_transaction_id": "char_Qd7Lm2Wx9Zp3",
             "status": "REFUND_SUCCESS", "refund_amount": money(700, "USD"), "refund_reason": "requested_by_customer"}})])
    dispute = {"id": "dp_Wx2Lq9Zd4", "created": 1700000000, "updated": 1700000000, "objectType": "dispute", "amount": 2500,
               "currency": "USD", "status": "UNRESPONDED", "reason": "FRAUDULENT", "acceptedAsLost": False,
               "charge": charge("char_Qd7Lm2Wx9Zp3")}
    opened = ev_body("evt_Lq8Wm2Zx4Kd6", "CHARGE_DISPUTE_CREATED", dispute)
    case("dispute_opened", "CHARGE_DISPUTE_CREATED: WEBHOOK_DISPUTE_OPENED with the dispute id, the charge, amount and reason.",
         opened, events=[ev("WEBHOOK_DISPUTE_OPENED", opened, {"disputes_response": {
             "connector_dispute_id": "dp_Wx2Lq9Zd4", "connector_transaction_id": "char_Qd7Lm2Wx9Zp3",
             "dispute_status": "DISPUTE_OPENED", "dispute_amount": money(2500, "USD"), "dispute_reason": "FRAUDULENT",
             "connector_status_code": "UNRESPONDED"}})])
    responded = ev_body("evt_Lq8Wm2Zx4Kd7", "CHARGE_DISPUTE_UPDATED", dict(dispute, status="RESPONDED"))
    case("dispute_challenged", "CHARGE_DISPUTE_UPDATED with status RESPONDED (evidence submitted): WEBHOOK_DISPUTE_CHALLENGED.",
         responded, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", responded, {"disputes_response": {"dispute_status": "DISPUTE_CHALLENGED"}})])
    won = ev_body("evt_Lq8Wm2Zx4Kd8", "CHARGE_DISPUTE_WON", dict(dispute, status="WON"))
    case("dispute_won", "CHARGE_DISPUTE_WON: WEBHOOK_DISPUTE_WON.", won,
         events=[ev("WEBHOOK_DISPUTE_WON", won, {"disputes_response": {"dispute_status": "DISPUTE_WON"}})])
    lost = ev_body("evt_Lq8Wm2Zx4Kd9", "CHARGE_DISPUTE_LOST", dict(dispute, status="LOST"))
    case("dispute_lost", "CHARGE_DISPUTE_LOST: WEBHOOK_DISPUTE_LOST.", lost,
         events=[ev("WEBHOOK_DISPUTE_LOST", lost, {"disputes_response": {"dispute_status": "DISPUTE_LOST"}})])
    upd = ev_body("evt_Lq8Wm2Zx4KdA", "CHARGE_UPDATED", charge("char_Qd7Lm2Wx9Zp3"))
    case("unsupported_event", "CHARGE_UPDATED (a description or metadata change): EVENT_NOT_SUPPORTED.", upd,
         events=[ev("EVENT_NOT_SUPPORTED", upd, None)])
    case("made_up_signature_header_ignored", "A request carrying a signature-looking header (Shift4 sends none): the spec verifies nothing, so the header changes nothing: unverified, INCOMPLETE.",
         ok, headers={"Content-Type": "application/json", "X-Shift4-Signature": "0" * 64},
         events=[ev("PAYMENT_INTENT_SUCCESS", ok, {"payments_response": {"connector_transaction_id": "char_Qd7Lm2Wx9Zp3"}})])
    case("malformed_body", "A body that is not JSON: MalformedBody.", None, body_text="type=CHARGE_SUCCEEDED", error="MalformedBody")


def oracle(name, fx):
    """What an unsigned spec must produce: every expected event unverified and INCOMPLETE, and a
    body that parses as a Shift4 event exactly when events are expected."""
    try:
        doc = json.loads(fx["request"]["request_details"]["body_text"])
        parsed = doc.get("objectType") == "event"
    except ValueError:
        parsed = False
    if "expect" in fx:
        assert all(e["source_verified"] is False and e["event_status"] == "INCOMPLETE" for e in fx["expect"]["events"])
    return parsed


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
