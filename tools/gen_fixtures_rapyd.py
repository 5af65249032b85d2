#!/usr/bin/env python3
"""Generate tests/fixtures/rapyd/*.json (Rapyd webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_rapyd.py

Rapyd publishes no Python SDK on PyPI. The fixtures are signed here with hmac following Rapyd's
"Webhook Authentication" page (`signature` = base64 of the hex HMAC-SHA256, keyed with the secret
key, over `webhook URL + salt + timestamp + access_key + secret_key + body`), as Rapyd's Python
sample encodes it (`base64.urlsafe_b64encode` of the hex text), and each is checked by `oracle()`,
written separately. Bodies follow Rapyd's webhook object (`wh_` id, `type`, `data`); ids and
amounts are this script's own. Deterministic. This script owns tests/fixtures/rapyd/*.json and
writes nothing else.
"""

import base64
import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, header_get, money

URL = "https://shop.example/webhooks/rapyd"
SECRET = "rapyd-secret-key-0c4f9e1a7b3d5e2f8a6c0d9b1e3f5a7c"
ACCESS = "rak_3E9F1A2B4C6D8E0F1A3B"
NOW = 1700000000
SALT = "9f86d081884c"
CASES = Cases("rapyd", url=URL, now=NOW)


def sig(body_text, *, secret=SECRET, access=ACCESS, url=URL, salt=SALT, ts=str(NOW)):
    h = hmac.new(secret.encode(), (url + salt + ts + access + secret + body_text).encode(), hashlib.sha256).hexdigest()
    return base64.urlsafe_b64encode(h.encode()).decode()


def hdrs(body_text, *, signature=None, salt=SALT, ts=str(NOW)):
    return {"Content-Type": "application/json", "salt": salt, "timestamp": ts,
            "signature": signature if signature is not None else sig(body_text, salt=salt, ts=ts)}


def wh(wid, type_, data):
    return {"id": wid, "type": type_, "data": data, "trigger_operation_id": "op_" + wid[3:], "status": "NEW",
            "created_at": NOW}


def payment(pid, status, *, amount=104.5, currency="USD", **extra):
    d = {"id": pid, "amount": amount, "original_amount": amount, "currency_code": currency, "status": status,
         "merchant_reference_id": "order-7720", "customer_token": "cus_2f9a0c1b", "payment_method_type": "us_visa_card",
         "failure_code": "", "failure_message": ""}
    d.update(extra)
    return d


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


SECRETS = {"secret": SECRET, "additional_secret": ACCESS}


def case(name, description, body_text, *, h=None, events=None, error=None, secrets=None, url=None):
    CASES.add(name, description, body_text, headers=h if h is not None else hdrs(body_text),
              secrets=secrets or SECRETS, events=events, error=error, url=url)


def ev(event_type, doc, response):
    return event(event_type, doc["type"], doc["id"], response, key=f"rapyd:{doc['id']}")


