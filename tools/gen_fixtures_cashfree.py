#!/usr/bin/env python3
"""Generate tests/fixtures/cashfree/*.json (Cashfree Payments Payment Gateway webhooks).

How to run (from the repository root):

    python3 -m venv /tmp/groupb-venv
    /tmp/groupb-venv/bin/pip install cashfree-pg==6.0.1
    /tmp/groupb-venv/bin/python tools/gen_fixtures_cashfree.py

Oracle: Cashfree's official Python SDK `cashfree-pg` 6.0.1,
`Cashfree(XEnvironment, XClientSecret=..).PGVerifyWebhookSignature(signature, rawBody, timestamp)`,
which raises unless base64(HMAC-SHA256(client secret, timestamp + rawBody)) equals the signature
text. The SDK cannot sign, so signatures are computed here with hmac/base64; every fixture is then
checked with the SDK: it must accept (with any of the fixture's secrets) every fixture that expects
events and reject every InvalidSignature fixture. Fixtures without a signature or timestamp header
are rejected before the SDK could be called (MissingSignature). Neither Cashfree nor its SDK checks
the timestamp's age; `old_timestamp_accepted` asserts that.

Bodies follow Cashfree's webhook payload documentation (version 2023-08-01: `data.order`,
`data.payment`, `data.customer_details`, `data.error_details`; `data.refund`; `data.dispute` with
`data.order_details`). Amounts are written as Cashfree sends them, e.g. `170.00`, which is why the
bodies are built as text. Ids, amounts and times are this script's own. Deterministic; writes only
tests/fixtures/cashfree/*.json.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Cashfree's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import base64
import hashlib
import hmac
import json

from cashfree_pg.api_client import Cashfree

import fixturelib
from fixturelib import Cases, details, event, secrets_of

URL = "https://shop.example/webhooks/cashfree"
SECRET = "cfsk_ma_test_7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e_4d6f8a0b"
SECRET2 = "cfsk_ma_test_2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e0b_8c6a4e2d"
NOW = 1700000030
TS_MS = "1700000000123"  # x-webhook-timestamp, milliseconds
CASES = Cases("cashfree", url=URL, now=NOW)


def dumps(obj):
    """Compact JSON in which "@N.NN" strings become the bare decimal N.NN (Cashfree sends 170.00)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    while '"@' in text:
        start = text.index('"@')
        end = text.index('"', start + 1)
        text = text[:start] + text[start + 2:end] + text[end + 1:]
    return text


def sign(secret, ts, body):
    return base64.b64encode(hmac.new(secret.encode(), (ts + body).encode(), hashlib.sha256).digest()).decode()


def payment_body(typ, status, amount, *, cf_payment_id="5114910474573", message, error=None, group="upi",
                 method=None, event_time="2023-11-15T03:43:18+05:30"):
    return dumps({"data": {
        "order": {"order_id": "order_1042_hk", "order_amount": amount, "order_currency": "INR", "order_tags": None},
        "payment": {"cf_payment_id": cf_payment_id, "payment_status": status, "payment_amount": amount,
                    "payment_currency": "INR", "payment_message": message, "payment_time": "2023-11-15T03:43:15+05:30",
                    "bank_reference": "331923764412", "auth_id": None,
                    "payment_method": method or {"upi": {"channel": "collect", "upi_id": "riya.sharma@okaxis"}},
                    "payment_group": group},
        "customer_details": {"customer_name": "Riya Sharma", "customer_id": "cust_88412", "customer_email": "riya.sharma@example.in",
                             "customer_phone": "9876543210"},
        "error_details": error,
        "payment_gateway_details": {"gateway_name": "CASHFREE", "gateway_order_id": "3168341452", "gateway_payment_id": "3168341452",
                                    "gateway_status_code": None},
        "payment_offers": None},
        "event_time": event_time, "type": typ})


def refund_body(status, amount, description, *, cf_refund_id="92000117", refund_id="refund_1042_a"):
    return dumps({"data": {"refund": {
        "cf_refund_id": cf_refund_id, "cf_payment_id": 5114910474573, "refund_id": refund_id, "order_id": "order_1042_hk",
        "refund_amount": amount, "refund_currency": "INR", "entity": "Refund", "refund_type": "MERCHANT_INITIATED",
        "refund_arn": "331925189611", "refund_status": status, "status_description": description, "refund_charge": 0,
        "refund_note": "Damaged item returned", "refund_splits": [], "metadata": None,
        "created_at": "2023-11-15T01:30:00+05:30", "processed_at": "2023-11-15T03:40:00+05:30",
        "refund_mode": "STANDARD", "refund_speed": {"requested": "STANDARD", "accepted": "STANDARD", "processed": "STANDARD", "message": None}}},
        "event_time": "2023-11-15T03:43:19+05:30", "type": "REFUND_STATUS_WEBHOOK"})


