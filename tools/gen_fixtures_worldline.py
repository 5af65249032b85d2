#!/usr/bin/env python3
"""Generate tests/fixtures/worldline/*.json (Worldline Connect webhooks), verified with the SDK.

How to run (from the repository root):

    python3 -m venv /tmp/worldline-venv
    /tmp/worldline-venv/bin/pip install connect-sdk-python3==6.3.0
    /tmp/worldline-venv/bin/python tools/gen_fixtures_worldline.py

Worldline's official Python SDK for Connect, `connect-sdk-python3` 6.3.0, verifies webhooks in
`worldline.connect.sdk.webhooks.SignatureValidator.validate(body, headers)`: `X-GCS-Signature`
must equal (hmac.compare_digest) the base64 HMAC-SHA256 of the raw body keyed with the secret
key that `X-GCS-KeyId` names in its key store. The SDK has no signer, so the fixtures are signed
here with Python's hmac, and EVERY fixture is then checked with the SDK's validator (each of the
fixture's secrets stored under the fixture's key id): a fixture that expects events must verify,
one that expects a signature error must not. One deliberate difference, documented in the spec:
hooknorm does not need `X-GCS-KeyId` (it tries the account's keys); for the fixture without a
key id the oracle supplies one, so only the signature decides. Bodies follow the SDK's
`WebhooksEvent` / `PaymentResponse` / `RefundResponse` models and Worldline's event-type page;
ids, amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/worldline/*.json and writes nothing else.
"""

import base64
import hashlib
import hmac
import json

from worldline.connect.sdk.communication.request_header import RequestHeader
from worldline.connect.sdk.webhooks.in_memory_secret_key_store import InMemorySecretKeyStore
from worldline.connect.sdk.webhooks.signature_validation_exception import SignatureValidationException
from worldline.connect.sdk.webhooks.signature_validator import SignatureValidator

import fixturelib
from fixturelib import OMIT, Cases, details, event_builder, money, secrets_of, header_get

URL = "https://shop.example/webhooks/worldline"
SECRET = "qz1M7pXr9Kc2Tv4Wb8Ny6Ld3Hs5Fg0Ja"
SECRET2 = "Rt6Yp2Wm9Qx4Vc7Bn1Lk8Jh3Gf5Ds0Ae"
KEY_ID = "e8b1a7c4-3f2d-4a9e-b6c5-1d0f2e3a4b5c"
NOW = 1700000030  # Worldline signs no timestamp; `now` only pins the clock.
CASES = Cases("worldline", url=URL, now=NOW)
ev = event_builder("worldline")


def sign(secret, text):
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def body(event_id, event_type, **resource):
    d = {"apiVersion": "v1", "id": event_id, "created": "2023-11-14T23:13:20.040+0100", "merchantId": "20000",
         "type": event_type}
    d.update(resource)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None, key_id=KEY_ID,
         sig_header="X-GCS-Signature"):
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Worldline-Webhooks"}
    if key_id is not None:
        headers["X-GCS-KeyId"] = key_id
    signature = sig if sig is not None else sign(secret, text)
    if sig is not False:
        headers[sig_header] = signature
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def payment(pid, status, amount, currency, *, method="card", errors=None, category="COMPLETED", code=9):
    out = {"id": pid,
           "paymentOutput": {"amountOfMoney": {"amount": amount, "currencyCode": currency},
                             "references": {"merchantReference": "ORDER-2023-1187", "paymentReference": "0"},
                             "paymentMethod": method,
                             "cardPaymentMethodSpecificOutput": {"paymentProductId": 1, "authorisationCode": "726747",
                                                                 "card": {"cardNumber": "************7977", "expiryDate": "1230"},
                                                                 "fraudResults": {"avsResult": "0", "cvvResult": "M", "fraudServiceResult": "no-advice"}}},
           "status": status,
           "statusOutput": {"isCancellable": False, "statusCategory": category, "statusCode": code,
                            "statusCodeChangeDateTime": "20231114231320", "isAuthorized": True, "isRefundable": True}}
    if errors:
        out["statusOutput"]["errors"] = errors
    return out


PID = "000000850010000188180000200001"


