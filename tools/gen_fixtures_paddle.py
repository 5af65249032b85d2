#!/usr/bin/env python3
"""Generate tests/fixtures/paddle/*.json, signed and checked with Paddle's official Python SDK.

How to run (from the repository root):

    python3 -m venv /tmp/groupa-venv
    /tmp/groupa-venv/bin/pip install paddle-python-sdk==1.16.1
    env -u TEST_MODE /tmp/groupa-venv/bin/python tools/gen_fixtures_paddle.py

Signatures come from `paddle_billing.Notifications.PaddleSignature.calculate_hmac` (HMAC-SHA256
over `{ts}:{body}`, secret as-is, hex). Every fixture is then checked with
`paddle_billing.Notifications.Verifier().verify` (default maximum_variance 5 s, clock pinned to
the fixture's `now`): it must accept every fixture that expects events and reject every
signature or timestamp error. TEST_MODE must be unset (it disables the SDK's time check).
Deterministic: fixed ids, secrets and times. This script owns tests/fixtures/paddle/*.json and
writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Paddle's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import json
import os
from unittest import mock

import importlib

verifier_module = importlib.import_module("paddle_billing.Notifications.Verifier")
from paddle_billing.Notifications import Secret, Verifier
from paddle_billing.Notifications.PaddleSignature import PaddleSignature

import fixturelib
from fixturelib import Cases, details, event_builder, secrets_of

assert os.getenv("TEST_MODE") is None, "unset TEST_MODE: it disables the SDK's replay window"

SECRET = "pdl_ntfset_01hkn0rmt3st5ecr3t0000000a_Qm4xR7tV9wZ2bC5eF8hJ1kL3nP6sU"
SECRET2 = "pdl_ntfset_01hkn0rmt3st5ecr3t0000000b_Yb3cD6fG9iK2lN5oQ8rT1uW4xZ7aC"
URL = "https://shop.example/webhooks/paddle"
T0 = 1700000000


def h1(secret, ts, body):
    return PaddleSignature.calculate_hmac(secret, f"{ts}:{body}".encode()).hexdigest()


def event(event_type, evt_id, ntf_id, occurred, data):
    return json.dumps({"event_id": evt_id, "event_type": event_type, "occurred_at": occurred, "notification_id": ntf_id, "data": data},
                      indent=2, ensure_ascii=False)


def transaction(txn_id, status, total, currency, *, payments, order_id=None, created="2023-11-14T22:10:00.000000Z"):
    return {
        "id": txn_id,
        "status": status,
        "customer_id": "ctm_01hkn0rmt3stcu5t0mer00000a",
        "address_id": "add_01hkn0rmt3stadd0000000000a",
        "business_id": None,
        "custom_data": {"order_id": order_id} if order_id else None,
        "currency_code": currency,
        "origin": "web",
        "subscription_id": None,
        "invoice_id": None,
        "invoice_number": None,
        "collection_mode": "automatic",
        "billing_details": None,
        "billing_period": None,
        "items": [{"price": {"id": "pri_01hkn0rmt3stpr1ce00000000a", "description": "Pro plan", "unit_price": {"amount": total, "currency_code": currency}}, "quantity": 1}],
        "details": {
            "tax_rates_used": [{"tax_rate": "0.2", "totals": {"subtotal": "2500", "discount": "0", "tax": "500", "total": total}}],
            "totals": {"subtotal": "2500", "tax": "500", "discount": "0", "total": total, "grand_total": total, "fee": None, "credit": "0", "balance": total, "earnings": None, "currency_code": currency},
            "payout_totals": None,
            "line_items": [],
        },
        "payments": payments,
        "checkout": {"url": "https://shop.example/pay?_ptxn=" + txn_id},
        "created_at": created,
        "updated_at": "2023-11-14T22:13:18.000000Z",
        "billed_at": "2023-11-14T22:13:17.000000Z",
    }


def attempt(status, *, error_code=None, method="card"):
    return {
        "payment_attempt_id": "5f7e9c2a-0b1d-4e3f-8a6c-2d4b6f8e0a1c",
        "stored_payment_method_id": "8c1e3a5b-7d9f-4b2a-9c4e-6f8a0b2c4d6e",
        "amount": "3000",
        "status": status,
        "error_code": error_code,
        "method_details": {"type": method, "card": {"type": "visa", "last4": "4242", "expiry_month": 1, "expiry_year": 2027, "cardholder_name": "Zoë Müller"}},
        "created_at": "2023-11-14T22:13:15.000000Z",
        "captured_at": "2023-11-14T22:13:17.000000Z" if status == "captured" else None,
    }


def adjustment(adj_id, action, status, total, currency, txn_id, reason, created="2023-11-16T10:00:00.000000Z"):
    return {
        "id": adj_id,
        "action": action,
        "transaction_id": txn_id,
        "subscription_id": None,
        "customer_id": "ctm_01hkn0rmt3stcu5t0mer00000a",
        "reason": reason,
        "credit_applied_to_balance": None,
        "currency_code": currency,
        "status": status,
        "items": [{"id": "adjitm_01hkn0rmt3st1tem0000000a", "item_id": "txnitm_01hkn0rmt3st1tem000000a", "type": "full", "amount": total, "proration": None,
                   "totals": {"subtotal": "2500", "tax": "500", "total": total}}],
        "totals": {"subtotal": "2500", "tax": "500", "total": total, "fee": "150", "earnings": "2350", "currency_code": currency},
        "payout_totals": None,
        "created_at": created,
        "updated_at": "2023-11-16T10:20:00.000000Z",
    }


CASES = Cases("paddle", url=URL, tag_events=False)


def case(name, description, body, *, events=None, error=None, header=None, ts=T0, now=T0 + 2, secret=SECRET, secrets=None):
    if header is None:
        header = f"ts={ts};h1={h1(secret, ts, body)}"
    headers = {"Content-Type": "application/json"}
    if header is not False:
        headers["Paddle-Signature"] = header
    CASES.add(name, description, body, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error,
              now=now)


ev = event_builder("paddle")


def gen():
    txn = "txn_01hkn0rmt3sttran5act10n0aa"
    completed = event("transaction.completed", "evt_01hkn0rmt3stev3nt000000001", "ntf_01hkn0rmt3stnot1f000000001", "2023-11-14T22:13:19.000000Z",
                      transaction(txn, "completed", "3000", "EUR", payments=[attempt("captured")], order_id="order_3141"))
    case("payment_success", "Paddle transaction.completed (Billing API shape per Paddle's webhook reference): PAYMENT_INTENT_SUCCESS / CHARGED; details.totals.total is a string in cents. Signed with paddle_billing PaddleSignature.calculate_hmac, accepted by Verifier().verify.",
         completed, events=[ev("PAYMENT_INTENT_SUCCESS", "transaction.completed", "evt_01hkn0rmt3stev3nt000000001", {"payments_response": {
             "connector_transaction_id": txn, "merchant_transaction_id": "order_3141", "status": "CHARGED", "amount": {"minor_amount": 3000, "currency": "EUR"},
             "payment_method_type": "card", "connector_customer_id": "ctm_01hkn0rmt3stcu5t0mer00000a", "created_at": 1699999800}})])
    failed = event("transaction.payment_failed", "evt_01hkn0rmt3stev3nt000000002", "ntf_01hkn0rmt3stnot1f000000002", "2023-11-14T22:20:00.000000Z",
                   transaction("txn_01hkn0rmt3sttran5act10n0ab", "ready", "3000", "EUR", payments=[attempt("error", error_code="declined"), attempt("error", error_code="insufficient_funds")]))
    case("payment_failure", "Paddle transaction.payment_failed (transaction still `ready`; payments newest first, the newest attempt declined): PAYMENT_INTENT_FAILURE / FAILURE with the attempt's error_code.",
         failed, events=[ev("PAYMENT_INTENT_FAILURE", "transaction.payment_failed", "evt_01hkn0rmt3stev3nt000000002", {"payments_response": {
             "connector_transaction_id": "txn_01hkn0rmt3sttran5act10n0ab", "status": "FAILURE", "amount": {"minor_amount": 3000, "currency": "EUR"},
             "error": {"code": "declined"}}})])
    canceled = event("transaction.canceled", "evt_01hkn0rmt3stev3nt000000003", "ntf_01hkn0rmt3stnot1f000000003", "2023-11-14T23:00:00.000000Z",
                     transaction("txn_01hkn0rmt3sttran5act10n0ac", "canceled", "150000", "JPY", payments=[]))
    case("payment_canceled", "Paddle transaction.canceled: PAYMENT_INTENT_CANCELLED / VOIDED; JPY amounts are yen.",
         canceled, events=[ev("PAYMENT_INTENT_CANCELLED", "transaction.canceled", "evt_01hkn0rmt3stev3nt000000003", {"payments_response": {
             "connector_transaction_id": "txn_01hkn0rmt3sttran5act10n0ac", "status": "VOIDED", "amount": {"minor_amount": 150000, "currency": "JPY"}}})])
    refund = event("adjustment.updated", "evt_01hkn0rmt3stev3nt000000004", "ntf_01hkn0rmt3stnot1f000000004", "2023-11-16T10:20:00.000000Z",
                   adjustment("adj_01hkn0rmt3stadju5tment0001", "refund", "approved", "3000", "EUR", txn, "Customer changed their mind"))
    case("refund", "Paddle adjustment.updated: a refund adjustment approved by Paddle: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, totals.total in cents.",
         refund, events=[ev("WEBHOOK_REFUND_SUCCESS", "adjustment.updated", "evt_01hkn0rmt3stev3nt000000004", {"refunds_response": {
             "connector_refund_id": "adj_01hkn0rmt3stadju5tment0001", "connector_transaction_id": txn, "status": "REFUND_SUCCESS",
             "refund_amount": {"minor_amount": 3000, "currency": "EUR"}, "refund_reason": "Customer changed their mind", "created_at": 1700128800}})])
    rejected = event("adjustment.updated", "evt_01hkn0rmt3stev3nt000000005", "ntf_01hkn0rmt3stnot1f000000005", "2023-11-16T10:20:00.000000Z",
                     adjustment("adj_01hkn0rmt3stadju5tment0002", "refund", "rejected", "3000", "EUR", txn, "Refund outside policy"))
    case("refund_failure", "Paddle adjustment.updated: a refund rejected by Paddle: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.",
         rejected, events=[ev("WEBHOOK_REFUND_FAILURE", "adjustment.updated", "evt_01hkn0rmt3stev3nt000000005", {"refunds_response": {
             "connector_refund_id": "adj_01hkn0rmt3stadju5tment0002", "status": "REFUND_FAILURE"}})])
    pending = event("adjustment.created", "evt_01hkn0rmt3stev3nt000000006", "ntf_01hkn0rmt3stnot1f000000006", "2023-11-16T10:00:01.000000Z",
                    adjustment("adj_01hkn0rmt3stadju5tment0001", "refund", "pending_approval", "3000", "EUR", txn, "Customer changed their mind"))
    case("refund_pending_unsupported", "Paddle adjustment.created for a refund pending approval: no contract event, EVENT_NOT_SUPPORTED (verified).",
         pending, events=[ev("EVENT_NOT_SUPPORTED", "adjustment.created", "evt_01hkn0rmt3stev3nt000000006", None)])
    warning = event("adjustment.created", "evt_01hkn0rmt3stev3nt000000007", "ntf_01hkn0rmt3stnot1f000000007", "2023-11-20T09:00:00.000000Z",
                    adjustment("adj_01hkn0rmt3stadju5tment0003", "chargeback_warning", "approved", "3000", "EUR", txn, "Early fraud warning", created="2023-11-20T09:00:00.000000Z"))
    case("dispute_opened", "Paddle adjustment.created with action chargeback_warning (Paddle's early warning of a dispute): WEBHOOK_DISPUTE_OPENED at stage PRE_DISPUTE.",
         warning, events=[ev("WEBHOOK_DISPUTE_OPENED", "adjustment.created", "evt_01hkn0rmt3stev3nt000000007", {"disputes_response": {
             "connector_dispute_id": "adj_01hkn0rmt3stadju5tment0003", "connector_transaction_id": txn, "dispute_status": "DISPUTE_OPENED", "dispute_stage": "PRE_DISPUTE",
             "dispute_amount": {"minor_amount": 3000, "currency": "EUR"}, "dispute_reason": "Early fraud warning", "connector_status_code": "chargeback_warning", "created_at": 1700470800}})])
    cb = event("adjustment.created", "evt_01hkn0rmt3stev3nt000000008", "ntf_01hkn0rmt3stnot1f000000008", "2023-11-25T09:00:00.000000Z",
               adjustment("adj_01hkn0rmt3stadju5tment0004", "chargeback", "approved", "3000", "EUR", txn, "Fraudulent", created="2023-11-25T09:00:00.000000Z"))
    case("dispute_lost", "Paddle adjustment.created with action chargeback (created when the customer's dispute succeeded): WEBHOOK_DISPUTE_LOST, ACTIVE_DISPUTE.",
         cb, events=[ev("WEBHOOK_DISPUTE_LOST", "adjustment.created", "evt_01hkn0rmt3stev3nt000000008", {"disputes_response": {
             "connector_dispute_id": "adj_01hkn0rmt3stadju5tment0004", "dispute_status": "DISPUTE_LOST", "dispute_stage": "ACTIVE_DISPUTE"}})])
    rev = event("adjustment.created", "evt_01hkn0rmt3stev3nt000000009", "ntf_01hkn0rmt3stnot1f000000009", "2024-01-05T09:00:00.000000Z",
                adjustment("adj_01hkn0rmt3stadju5tment0005", "chargeback_reverse", "approved", "3000", "EUR", txn, "Chargeback won", created="2024-01-05T09:00:00.000000Z"))
    case("dispute_won", "Paddle adjustment.created with action chargeback_reverse (Paddle contested the chargeback successfully): WEBHOOK_DISPUTE_WON.",
         rev, events=[ev("WEBHOOK_DISPUTE_WON", "adjustment.created", "evt_01hkn0rmt3stev3nt000000009", {"disputes_response": {
             "connector_dispute_id": "adj_01hkn0rmt3stadju5tment0005", "dispute_status": "DISPUTE_WON"}})])
    sub = json.dumps({"event_id": "evt_01hkn0rmt3stev3nt00000000a", "event_type": "subscription.created", "occurred_at": "2023-11-14T22:13:20.000000Z",
                      "notification_id": "ntf_01hkn0rmt3stnot1f00000000a", "data": {"id": "sub_01hkn0rmt3st5ub5cr1pt10n0a", "status": "active", "customer_id": "ctm_01hkn0rmt3stcu5t0mer00000a"}}, indent=2)
    case("unsupported_event", "Paddle subscription.created: verified, EVENT_NOT_SUPPORTED, no event_response.",
         sub, events=[ev("EVENT_NOT_SUPPORTED", "subscription.created", "evt_01hkn0rmt3stev3nt00000000a", None)])
    ok = [ev("PAYMENT_INTENT_SUCCESS", "transaction.completed", "evt_01hkn0rmt3stev3nt000000001", {"payments_response": {"connector_transaction_id": txn}})]
    case("two_h1_rotation", "Two h1 entries (Paddle signs with the old and the new secret while rotating); the host knows only the new one: verifies.",
         completed, header=f"ts={T0};h1={h1(SECRET2, T0, completed)};h1={h1(SECRET, T0, completed)}", events=ok)
    case("rotated_additional_secret", "Signed with the second secret, passed as additional_secret: verifies.",
         completed, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2}, events=ok)
    case("timestamp_at_window_edge", "Received 5 s after ts: still inside the SDK's maximum_variance of 5 s.", completed, now=T0 + 5, events=ok)
    case("stale_timestamp", "Received 6 s after ts: outside the 5 s window (the SDK refuses it): TimestampOutOfTolerance.", completed, now=T0 + 6, error="TimestampOutOfTolerance")
    case("future_timestamp", "ts 6 s ahead of the receiver's clock: outside the 5 s window both ways (the SDK refuses it): TimestampOutOfTolerance.", completed, now=T0 - 6, error="TimestampOutOfTolerance")
    case("wrong_signature", "Signed with another secret: InvalidSignature.", completed, secret="pdl_ntfset_01hkn0rmt3stwr0ng000000000_xxxxxxxx", error="InvalidSignature")
    case("tampered_body", "The total changed after signing: InvalidSignature.", completed.replace('"total": "3000"', '"total": "300"'),
         header=f"ts={T0};h1={h1(SECRET, T0, completed)}", error="InvalidSignature")
    case("spaced_header", "`ts=..; h1=..` with a space after the separator: Paddle's SDK does not trim, so the h1 key is ` h1` (the SDK raises); no h1 signature: rejected.",
         completed, header=f"ts={T0}; h1={h1(SECRET, T0, completed)}", error="MissingSignature")
    case("missing_signature", "No Paddle-Signature header: MissingSignature.", completed, header=False, error="MissingSignature")
    # Known-answer vector of Paddle's Python SDK tests (tests/Unit/Notification/test_Verifier.py): body 'hello-world', which
    # is not JSON, so the verified request ends in MalformedBody; with the wrong secret it is InvalidSignature instead.
    kat_header = "ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02"
    case("sdk_known_answer", "Known-answer vector from Paddle's SDK tests (secret pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh, body 'hello-world', two h1 of which the second is valid): the signature verifies (see sdk_known_answer_wrong_secret), then the non-JSON body is MalformedBody.",
         "hello-world", header=kat_header, now=1696195954, secrets={"secret": "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh"}, error="MalformedBody")
    case("sdk_known_answer_wrong_secret", "The same vector with one of the SDK test's failing secrets: InvalidSignature (so sdk_known_answer got past the signature).",
         "hello-world", header=kat_header, now=1696195954, secrets={"secret": "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_TjIG2BXbm83HPXqNfziwe506sBEdqL/4"}, error="InvalidSignature")


class Req:
    def __init__(self, headers, body):
        self.headers = headers
        self.body = body.encode()


def oracle(name, fx):
    """True = Verifier().verify accepted (clock pinned to the fixture's `now`)."""
    rd = details(fx)
    secrets = [Secret(s) for s in secrets_of(fx)]
    with mock.patch.object(verifier_module, "time", lambda: fx["now"]):
        try:
            return Verifier().verify(Req(rd["headers"], rd["body_text"]), secrets if len(secrets) > 1 else secrets[0])
        except (ConnectionRefusedError, ValueError):
            return False


def main():
    gen()
    # The SDK checks signatures only: it must accept every fixture but those expecting a signature
    # (or timestamp) error, e.g. also the MalformedBody one.
    fixturelib.generate(CASES, oracle, want=fixturelib.signature_ok)


if __name__ == "__main__":
    main()
