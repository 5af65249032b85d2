#!/usr/bin/env python3
"""Generate tests/fixtures/globalpay/*.json (Global Payments GP API transaction notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_globalpay.py

Global Payments' official Python SDK (`globalpayments-api` on PyPI) has no notification check, so
the fixtures are signed here with hashlib following the GP API "Notifications" documentation
(`X-GP-Signature` = lower-case hex SHA-512 of the raw body followed by the App Key) and each is
checked by `oracle()`, written separately from the signing helper. Bodies follow the shape of the
GP API transaction resource (`TRN_` ids, `amount` in minor units as a digit string); ids,
amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/globalpay/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, header_get, money, secrets_of

KEY = "Gp4pPk3yS4ndb0xR9f2Lq8WzT1mN6cVd"
KEY2 = "Zq7Yt2Rv9Lm4Np6Kx1Bw3Hc8Jd5Fs0Ga"
NOW = 1700000000
CASES = Cases("globalpay", now=NOW)


def sig(body_text, key=KEY):
    return hashlib.sha512((body_text + key).encode()).hexdigest()


def tx(tid, status, *, type_="SALE", amount="1999", currency="GBP", ref="ORD-4471", result="00",
       message="[ test system ] AUTHORISED"):
    return {"id": tid, "time_created": "2023-11-14T22:13:20.000Z", "type": type_, "status": status,
            "channel": "CNP", "amount": amount, "currency": currency, "reference": ref,
            "merchant_id": "MER_7e3e2c7df34f42819b3edee31022ee3f", "account_name": "transaction_processing",
            "country": "GB", "action": {"id": "ACT_kLkU0qND7wyuW0Br5Bd3NmmD7B2Jn8", "type": "TRANSACTION_CREATE",
                                       "result_code": "SUCCESS"},
            "payment_method": {"result": result, "message": message, "entry_mode": "ECOM",
                               "card": {"brand": "VISA", "masked_number_last4": "XXXXXXXXXXXX5678"}}}


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, body_text, *, signature=None, headers=None, events=None, error=None, secrets=None):
    h = headers if headers is not None else {"Content-Type": "application/json",
                                             "X-GP-Signature": signature if signature is not None else sig(body_text)}
    CASES.add(name, description, body_text, headers=h, secrets=secrets or {"secret": KEY}, events=events, error=error)


def ev(event_type, doc, response):
    return event(event_type, doc["status"], doc["id"], response, key=f"globalpay:{doc['id']}:{doc['status']}")


def gen():
    sale = tx("TRN_9cLtqPFvGj2Ux1cRzq4PWkVx8QaF3m", "CAPTURED")
    b = text(sale)
    case("payment_success", "A SALE notification with status CAPTURED: PAYMENT_INTENT_SUCCESS / CHARGED; amount `1999` is already minor units.",
         b, events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": sale["id"], "merchant_transaction_id": "ORD-4471", "status": "CHARGED",
             "amount": money(1999, "GBP"), "error": None, "payment_method_type": "ECOM"}})])

    declined = tx("TRN_Q2hv7xR4mL9pK3sT8bN1cW6yF0dG5j", "DECLINED", result="05", message="DECLINED", ref="ORD-4472")
    case("payment_failure", "status DECLINED: PAYMENT_INTENT_FAILURE / FAILURE with payment_method.result / message as the error.",
         text(declined), events=[ev("PAYMENT_INTENT_FAILURE", declined, {"payments_response": {
             "connector_transaction_id": declined["id"], "status": "FAILURE", "amount": money(1999, "GBP"),
             "error": {"code": "05", "message": "DECLINED"}}})])

    preauth = tx("TRN_A8f3Kd0qLw7Zr2Xv5Nm9Bt4Hc1Yp6s", "PREAUTHORIZED", amount="500", currency="JPY", ref="ORD-4473")
    case("payment_authorized", "status PREAUTHORIZED (an authorization to capture later), JPY (exponent 0): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED, 500 JPY.",
         text(preauth), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", preauth, {"payments_response": {
             "status": "AUTHORIZED", "amount": money(500, "JPY")}})])

    refund = tx("TRN_R3fUnd7Lm2Xq9Zt4Kc8Vb1Nw6Hp0Yd", "CAPTURED", type_="REFUND", amount="750", ref="RF-4471-1")
    case("refund_success", "A REFUND transaction with status CAPTURED: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the refund's own TRN id.",
         text(refund), events=[ev("WEBHOOK_REFUND_SUCCESS", refund, {"refunds_response": {
             "connector_refund_id": refund["id"], "merchant_refund_id": "RF-4471-1", "status": "REFUND_SUCCESS",
             "refund_amount": money(750, "GBP"), "error": None}})])

    refund_fail = tx("TRN_R3fUnd7Lm2Xq9Zt4Kc8Vb1Nw6Hp0Ye", "DECLINED", type_="REFUND", amount="99999", ref="RF-4471-2",
                     result="91", message="REFUND AMOUNT EXCEEDS")
    case("refund_failure", "A REFUND transaction with status DECLINED: WEBHOOK_REFUND_FAILURE with the error.",
         text(refund_fail), events=[ev("WEBHOOK_REFUND_FAILURE", refund_fail, {"refunds_response": {
             "status": "REFUND_FAILURE", "refund_amount": money(99999, "GBP"),
             "error": {"code": "91", "message": "REFUND AMOUNT EXCEEDS"}}})])

    funded = tx("TRN_F0nd3dXy7Lq2Kp9Zw4Rt8Vc1Bn6Hm3", "FUNDED")
    case("unsupported_status", "status FUNDED (settlement information): verified, EVENT_NOT_SUPPORTED.",
         text(funded), events=[ev("EVENT_NOT_SUPPORTED", funded, None)])

    case("rotated_additional_secret", "Signed with a second App Key supplied as additional_secret during a key change: verifies.",
         b, signature=sig(b, KEY2), secrets={"secret": KEY, "additional_secret": KEY2},
         events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": sale["id"]}})])
    case("wrong_secret", "Signed with another App Key: InvalidSignature.", b, signature=sig(b, "another-app-key-0000000000000000"),
         error="InvalidSignature")
    case("key_before_body", "SHA-512 of the App Key followed by the body (wrong order): InvalidSignature.", b,
         signature=hashlib.sha512((KEY + b).encode()).hexdigest(), error="InvalidSignature")
    case("hmac_instead_of_digest", "An HMAC-SHA512 of the body keyed with the App Key (not Global Payments' scheme): InvalidSignature.", b,
         signature=hmac.new(KEY.encode(), b.encode(), hashlib.sha512).hexdigest(), error="InvalidSignature")
    case("uppercase_hex", "The right digest in upper-case hex: compared exactly as the documentation's sample does, InvalidSignature.", b,
         signature=sig(b).upper(), error="InvalidSignature")
    tampered = b.replace('"amount":"1999"', '"amount":"19990"')
    case("tampered_body", "amount changed after signing: InvalidSignature.", tampered, signature=sig(b), error="InvalidSignature")
    pretty = json.dumps(sale, indent=2)
    case("pretty_printed_body", "The same transaction sent pretty-printed: the raw bytes are hashed (not a re-serialization), so it verifies with the digest of these bytes.",
         pretty, events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": sale["id"]}})])
    case("reserialized_digest", "Pretty-printed body carrying the digest of its compact re-serialization (hyperswitch's reading): the raw bytes differ, so InvalidSignature.",
         pretty, signature=sig(b), error="InvalidSignature")
    case("lowercase_header_name", "Header name sent as x-gp-signature: header names are case-insensitive, verifies.", b,
         headers={"content-type": "application/json", "x-gp-signature": sig(b)},
         events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": sale["id"]}})])
    case("missing_signature", "No X-GP-Signature header: MissingSignature.", b, headers={"Content-Type": "application/json"},
         error="MissingSignature")


def oracle(name, fx):
    """Global Payments' documented check, written separately: sha512(raw body + app key), lower-case
    hex, compared exactly. True = accepted."""
    d = details(fx)
    got = header_get(d["headers"], "X-GP-Signature")
    if got is None:
        return False
    return any(hmac.compare_digest(hashlib.sha512(d["body_text"].encode() + k.encode()).hexdigest(), got)
               for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
