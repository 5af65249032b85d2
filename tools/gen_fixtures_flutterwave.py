#!/usr/bin/env python3
"""Generate tests/fixtures/flutterwave/*.json (Flutterwave webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_flutterwave.py

Flutterwave's webhook documentation: `flutterwave-signature` = base64 of the HMAC-SHA256 of the
raw body keyed with the dashboard's secret hash; v3 deliveries carry `verif-hash`, the secret
hash itself, to be compared with the configured one. Flutterwave's Python SDK (`rave_python`) has no
webhook verifier, so the fixtures are signed here with Python's hmac and every fixture is checked
by `docs_verifies`, a separate reading of that rule (base64-decoding the header strictly and
comparing the MAC bytes in constant time). Bodies follow the event examples of Flutterwave's
webhook documentation (charge.completed, refund.completed, transfer.completed); ids, names,
amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/flutterwave/*.json and writes nothing else.
"""

import base64
import binascii
import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, money, secrets_of

URL = "https://shop.example/webhooks/flutterwave"
SECRET = "flw-hash-6d3c9a1e7b5f4e2a8c0d"
SECRET2 = "flw-hash-2b8e4f6a0c1d3e5f7a9b"
NOW = 1700000030
CASES = Cases("flutterwave", url=URL, now=NOW)


def sign(secret, text):
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def body(ev_name, data, **extra):
    return json.dumps({"event": ev_name, "data": data, **extra}, separators=(",", ":"), ensure_ascii=False)


def ev(event_type, cet, sig, response):
    return event(event_type, cet, None, response, key=fixturelib.default_idempotency_key("flutterwave", sig))


def case(name, description, text, event_type=None, cet=None, response=OMIT, *, error=None, sig=None, secret=SECRET,
         secrets=None, header="flutterwave-signature", extra=None, key_material="signature"):
    headers = {"Content-Type": "application/json", "User-Agent": "Flutterwave-Webhooks"}
    headers.update(extra or {})
    signature = sig if sig is not None else sign(secret, text)
    if sig is not False:
        headers[header] = signature
    # A token scheme's default key comes from the body, the HMAC scheme's from the signature.
    material = signature if key_material == "signature" else "body:" + hashlib.sha256(text.encode()).hexdigest()
    events = [ev(event_type, cet, material, response)] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


CUSTOMER = {"id": 215604089, "name": "Chidinma Ọkafọ̀", "phone_number": "08012345678", "email": "chidinma@example.com",
            "created_at": "2023-11-14T22:10:04.000Z"}


def charge(status, amount, currency, *, tid=4975363, ref="ORDER-88231", ptype="card", response="Approved by Financial Institution"):
    return {"id": tid, "tx_ref": ref, "flw_ref": "FLW-MOCK-9b6e3c1a2f", "device_fingerprint": "62wd23423rq324323qew1",
            "amount": amount, "currency": currency, "charged_amount": amount, "app_fee": 1.4, "merchant_fee": 0,
            "processor_response": response, "auth_model": "PIN", "ip": "197.210.64.96", "narration": "CARD Transaction ",
            "status": status, "payment_type": ptype, "created_at": "2023-11-14T22:13:20.000Z", "account_id": 17321,
            "customer": CUSTOMER, "card": {"first_6digits": "553188", "last_4digits": "2950", "issuer": "MASTERCARD  CREDIT",
                                           "country": "NG", "type": "MASTERCARD", "expiry": "09/32"}}


