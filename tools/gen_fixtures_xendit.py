#!/usr/bin/env python3
"""Generate tests/fixtures/xendit/*.json (Xendit webhooks with the callback token).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_xendit.py

Xendit signs nothing: every webhook carries `x-callback-token`, the account's verification
token, and Xendit's documentation says to compare it with the token from the Dashboard.
`xendit-python` has no callback helper, so every fixture is checked by `docs_verifies`, a
separate reading of that rule (exact, constant-time equality with one of the configured tokens).
The expected idempotency key is hooknorm's default for a token scheme, derived from the body.
Bodies follow the Payments API, refund and Invoice callback examples of Xendit's documentation;
ids, amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/xendit/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, money, secrets_of

URL = "https://shop.example/webhooks/xendit"
TOKEN = "XnD7kQ2vL9pR4tW8yB3mC6fH1jN5sZ0aE2gK4uP7"
TOKEN2 = "Yp3sV8bN1mQ6wE9rT2uI5oL7kJ4hG0fD3aS6zX9c"
NOW = 1700000030
CASES = Cases("xendit", url=URL, now=NOW)
BIZ = "5f27a14a9bf05c73dd040bc8"


def key(text):
    """hooknorm's default key for a token scheme: from `body:<sha256 hex of the body>`."""
    return fixturelib.default_idempotency_key("xendit", "body:" + hashlib.sha256(text.encode()).hexdigest())


def case(name, description, text, event_type=None, cet=None, response=OMIT, *, error=None, token=TOKEN, secrets=None,
         webhook_id="whk-7c1e5a3b9d2f4e6a8c0b", header_name="x-callback-token"):
    headers = {"Content-Type": "application/json", "User-Agent": "Xendit"}
    if webhook_id:
        headers["webhook-id"] = webhook_id
    if token is not None:
        headers[header_name] = token
    events = [event(event_type, cet, webhook_id, response, key=key(text))] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": TOKEN}, events=events, error=error)


def payments(ev_name, status, amount=250000, currency="IDR", **extra):
    data = {"id": "py-1402feb0-bb79-47ae-9d1e-e69394d3949c", "payment_request_id": "pr-b1f9f4f0-3e5b-4c8e-9b1e-8a2f0c6d4e21",
            "reference_id": "ORDER-77-2023", "customer_id": None, "amount": amount, "currency": currency, "country": "ID",
            "status": status, "failure_code": None,
            "payment_method": {"id": "pm-2b2c6092-2100-4843-a7fc-f5c7edac7efd", "type": "EWALLET",
                               "ewallet": {"channel_code": "OVO"}, "reusability": "ONE_TIME_USE", "status": "ACTIVE"},
            "channel_properties": None, "metadata": {"sku": "ABCDEFGH"}, "created": "2023-11-14T22:13:20.000Z",
            "updated": "2023-11-14T22:13:20.000Z"}
    data.update(extra)
    return json.dumps({"event": ev_name, "business_id": BIZ, "created": "2023-11-14T22:13:21.000Z", "data": data},
                      separators=(",", ":"))