def gen():
    paid = body("8ee793f6-4553-4749-85dc-f2ef095c5ab0", "payment.paid", payment=payment(PID, "PAID", 2980, "EUR"))
    case("payment_success", "payment.paid: PAYMENT_INTENT_SUCCESS / CHARGED; the payment id, the merchant reference, EUR 29.80 as 2980 (Worldline amounts are in the minor unit), payment method card; the signed event id is the idempotency key. Signed with hmac (base64 HMAC-SHA256 of the body), verified with connect-sdk-python3's SignatureValidator.",
         paid, events=[ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "8ee793f6-4553-4749-85dc-f2ef095c5ab0", {"payments_response": {
             "connector_transaction_id": PID, "merchant_transaction_id": "ORDER-2023-1187", "status": "CHARGED",
             "amount": money(2980, "EUR"), "payment_method_type": "card", "error": None}})])
    auth = body("0c6a8b2e-1f3d-4e5a-9b7c-2d4e6f8a0b1c", "payment.pending_capture",
                payment=payment(PID, "PENDING_CAPTURE", 125000, "JPY", category="PENDING_MERCHANT", code=600))
    case("payment_authorized", "payment.pending_capture (authorized, waiting for the merchant's capture): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED; JPY has no minor unit, so 125000 is ¥125,000.",
         auth, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "payment.pending_capture", "0c6a8b2e-1f3d-4e5a-9b7c-2d4e6f8a0b1c", {"payments_response": {
             "connector_transaction_id": PID, "status": "AUTHORIZED", "amount": money(125000, "JPY")}})])
    captured = body("5b1d7e9f-2a4c-4b6d-8e0f-3a5c7e9b1d2f", "payment.captured", payment=payment(PID, "CAPTURED", 2980, "EUR"))
    case("payment_captured", "payment.captured: PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED.",
         captured, events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", "payment.captured", "5b1d7e9f-2a4c-4b6d-8e0f-3a5c7e9b1d2f", {"payments_response": {
             "connector_transaction_id": PID, "status": "CHARGED"}})])
    rejected = body("a7c9e1b3-5d7f-4a2c-8e6b-0d2f4a6c8e0a", "payment.rejected",
                    payment=payment("000000850010000188190000100001", "REJECTED", 4500, "GBP", category="UNSUCCESSFUL", code=2,
                                    errors=[{"code": "430330", "propertyName": None, "message": "Not authorised",
                                             "httpStatusCode": 402, "id": "NOT_AUTHORISED", "category": "IO_ERROR"}]))
    case("payment_failure", "payment.rejected with the issuer's error: PAYMENT_INTENT_FAILURE / FAILURE, error code 430330 and message from statusOutput.errors.",
         rejected, events=[ev("PAYMENT_INTENT_FAILURE", "payment.rejected", "a7c9e1b3-5d7f-4a2c-8e6b-0d2f4a6c8e0a", {"payments_response": {
             "connector_transaction_id": "000000850010000188190000100001", "status": "FAILURE", "amount": money(4500, "GBP"),
             "error": {"code": "430330", "message": "Not authorised"}}})])
    cancelled = body("c3e5a7b9-1d3f-4c5e-a7b9-d1f3a5c7e9b1", "payment.cancelled", payment=payment(PID, "CANCELLED", 2980, "EUR"))
    case("payment_cancelled", "payment.cancelled: PAYMENT_INTENT_CANCELLED / VOIDED.",
         cancelled, events=[ev("PAYMENT_INTENT_CANCELLED", "payment.cancelled", "c3e5a7b9-1d3f-4c5e-a7b9-d1f3a5c7e9b1", {"payments_response": {
             "connector_transaction_id": PID, "status": "VOIDED"}})])
    refund = {"id": "000000850010000188180000300001",
              "refundOutput": {"amountOfMoney": {"amount": 1490, "currencyCode": "EUR"},
                               "references": {"merchantReference": "REFUND-1187-1", "paymentReference": "0"},
                               "paymentMethod": "card", "amountPaid": 1490,
                               "cardRefundMethodSpecificOutput": {"refundProductId": 1, "totalAmountPaid": 2980, "totalAmountRefunded": 1490}},
              "status": "REFUNDED",
              "statusOutput": {"isCancellable": False, "statusCategory": "COMPLETED", "statusCode": 8, "statusCodeChangeDateTime": "20231115101500"}}
    refunded = body("e1f3a5b7-c9d1-4e3f-a5b7-c9d1e3f5a7b9", "refund.refunded", refund=refund)
    case("refund", "refund.refunded (a partial refund of EUR 14.90): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS with the refund id and the merchant's refund reference.",
         refunded, events=[ev("WEBHOOK_REFUND_SUCCESS", "refund.refunded", "e1f3a5b7-c9d1-4e3f-a5b7-c9d1e3f5a7b9", {"refunds_response": {
             "connector_refund_id": "000000850010000188180000300001", "merchant_refund_id": "REFUND-1187-1", "status": "REFUND_SUCCESS",
             "refund_amount": money(1490, "EUR"), "error": None}})])
    rrej = dict(refund, status="REJECTED", statusOutput={"isCancellable": False, "statusCategory": "UNSUCCESSFUL", "statusCode": 83,
                                                         "errors": [{"code": "400490", "message": "Refund not allowed"}]})
    refund_rejected = body("f2a4b6c8-d0e2-4f4a-b6c8-d0e2f4a6b8c0", "refund.rejected", refund=rrej)
    case("refund_failure", "refund.rejected: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with Worldline's error.",
         refund_rejected, events=[ev("WEBHOOK_REFUND_FAILURE", "refund.rejected", "f2a4b6c8-d0e2-4f4a-b6c8-d0e2f4a6b8c0", {"refunds_response": {
             "connector_refund_id": "000000850010000188180000300001", "status": "REFUND_FAILURE",
             "error": {"code": "400490", "message": "Refund not allowed"}}})])
    cbn = body("1a3c5e7a-9b1d-4f3b-8d5f-7a9c1e3b5d7f", "payment.chargeback_notified",
               payment=payment(PID, "CHARGEBACK_NOTIFICATION", 2980, "EUR", category="COMPLETED", code=1500))
    case("dispute_opened", "payment.chargeback_notified: WEBHOOK_DISPUTE_OPENED / DISPUTE_OPENED; on Connect a chargeback is a status of the payment, so the payment id is the dispute id and the payment's amount the disputed amount.",
         cbn, events=[ev("WEBHOOK_DISPUTE_OPENED", "payment.chargeback_notified", "1a3c5e7a-9b1d-4f3b-8d5f-7a9c1e3b5d7f", {"disputes_response": {
             "connector_dispute_id": PID, "connector_transaction_id": PID, "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(2980, "EUR"), "connector_status_code": "CHARGEBACK_NOTIFICATION"}})])
    cbd = body("2b4d6f8b-0c2e-4a4c-9e6a-8b0d2f4c6e8a", "payment.chargebacked", payment=payment(PID, "CHARGEBACKED", 2980, "EUR", code=1800))
    case("dispute_lost", "payment.chargebacked (the chargeback was booked against the merchant): WEBHOOK_DISPUTE_LOST.",
         cbd, events=[ev("WEBHOOK_DISPUTE_LOST", "payment.chargebacked", "2b4d6f8b-0c2e-4a4c-9e6a-8b0d2f4c6e8a", {"disputes_response": {
             "connector_dispute_id": PID, "dispute_status": "DISPUTE_LOST", "connector_status_code": "CHARGEBACKED"}})])
    created = body("3c5e7a9c-1d3f-4b5d-af7b-9c1e3a5c7e9b", "payment.created", payment=payment(PID, "CREATED", 2980, "EUR", category="CREATED", code=0))
    case("unsupported_event", "payment.created (the initial state of a new payment, nothing happened yet): verified, EVENT_NOT_SUPPORTED.",
         created, events=[ev("EVENT_NOT_SUPPORTED", "payment.created", "3c5e7a9c-1d3f-4b5d-af7b-9c1e3a5c7e9b", None)])
    # Signature cases.
    case("rotated_additional_secret", "Signed with the new key while the old one is still configured as `secret`: any configured key may verify (the SDK would pick it by X-GCS-KeyId).",
         paid, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "8ee793f6-4553-4749-85dc-f2ef095c5ab0", OMIT)])
    case("lowercase_header_name", "The header names in lower case (HTTP/2 delivery): header names are case-insensitive, as in the SDK.",
         paid, sig_header="x-gcs-signature", events=[ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "8ee793f6-4553-4749-85dc-f2ef095c5ab0", OMIT)])
    case("without_key_id", "No X-GCS-KeyId header but a valid signature: accepted (hooknorm tries the configured keys; the SDK would refuse before verifying; documented in the spec).",
         paid, key_id=None, events=[ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "8ee793f6-4553-4749-85dc-f2ef095c5ab0", OMIT)])
    case("wrong_signature", "Signed with another secret key: InvalidSignature.", paid, secret="aNotherSecretKeyOfThirtyTwoChars", error="InvalidSignature")
    good = sign(SECRET, paid)
    case("hex_signature", "The right HMAC as hex instead of base64: InvalidSignature (the SDK compares the base64 text).",
         paid, sig=hmac.new(SECRET.encode(), paid.encode(), hashlib.sha256).hexdigest(), error="InvalidSignature")
    case("unpadded_signature", "The right HMAC in base64 without its `=` padding: InvalidSignature (compared as text, as the SDK does).",
         paid, sig=good.rstrip("="), error="InvalidSignature")
    tampered = paid.replace('"amount":2980', '"amount":29800', 1)
    assert tampered != paid
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=good, error="InvalidSignature")
    case("reserialized_body", "The same JSON pretty-printed after signing: the HMAC covers the raw bytes: InvalidSignature.",
         json.dumps(json.loads(paid), indent=2), sig=good, error="InvalidSignature")
    case("missing_signature", "No X-GCS-Signature header: MissingSignature.", paid, sig=False, error="MissingSignature")


def sdk_verifies(name, fx):
    """connect-sdk-python3's SignatureValidator with each of the fixture's secrets."""
    rd = details(fx)
    headers = [RequestHeader(k, v) for k, v in rd["headers"].items()]
    key_id = header_get(rd["headers"], "X-GCS-KeyId")
    if key_id is None:
        key_id = "oracle-supplied-key-id"
        headers.append(RequestHeader("X-GCS-KeyId", key_id))
    for secret in secrets_of(fx):
        store = InMemorySecretKeyStore.instance()
        store.clear()
        store.store_secret_key(key_id, secret)
        try:
            SignatureValidator(store).validate(rd["body_text"].encode(), headers)
            return True
        except SignatureValidationException:
            continue
    return False


def main():
    gen()
    fixturelib.generate(CASES, sdk_verifies, note=" (each checked with connect-sdk-python3 6.3.0)")


if __name__ == "__main__":
    main()
