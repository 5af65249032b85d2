#!/usr/bin/env python3
"""Generate tests/fixtures/zen/*.json (ZEN.COM instant payment notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_zen.py

ZEN publishes no Python SDK. The fixtures are signed here with hashlib following ZEN's IPN
documentation (`hash` = upper-case hex SHA-256 of merchantTransactionId + currency + amount +
status + IPN secret) and each is checked by `oracle()`, written separately from the signing
helper. Bodies follow the fields of ZEN's IPN (type, transactionId, merchantTransactionId,
amount as a major-unit decimal string, currency, status, hash); ids and amounts are this script's
own. Deterministic. This script owns tests/fixtures/zen/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, ack, details, event, money, secrets_of

SECRET = "zen-ipn-5e1f9a7c3b2d4e6f8a0b1c2d"
SECRET2 = "zen-ipn-0a9b8c7d6e5f4a3b2c1d0e9f"
NOW = 1700000000
CASES = Cases("zen", now=NOW, acknowledgement={"status": 200, "content_type": "application/json", "body": '{"status":"ok"}'})


def digest(doc, secret=SECRET):
    msg = doc["merchantTransactionId"] + doc["currency"] + doc["amount"] + doc["status"] + secret
    return hashlib.sha256(msg.encode()).hexdigest().upper()


def ipn(type_, status, *, tid, mtid, amount="49.90", currency="PLN"):
    return {"type": type_, "transactionId": tid, "merchantTransactionId": mtid, "amount": amount,
            "currency": currency, "status": status,
            "paymentMethod": {"name": "Card", "channel": "PCL_CARD", "type": "PME_CARD"},
            "customer": {"name": "Ola Nowak", "email": "ola.nowak@example.com"}}


def signed(doc, secret=SECRET, hash_=None):
    return dict(doc, hash=hash_ if hash_ is not None else digest(doc, secret))


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, events=None, error=None, secrets=None):
    CASES.add(name, description, body_text, headers={"Content-Type": "application/json"},
              secrets=secrets or {"secret": SECRET}, events=events, error=error)


def ev(event_type, doc, response):
    key = f"zen:{doc['merchantTransactionId']}:{doc['type']}:{doc['status']}:{doc['amount']}:{doc['currency']}"
    return event(event_type, doc["type"], doc["transactionId"], response, key=key)


def gen():
    pay = ipn("TRT_PURCHASE", "ACCEPTED", tid="7c6ad5bd-9a7e-4c4b-8f0d-2d1c0b1e5a01", mtid="order-5531")
    case("payment_success", "TRT_PURCHASE ACCEPTED: PAYMENT_INTENT_SUCCESS / CHARGED; amount 49.90 PLN is 4990 minor units.",
         text(signed(pay)), events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {
             "connector_transaction_id": pay["transactionId"], "merchant_transaction_id": "order-5531",
             "status": "CHARGED", "amount": money(4990, "PLN"), "error": None}})])

    rej = ipn("TRT_PURCHASE", "REJECTED", tid="7c6ad5bd-9a7e-4c4b-8f0d-2d1c0b1e5a02", mtid="order-5532", amount="120", currency="EUR")
    case("payment_failure", "TRT_PURCHASE REJECTED: PAYMENT_INTENT_FAILURE / FAILURE; amount `120` (no decimals) is 12000 cents.",
         text(signed(rej)), events=[ev("PAYMENT_INTENT_FAILURE", rej, {"payments_response": {
             "status": "FAILURE", "amount": money(12000, "EUR"), "error": {"code": "REJECTED"}}})])

    pend = ipn("TRT_PURCHASE", "PENDING", tid="7c6ad5bd-9a7e-4c4b-8f0d-2d1c0b1e5a03", mtid="order-5533", amount="1500", currency="JPY")
    case("payment_pending", "TRT_PURCHASE PENDING (a bank transfer not yet received), JPY (exponent 0): PAYMENT_INTENT_PROCESSING, 1500 JPY.",
         text(signed(pend)), events=[ev("PAYMENT_INTENT_PROCESSING", pend, {"payments_response": {
             "status": "PENDING", "amount": money(1500, "JPY")}})])

    ref = ipn("TRT_REFUND", "ACCEPTED", tid="0f3e2d1c-6b5a-4948-8776-655443322101", mtid="refund-5531-1", amount="10.00")
    case("refund_success", "TRT_REFUND ACCEPTED: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, the refund's merchantTransactionId as merchant refund id.",
         text(signed(ref)), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": ref["transactionId"], "merchant_refund_id": "refund-5531-1",
             "status": "REFUND_SUCCESS", "refund_amount": money(1000, "PLN")}})])

    ref_rej = ipn("TRT_REFUND", "REJECTED", tid="0f3e2d1c-6b5a-4948-8776-655443322102", mtid="refund-5531-2", amount="99.00")
    case("refund_failure", "TRT_REFUND REJECTED: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.",
         text(signed(ref_rej)), events=[ev("WEBHOOK_REFUND_FAILURE", ref_rej, {"refunds_response": {
             "status": "REFUND_FAILURE", "refund_amount": money(9900, "PLN")}})])

    auth = ipn("TRT_PURCHASE", "AUTHORIZED", tid="7c6ad5bd-9a7e-4c4b-8f0d-2d1c0b1e5a04", mtid="order-5534")
    case("unsupported_status", "TRT_PURCHASE with a status this spec does not map (AUTHORIZED): verified, EVENT_NOT_SUPPORTED.",
         text(signed(auth)), events=[ev("EVENT_NOT_SUPPORTED", auth, None)])

    b = text(signed(pay))
    case("lowercase_hex", "The right hash in lower-case hex: the digest is the same (hyperswitch hex-decodes it), verifies.",
         text(signed(pay, hash_=digest(pay).lower())), events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {
             "connector_transaction_id": pay["transactionId"]}})])
    case("rotated_additional_secret", "Hashed with a second IPN secret supplied as additional_secret: verifies.",
         text(signed(pay, SECRET2)), secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {"connector_transaction_id": pay["transactionId"]}})])
    case("wrong_secret", "Hashed with another IPN secret: InvalidSignature.", text(signed(pay, "zen-ipn-another-secret-000000")),
         error="InvalidSignature")
    lower_status = dict(pay, status="accepted")
    case("status_case_changed", "status sent as `accepted` with the hash of `ACCEPTED` (hyperswitch would upper-case it): the value as sent is hashed, InvalidSignature.",
         text(dict(lower_status, hash=digest(pay))), error="InvalidSignature")
    tampered = dict(signed(pay), amount="4.99")
    case("tampered_amount", "amount changed after hashing (a signed field): InvalidSignature.", text(tampered), error="InvalidSignature")
    tampered_status = dict(signed(rej), status="ACCEPTED")
    case("tampered_status", "status changed from REJECTED to ACCEPTED after hashing: InvalidSignature.", text(tampered_status),
         error="InvalidSignature")
    case("missing_signature", "No hash field: MissingSignature.", text(pay), error="MissingSignature")
    no_cur = signed(pay)
    del no_cur["currency"]
    case("missing_signed_field", "currency (a signed field) removed: MissingSignature.", text(no_cur), error="MissingSignature")
    assert b


def oracle(name, fx):
    """ZEN's documented check, written separately: sha256(merchantTransactionId + currency + amount +
    status + secret), hex; True = accepted."""
    doc = json.loads(details(fx)["body_text"])
    need = ("merchantTransactionId", "currency", "amount", "status", "hash")
    if any(doc.get(k) is None for k in need):
        return False
    msg = "".join(doc[k] for k in need[:4])
    return any(hmac.compare_digest(hashlib.sha256((msg + s).encode()).hexdigest(), doc["hash"].lower())
               for s in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
