#!/usr/bin/env python3
"""Generate tests/fixtures/payme/*.json (PayMe IPN callbacks, form POSTs).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_payme.py

PayMe publishes no Python SDK. The fixtures are signed here with hashlib as hyperswitch (the
contract's reference implementation) verifies PayMe callbacks: `payme_signature` = hex MD5 of
additional_secret + secret + payme_transaction_id + payme_sale_id; each is checked by `oracle()`,
written separately. Bodies use PayMe's callback field names; ids and amounts are this script's
own. Deterministic. This script owns tests/fixtures/payme/*.json and writes nothing else.
"""

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode

import fixturelib
from fixturelib import Cases, details, event, money

SECRET = "MPL16-payme-seller-secret-4d8a1c"
ADDITIONAL = "payme-client-key-7e2b9f0c3a51"
NOW = 1700000000
CASES = Cases("payme", now=NOW)


def sig(p, *, secret=SECRET, additional=ADDITIONAL):
    return hashlib.md5((additional + secret + p["payme_transaction_id"] + p["payme_sale_id"]).encode()).hexdigest()


def callback(notify, *, sale="SALE1700-000-AAAA-0001", tx="TRAN1700-000-BBBB-0001", status="completed", price="12900",
             currency="ILS", **extra):
    p = {"notify_type": notify, "payme_status": "success", "status_code": "0", "payme_sale_id": sale,
         "payme_transaction_id": tx, "sale_status": status, "price": price, "currency": currency,
         "transaction_id": "order-5123", "payme_sale_code": "12345678", "sale_payment_method": "credit-card"}
    p.update(extra)
    return p


def form(p, signature=None, **kw):
    q = dict(p)
    q["payme_signature"] = signature if signature is not None else sig(p, **kw)
    return urlencode(q)


SECRETS = {"secret": SECRET, "additional_secret": ADDITIONAL}


def case(name, description, body_text, *, events=None, error=None, secrets=None):
    CASES.add(name, description, body_text, headers={"Content-Type": "application/x-www-form-urlencoded"},
              secrets=secrets or SECRETS, events=events, error=error)


def ev(event_type, p, response):
    return event(event_type, p["notify_type"], p["payme_transaction_id"], response,
                 key=f"payme:{p['payme_transaction_id']}:{p['notify_type']}")