def gen():
    ok = payments("payment.succeeded", "SUCCEEDED")
    case("payment_success", "payment.succeeded (Payments API): PAYMENT_INTENT_SUCCESS / CHARGED; Xendit's payment id, the merchant's reference_id, Rp250,000 (a number in the major unit; IDR has 2 decimals in ISO 4217) = 25000000, payment method type EWALLET; webhook-id is the event id. x-callback-token equals the configured token.",
         ok, "PAYMENT_INTENT_SUCCESS", "payment.succeeded", {"payments_response": {
             "connector_transaction_id": "py-1402feb0-bb79-47ae-9d1e-e69394d3949c", "merchant_transaction_id": "ORDER-77-2023",
             "status": "CHARGED", "amount": money(25000000, "IDR"), "payment_method_type": "EWALLET", "created_at": 1700000000}})
    php = payments("payment.succeeded", "SUCCEEDED", amount=1500.75, currency="PHP")
    case("payment_success_php", "A PHP payment of 1500.75: exact conversion to 150075 centavos.",
         php, "PAYMENT_INTENT_SUCCESS", "payment.succeeded", {"payments_response": {"amount": money(150075, "PHP")}})
    failed = payments("payment.failed", "FAILED", failure_code="INSUFFICIENT_BALANCE")
    case("payment_failure", "payment.failed: PAYMENT_INTENT_FAILURE / FAILURE with Xendit's failure_code.",
         failed, "PAYMENT_INTENT_FAILURE", "payment.failed", {"payments_response": {
             "status": "FAILURE", "error": {"code": "INSUFFICIENT_BALANCE"}}})
    pending = payments("payment.pending", "PENDING")
    case("payment_pending", "payment.pending: PAYMENT_INTENT_PROCESSING.", pending, "PAYMENT_INTENT_PROCESSING", "payment.pending")
    refund = json.dumps({"event": "refund.succeeded", "business_id": BIZ, "created": "2023-11-15T10:00:01.000Z",
                         "data": {"id": "rfd-6f4a1f44-8c17-4a8d-9a1b-2f3e4d5c6b7a", "payment_id": "py-1402feb0-bb79-47ae-9d1e-e69394d3949c",
                                  "invoice_id": None, "payment_request_id": "pr-b1f9f4f0-3e5b-4c8e-9b1e-8a2f0c6d4e21",
                                  "amount": 50000, "channel_code": "OVO", "currency": "IDR", "status": "SUCCEEDED",
                                  "reason": "REQUESTED_BY_CUSTOMER", "reference_id": "RFND-77-1", "failure_code": None,
                                  "refund_fee_amount": None, "created": "2023-11-15T10:00:00.000Z",
                                  "updated": "2023-11-15T10:00:01.000Z", "metadata": None}}, separators=(",", ":"))
    case("refund", "refund.succeeded: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; refund id, payment id, the merchant's reference_id, Rp50,000 = 5000000, reason.",
         refund, "WEBHOOK_REFUND_SUCCESS", "refund.succeeded", {"refunds_response": {
             "connector_refund_id": "rfd-6f4a1f44-8c17-4a8d-9a1b-2f3e4d5c6b7a",
             "connector_transaction_id": "py-1402feb0-bb79-47ae-9d1e-e69394d3949c", "merchant_refund_id": "RFND-77-1",
             "status": "REFUND_SUCCESS", "refund_amount": money(5000000, "IDR"), "refund_reason": "REQUESTED_BY_CUSTOMER",
             "created_at": 1700042400}})
    refund_failed = refund.replace('"refund.succeeded"', '"refund.failed"').replace('"SUCCEEDED"', '"FAILED"').replace(
        '"failure_code":null', '"failure_code":"INSUFFICIENT_BALANCE"')
    case("refund_failure", "refund.failed: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the failure code.",
         refund_failed, "WEBHOOK_REFUND_FAILURE", "refund.failed", {"refunds_response": {
             "status": "REFUND_FAILURE", "error": {"code": "INSUFFICIENT_BALANCE"}}})
    invoice = json.dumps({"id": "579c8d61f23fa4ca35e52da4", "external_id": "invoice_123124123", "user_id": BIZ, "is_high": True,
                          "payment_method": "BANK_TRANSFER", "status": "PAID", "merchant_name": "Toko Sejahtera", "amount": 50000,
                          "paid_amount": 50000, "bank_code": "PERMATA", "paid_at": "2023-11-14T22:13:20.000Z",
                          "payer_email": "budi@example.com", "description": "Pembayaran pesanan", "adjusted_received_amount": 47500,
                          "fees_paid_amount": 0, "updated": "2023-11-14T22:13:20.000Z", "created": "2023-11-14T22:00:00.000Z",
                          "currency": "IDR", "payment_channel": "PERMATA", "payment_destination": "888888888888"},
                         separators=(",", ":"))
    case("invoice_paid", "An Invoice callback (no `event` field) with status PAID: type invoice:PAID, PAYMENT_INTENT_SUCCESS; the invoice id, external_id, Rp50,000, payment_method BANK_TRANSFER.",
         invoice, "PAYMENT_INTENT_SUCCESS", "invoice:PAID", {"payments_response": {
             "connector_transaction_id": "579c8d61f23fa4ca35e52da4", "merchant_transaction_id": "invoice_123124123",
             "amount": money(5000000, "IDR"), "payment_method_type": "BANK_TRANSFER"}})
    expired = invoice.replace('"status":"PAID"', '"status":"EXPIRED"')
    case("invoice_expired", "An Invoice callback EXPIRED: PAYMENT_INTENT_EXPIRED.", expired, "PAYMENT_INTENT_EXPIRED", "invoice:EXPIRED")
    other = json.dumps({"event": "payment_method.activated", "business_id": BIZ, "created": "2023-11-14T22:13:21.000Z",
                        "data": {"id": "pm-2b2c6092-2100-4843-a7fc-f5c7edac7efd", "type": "EWALLET", "status": "ACTIVE"}},
                       separators=(",", ":"))
    case("unsupported_event", "payment_method.activated: verified, EVENT_NOT_SUPPORTED.", other, "EVENT_NOT_SUPPORTED",
         "payment_method.activated")
    case("rotated_additional_secret", "The regenerated token, configured as additional_secret beside the old one: verified.",
         ok, "PAYMENT_INTENT_SUCCESS", "payment.succeeded", token=TOKEN2, secrets={"secret": TOKEN, "additional_secret": TOKEN2})
    case("header_name_case", "The header as X-CALLBACK-TOKEN: header names are case-insensitive.",
         ok, "PAYMENT_INTENT_SUCCESS", "payment.succeeded", header_name="X-CALLBACK-TOKEN")
    case("without_webhook_id", "No webhook-id header: verified, no event id; the idempotency key still follows the body.",
         ok, "PAYMENT_INTENT_SUCCESS", "payment.succeeded", webhook_id=None)
    case("wrong_token", "Another token: InvalidSignature.", ok, token="XnD7kQ2vL9pR4tW8yB3mC6fH1jN5sZ0aE2gK4uP8", error="InvalidSignature")
    case("token_prefix", "Only the first half of the right token: InvalidSignature (the whole token must match).",
         ok, token=TOKEN[:20], error="InvalidSignature")
    case("token_lowercase", "The right token in lower case: InvalidSignature (compared byte for byte).",
         ok, token=TOKEN.lower(), error="InvalidSignature")
    case("missing_token", "No x-callback-token header: MissingSignature.", ok, token=None, error="MissingSignature")


def docs_verifies(name, fx):
    """Xendit's rule read separately: x-callback-token equals a configured token exactly."""
    got = header_get(details(fx)["headers"], "x-callback-token")
    if got is None:
        return False
    return any(hmac.compare_digest(got.encode(), t.encode()) for t in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against Xendit's documented rule)")


if __name__ == "__main__":
    main()