def gen():
    ok_doc = wh("wh_5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c", "PAYMENT_COMPLETED", payment("payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "CLO"))
    b = text(ok_doc)
    case("payment_success", "PAYMENT_COMPLETED: PAYMENT_INTENT_SUCCESS / CHARGED; amount 104.5 USD (major units) is 10450 cents.",
         b, events=[ev("PAYMENT_INTENT_SUCCESS", ok_doc, {"payments_response": {
             "connector_transaction_id": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "merchant_transaction_id": "order-7720",
             "status": "CHARGED", "amount": money(10450, "USD"), "payment_method_type": "us_visa_card",
             "connector_customer_id": "cus_2f9a0c1b"}})])
    fail = wh("wh_5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5d", "PAYMENT_FAILED", payment(
        "payment_0a1b2c3d4e5f60718293a4b5c6d7e8fa", "ERR", amount=2000, currency="JPY",
        failure_code="ERROR_CARD_DECLINED", failure_message="The card was declined"))
    case("payment_failure", "PAYMENT_FAILED, JPY (exponent 0): PAYMENT_INTENT_FAILURE with failure_code / failure_message, 2000 JPY.",
         text(fail), events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "status": "FAILURE", "amount": money(2000, "JPY"),
             "error": {"code": "ERROR_CARD_DECLINED", "message": "The card was declined"}}})])
    refund = wh("wh_5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5e", "REFUND_COMPLETED", {
        "id": "refund_7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", "amount": 20.25, "currency": "USD", "status": "Completed",
        "payment": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "merchant_reference_id": "rf-7720-1", "reason": "Returned item"})
    case("refund_success", "REFUND_COMPLETED: WEBHOOK_REFUND_SUCCESS with the refund id, the payment, 20.25 USD and the reason.",
         text(refund), events=[ev("WEBHOOK_REFUND_SUCCESS", refund, {"refunds_response": {
             "connector_refund_id": "refund_7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f", "merchant_refund_id": "rf-7720-1",
             "connector_transaction_id": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "status": "REFUND_SUCCESS",
             "refund_amount": money(2025, "USD"), "refund_reason": "Returned item"}})])
    rej = wh("wh_5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5f", "PAYMENT_REFUND_REJECTED", dict(refund["data"], status="Rejected",
                                                                                  id="refund_7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e30"))
    case("refund_failure", "PAYMENT_REFUND_REJECTED: WEBHOOK_REFUND_FAILURE.", text(rej),
         events=[ev("WEBHOOK_REFUND_FAILURE", rej, {"refunds_response": {"status": "REFUND_FAILURE"}})])
    dispute = {"id": "dispute_1f2e3d4c5b6a79880a9b8c7d6e5f4a3b", "token": "dispute_1f2e3d4c5b6a79880a9b8c7d6e5f4a3b", "status": "ACT",
               "amount": 104.5, "currency": "USD", "dispute_reason_description": "Fraudulent transaction",
               "original_transaction_id": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "due_date": 1701000000}
    opened = wh("wh_6e1a2b3c4d5e6f7a8b9c0d1e2f3a4b50", "PAYMENT_DISPUTE_CREATED", dispute)
    case("dispute_opened", "PAYMENT_DISPUTE_CREATED: WEBHOOK_DISPUTE_OPENED with the payment, amount, reason and due date.",
         text(opened), events=[ev("WEBHOOK_DISPUTE_OPENED", opened, {"disputes_response": {
             "connector_dispute_id": dispute["id"], "connector_transaction_id": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
             "dispute_status": "DISPUTE_OPENED", "dispute_amount": money(10450, "USD"),
             "dispute_reason": "Fraudulent transaction", "connector_status_code": "ACT"}})])
    for name, st, et in [("dispute_challenged", "RVW", "WEBHOOK_DISPUTE_CHALLENGED"), ("dispute_won", "WIN", "WEBHOOK_DISPUTE_WON"),
                         ("dispute_lost", "LOS", "WEBHOOK_DISPUTE_LOST")]:
        upd = wh("wh_7e1a2b3c4d5e6f7a8b9c0d1e2f3a4b" + st.lower()[:2], "PAYMENT_DISPUTE_UPDATED", dict(dispute, status=st))
        case(name, f"PAYMENT_DISPUTE_UPDATED with data.status {st}: {et}.", text(upd),
             events=[ev(et, upd, {"disputes_response": {"dispute_status": et.replace("WEBHOOK_", ""), "connector_status_code": st}})])
    cust = wh("wh_8e1a2b3c4d5e6f7a8b9c0d1e2f3a4b51", "CUSTOMER_CREATED", {"id": "cus_2f9a0c1b", "name": "Ana Lima"})
    case("unsupported_event", "CUSTOMER_CREATED: verified, EVENT_NOT_SUPPORTED.", text(cust), events=[ev("EVENT_NOT_SUPPORTED", cust, None)])

    ok = [ev("PAYMENT_INTENT_SUCCESS", ok_doc, {"payments_response": {"connector_transaction_id": "payment_0a1b2c3d4e5f60718293a4b5c6d7e8f9"}})]
    std = base64.b64encode(hmac.new(SECRET.encode(), (URL + SALT + str(NOW) + ACCESS + SECRET + b).encode(), hashlib.sha256).hexdigest().encode()).decode()
    assert std == sig(b)
    case("standard_base64_alphabet", "The signature made with standard base64 (Rapyd's Node sample): base64 of hex text is the same in both alphabets, verifies.",
         b, h=hdrs(b, signature=std), events=ok)
    case("wrong_secret", "Signed with another secret key: InvalidSignature.", b, h=hdrs(b, signature=sig(b, secret="rapyd-another-secret-key-000000")),
         error="InvalidSignature")
    case("wrong_access_key", "Signed with another access key in the string: InvalidSignature.", b,
         h=hdrs(b, signature=sig(b, access="rak_OTHER000000000000")), error="InvalidSignature")
    raw_b64 = base64.b64encode(hmac.new(SECRET.encode(), (URL + SALT + str(NOW) + ACCESS + SECRET + b).encode(), hashlib.sha256).digest()).decode()
    case("base64_of_raw_digest", "base64 of the raw HMAC bytes instead of its hex text: InvalidSignature.", b, h=hdrs(b, signature=raw_b64),
         error="InvalidSignature")
    case("other_url", "Delivered to another URL than the one signed: InvalidSignature.", b, url="https://shop.example/webhooks/other",
         error="InvalidSignature")
    case("salt_changed", "salt header changed after signing: InvalidSignature.", b, h=hdrs(b, salt="000000000000", signature=sig(b)),
         error="InvalidSignature")
    case("timestamp_changed", "timestamp header changed after signing: InvalidSignature.", b,
         h=hdrs(b, ts=str(NOW + 1), signature=sig(b)), error="InvalidSignature")
    case("tampered_body", "data.amount changed after signing: InvalidSignature.", b.replace("104.5", "1045"), h=hdrs(b),
         error="InvalidSignature")
    no_sig = hdrs(b)
    del no_sig["signature"]
    case("missing_signature", "No signature header: MissingSignature.", b, h=no_sig, error="MissingSignature")
    no_salt = hdrs(b)
    del no_salt["salt"]
    case("missing_salt", "No salt header (signed material): MissingSignature.", b, h=no_salt, error="MissingSignature")


def oracle(name, fx):
    """Rapyd's documented check, written separately: urlsafe_b64encode(hex(HMAC-SHA256(secret_key,
    url + salt + timestamp + access_key + secret_key + body))) == signature. True = accepted."""
    d = details(fx)
    h = d["headers"]
    s, salt, ts = header_get(h, "signature"), header_get(h, "salt"), header_get(h, "timestamp")
    if None in (s, salt, ts):
        return False
    sec = fx["request"]["webhook_secrets"]
    msg = d["url"] + salt + ts + sec["additional_secret"] + sec["secret"] + d["body_text"]
    want = base64.urlsafe_b64encode(hmac.new(sec["secret"].encode(), msg.encode(), hashlib.sha256).hexdigest().encode()).decode()
    return hmac.compare_digest(want, s)


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