def gen():
    sale = callback("sale-complete")
    b = form(sale)
    case("payment_success", "sale-complete: PAYMENT_INTENT_SUCCESS / CHARGED; price 12900 is already agorot (129.00 ILS).",
         b, events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": sale["payme_sale_id"], "merchant_transaction_id": "order-5123", "status": "CHARGED",
             "amount": money(12900, "ILS"), "error": None}})])
    fail = callback("sale-failure", sale="SALE1700-000-AAAA-0002", tx="TRAN1700-000-BBBB-0002", status="failed",
                    status_error_code="20001", status_error_details="Card declined")
    case("payment_failure", "sale-failure: PAYMENT_INTENT_FAILURE with status_error_code / status_error_details.",
         form(fail), events=[ev("PAYMENT_INTENT_FAILURE", fail, {"payments_response": {
             "status": "FAILURE", "error": {"code": "20001", "message": "Card declined"}}})])
    auth = callback("sale-authorized", sale="SALE1700-000-AAAA-0003", tx="TRAN1700-000-BBBB-0003", status="authorized",
                    price="5000", currency="USD")
    case("payment_authorized", "sale-authorized: PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED, 50.00 USD.",
         form(auth), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", auth, {"payments_response": {
             "status": "AUTHORIZED", "amount": money(5000, "USD")}})])
    ref = callback("refund", tx="TRAN1700-000-BBBB-0004", status="refunded", price="2500")
    case("refund_success", "refund: WEBHOOK_REFUND_SUCCESS; the refund's payme_transaction_id is the refund id, the sale its payment.",
         form(ref), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": "TRAN1700-000-BBBB-0004", "connector_transaction_id": sale["payme_sale_id"],
             "status": "REFUND_SUCCESS", "refund_amount": money(2500, "ILS")}})])
    cb = callback("sale-chargeback", tx="TRAN1700-000-BBBB-0005", status="chargeback")
    case("dispute_opened", "sale-chargeback: WEBHOOK_DISPUTE_OPENED on the sale.",
         form(cb), events=[ev("WEBHOOK_DISPUTE_OPENED", cb, {"disputes_response": {
             "connector_dispute_id": "TRAN1700-000-BBBB-0005", "connector_transaction_id": sale["payme_sale_id"],
             "dispute_status": "DISPUTE_OPENED", "dispute_amount": money(12900, "ILS"), "connector_status_code": "chargeback"}})])
    cbr = callback("sale-chargeback-refund", tx="TRAN1700-000-BBBB-0006", status="completed")
    case("dispute_won", "sale-chargeback-refund (the chargeback was reversed): WEBHOOK_DISPUTE_WON.",
         form(cbr), events=[ev("WEBHOOK_DISPUTE_WON", cbr, {"disputes_response": {"dispute_status": "DISPUTE_WON"}})])
    other = callback("sale-pending", tx="TRAN1700-000-BBBB-0007", status="pending")
    case("unsupported_event", "An unmapped notify_type: verified, EVENT_NOT_SUPPORTED.", form(other),
         events=[ev("EVENT_NOT_SUPPORTED", other, None)])

    case("secrets_swapped", "The two secrets concatenated in the other order: InvalidSignature.",
         form(sale, sig(sale, secret=ADDITIONAL, additional=SECRET)), error="InvalidSignature")
    case("wrong_secret", "Signed with another secret: InvalidSignature.", form(sale, secret="another-payme-secret-000000"),
         error="InvalidSignature")
    case("missing_additional_secret", "The first part of the signed string (additional_secret) not supplied: the signed message cannot be built: MissingSecret.",
         b, secrets={"secret": SECRET}, error="MissingSecret")
    case("uppercase_hex", "The right MD5 in upper-case hex: compared exactly, InvalidSignature.", form(sale, sig(sale).upper()),
         error="InvalidSignature")
    case("tampered_sale_id", "payme_sale_id changed after signing (signed): InvalidSignature.",
         form(dict(sale, payme_sale_id="SALE1700-000-AAAA-9999"), sig(sale)), error="InvalidSignature")
    relabeled = dict(fail, notify_type="sale-complete", sale_status="completed")
    case("unsigned_notify_type_limit", "LIMIT, shown on purpose: notify_type is not signed. The sale-failure callback relabeled sale-complete still verifies and reads as PAYMENT_INTENT_SUCCESS; its idempotency key differs from the original's (it includes the type), and hosts must confirm the sale with PayMe.",
         form(relabeled, sig(fail)), events=[ev("PAYMENT_INTENT_SUCCESS", relabeled, {"payments_response": {
             "connector_transaction_id": fail["payme_sale_id"]}})])
    case("missing_signature", "No payme_signature field: MissingSignature.", urlencode(sale), error="MissingSignature")
    no_tx = dict(sale)
    del no_tx["payme_transaction_id"]
    case("missing_signed_field", "payme_transaction_id (signed) removed: MissingSignature.", form(no_tx, sig(sale)),
         error="MissingSignature")


def oracle(name, fx):
    """The reference check, written separately: md5(additional + secret + payme_transaction_id +
    payme_sale_id) hex equals payme_signature. True = accepted."""
    p = dict(parse_qsl(details(fx)["body_text"], keep_blank_values=True))
    sec = fx["request"]["webhook_secrets"]
    if "additional_secret" not in sec:
        return "MissingSecret"
    if any(k not in p for k in ("payme_signature", "payme_transaction_id", "payme_sale_id")):
        return False
    want = hashlib.md5((sec["additional_secret"] + sec["secret"] + p["payme_transaction_id"] + p["payme_sale_id"]).encode()).hexdigest()
    return hmac.compare_digest(want, p["payme_signature"])


def main():
    gen()
    fixturelib.generate(CASES, oracle, want=lambda name, fx: "MissingSecret" if fx.get("expect_error") == "MissingSecret" else "expect" in fx)


if __name__ == "__main__":
    main()
