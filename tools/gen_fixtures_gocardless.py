#!/usr/bin/env python3
"""Generate tests/fixtures/gocardless/*.json, signed and checked with GoCardless's official SDK.

How to run (from the repository root):

    python3 -m venv /tmp/groupa-venv
    /tmp/groupa-venv/bin/pip install gocardless-pro==3.22.0
    /tmp/groupa-venv/bin/python tools/gen_fixtures_gocardless.py

The SDK has no signing helper, so signatures are hex HMAC-SHA256 of the raw body (secret as-is)
computed with hmac/hashlib; every fixture is then checked with `gocardless_pro.webhooks.parse`:
it must accept (and parse the same number of events as expected) every fixture that expects
events, and raise InvalidSignatureError for every signature-error fixture. Deterministic: fixed
ids, secrets and times. This script owns tests/fixtures/gocardless/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is GoCardless's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json

from gocardless_pro import webhooks
from gocardless_pro.errors import InvalidSignatureError

import fixturelib
from fixturelib import Cases, details, event_builder, secrets_of
from fixturelib import unix_time as ts

SECRET = "Hk4nRmT3stW3bh00kS3cr3t-9vQ2xZ7bC4eF1hJ6kL"
SECRET2 = "Hk4nRmT3stW3bh00kS3cr3t-0ldK3y5mP8sU2wY4aD"
URL = "https://shop.example/webhooks/gocardless"
NOW = 1700000000


def sign(secret, body):
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def gc_event(eid, created, resource_type, action, links, cause, description, *, origin="gocardless", reason_code=None, scheme=None):
    details = {"origin": origin, "cause": cause, "description": description}
    if scheme:
        details["scheme"] = scheme
    if reason_code:
        details["reason_code"] = reason_code
    return {"id": eid, "created_at": created, "resource_type": resource_type, "action": action, "links": links, "details": details,
            "metadata": {}, "resource_metadata": {"order_id": "order_5926"}}


def body(*events):
    return json.dumps({"events": list(events), "meta": {"webhook_id": "WB00Hk4nRmT3st"}}, separators=(",", ":"))


CASES = Cases("gocardless", url=URL, now=NOW, acknowledgement=fixturelib.ack(204), tag_events=False)


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None):
    headers = {"Content-Type": "application/json", "Origin": "https://api.gocardless.com", "User-Agent": "gocardless-webhook-service/1.1"}
    if sig is not False:
        headers["Webhook-Signature"] = sig or sign(secret, text)
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


# Events name only the resource: the host must fetch it, so every event is INCOMPLETE.
ev = event_builder("gocardless", status="INCOMPLETE")


def gen():
    c = "2023-11-14T22:00:12.348Z"
    confirmed = gc_event("EV0Hk4nRmT3st01", c, "payments", "confirmed", {"payment": "PM0Hk4nRmT3st1"}, "payment_confirmed",
                         "Enough time has passed since the payment was submitted for the banks to return an error, so this payment is now confirmed.", scheme="bacs")
    b_ok = body(confirmed)
    case("payment_success", "GoCardless payments/confirmed (event shape per GoCardless's API reference: links reference the payment, no amount): PAYMENT_INTENT_SUCCESS / CHARGED, INCOMPLETE because the host must fetch the payment for amount and currency. Signed with hmac (hex HMAC-SHA256 of the body), accepted by gocardless_pro.webhooks.parse.",
         b_ok, events=[ev("PAYMENT_INTENT_SUCCESS", "payments.confirmed", "EV0Hk4nRmT3st01", {"payments_response": {
             "connector_transaction_id": "PM0Hk4nRmT3st1", "status": "CHARGED", "created_at": ts(c)}})])
    failed = gc_event("EV0Hk4nRmT3st02", "2023-11-14T22:01:00.000Z", "payments", "failed", {"payment": "PM0Hk4nRmT3st2"}, "insufficient_funds",
                      "The customer's account had insufficient funds to make this payment.", origin="bank", reason_code="ARUDD-0", scheme="bacs")
    case("payment_failure", "GoCardless payments/failed (insufficient funds, from the bank): PAYMENT_INTENT_FAILURE / FAILURE with reason_code and description.",
         body(failed), events=[ev("PAYMENT_INTENT_FAILURE", "payments.failed", "EV0Hk4nRmT3st02", {"payments_response": {
             "connector_transaction_id": "PM0Hk4nRmT3st2", "status": "FAILURE",
             "error": {"code": "ARUDD-0", "message": "The customer's account had insufficient funds to make this payment."}}})])
    mandate_active = gc_event("EV0Hk4nRmT3st03", "2023-11-14T22:02:00.000Z", "mandates", "active", {"mandate": "MD0Hk4nRmT3st1"}, "mandate_activated",
                              "The time window after submission for the banks to refuse a mandate has ended without any errors being received, so this mandate is now active.")
    mandate_cancelled = gc_event("EV0Hk4nRmT3st04", "2023-11-14T22:03:00.000Z", "mandates", "cancelled", {"mandate": "MD0Hk4nRmT3st2"}, "bank_account_closed",
                                 "The customer's bank account was closed.", origin="bank", reason_code="ADDACS-B")
    payout = gc_event("EV0Hk4nRmT3st05", "2023-11-14T22:04:00.000Z", "payouts", "paid", {"payout": "PO0Hk4nRmT3st1"}, "payout_paid",
                      "GoCardless has transferred the payout to the creditor's bank account.")
    sub = gc_event("EV0Hk4nRmT3st06", "2023-11-14T22:05:00.000Z", "subscriptions", "payment_created", {"subscription": "SB0Hk4nRmT3st1", "payment": "PM0Hk4nRmT3st3"},
                   "payment_created", "Payment created by a subscription.")
    case("batch", "One webhook with five events about different resources: one normalized event each, in order (mandate active → MANDATE_ACTIVE, mandate cancelled → MANDATE_REVOKED, payout paid → PAYOUT_SUCCESS without a resource response, subscription payment_created → EVENT_NOT_SUPPORTED), all INCOMPLETE with their own event-id keys.",
         body(confirmed, mandate_active, mandate_cancelled, payout, sub), events=[
             ev("PAYMENT_INTENT_SUCCESS", "payments.confirmed", "EV0Hk4nRmT3st01", {"payments_response": {"connector_transaction_id": "PM0Hk4nRmT3st1"}}),
             ev("MANDATE_ACTIVE", "mandates.active", "EV0Hk4nRmT3st03", {"payments_response": {"connector_transaction_id": "MD0Hk4nRmT3st1"}}),
             ev("MANDATE_REVOKED", "mandates.cancelled", "EV0Hk4nRmT3st04", {"payments_response": {"connector_transaction_id": "MD0Hk4nRmT3st2"}}),
             ev("PAYOUT_SUCCESS", "payouts.paid", "EV0Hk4nRmT3st05", None),
             ev("EVENT_NOT_SUPPORTED", "subscriptions.payment_created", "EV0Hk4nRmT3st06", None)])
    mfailed = gc_event("EV0Hk4nRmT3st07", "2023-11-14T22:06:00.000Z", "mandates", "failed", {"mandate": "MD0Hk4nRmT3st3"}, "invalid_bank_details",
                       "The specified bank account does not exist or was closed.", origin="bank", reason_code="AUDDIS-5")
    case("mandate_failed", "GoCardless mandates/failed: MANDATE_FAILED.", body(mfailed),
         events=[ev("MANDATE_FAILED", "mandates.failed", "EV0Hk4nRmT3st07", {"payments_response": {"connector_transaction_id": "MD0Hk4nRmT3st3"}})])
    rc = "2023-11-16T10:00:00.000Z"
    refund_paid = gc_event("EV0Hk4nRmT3st08", rc, "refunds", "paid", {"refund": "RF0Hk4nRmT3st1", "payment": "PM0Hk4nRmT3st1"}, "refund_paid",
                           "The refund has been paid to the customer.")
    case("refund", "GoCardless refunds/paid: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, refund and payment ids from links; no amount (INCOMPLETE).",
         body(refund_paid), events=[ev("WEBHOOK_REFUND_SUCCESS", "refunds.paid", "EV0Hk4nRmT3st08", {"refunds_response": {
             "connector_refund_id": "RF0Hk4nRmT3st1", "connector_transaction_id": "PM0Hk4nRmT3st1", "status": "REFUND_SUCCESS", "created_at": ts(rc)}})])
    refund_failed = gc_event("EV0Hk4nRmT3st09", rc, "refunds", "failed", {"refund": "RF0Hk4nRmT3st2"}, "refund_failed",
                             "The refund could not be paid to the customer's bank account.", origin="gocardless")
    case("refund_failure", "GoCardless refunds/failed: WEBHOOK_REFUND_FAILURE with the description as error message.",
         body(refund_failed), events=[ev("WEBHOOK_REFUND_FAILURE", "refunds.failed", "EV0Hk4nRmT3st09", {"refunds_response": {
             "connector_refund_id": "RF0Hk4nRmT3st2", "status": "REFUND_FAILURE", "error": {"message": "The refund could not be paid to the customer's bank account."}}})])
    dc = "2023-11-20T09:00:00.000Z"
    cb = gc_event("EV0Hk4nRmT3st10", dc, "payments", "charged_back", {"payment": "PM0Hk4nRmT3st1"}, "payment_charged_back",
                  "The customer's bank has charged this payment back under the Direct Debit Guarantee.", origin="bank", reason_code="DDICA-1", scheme="bacs")
    case("dispute_opened", "GoCardless payments/charged_back (an indemnity claim under the Direct Debit Guarantee): WEBHOOK_DISPUTE_OPENED, identified by the payment.",
         body(cb), events=[ev("WEBHOOK_DISPUTE_OPENED", "payments.charged_back", "EV0Hk4nRmT3st10", {"disputes_response": {
             "connector_dispute_id": "PM0Hk4nRmT3st1", "connector_transaction_id": "PM0Hk4nRmT3st1", "dispute_status": "DISPUTE_OPENED", "dispute_stage": "ACTIVE_DISPUTE",
             "dispute_reason": "DDICA-1", "dispute_message": "The customer's bank has charged this payment back under the Direct Debit Guarantee.",
             "connector_status_code": "charged_back", "created_at": ts(dc)}})])
    settled = gc_event("EV0Hk4nRmT3st11", "2023-11-27T09:00:00.000Z", "payments", "chargeback_settled", {"payment": "PM0Hk4nRmT3st1", "payout": "PO0Hk4nRmT3st2"},
                       "payment_charged_back", "This charged back payment has been deducted from a payout.")
    case("dispute_lost", "GoCardless payments/chargeback_settled (the chargeback was deducted from a payout): WEBHOOK_DISPUTE_LOST.",
         body(settled), events=[ev("WEBHOOK_DISPUTE_LOST", "payments.chargeback_settled", "EV0Hk4nRmT3st11", {"disputes_response": {
             "connector_transaction_id": "PM0Hk4nRmT3st1", "dispute_status": "DISPUTE_LOST"}})])
    canc = gc_event("EV0Hk4nRmT3st12", "2023-11-28T09:00:00.000Z", "payments", "chargeback_cancelled", {"payment": "PM0Hk4nRmT3st1"},
                    "chargeback_cancelled", "The customer's bank has cancelled the chargeback request.", origin="bank")
    case("dispute_won", "GoCardless payments/chargeback_cancelled (the payer's bank withdrew the claim): WEBHOOK_DISPUTE_WON.",
         body(canc), events=[ev("WEBHOOK_DISPUTE_WON", "payments.chargeback_cancelled", "EV0Hk4nRmT3st12", {"disputes_response": {"dispute_status": "DISPUTE_WON"}})])
    other = gc_event("EV0Hk4nRmT3st13", "2023-11-14T22:07:00.000Z", "billing_requests", "fulfilled", {"billing_request": "BRQ0Hk4nRmT3st"}, "billing_request_fulfilled",
                     "This billing request has been fulfilled, and the resources have been created.", origin="api")
    case("unsupported_event", "GoCardless billing_requests/fulfilled: verified, EVENT_NOT_SUPPORTED (acknowledged with 204).",
         body(other), events=[ev("EVENT_NOT_SUPPORTED", "billing_requests.fulfilled", "EV0Hk4nRmT3st13", None)])
    case("rotated_additional_secret", "Signed with the second endpoint secret, passed as additional_secret: verifies.", b_ok, secret=SECRET2,
         secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "payments.confirmed", "EV0Hk4nRmT3st01", {"payments_response": {"connector_transaction_id": "PM0Hk4nRmT3st1"}})])
    case("wrong_signature", "Signed with another secret: InvalidSignature (GoCardless asks for 498 here).", b_ok, secret="not-the-endpoint-secret", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: the SDK compares the hex text exactly, so InvalidSignature.", b_ok, sig=sign(SECRET, b_ok).upper(), error="InvalidSignature")
    tampered = body(confirmed, gc_event("EV0Hk4nRmT3st99", c, "payments", "confirmed", {"payment": "PM0Evil"}, "payment_confirmed", "Injected."))
    case("tampered_body", "An event appended to the batch after signing: InvalidSignature, and no event of the batch is returned.", tampered, sig=sign(SECRET, b_ok), error="InvalidSignature")
    case("missing_signature", "No Webhook-Signature header: MissingSignature.", b_ok, sig=False, error="MissingSignature")
    # Known-answer vector of GoCardless's Python SDK tests (tests/fixtures/webhook_body.json, stripped, and its signature).
    kat = ('{"events":[{"id":"EV00BD05S5VM2T","created_at":"2018-07-05T09:13:51.404Z","resource_type":"subscriptions","action":"created",'
           '"links":{"subscription":"SB0003JJQ2MR06"},"details":{"origin":"api","cause":"subscription_created","description":"Subscription created via the API."},'
           '"metadata":{}},{"id":"EV00BD05TB8K63","created_at":"2018-07-05T09:13:56.893Z","resource_type":"mandates","action":"created",'
           '"links":{"mandate":"MD000AMA19XGEC"},"details":{"origin":"api","cause":"mandate_created","description":"Mandate created via the API."},"metadata":{}}]}')
    kat_sig = "2693754819d3e32d7e8fcb13c729631f316c6de8dc1cf634d6527f1c07276e7e"
    case("sdk_known_answer", "Known-answer vector from GoCardless's Python SDK tests (key ED7D658C-D8EB-4941-948B-3973214F2D49, their two-event body and signature): verifies; subscriptions.created and mandates.created are EVENT_NOT_SUPPORTED.",
         kat, sig=kat_sig, secrets={"secret": "ED7D658C-D8EB-4941-948B-3973214F2D49"},
         events=[ev("EVENT_NOT_SUPPORTED", "subscriptions.created", "EV00BD05S5VM2T", None), ev("EVENT_NOT_SUPPORTED", "mandates.created", "EV00BD05TB8K63", None)])
    case("sdk_known_answer_wrong_key", "The SDK tests' vector with their wrong key 'anotherkey': InvalidSignature.", kat, sig=kat_sig, secrets={"secret": "anotherkey"}, error="InvalidSignature")


def oracle(name, fx):
    """True = webhooks.parse accepted with one of the secrets (and parsed the expected events)."""
    rd = details(fx)
    sig = rd["headers"].get("Webhook-Signature")
    if sig is None:
        return False
    for s in secrets_of(fx):
        try:
            events = webhooks.parse(rd["body_text"], s, sig)
        except InvalidSignatureError:
            continue
        if "expect" in fx:
            assert [e.id for e in events] == [e["connector_event_id"] for e in fx["expect"]["events"]], [e.id for e in events]
        return True
    return False


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