def gen():
    ok = body("charge.completed", charge("successful", 2500.5, "NGN"), **{"event.type": "CARD_TRANSACTION"})
    case("payment_success", "charge.completed with status successful: PAYMENT_INTENT_SUCCESS / CHARGED; NGN 2,500.50 (a JSON number in the major unit) is 250050 kobo; Flutterwave's transaction id, the merchant's tx_ref, payment_type card, customer id. The customer's name is non-ASCII: the HMAC covers the raw UTF-8 bytes.",
         ok, "PAYMENT_INTENT_SUCCESS", "charge.completed", {"payments_response": {
             "connector_transaction_id": "4975363", "merchant_transaction_id": "ORDER-88231", "status": "CHARGED",
             "amount": money(250050, "NGN"), "error": None, "payment_method_type": "card", "connector_customer_id": "215604089",
             "created_at": 1700000000}})
    ugx = body("charge.completed", charge("successful", 15000, "UGX", tid=4975364, ref="ORDER-88232", ptype="mobilemoneyuganda"),
               **{"event.type": "MOBILEMONEYUG_TRANSACTION"})
    case("payment_success_zero_decimal", "charge.completed for UGX mobile money: UGX has no minor unit (ISO 4217 exponent 0), so 15000 stays 15000.",
         ugx, "PAYMENT_INTENT_SUCCESS", "charge.completed", {"payments_response": {
             "connector_transaction_id": "4975364", "amount": money(15000, "UGX"), "payment_method_type": "mobilemoneyuganda"}})
    failed = body("charge.completed", charge("failed", 100, "USD", tid=4975365, ref="ORDER-88233", response="Insufficient Funds"),
                  **{"event.type": "CARD_TRANSACTION"})
    case("payment_failure", "charge.completed with status failed: PAYMENT_INTENT_FAILURE / FAILURE with processor_response as the error message; USD 100 = 10000 cents.",
         failed, "PAYMENT_INTENT_FAILURE", "charge.completed", {"payments_response": {
             "connector_transaction_id": "4975365", "status": "FAILURE", "amount": money(10000, "USD"),
             "error": {"message": "Insufficient Funds"}}})
    pending = body("charge.completed", charge("pending", 5000, "KES", tid=4975366, ref="ORDER-88234", ptype="mpesa", response="Pending"),
                   **{"event.type": "MPESA_TRANSACTION"})
    case("payment_pending", "charge.completed with status pending (M-Pesa awaiting the customer): PAYMENT_INTENT_PROCESSING.",
         pending, "PAYMENT_INTENT_PROCESSING", "charge.completed", {"payments_response": {
             "connector_transaction_id": "4975366", "amount": money(500000, "KES")}})
    refund = body("refund.completed", {"id": 1046613, "account_id": 17321, "tx_id": 4975363, "flw_ref": "FLW-MOCK-9b6e3c1a2f",
                                       "wallet_id": 17628, "amount_refunded": 1000, "currency": "NGN", "status": "completed",
                                       "destination": "payment_source", "meta": {"source": "availablebalance"},
                                       "created_at": "2023-11-15T10:00:00.000Z"})
    case("refund", "refund.completed with status completed: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; amount_refunded NGN 1,000 = 100000 kobo; tx_id links the charge.",
         refund, "WEBHOOK_REFUND_SUCCESS", "refund.completed", {"refunds_response": {
             "connector_refund_id": "1046613", "connector_transaction_id": "4975363", "status": "REFUND_SUCCESS",
             "refund_amount": money(100000, "NGN"), "created_at": 1700042400}})
    refund_failed = body("refund.completed", {"id": 1046614, "account_id": 17321, "tx_id": 4975364, "amount_refunded": 500,
                                              "currency": "UGX", "status": "failed", "destination": "payment_source",
                                              "created_at": "2023-11-15T10:00:00.000Z"})
    case("refund_failure", "refund.completed with status failed: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.",
         refund_failed, "WEBHOOK_REFUND_FAILURE", "refund.completed", {"refunds_response": {
             "connector_refund_id": "1046614", "status": "REFUND_FAILURE", "refund_amount": money(500, "UGX")}})
    transfer = body("transfer.completed", {"id": 408136, "account_number": "0690000040", "bank_name": "ACCESS BANK NIGERIA",
                                           "bank_code": "044", "fullname": "Bale Gary", "created_at": "2023-11-14T22:13:20.000Z",
                                           "currency": "NGN", "debit_currency": "NGN", "amount": 30020, "fee": 26.875,
                                           "status": "SUCCESSFUL", "reference": "payout-1123-01", "meta": None,
                                           "narration": "Vendor payout", "complete_message": "Successful", "requires_approval": 0,
                                           "is_approved": 1}, **{"event.type": "Transfer"})
    case("payout_success", "transfer.completed with status SUCCESSFUL (statuses compared case-insensitively): PAYOUT_SUCCESS (no payout response in the contract).",
         transfer, "PAYOUT_SUCCESS", "transfer.completed")
    sub = body("subscription.cancelled", {"id": 19220, "amount": 2000, "customer": {"id": 215604089, "customer_email": "chidinma@example.com"},
                                          "plan": {"id": 3807, "plan_name": "Premium"}, "status": "cancelled"})
    case("unsupported_event", "subscription.cancelled: verified, EVENT_NOT_SUPPORTED.", sub, "EVENT_NOT_SUPPORTED", "subscription.cancelled")
    odd = body("charge.completed", charge("reversed", 100, "USD", tid=4975367))
    case("unknown_status_unsupported", "charge.completed with a status this spec does not know: EVENT_NOT_SUPPORTED rather than a guess.",
         odd, "EVENT_NOT_SUPPORTED", "charge.completed")
    case("rotated_additional_secret", "Signed with the new secret hash, configured as additional_secret: verified.",
         ok, "PAYMENT_INTENT_SUCCESS", "charge.completed", secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2})
    case("header_name_case", "The header as `Flutterwave-Signature`: header names are case-insensitive.",
         ok, "PAYMENT_INTENT_SUCCESS", "charge.completed", header="Flutterwave-Signature")
    good = sign(SECRET, ok)
    case("wrong_signature", "Signed with another secret hash: InvalidSignature.", ok, secret="another-secret-hash", error="InvalidSignature")
    case("hex_signature", "The right HMAC as hex instead of base64: InvalidSignature.",
         ok, sig=hmac.new(SECRET.encode(), ok.encode(), hashlib.sha256).hexdigest(), error="InvalidSignature")
    tampered = ok.replace('"amount":2500.5', '"amount":25000.5', 1)
    assert tampered != ok
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=good, error="InvalidSignature")
    case("missing_signature", "No flutterwave-signature header: MissingSignature.", ok, sig=False, error="MissingSignature")
    v3 = body("charge.completed", charge("successful", 2500.5, "NGN"), **{"event.type": "CARD_TRANSACTION"})
    case("v3_verif_hash", "A v3 delivery with only `verif-hash` equal to the secret hash (a shared token, Flutterwave's v3 check): verified by the token scheme; the idempotency key comes from the body.",
         v3, "PAYMENT_INTENT_SUCCESS", "charge.completed", sig=SECRET, header="verif-hash", key_material="body")
    case("v3_verif_hash_rotated", "verif-hash equal to the second secret hash (additional_secret): verified.",
         v3, "PAYMENT_INTENT_SUCCESS", "charge.completed", sig=SECRET2, header="verif-hash",
         secrets={"secret": SECRET, "additional_secret": SECRET2}, key_material="body")
    case("v3_verif_hash_wrong", "verif-hash with another value: InvalidSignature.", v3, sig="another-secret-hash", header="verif-hash",
         error="InvalidSignature")
    case("v3_verif_hash_is_not_a_signature", "verif-hash carrying the body's HMAC instead of the secret hash: InvalidSignature.",
         v3, sig=sign(SECRET, v3), header="verif-hash", error="InvalidSignature")


def docs_verifies(name, fx):
    """Flutterwave's rules read separately: base64 `flutterwave-signature` == HMAC-SHA256(secret
    hash, raw body), or (v3) `verif-hash` == the secret hash."""
    rd = details(fx)
    token = header_get(rd["headers"], "verif-hash")
    if token is not None and any(hmac.compare_digest(token.encode(), k.encode()) for k in secrets_of(fx)):
        return True
    sig = header_get(rd["headers"], "flutterwave-signature")
    if sig is None:
        return False
    try:
        got = base64.b64decode(sig, validate=True)
    except binascii.Error:
        return False
    if base64.b64encode(got).decode() != sig:
        return False
    raw = rd["body_text"].encode()
    return any(hmac.compare_digest(hmac.new(k.encode(), raw, hashlib.sha256).digest(), got) for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against Flutterwave's documented rule)")


if __name__ == "__main__":
    main()
