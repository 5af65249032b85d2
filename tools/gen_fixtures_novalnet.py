#!/usr/bin/env python3
"""Generate tests/fixtures/novalnet/*.json (Novalnet webhook notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_novalnet.py

Novalnet has no Python SDK on PyPI (no official one, and no community package with a webhook
helper), so there is no SDK to sign or verify with: the fixtures are signed here with hashlib,
following Novalnet's webhook documentation ("Authentication mechanism") and the
`validate_checksum` / `validateChecksum` functions of Novalnet's own shop integrations
(Novalnet-AG's WooCommerce and Payum plugins):

    sha256_hex(event.tid . event.type . result.status
               [. transaction.amount if isset] [. transaction.currency if isset]
               . strrev(payment_access_key))   compared with `!==` to event.checksum

and every fixture is re-checked with `oracle()`, a separate port of that PHP logic (PHP `isset`
is false for a missing key and for null; PHP prints integers in decimal), which must accept every
fixture that expects events and reject every fixture that expects a signature error. Bodies
follow the notification structure of Novalnet's "Webhooks → Events" page and the notification
parameter reference (event / result / transaction / customer / merchant objects, 17-digit TIDs,
amounts in minor units); ids, amounts and keys are this script's own. No published known-answer
vector exists (the documentation's sample checksum is over placeholders). Deterministic: fixed
ids and keys. This script owns tests/fixtures/novalnet/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Novalnet's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import copy
import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, money, secrets_of

URL = "https://shop.example/webhooks/novalnet"
KEY = "a87ff679a2f3e71d9181a67b7542122c"
KEY2 = "e4da3b7fbbce2345d7772b0674a318d5"
NOW = 1700000030
CASES = Cases("novalnet", url=URL, now=NOW)
TID = 14598700012345678


def checksum(key, doc, reverse=True):
    """Sign: the token string of Novalnet's documentation, hashed with SHA-256."""
    ev, res, tx = doc["event"], doc["result"], doc.get("transaction") or {}
    token = f"{ev['tid']}{ev['type']}{res['status']}"
    if tx.get("amount") is not None:
        token += str(tx["amount"])
    if tx.get("currency") is not None:
        token += tx["currency"]
    token += key[::-1] if reverse else key
    return hashlib.sha256(token.encode()).hexdigest()


def body(event_type, *, tid=TID, parent_tid=None, result="SUCCESS", status_code=100, status_text="Successful",
         tx=None, extra=None):
    doc = {"event": {"checksum": "", "tid": tid, "parent_tid": parent_tid, "type": event_type},
           "merchant": {"vendor": 4, "project": 6},
           "result": {"status": result, "status_code": status_code, "status_text": status_text}}
    if tx is not None:
        doc["transaction"] = tx
    doc["customer"] = {"customer_no": "cust_20931", "email": "jia.tsang@example.com", "first_name": "Jia", "last_name": "Tsang"}
    if extra:
        doc.update(extra)
    return doc


def transaction(*, tid=TID, amount=6540, currency="EUR", status="CONFIRMED", payment_type="CREDITCARD", **extra):
    t = {"tid": tid, "amount": amount, "currency": currency, "order_no": "ORD-7731", "payment_type": payment_type,
         "status": status, "status_code": 100, "test_mode": 1}
    if amount is None:
        t.pop("amount")
    t.update(extra)
    return t


def sign(doc, key=KEY, sig=None):
    d = copy.deepcopy(doc)
    d["event"]["checksum"] = sig if sig is not None else checksum(key, doc)
    return d


def text(doc):
    return json.dumps(doc, separators=(",", ":"))


def case(name, description, doc_text, *, events=None, error=None, secrets=None):
    headers = {"Content-Type": "application/json", "User-Agent": "Novalnet"}
    CASES.add(name, description, doc_text, headers=headers, secrets=secrets or {"secret": KEY}, events=events, error=error)


def ev(event_type, doc, response):
    tx = doc.get("transaction") or {}
    amount = tx.get("amount")
    key = ":".join(["novalnet", str(doc["event"]["tid"]), doc["event"]["type"], doc["result"]["status"],
                    "" if amount is None else str(amount), tx.get("status") or ""])
    return event(event_type, doc["event"]["type"], str(doc["event"]["tid"]), response, key=key)


