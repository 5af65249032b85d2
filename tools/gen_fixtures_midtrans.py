#!/usr/bin/env python3
"""Generate tests/fixtures/midtrans/*.json (Midtrans HTTP notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_midtrans.py

Midtrans' notification documentation ("Verifying Notification Authenticity"): the body's
`signature_key` is the hex SHA-512 of `order_id + status_code + gross_amount + server_key`. The
official Python SDK `midtransclient` has no signature helper (it re-fetches the status), so the
fixtures are signed here with hashlib and every fixture is checked by `docs_verifies`, a separate
reading of that rule that also applies the status/status_code agreement the spec requires (see
connectors/midtrans.yaml). Bodies follow the notification examples of Midtrans' documentation
(credit card capture, bank transfer pending / settlement, expire, deny, refund, chargeback); ids,
amounts and times are this script's own. Deterministic. This script owns
tests/fixtures/midtrans/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, money, secrets_of

URL = "https://shop.example/webhooks/midtrans"
SECRET = "SB-Mid-server-Kq7Zt2Yx9Wc4Vb8Nm1Lp"
SECRET2 = "SB-Mid-server-Hd3Fg6Jk9Lm2Np5Qr8St"
NOW = 1700000030
CASES = Cases("midtrans", url=URL, now=NOW)
ORDER = "ORDER-1700000-0042"
TXN = "a1d2c3e4-b5f6-4a7b-8c9d-0e1f2a3b4c5d"


def signature_key(secret, d):
    return hashlib.sha512((d["order_id"] + d["status_code"] + d["gross_amount"] + secret).encode()).hexdigest()


def notification(status, code, **extra):
    d = {"transaction_time": "2023-11-15 05:13:20", "transaction_status": status, "transaction_id": TXN,
         "status_message": "midtrans payment notification", "status_code": code, "signature_key": None,
         "payment_type": "credit_card", "order_id": ORDER, "merchant_id": "G141532850", "masked_card": "48111111-1114",
         "gross_amount": "150000.00", "fraud_status": "accept", "eci": "05", "currency": "IDR",
         "channel_response_message": "Approved", "channel_response_code": "00", "card_type": "credit", "bank": "bni",
         "approval_code": "1700000000123"}
    d.update(extra)
    return {k: v for k, v in d.items() if v is not OMIT}


def key(cet, refund_key=None):
    return f"midtrans:{ORDER}:{cet}" + (f":{refund_key}" if refund_key else "")


def case(name, description, d, event_type=None, response=OMIT, *, error=None, secret=SECRET, secrets=None, sig=None,
         refund_key=None, tamper=None):
    d = dict(d)
    if sig is None:
        d["signature_key"] = signature_key(secret, d)
    elif sig is False:
        d.pop("signature_key")
    else:
        d["signature_key"] = sig
    if tamper:
        d.update(tamper)
    text = json.dumps(d, separators=(",", ":"))
    headers = {"Content-Type": "application/json", "User-Agent": "Veritrans"}
    cet = d["transaction_status"]
    events = [event(event_type, cet, None, response, key=key(cet, refund_key), status="INCOMPLETE")] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def gen():
    capture = notification("capture", "200")
    case("payment_success", "Credit card `capture` with fraud_status accept and status_code 200: PAYMENT_INTENT_SUCCESS / CHARGED, INCOMPLETE (only order_id, status_code and gross_amount are signed: the host confirms with Get Status); IDR 150,000.00 is 15000000 in the minor unit (ISO 4217 exponent 2); Midtrans' transaction id, the order id, payment_type credit_card.",
         capture, "PAYMENT_INTENT_SUCCESS", {"payments_response": {
             "connector_transaction_id": TXN, "merchant_transaction_id": ORDER, "status": "CHARGED",
             "amount": money(15000000, "IDR"), "payment_method_type": "credit_card"}})
    settlement = notification("settlement", "200", payment_type="bank_transfer", fraud_status=OMIT, masked_card=OMIT, eci=OMIT,
                              channel_response_message=OMIT, channel_response_code=OMIT, card_type=OMIT, bank=OMIT, approval_code=OMIT,
                              va_numbers=[{"va_number": "812785411", "bank": "bca"}], settlement_time="2023-11-15 05:20:01")
    case("payment_settlement", "Bank transfer `settlement` (status_code 200): PAYMENT_INTENT_SUCCESS, payment_type bank_transfer.",
         settlement, "PAYMENT_INTENT_SUCCESS", {"payments_response": {"status": "CHARGED", "payment_method_type": "bank_transfer"}})
    pending = notification("pending", "201", payment_type="bank_transfer", fraud_status=OMIT, masked_card=OMIT, eci=OMIT,
                           channel_response_message=OMIT, channel_response_code=OMIT, card_type=OMIT, bank=OMIT, approval_code=OMIT,
                           status_message="Success, transaction is found")
    case("payment_pending", "Bank transfer `pending` (status_code 201, waiting for the customer's transfer): PAYMENT_INTENT_PROCESSING.",
         pending, "PAYMENT_INTENT_PROCESSING", {"payments_response": {"connector_transaction_id": TXN}})
    challenge = notification("capture", "201", fraud_status="challenge")
    case("payment_challenge", "`capture` with fraud_status challenge (status_code 201; Midtrans' fraud detection asks the merchant to review): PAYMENT_INTENT_PROCESSING.",
         challenge, "PAYMENT_INTENT_PROCESSING")
    authorize = notification("authorize", "201", fraud_status="accept")
    case("payment_authorized", "`authorize` (card pre-authorization, status_code 201): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         authorize, "PAYMENT_INTENT_AUTHORIZATION_SUCCESS", {"payments_response": {"status": "AUTHORIZED"}})
    deny = notification("deny", "202", fraud_status="deny", channel_response_message="Denied by Bank", channel_response_code="05")
    case("payment_failure", "`deny` (status_code 202): PAYMENT_INTENT_FAILURE / FAILURE, error code 202 and the channel's message.",
         deny, "PAYMENT_INTENT_FAILURE", {"payments_response": {"status": "FAILURE", "error": {"code": "202", "message": "Denied by Bank"}}})
    expire = notification("expire", "202", payment_type="gopay", fraud_status=OMIT, masked_card=OMIT, eci=OMIT,
                          channel_response_message=OMIT, channel_response_code=OMIT, card_type=OMIT, bank=OMIT, approval_code=OMIT)
    case("payment_expired", "GoPay `expire` (status_code 202): PAYMENT_INTENT_EXPIRED.", expire, "PAYMENT_INTENT_EXPIRED")
    cancel = notification("cancel", "202")
    case("payment_cancelled", "`cancel` (status_code 202): PAYMENT_INTENT_CANCELLED / VOIDED.", cancel, "PAYMENT_INTENT_CANCELLED",
         {"payments_response": {"status": "VOIDED"}})
    refunds = [{"refund_chargeback_id": 106061, "refund_amount": "50000.00", "created_at": "2023-11-16 09:00:00",
                "reason": "Customer returned an item", "refund_key": "RFND-0042-1", "refund_method": ""}]
    partial = notification("partial_refund", "200", refund_amount="50000.00", refunds=refunds)
    case("refund", "`partial_refund` (status_code 200): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS from the newest entry of `refunds`: id, the merchant's refund_key, IDR 50,000.00, reason; the idempotency key adds the refund key.",
         partial, "WEBHOOK_REFUND_SUCCESS", {"refunds_response": {
             "connector_refund_id": "106061", "merchant_refund_id": "RFND-0042-1", "connector_transaction_id": TXN,
             "status": "REFUND_SUCCESS", "refund_amount": money(5000000, "IDR"), "refund_reason": "Customer returned an item"}},
         refund_key="RFND-0042-1")
    refunds2 = refunds + [{"refund_chargeback_id": 106099, "refund_amount": "100000.00", "created_at": "2023-11-17 09:00:00",
                           "reason": "Order cancelled", "refund_key": "RFND-0042-2", "refund_method": ""}]
    full = notification("refund", "200", refund_amount="150000.00", refunds=refunds2)
    case("refund_second", "`refund` after an earlier partial refund: the newest refund (106099, IDR 100,000.00) is reported, with its own idempotency key.",
         full, "WEBHOOK_REFUND_SUCCESS", {"refunds_response": {
             "connector_refund_id": "106099", "merchant_refund_id": "RFND-0042-2", "refund_amount": money(10000000, "IDR")}},
         refund_key="RFND-0042-2")
    chargeback = notification("chargeback", "200", chargeback_amount="150000.00",
                              chargebacks=[{"refund_chargeback_id": 207001, "chargeback_amount": "150000.00",
                                            "created_at": "2023-12-01 09:00:00", "reason": "Fraudulent"}])
    case("dispute_lost", "`chargeback` (status_code 200, the funds were taken back): WEBHOOK_DISPUTE_LOST with the chargeback id and amount.",
         chargeback, "WEBHOOK_DISPUTE_LOST", {"disputes_response": {
             "connector_dispute_id": "207001", "connector_transaction_id": TXN, "dispute_status": "DISPUTE_LOST",
             "dispute_amount": money(15000000, "IDR"), "connector_status_code": "chargeback"}})
    mismatch = notification("settlement", "201", payment_type="bank_transfer")
    case("status_code_mismatch_unsupported", "`settlement` with the signed status_code 201 (a pending notification whose unsigned status was changed): the status does not fit its signed code: EVENT_NOT_SUPPORTED.",
         mismatch, "EVENT_NOT_SUPPORTED")
    case("rotated_additional_secret", "Signed with a second server key configured as additional_secret (its own scheme): verified.",
         capture, "PAYMENT_INTENT_SUCCESS", secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2})
    case("wrong_signature", "Signed with another server key: InvalidSignature.", capture, secret="SB-Mid-server-wrong", error="InvalidSignature")
    good = signature_key(SECRET, capture)
    case("tampered_amount", "gross_amount changed after signing (signed): InvalidSignature.", capture, sig=good,
         tamper={"gross_amount": "1500000.00"}, error="InvalidSignature")
    case("tampered_status_code", "status_code changed after signing (signed): InvalidSignature.", pending,
         sig=signature_key(SECRET, pending), tamper={"status_code": "200"}, error="InvalidSignature")
    case("uppercase_hex", "The right digest in upper-case hex: InvalidSignature (compared as lower-case hex text).",
         capture, sig=good.upper(), error="InvalidSignature")
    case("sha256_signature", "A SHA-256 digest of the same text: InvalidSignature.", capture,
         sig=hashlib.sha256((ORDER + "200" + "150000.00" + SECRET).encode()).hexdigest(), error="InvalidSignature")
    case("missing_signature", "No signature_key in the body: MissingSignature.", capture, sig=False, error="MissingSignature")


def docs_verifies(name, fx):
    """Midtrans' rule read separately: SHA-512 hex of order_id + status_code + gross_amount + key."""
    d = json.loads(details(fx)["body_text"])
    got = d.get("signature_key")
    if got is None:
        return False
    return any(hmac.compare_digest(
        hashlib.sha512((d["order_id"] + d["status_code"] + d["gross_amount"] + k).encode()).hexdigest(), got)
        for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against Midtrans' documented rule)")


if __name__ == "__main__":
    main()
