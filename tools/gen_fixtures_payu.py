#!/usr/bin/env python3
"""Generate tests/fixtures/payu/*.json (PayU GPO notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_payu.py

PayU's "Verifying notification signature" documentation (and its official PHP SDK's
`OpenPayU_Util::verifySignature`): `OpenPayu-Signature: sender=checkout;signature=<hex>;
algorithm=<MD5|SHA-256>;content=DOCUMENT`, the signature being the hex digest (by `algorithm`)
of the raw JSON body followed by the POS's second key. PayU publishes no Python SDK with this
check, so the fixtures are signed here with hashlib and every fixture is checked by
`docs_verifies`, a separate reading of that rule that, like the PHP SDK, parses the header's
`key=value` pairs and picks the digest by `algorithm`. Bodies follow the order and refund
notification examples of PayU's documentation; ids, amounts and times are this script's own.
Deterministic. This script owns tests/fixtures/payu/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import OMIT, Cases, details, event, header_get, money, secrets_of

URL = "https://shop.example/webhooks/payu"
SECRET = "b6ca15b0d1020e8094d9b5f8d163db54"
SECRET2 = "1e5c7a9b3d2f4e6a8c0b2d4f6a8c0e2b"
NOW = 1700000030
CASES = Cases("payu", url=URL, now=NOW)
ORDER = "LDLW5N7MF4140324GUEST000P01"
ALGS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def digest(alg, secret, text):
    return ALGS[alg]((text + secret).encode()).hexdigest()


def ev(event_type, cet, sig, response):
    return event(event_type, cet, None, response, key=fixturelib.default_idempotency_key("payu", sig))


def case(name, description, text, event_type=None, cet=None, response=OMIT, *, error=None, sig=None, alg="MD5",
         secret=SECRET, secrets=None, header=None, header_name="OpenPayu-Signature"):
    headers = {"Content-Type": "application/json;charset=UTF-8", "User-Agent": "Jakarta Commons-HttpClient/3.1"}
    s = sig if sig is not None else digest(alg, secret, text)
    if header is None:
        header = f"sender=checkout;signature={s};algorithm={alg};content=DOCUMENT"
    if sig is not False:
        headers[header_name] = header
    events = [ev(event_type, cet, s, response)] if event_type else None
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def order(status, amount="21000", currency="PLN", pay="PBL", **extra):
    o = {"orderId": ORDER, "extOrderId": "SHOP-2023-4471", "orderCreateDate": "2023-11-14T23:12:58.841+01:00",
         "notifyUrl": URL, "customerIp": "127.0.0.1", "merchantPosId": "145227", "description": "Zamówienie 4471",
         "currencyCode": currency, "totalAmount": amount,
         "buyer": {"email": "jan.kowalski@example.com", "phone": "654111654", "firstName": "Paweł", "lastName": "Żółkiewski",
                   "language": "pl"},
         "payMethod": {"type": pay}, "products": [{"name": "Słuchawki", "unitPrice": amount, "quantity": "1"}],
         "status": status}
    o.update(extra)
    return json.dumps({"order": o, "localReceiptDateTime": "2023-11-14T23:13:20.000+01:00",
                       "properties": [{"name": "PAYMENT_ID", "value": "5000009987"}]}, separators=(",", ":"), ensure_ascii=False)


def refund(status, amount="5000", **extra):
    r = {"refundId": "912128", "extRefundId": "REF-4471-1", "amount": amount, "currencyCode": "PLN", "status": status,
         "statusDateTime": "2023-11-15T11:00:00.457+01:00", "reason": "refund", "reasonDescription": "Zwrot na życzenie klienta",
         "refundDate": "2023-11-15T11:00:00.457+01:00"}
    r.update(extra)
    return json.dumps({"orderId": ORDER, "extOrderId": "SHOP-2023-4471", "refund": r}, separators=(",", ":"), ensure_ascii=False)


def gen():
    done = order("COMPLETED")
    case("payment_success", "An order notification with status COMPLETED: PAYMENT_INTENT_SUCCESS / CHARGED; PayU's orderId, the shop's extOrderId, totalAmount \"21000\" grosze = PLN 210.00 (minor unit), payMethod PBL, localReceiptDateTime. OpenPayu-Signature: MD5 of body + second key (PayU's default algorithm); Polish text in the body is hashed as raw UTF-8.",
         done, "PAYMENT_INTENT_SUCCESS", "order:COMPLETED", {"payments_response": {
             "connector_transaction_id": ORDER, "merchant_transaction_id": "SHOP-2023-4471", "status": "CHARGED",
             "amount": money(21000, "PLN"), "payment_method_type": "PBL", "created_at": 1700000000}})
    case("payment_success_sha256", "The same notification from a POS set to SHA-256: algorithm=SHA-256 and a SHA-256 hex digest of body + second key: verified by the sha256 scheme.",
         done, "PAYMENT_INTENT_SUCCESS", "order:COMPLETED", alg="SHA-256")
    waiting = order("WAITING_FOR_CONFIRMATION", amount="149900", currency="CZK", pay="CARD_TOKEN")
    case("payment_authorized", "status WAITING_FOR_CONFIRMATION (card authorized, the merchant must capture or cancel): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED, CZK 1,499.00.",
         waiting, "PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "order:WAITING_FOR_CONFIRMATION", {"payments_response": {
             "status": "AUTHORIZED", "amount": money(149900, "CZK"), "payment_method_type": "CARD_TOKEN"}})
    pending = order("PENDING")
    case("payment_pending", "status PENDING: PAYMENT_INTENT_PROCESSING.", pending, "PAYMENT_INTENT_PROCESSING", "order:PENDING")
    canceled = order("CANCELED")
    case("payment_cancelled", "status CANCELED (the payment was not made or the merchant cancelled the order): PAYMENT_INTENT_CANCELLED / VOIDED.",
         canceled, "PAYMENT_INTENT_CANCELLED", "order:CANCELED", {"payments_response": {"status": "VOIDED"}})
    fin = refund("FINALIZED")
    case("refund", "A refund notification FINALIZED: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; refundId, the shop's extRefundId, the order id, PLN 50.00 = \"5000\", the reason description and refundDate.",
         fin, "WEBHOOK_REFUND_SUCCESS", "refund:FINALIZED", {"refunds_response": {
             "connector_refund_id": "912128", "merchant_refund_id": "REF-4471-1", "connector_transaction_id": ORDER,
             "status": "REFUND_SUCCESS", "refund_amount": money(5000, "PLN"), "refund_reason": "Zwrot na życzenie klienta",
             "created_at": 1700042400}})
    rc = refund("CANCELED")
    case("refund_failure", "A refund CANCELED: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.", rc, "WEBHOOK_REFUND_FAILURE", "refund:CANCELED",
         {"refunds_response": {"status": "REFUND_FAILURE"}})
    rp = refund("PENDING")
    case("refund_pending_unsupported", "A refund PENDING is not final: EVENT_NOT_SUPPORTED.", rp, "EVENT_NOT_SUPPORTED", "refund:PENDING")
    odd = order("NEW")
    case("unsupported_event", "An order status this spec does not map (NEW): EVENT_NOT_SUPPORTED.", odd, "EVENT_NOT_SUPPORTED", "order:NEW")
    case("rotated_additional_secret", "Signed with a second key configured as additional_secret (its own schemes): verified.",
         done, "PAYMENT_INTENT_SUCCESS", "order:COMPLETED", secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2})
    case("x_openpayu_header", "The header as X-OpenPayU-Signature (the name in some of PayU's examples): verified.",
         done, "PAYMENT_INTENT_SUCCESS", "order:COMPLETED", header_name="X-OpenPayU-Signature")
    s = digest("MD5", SECRET, done)
    case("reordered_parameters", "The header's parameters in another order: `key=value` pairs are read by name.",
         done, "PAYMENT_INTENT_SUCCESS", "order:COMPLETED", sig=s, header=f"algorithm=MD5;content=DOCUMENT;signature={s};sender=checkout")
    case("wrong_signature", "Signed with another second key: InvalidSignature.", done, secret="0" * 32, error="InvalidSignature")
    tampered = done.replace('"totalAmount":"21000"', '"totalAmount":"2100"', 1)
    assert tampered != done
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=s, error="InvalidSignature")
    case("key_before_body", "MD5 of second key + body (the wrong order): InvalidSignature.", done,
         sig=hashlib.md5((SECRET + done).encode()).hexdigest(), error="InvalidSignature")
    case("uppercase_hex", "The right MD5 in upper-case hex: InvalidSignature (PayU's SDK compares the hex text).",
         done, sig=s.upper(), error="InvalidSignature")
    case("missing_signature", "No OpenPayu-Signature header: MissingSignature.", done, sig=False, error="MissingSignature")
    case("no_signature_parameter", "The header without its signature parameter: MissingSignature.",
         done, sig=s, header="sender=checkout;algorithm=MD5;content=DOCUMENT", error="MissingSignature")


def docs_verifies(name, fx):
    """PayU's rule read separately: parse the pairs, hash body + key with `algorithm`, compare."""
    h = details(fx)["headers"]
    raw = header_get(h, "OpenPayu-Signature") or header_get(h, "X-OpenPayU-Signature")
    if raw is None:
        return False
    pairs = dict(p.split("=", 1) for p in raw.split(";") if "=" in p)
    if "signature" not in pairs:
        return False
    text = details(fx)["body_text"]
    alg = {"MD5": "MD5", "SHA-256": "SHA-256", "SHA256": "SHA-256"}.get(pairs.get("algorithm", "MD5").upper())
    if alg is None:
        return False
    return any(hmac.compare_digest(digest(alg, k, text), pairs["signature"]) for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, docs_verifies, note=" (each checked against PayU's documented rule)")


if __name__ == "__main__":
    main()
