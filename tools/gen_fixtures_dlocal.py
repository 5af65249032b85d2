#!/usr/bin/env python3
"""Generate tests/fixtures/dlocal/*.json (dLocal notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_dlocal.py

dLocal's documentation: notifications carry `X-Date`, `X-Login` and `Authorization:
V2-HMAC-SHA256, Signature: <hex>`, the hex being HMAC-SHA256(secret key, X-Login + X-Date +
body), exactly as dLocal's API requests are signed. dLocal publishes no Python SDK, so the
fixtures are signed here with Python's hmac and every fixture is checked by `docs_verifies`, a
separate reading of that rule (the header must start with the documented prefix; the digest is
compared in constant time). Bodies follow the payment, refund and chargeback objects of dLocal's
API reference; ids, amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/dlocal/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, money, secrets_of

URL = "https://shop.example/webhooks/dlocal"
SECRET = "dlocal-secret-Vk8s7Yq2Lm4Np6Rt"
SECRET2 = "dlocal-secret-Bx3Cz5Dv7Fw9Gy1H"
LOGIN = "sak223k2wdksdl2"
DATE = "2023-11-14T22:13:20.000Z"
NOW = 1700000030
PREFIX = "V2-HMAC-SHA256, Signature: "
CASES = Cases("dlocal", url=URL, now=NOW)
PAY = "D-4-cf8ee8b0-4b3d-4f83-a1d2-9c0a7e5b3f21"


def mac(secret, login, date, text):
    return hmac.new(secret.encode(), (login + date + text).encode(), hashlib.sha256).hexdigest()


def ev(event_type, cet, sig, response):
    return event(event_type, cet, None, response, key=fixturelib.default_idempotency_key("dlocal", sig))


def case(name, description, obj, event_type=None, response=OMIT, *, error=None, sig=None, secret=SECRET, secrets=None,
         login=LOGIN, date=DATE, text=None):
    text = text if text is not None else json.dumps(obj, separators=(",", ":"))
    headers = {"Content-Type": "application/json", "User-Agent": "dLocal-Notifications"}
    if login is not None:
        headers["X-Login"] = login
    if date is not None:
        headers["X-Date"] = date
    digest = mac(secret, login or "", date or "", text)
    header = sig if sig is not None else PREFIX + digest
    if sig is not False:
        headers["Authorization"] = header
    cet = None
    if event_type:
        kind = "payment" if "payment_id" not in obj else ("refund" if obj.get("amount_refunded") is not None else "chargeback")
        cet = f"{kind}:{obj['status']}"
    events = [ev(event_type, cet, digest, response)] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def payment(status, code, detail, amount=72.5, currency="BRL", **extra):
    d = {"id": PAY, "amount": amount, "status": status, "status_detail": detail, "status_code": code, "currency": currency,
         "country": "BR", "payment_method_id": "CARD", "payment_method_type": "CARD", "payment_method_flow": "DIRECT",
         "card": {"holder_name": "João Araújo", "expiration_month": 10, "expiration_year": 2030, "brand": "VI", "last4": "1111"},
         "created_date": "2023-11-14T22:13:18.000+0000", "approved_date": "2023-11-14T22:13:19.000+0000",
         "order_id": "ORD-55012", "notification_url": URL}
    d.update(extra)
    return d


def gen():
    paid = payment("PAID", "200", "The payment was paid.")
    case("payment_success", "A payment notification with status PAID: PAYMENT_INTENT_SUCCESS / CHARGED; dLocal's payment id, the merchant's order_id, BRL 72.50 (major unit) = 7250 centavos, payment_method_id CARD. Authorization = V2-HMAC-SHA256 over X-Login + X-Date + body; the card holder's name is non-ASCII (raw UTF-8 bytes signed).",
         paid, "PAYMENT_INTENT_SUCCESS", {"payments_response": {
             "connector_transaction_id": PAY, "merchant_transaction_id": "ORD-55012", "status": "CHARGED",
             "amount": money(7250, "BRL"), "payment_method_type": "CARD", "error": None}})
    clp = payment("PAID", "200", "The payment was paid.", amount=15990, currency="CLP", country="CL")
    case("payment_success_zero_decimal", "A CLP payment: CLP has no minor unit, so 15990 stays 15990.",
         clp, "PAYMENT_INTENT_SUCCESS", {"payments_response": {"amount": money(15990, "CLP")}})
    authorized = payment("AUTHORIZED", "600", "The payment is authorized.")
    case("payment_authorized", "status AUTHORIZED (authorized, not captured): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         authorized, "PAYMENT_INTENT_AUTHORIZATION_SUCCESS", {"payments_response": {"status": "AUTHORIZED"}})
    pending = payment("PENDING", "100", "The payment is pending.", payment_method_id="BL", payment_method_type="TICKET",
                      payment_method_flow="REDIRECT", card=OMIT)
    pending = {k: v for k, v in pending.items() if v is not OMIT}
    case("payment_pending", "A boleto payment PENDING (waiting for the customer to pay): PAYMENT_INTENT_PROCESSING.",
         pending, "PAYMENT_INTENT_PROCESSING", {"payments_response": {"payment_method_type": "BL"}})
    rejected = payment("REJECTED", "300", "The payment was rejected.")
    case("payment_failure", "status REJECTED: PAYMENT_INTENT_FAILURE / FAILURE with dLocal's status_code and status_detail as the error.",
         rejected, "PAYMENT_INTENT_FAILURE", {"payments_response": {
             "status": "FAILURE", "error": {"code": "300", "message": "The payment was rejected."}}})
    expired = payment("EXPIRED", "400", "The payment has expired.")
    case("payment_expired", "status EXPIRED: PAYMENT_INTENT_EXPIRED.", expired, "PAYMENT_INTENT_EXPIRED")
    refund = {"id": "REF-15-9fb9c5d8-1e2f-4a3b-8c7d-6e5f4a3b2c1d", "payment_id": PAY, "status": "SUCCESS", "currency": "BRL",
              "amount": 20, "amount_refunded": 20, "status_code": 200, "status_detail": "The refund was paid.",
              "notification_url": URL, "created_date": "2023-11-15T10:00:00.000+0000"}
    case("refund", "A refund notification (a payment_id and amount_refunded make it a refund) with status SUCCESS: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, BRL 20 = 2000.",
         refund, "WEBHOOK_REFUND_SUCCESS", {"refunds_response": {
             "connector_refund_id": "REF-15-9fb9c5d8-1e2f-4a3b-8c7d-6e5f4a3b2c1d", "connector_transaction_id": PAY,
             "status": "REFUND_SUCCESS", "refund_amount": money(2000, "BRL"), "error": None}})
    refund_rej = dict(refund, status="REJECTED", status_code=702, status_detail="The refund was rejected.", amount_refunded=0)
    case("refund_failure", "A refund REJECTED: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with dLocal's code (a JSON number, read as its text) and detail; amount_refunded 0, so the refund amount is 0.",
         refund_rej, "WEBHOOK_REFUND_FAILURE", {"refunds_response": {
             "status": "REFUND_FAILURE", "refund_amount": money(0, "BRL"),
             "error": {"code": "702", "message": "The refund was rejected."}}})
    refund_pending = dict(refund, status="PENDING", status_code=100, status_detail="The refund is pending.")
    case("refund_pending_unsupported", "A refund PENDING is not final and the contract has no pending-refund type: EVENT_NOT_SUPPORTED.",
         refund_pending, "EVENT_NOT_SUPPORTED")
    cb = {"id": "CHAR42342", "payment_id": PAY, "status": "COMPLETED", "currency": "BRL", "amount": 72.5, "status_code": 200,
          "status_detail": "The chargeback was executed.", "created_date": "2023-11-20T10:00:00.000+0000",
          "notification_url": URL, "order_id": "ORD-55012"}
    case("dispute_lost", "A chargeback notification (a payment_id, no amount_refunded) COMPLETED (executed against the merchant): WEBHOOK_DISPUTE_LOST with the amount and detail.",
         cb, "WEBHOOK_DISPUTE_LOST", {"disputes_response": {
             "connector_dispute_id": "CHAR42342", "connector_transaction_id": PAY, "dispute_status": "DISPUTE_LOST",
             "dispute_amount": money(7250, "BRL"), "dispute_message": "The chargeback was executed.", "connector_status_code": "COMPLETED"}})
    cb_pending = dict(cb, status="PENDING", status_code=100, status_detail="The chargeback is pending.")
    case("dispute_opened", "A chargeback PENDING: WEBHOOK_DISPUTE_OPENED.", cb_pending, "WEBHOOK_DISPUTE_OPENED",
         {"disputes_response": {"dispute_status": "DISPUTE_OPENED"}})
    cb_rev = dict(cb, status="REVERSED", status_code=201, status_detail="The chargeback was reversed.")
    case("dispute_won", "A chargeback REVERSED (in the merchant's favour): WEBHOOK_DISPUTE_WON.", cb_rev, "WEBHOOK_DISPUTE_WON",
         {"disputes_response": {"dispute_status": "DISPUTE_WON"}})
    verified = payment("VERIFIED", "700", "The card was verified.")
    case("unsupported_event", "A payment VERIFIED (a card verification, no money moved): EVENT_NOT_SUPPORTED.", verified, "EVENT_NOT_SUPPORTED")
    case("rotated_additional_secret", "Signed with the new secret key configured as additional_secret: verified.",
         paid, "PAYMENT_INTENT_SUCCESS", secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2})
    text = json.dumps(paid, separators=(",", ":"))
    good = PREFIX + mac(SECRET, LOGIN, DATE, text)
    case("wrong_signature", "Signed with another secret key: InvalidSignature.", paid, secret="dlocal-secret-other", error="InvalidSignature")
    case("x_date_changed", "X-Date changed after signing (signed): InvalidSignature.", paid, date="2023-11-14T22:13:21.000Z", sig=good,
         error="InvalidSignature")
    case("x_login_changed", "X-Login changed after signing (signed): InvalidSignature.", paid, login="other-login", sig=good,
         error="InvalidSignature")
    tampered = text.replace('"amount":72.5', '"amount":725', 1)
    assert tampered != text
    case("tampered_body", "The amount changed after signing: InvalidSignature.", paid, text=tampered, sig=good, error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: InvalidSignature (lower-case hex text, as dLocal writes it).",
         paid, sig=PREFIX + mac(SECRET, LOGIN, DATE, text).upper(), error="InvalidSignature")
    case("bare_hex", "The hex digest without the `V2-HMAC-SHA256, Signature: ` prefix: MalformedSignature.",
         paid, sig=mac(SECRET, LOGIN, DATE, text), error="MalformedSignature")
    case("missing_signature", "No Authorization header: MissingSignature.", paid, sig=False, error="MissingSignature")
    case("missing_x_login", "No X-Login header (part of the signed text): MissingSignature.", paid, login=None, sig=good,
         error="MissingSignature")


def docs_verifies(name, fx):
    """dLocal's rule read separately: prefix + hex HMAC-SHA256(secret, X-Login + X-Date + body)."""
    h = details(fx)["headers"]
    auth, login, date = header_get(h, "Authorization"), header_get(h, "X-Login"), header_get(h, "X-Date")
    if auth is None or login is None or date is None or not auth.startswith(PREFIX):
        return False
    got = auth[len(PREFIX):]
    text = details(fx)["body_text"]
    return any(hmac.compare_digest(mac(k, login, date, text), got) for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against dLocal's documented rule)")


if __name__ == "__main__":
    main()