def gen():
    s = str(TID)
    pay = body("PAYMENT", tx=transaction(payment_data={"card_brand": "VISA", "card_holder": "Jia Tsang",
                                                       "card_number": "XXXXXXXXXXXX1111", "last_four": "1111"}))
    case("payment_success", "PAYMENT with result SUCCESS and transaction.status CONFIRMED (credit card, captured): PAYMENT_INTENT_SUCCESS / CHARGED; amount in minor units, order_no as merchant id. Checksum per Novalnet's documentation and official plugins (no SDK): hashlib + oracle.",
         text(sign(pay)), events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {
             "connector_transaction_id": s, "merchant_transaction_id": "ORD-7731", "status": "CHARGED",
             "amount": money(6540, "EUR"), "error": None, "payment_method_type": "CREDITCARD"}})])

    hold_tid = 14598700012345679
    hold = body("PAYMENT", tid=hold_tid, tx=transaction(tid=hold_tid, status="ON_HOLD", amount=12000))
    case("payment_on_hold", "PAYMENT with transaction.status ON_HOLD (authorized, to be captured or cancelled): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         text(sign(hold)), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", hold, {"payments_response": {
             "connector_transaction_id": str(hold_tid), "status": "AUTHORIZED", "amount": money(12000, "EUR")}})])

    inv_tid = 14598700012345680
    invoice = body("PAYMENT", tid=inv_tid, tx=transaction(tid=inv_tid, status="PENDING", payment_type="INVOICE", amount=4999,
                                                           due_date="2023-11-28", invoice_ref="BNR-6-ORD-7731"))
    case("payment_pending", "PAYMENT of an invoice, transaction.status PENDING (the customer has not paid yet): PAYMENT_INTENT_PROCESSING / PENDING.",
         text(sign(invoice)), events=[ev("PAYMENT_INTENT_PROCESSING", invoice, {"payments_response": {
             "connector_transaction_id": str(inv_tid), "status": "PENDING", "payment_method_type": "INVOICE"}})])

    fail_tid = 14598700012345681
    failed = body("PAYMENT", tid=fail_tid, result="FAILURE", status_code=300112, status_text="card declined by the issuer",
                  tx=transaction(tid=fail_tid, status="FAILURE", amount=1999))
    case("payment_failure", "PAYMENT with result FAILURE (Novalnet: the decision depends solely on result.status): PAYMENT_INTENT_FAILURE / FAILURE, with result.status_code and status_text as the error.",
         text(sign(failed)), events=[ev("PAYMENT_INTENT_FAILURE", failed, {"payments_response": {
             "connector_transaction_id": str(fail_tid), "status": "FAILURE", "amount": money(1999, "EUR"),
             "error": {"code": "300112", "message": "card declined by the issuer"}}})])

    capture = body("TRANSACTION_CAPTURE", tid=hold_tid, tx=transaction(tid=hold_tid, status="CONFIRMED", amount=12000))
    case("capture_success", "TRANSACTION_CAPTURE, status CONFIRMED: PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED.",
         text(sign(capture)), events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", capture, {"payments_response": {
             "connector_transaction_id": str(hold_tid), "status": "CHARGED", "amount": money(12000, "EUR")}})])

    capture_fail = body("TRANSACTION_CAPTURE", tid=hold_tid, result="FAILURE", status_code=500,
                        status_text="Transaction could not be captured", tx=transaction(tid=hold_tid, status="ON_HOLD", amount=12000))
    case("capture_failure", "TRANSACTION_CAPTURE with result FAILURE: PAYMENT_INTENT_CAPTURE_FAILURE / CAPTURE_FAILED with the error.",
         text(sign(capture_fail)), events=[ev("PAYMENT_INTENT_CAPTURE_FAILURE", capture_fail, {"payments_response": {
             "status": "CAPTURE_FAILED", "error": {"code": "500", "message": "Transaction could not be captured"}}})])

    cancel = body("TRANSACTION_CANCEL", tid=hold_tid, tx=transaction(tid=hold_tid, status="DEACTIVATED", amount=12000))
    case("cancel_success", "TRANSACTION_CANCEL with result SUCCESS (status DEACTIVATED): PAYMENT_INTENT_CANCELLED / VOIDED.",
         text(sign(cancel)), events=[ev("PAYMENT_INTENT_CANCELLED", cancel, {"payments_response": {
             "connector_transaction_id": str(hold_tid), "status": "VOIDED"}})])

    refund = body("TRANSACTION_REFUND", parent_tid=TID, tx=transaction(status="CONFIRMED", refunded_amount=2000, refund={
        "tid": 14598700012399001, "amount": 2000, "currency": "EUR", "payment_type": "CREDITCARD_BOOKBACK"}, reason="Item returned"))
    case("refund", "TRANSACTION_REFUND with result SUCCESS: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the refund's own TID (transaction.refund.tid) is the refund id, the refunded amount is transaction.refund.amount, the payment is event.parent_tid. The checksum covers transaction.amount (the payment's), as Novalnet computes it.",
         text(sign(refund)), events=[ev("WEBHOOK_REFUND_SUCCESS", refund, {"refunds_response": {
             "connector_refund_id": "14598700012399001", "connector_transaction_id": s, "status": "REFUND_SUCCESS",
             "refund_amount": money(2000, "EUR"), "refund_reason": "Item returned", "error": None}})])

    refund_fail = body("TRANSACTION_REFUND", parent_tid=TID, result="FAILURE", status_code=300503,
                       status_text="Refund amount exceeds the available amount", tx=transaction(status="CONFIRMED", refund={
                           "amount": 9000, "currency": "EUR"}))
    case("refund_failure", "TRANSACTION_REFUND with result FAILURE: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the error.",
         text(sign(refund_fail)), events=[ev("WEBHOOK_REFUND_FAILURE", refund_fail, {"refunds_response": {
             "connector_transaction_id": s, "status": "REFUND_FAILURE", "refund_amount": money(9000, "EUR"),
             "error": {"code": "300503", "message": "Refund amount exceeds the available amount"}}})])

    sepa_tid = 14598700012345682
    refund_cancel = body("TRANSACTION_REFUND", tid=sepa_tid, tx=transaction(tid=sepa_tid, status="DEACTIVATED", payment_type="DIRECT_DEBIT_SEPA",
                                                                            amount=3000, refund={"amount": 3000, "currency": "EUR"}))
    case("refund_before_collection", "TRANSACTION_REFUND of a SEPA debit before it was collected: Novalnet cancels the transaction instead (status DEACTIVATED, no refund.payment_type; Novalnet's 'Transaction Refund' page): PAYMENT_INTENT_CANCELLED / VOIDED.",
         text(sign(refund_cancel)), events=[ev("PAYMENT_INTENT_CANCELLED", refund_cancel, {"payments_response": {
             "connector_transaction_id": str(sepa_tid), "status": "VOIDED", "payment_method_type": "DIRECT_DEBIT_SEPA"}})])

    upd_hold = body("TRANSACTION_UPDATE", tid=inv_tid, tx=transaction(tid=inv_tid, status="ON_HOLD", payment_type="GUARANTEED_INVOICE", amount=4999))
    upd_conf = body("TRANSACTION_UPDATE", tid=inv_tid, tx=transaction(tid=inv_tid, status="CONFIRMED", payment_type="GUARANTEED_INVOICE", amount=4999))
    assert checksum(KEY, upd_hold) == checksum(KEY, upd_conf)
    case("update_on_hold", "TRANSACTION_UPDATE to ON_HOLD (a guaranteed invoice was approved): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         text(sign(upd_hold)), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", upd_hold, {"payments_response": {
             "connector_transaction_id": str(inv_tid), "status": "AUTHORIZED"}})])
    case("update_confirmed", "TRANSACTION_UPDATE to CONFIRMED for the same TID and amount: PAYMENT_INTENT_SUCCESS / CHARGED. Its checksum equals the ON_HOLD update's (the status is not signed), so the idempotency key includes transaction.status to keep the two apart.",
         text(sign(upd_conf)), events=[ev("PAYMENT_INTENT_SUCCESS", upd_conf, {"payments_response": {
             "connector_transaction_id": str(inv_tid), "status": "CHARGED", "amount": money(4999, "EUR")}})])

    cb_tid = 14598700012377001
    chargeback = body("CHARGEBACK", tid=cb_tid, parent_tid=TID, tx=transaction(tid=cb_tid, status="CONFIRMED",
                                                                              payment_type="CREDITCARD_CHARGEBACK", reason="Fraudulent transaction"))
    case("dispute_opened", "CHARGEBACK of a card payment (payment_type CREDITCARD_CHARGEBACK; new TID in event.tid, the payment in event.parent_tid): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE (a card chargeback can still be contested).",
         text(sign(chargeback)), events=[ev("WEBHOOK_DISPUTE_OPENED", chargeback, {"disputes_response": {
             "connector_dispute_id": str(cb_tid), "connector_transaction_id": s, "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(6540, "EUR"), "dispute_reason": "Fraudulent transaction",
             "connector_status_code": "CREDITCARD_CHARGEBACK"}})])

    rd_tid = 14598700012377002
    return_debit = body("CHARGEBACK", tid=rd_tid, parent_tid=sepa_tid, tx=transaction(tid=rd_tid, status="CONFIRMED",
                                                                                     payment_type="RETURN_DEBIT_SEPA", amount=3000))
    case("dispute_lost_sepa_return", "CHARGEBACK with payment_type RETURN_DEBIT_SEPA (the payer's bank returned the direct debit; it cannot be contested): WEBHOOK_DISPUTE_LOST, as hyperswitch maps it.",
         text(sign(return_debit)), events=[ev("WEBHOOK_DISPUTE_LOST", return_debit, {"disputes_response": {
             "connector_dispute_id": str(rd_tid), "connector_transaction_id": str(sepa_tid), "dispute_status": "DISPUTE_LOST",
             "dispute_amount": money(3000, "EUR"), "connector_status_code": "RETURN_DEBIT_SEPA"}})])

    credit = body("CREDIT", tid=14598700012388001, parent_tid=inv_tid, tx=transaction(tid=14598700012388001, status="CONFIRMED",
                                                                                     payment_type="INVOICE_CREDIT", amount=2000))
    case("unsupported_credit", "CREDIT (money received for an invoice, possibly only part of it): verified, EVENT_NOT_SUPPORTED; the host sums credits or fetches the transaction.",
         text(sign(credit)), events=[ev("EVENT_NOT_SUPPORTED", credit, None)])

    affiliate = body("AFFILIATE_CREATION", tid=14598700012366001, extra={"affiliate": {"id": 31, "email": "partner@example.com"}})
    case("non_transaction_event", "AFFILIATE_CREATION has no transaction object: amount and currency are absent and hash as empty strings (PHP isset); verifies, EVENT_NOT_SUPPORTED.",
         text(sign(affiliate)), events=[ev("EVENT_NOT_SUPPORTED", affiliate, None)])

    zero_tid = 14598700012345683
    zero = body("PAYMENT", tid=zero_tid, tx=transaction(tid=zero_tid, amount=0, status="CONFIRMED"))
    case("zero_amount", "PAYMENT with amount 0 (a card verification): `0` is set, so it is hashed as `0`; verifies.",
         text(sign(zero)), events=[ev("PAYMENT_INTENT_SUCCESS", zero, {"payments_response": {"amount": money(0, "EUR")}})])

    case("rotated_additional_secret", "Signed with a second payment access key, supplied as additional_secret during a key change: verifies (second scheme).",
         text(sign(pay, key=KEY2)), secrets={"secret": KEY, "additional_secret": KEY2},
         events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {"connector_transaction_id": s}})])
    case("wrong_signature", "Checksum computed with another access key: InvalidSignature.", text(sign(pay, key="0123456789abcdef0123456789abcdef")),
         error="InvalidSignature")
    case("key_not_reversed", "Checksum computed with the access key appended as is instead of reversed: InvalidSignature.",
         text(sign(pay, sig=checksum(KEY, pay, reverse=False))), error="InvalidSignature")
    case("uppercase_hex", "The right checksum in upper-case hex: Novalnet's scripts compare PHP's lower-case hash() output with !==, so InvalidSignature.",
         text(sign(pay, sig=checksum(KEY, pay).upper())), error="InvalidSignature")

    tampered = sign(pay)
    tampered["transaction"]["amount"] = 654
    case("tampered_body", "transaction.amount changed after signing (a signed field): InvalidSignature.", text(tampered), error="InvalidSignature")

    # The documented limit: transaction.status is not signed.
    relabeled = sign(invoice)
    relabeled["transaction"]["status"] = "CONFIRMED"
    shown = copy.deepcopy(invoice)
    shown["transaction"]["status"] = "CONFIRMED"
    case("unsigned_status_limit", "LIMIT, shown on purpose: transaction.status is not covered by Novalnet's checksum. The pending invoice PAYMENT with its status changed to CONFIRMED still verifies and is reported as PAYMENT_INTENT_SUCCESS; hosts should confirm the status with Novalnet before acting on money.",
         text(relabeled), events=[ev("PAYMENT_INTENT_SUCCESS", shown, {"payments_response": {
             "connector_transaction_id": str(inv_tid), "status": "CHARGED"}})])

    no_sig = sign(pay)
    del no_sig["event"]["checksum"]
    case("missing_signature", "No event.checksum: MissingSignature.", text(no_sig), error="MissingSignature")
    no_status = sign(pay)
    del no_status["result"]["status"]
    case("missing_signed_field", "result.status (a mandatory signed field) removed: MissingSignature.", text(no_status), error="MissingSignature")


def oracle(name, fx):
    """A separate port of Novalnet's PHP validate_checksum (isset semantics, !== comparison).
    True = accepted."""
    data = json.loads(details(fx)["body_text"])
    event, result, tx = data.get("event", {}), data.get("result", {}), data.get("transaction") or {}
    if "checksum" not in event or any(x is None for x in (event.get("tid"), event.get("type"), result.get("status"))):
        return False
    token = "{}{}{}".format(event["tid"], event["type"], result["status"])
    for k in ("amount", "currency"):
        if k in tx and tx[k] is not None:
            token += str(tx[k])
    return any(hmac.compare_digest(hashlib.sha256((token + "".join(reversed(key))).encode()).hexdigest(), event["checksum"])
               for key in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