def dispute_body(typ, dispute_type, status, remarks, *, event_time="2023-11-20T10:00:05+05:30", resolved_at=None):
    d = {"dispute_id": 433475258, "dispute_type": dispute_type, "reason_code": "1402",
         "reason_description": "Duplicate Processing", "dispute_amount": "@170.00", "created_at": "2023-11-20T09:58:48+05:30",
         "updated_at": "2023-11-20T09:58:48+05:30", "respond_by": "2023-11-23T23:59:59+05:30", "dispute_status": status,
         "cf_dispute_remarks": remarks, "dispute_action_on": "MERCHANT"}
    if resolved_at:
        d["resolved_at"] = resolved_at
    return dumps({"data": {"dispute": d,
                           "order_details": {"order_id": "order_1042_hk", "order_amount": "@170.00", "order_currency": "INR",
                                             "cf_payment_id": "5114910474573", "payment_amount": "@170.00", "payment_currency": "INR"},
                           "customer_details": {"customer_name": "Riya Sharma", "customer_phone": "9876543210",
                                                "customer_email": "riya.sharma@example.in"}},
                  "event_time": event_time, "type": typ})


def case(name, description, text, *, events=None, error=None, sig=None, ts=TS_MS, secret=SECRET, secrets=None):
    headers = {"Content-Type": "application/json", "x-webhook-attempt": "1", "x-webhook-version": "2023-08-01"}
    if ts is not False:
        headers["x-webhook-timestamp"] = ts
    if sig is not False:
        headers["x-webhook-signature"] = sig or sign(secret, ts or TS_MS, text)
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def ev(event_type, cet, response, key):
    # Cashfree bodies carry no event id; the key (from signed fields), if asserted, comes last.
    e = event(event_type, cet, None, response)
    if key:
        e["idempotency_key"] = key
    return e


def money(minor):
    return fixturelib.money(minor, "INR")


def gen():
    ok = payment_body("PAYMENT_SUCCESS_WEBHOOK", "SUCCESS", "@170.00", message="00::Transaction Success")
    case("payment_success", "PAYMENT_SUCCESS_WEBHOOK (UPI): PAYMENT_INTENT_SUCCESS / CHARGED; `170.00` INR in major units → 17000 paise; the order id as merchant id; no error. Signed with hmac over timestamp (ms) + body, accepted by PGVerifyWebhookSignature. Key from signed fields (no event id in Cashfree bodies).",
         ok, events=[ev("PAYMENT_INTENT_SUCCESS", "PAYMENT_SUCCESS_WEBHOOK", {"payments_response": {
             "connector_transaction_id": "5114910474573", "merchant_transaction_id": "order_1042_hk", "status": "CHARGED",
             "amount": money(17000), "error": None, "payment_method_type": "upi", "connector_customer_id": "cust_88412",
             "created_at": 1699999995}},
             "cashfree:PAYMENT_SUCCESS_WEBHOOK:5114910474573:SUCCESS:2023-11-15T03:43:18+05:30")])
    failed = payment_body("PAYMENT_FAILED_WEBHOOK", "FAILED", "@2499.50", cf_payment_id="5114910474599",
                          message="Transaction declined by issuer", group="credit_card",
                          method={"card": {"channel": "link", "card_number": "XXXXXXXXXXXX1111", "card_network": "visa",
                                           "card_type": "credit_card", "card_country": "IN", "card_bank_name": "HDFC Bank"}},
                          error={"error_code": "TRANSACTION_DECLINED", "error_description": "issuer bank or payment service provider declined the transaction",
                                 "error_reason": "auth_declined", "error_source": "customer", "error_code_raw": "05",
                                 "error_description_raw": "Do not honour"})
    case("payment_failure", "PAYMENT_FAILED_WEBHOOK (card declined): PAYMENT_INTENT_FAILURE / FAILURE with error_details' code and description; 2499.50 INR → 249950.",
         failed, events=[ev("PAYMENT_INTENT_FAILURE", "PAYMENT_FAILED_WEBHOOK", {"payments_response": {
             "connector_transaction_id": "5114910474599", "status": "FAILURE", "amount": money(249950),
             "error": {"code": "TRANSACTION_DECLINED", "message": "issuer bank or payment service provider declined the transaction"},
             "payment_method_type": "credit_card"}}, None)])
    dropped = payment_body("PAYMENT_USER_DROPPED_WEBHOOK", "USER_DROPPED", "@170.00", cf_payment_id="5114910474601",
                           message="User dropped and did not complete the two factor authentication",
                           error={"error_code": None, "error_description": None, "error_reason": "user_dropped", "error_source": "customer"})
    case("payment_user_dropped", "PAYMENT_USER_DROPPED_WEBHOOK (the customer abandoned the attempt): PAYMENT_INTENT_FAILURE / FAILURE, error reason user_dropped.",
         dropped, events=[ev("PAYMENT_INTENT_FAILURE", "PAYMENT_USER_DROPPED_WEBHOOK", {"payments_response": {
             "connector_transaction_id": "5114910474601", "status": "FAILURE", "error": {"code": None, "message": "user_dropped"}}}, None)])
    rf = refund_body("SUCCESS", "@50.00", "Refund processed successfully")
    case("refund", "REFUND_STATUS_WEBHOOK with refund_status SUCCESS: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, 50.00 INR → 5000, no error (the success description is not an error); cf_payment_id given as a number is rendered as text.",
         rf, events=[ev("WEBHOOK_REFUND_SUCCESS", "REFUND_STATUS_WEBHOOK", {"refunds_response": {
             "connector_refund_id": "92000117", "merchant_refund_id": "refund_1042_a", "connector_transaction_id": "5114910474573",
             "status": "REFUND_SUCCESS", "refund_amount": money(5000), "refund_reason": "Damaged item returned", "error": None,
             "created_at": 1699992000}},
             "cashfree:REFUND_STATUS_WEBHOOK:92000117:SUCCESS:2023-11-15T03:43:19+05:30")])
    rc = refund_body("CANCELLED", "@50.00", "Refund cancelled as the bank account is closed", cf_refund_id="92000118", refund_id="refund_1042_b")
    case("refund_failure", "REFUND_STATUS_WEBHOOK with refund_status CANCELLED: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the status description as the error.",
         rc, events=[ev("WEBHOOK_REFUND_FAILURE", "REFUND_STATUS_WEBHOOK", {"refunds_response": {
             "connector_refund_id": "92000118", "status": "REFUND_FAILURE",
             "error": {"message": "Refund cancelled as the bank account is closed"}}}, None)])
    rp = refund_body("PENDING", "@50.00", "Refund is pending", cf_refund_id="92000119", refund_id="refund_1042_c")
    case("refund_pending", "REFUND_STATUS_WEBHOOK with refund_status PENDING: not final, EVENT_NOT_SUPPORTED (verified).",
         rp, events=[ev("EVENT_NOT_SUPPORTED", "REFUND_STATUS_WEBHOOK", None, None)])
    created = dispute_body("DISPUTE_CREATED", "CHARGEBACK", "CHARGEBACK_CREATED", "Chargeback is created, please take action")
    case("dispute_opened", "DISPUTE_CREATED for a chargeback (CHARGEBACK_CREATED): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE, 170.00 INR (currency from order_details), reason, respond-by deadline; numeric dispute_id rendered as text.",
         created, events=[ev("WEBHOOK_DISPUTE_OPENED", "DISPUTE_CREATED", {"disputes_response": {
             "connector_dispute_id": "433475258", "connector_transaction_id": "5114910474573", "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(17000), "dispute_reason": "1402",
             "dispute_message": "Duplicate Processing", "connector_status_code": "CHARGEBACK_CREATED",
             "due_date": 1700764199, "created_at": 1700454528}},
             "cashfree:DISPUTE_CREATED:433475258:CHARGEBACK_CREATED:2023-11-20T10:00:05+05:30")])
    review = dispute_body("DISPUTE_UPDATED", "CHARGEBACK", "CHARGEBACK_UNDER_REVIEW", "Evidence received and sent to the bank",
                          event_time="2023-11-22T12:00:00+05:30")
    case("dispute_challenged", "DISPUTE_UPDATED with CHARGEBACK_UNDER_REVIEW: WEBHOOK_DISPUTE_CHALLENGED.",
         review, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", "DISPUTE_UPDATED", {"disputes_response": {
             "dispute_status": "DISPUTE_CHALLENGED", "dispute_stage": "ACTIVE_DISPUTE"}}, None)])
    won = dispute_body("DISPUTE_CLOSED", "CHARGEBACK", "CHARGEBACK_MERCHANT_WON", "Dispute closed in your favour",
                       event_time="2023-12-20T12:00:00+05:30", resolved_at="2023-12-20T11:59:00+05:30")
    case("dispute_won", "DISPUTE_CLOSED with CHARGEBACK_MERCHANT_WON: WEBHOOK_DISPUTE_WON.",
         won, events=[ev("WEBHOOK_DISPUTE_WON", "DISPUTE_CLOSED", {"disputes_response": {
             "connector_dispute_id": "433475258", "dispute_status": "DISPUTE_WON", "dispute_stage": "ACTIVE_DISPUTE"}}, None)])
    lost = dispute_body("DISPUTE_CLOSED", "PRE_ARBITRATION", "PRE_ARBITRATION_MERCHANT_LOST", "Pre-arbitration decided in the customer's favour",
                        event_time="2024-01-20T12:00:00+05:30")
    case("dispute_lost_pre_arbitration", "DISPUTE_CLOSED with PRE_ARBITRATION_MERCHANT_LOST: WEBHOOK_DISPUTE_LOST at stage PRE_ARBITRATION.",
         lost, events=[ev("WEBHOOK_DISPUTE_LOST", "DISPUTE_CLOSED", {"disputes_response": {
             "dispute_status": "DISPUTE_LOST", "dispute_stage": "PRE_ARBITRATION"}}, None)])
    retrieval = dispute_body("DISPUTE_CREATED", "RETRIEVAL", "RETRIEVAL_CREATED", "Retrieval request received")
    case("dispute_retrieval", "DISPUTE_CREATED for a retrieval request (soft chargeback): WEBHOOK_DISPUTE_OPENED at stage PRE_DISPUTE.",
         retrieval, events=[ev("WEBHOOK_DISPUTE_OPENED", "DISPUTE_CREATED", {"disputes_response": {
             "dispute_status": "DISPUTE_OPENED", "dispute_stage": "PRE_DISPUTE"}}, None)])
    accepted = dispute_body("DISPUTE_CLOSED", "DISPUTE", "DISPUTE_MERCHANT_ACCEPTED", "Dispute accepted by merchant")
    case("dispute_accepted", "DISPUTE_CLOSED with DISPUTE_MERCHANT_ACCEPTED (a customer complaint, type DISPUTE): WEBHOOK_DISPUTE_ACCEPTED at stage PRE_DISPUTE.",
         accepted, events=[ev("WEBHOOK_DISPUTE_ACCEPTED", "DISPUTE_CLOSED", {"disputes_response": {
             "dispute_status": "DISPUTE_ACCEPTED", "dispute_stage": "PRE_DISPUTE"}}, None)])
    other = dumps({"data": {"order": {"order_id": "order_1042_hk"}, "payment": {"cf_payment_id": "5114910474573",
                   "payment_status": "SUCCESS", "service_charge": "@3.40", "service_tax": "@0.61"}},
                   "event_time": "2023-11-15T03:45:00+05:30", "type": "PAYMENT_CHARGES_WEBHOOK"})
    case("unsupported_event", "PAYMENT_CHARGES_WEBHOOK (fees of a payment): verified, EVENT_NOT_SUPPORTED.",
         other, events=[ev("EVENT_NOT_SUPPORTED", "PAYMENT_CHARGES_WEBHOOK", None, None)])
    case("rotated_additional_secret", "Signed with the second client secret, passed as additional_secret: verifies.",
         ok, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "PAYMENT_SUCCESS_WEBHOOK", {"payments_response": {"connector_transaction_id": "5114910474573"}}, None)])
    case("old_timestamp_accepted", "Signed with a timestamp a day old: accepted, since neither Cashfree's documentation nor its SDK defines a replay window (retries can be configured hours apart).",
         ok, ts=str(int(TS_MS) - 86_400_000), events=[ev("PAYMENT_INTENT_SUCCESS", "PAYMENT_SUCCESS_WEBHOOK", {"payments_response": {"status": "CHARGED"}}, None)])
    case("wrong_signature", "Signed with another client secret: InvalidSignature (the SDK raises).", ok, secret="cfsk_ma_test_not_the_secret", error="InvalidSignature")
    tampered = ok.replace('"payment_amount":170.00', '"payment_amount":1.00', 1)
    assert tampered != ok
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=sign(SECRET, TS_MS, ok), error="InvalidSignature")
    case("tampered_timestamp", "x-webhook-timestamp changed after signing (it is signed material): InvalidSignature.",
         ok, ts=str(int(TS_MS) + 1), sig=sign(SECRET, TS_MS, ok), error="InvalidSignature")
    case("missing_signature", "No x-webhook-signature header: MissingSignature.", ok, sig=False, error="MissingSignature")
    case("missing_timestamp", "No x-webhook-timestamp header (the signed timestamp): MissingSignature.",
         ok, ts=False, sig=sign(SECRET, TS_MS, ok), error="MissingSignature")


def oracle(name, fx):
    """True = PGVerifyWebhookSignature accepted with one of the fixture's secrets."""
    rd = details(fx)
    sig, ts = rd["headers"].get("x-webhook-signature"), rd["headers"].get("x-webhook-timestamp")
    if sig is None or ts is None:
        assert fx.get("expect_error") == "MissingSignature", "a header is missing: MissingSignature expected"
        return False
    for secret in secrets_of(fx):
        try:
            event = Cashfree(Cashfree.SANDBOX, XClientSecret=secret).PGVerifyWebhookSignature(sig, rd["body_text"], ts)
        except Exception as e:  # the SDK raises a plain Exception on mismatch
            assert "did not match" in str(e), e
            continue
        if "expect" in fx:
            assert event.type == fx["expect"]["events"][0]["connector_event_type"], event.type
        return True
    return False


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
