#!/usr/bin/env python3
"""Generate tests/fixtures/worldpay/*.json (Access Worldpay Events webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_worldpay.py

No SDK helper exists: Worldpay has no official Python SDK on PyPI (`worldpay` 0.2 is an unofficial
2017 Orders wrapper, `worldpay-apimatic-sdk` an APIMatic sample; processors.md), and none of them
signs or verifies events. So the fixtures are signed here with Python's hmac, following Access
Worldpay's Events "Signature" page: `Event-Signature: {keyId}/{hashFunction}/{signature}[,...]`,
hashFunction `SHA256`, signature = hex HMAC-SHA256 of the raw body with the shared secret. The key
is the hex-decoded shared secret, as hyperswitch does (Worldpay's page does not say). `oracle()`
re-checks every fixture with that algorithm, written separately from `sign()` and following the
page's steps (split the entries, keep the SHA256 ones, compare each): it must accept every fixture
that expects events and reject every fixture that expects a signature error. Hex is compared
case-insensitively, as hyperswitch's hex-decoding does.

Bodies follow the examples of the Events reference (eventId, eventTimestamp, eventDetails with
classification, transactionReference, downstreamReference, type, date, reference, amount
{value, currencyCode}, refund.refusal, _links). Ids, amounts and times are this script's own.
Deterministic: fixed ids, keys and times. Writes only tests/fixtures/worldpay/*.json.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Worldpay's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event_builder, header_get, secrets_of

URL = "https://shop.example/webhooks/worldpay"
SECRET = "5f3c9a1e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5a7c9e1b3d5f7a9c0e2b"
SECRET2 = "a7c9e1b3d5f7092b4d6f8a0c2e4a6c8e0b2d4f6a8c1e3a5c7e9b1d3f5a7c9e0b"
NOW = 1700000030
CASES = Cases("worldpay", url=URL, now=NOW)


def sign(secret_hex, body):
    return hmac.new(bytes.fromhex(secret_hex), body.encode(), hashlib.sha256).hexdigest()


def body(event_id, classification, typ, ref="ORD-2023-11-0042", amount=(2599, "GBP"), **extra):
    details = {"classification": classification, "downstreamReference": "3378792436", "transactionReference": ref,
               "type": typ, "date": "2023-11-14"}
    details.update(extra)
    if amount is not None:
        details["amount"] = {"value": amount[0], "currencyCode": amount[1]}
    details["_links"] = {"payment": {"href": ""}}
    return json.dumps({"eventId": event_id, "eventTimestamp": "2023-11-14T22:13:20.407", "eventDetails": details},
                      separators=(",", ":"))


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None):
    headers = {"Content-Type": "application/vnd.worldpay.events-v1.hal+json"}
    if sig is not False:
        headers["Event-Signature"] = sig or f"1/SHA256/{sign(secret, text)}"
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


ev = event_builder("worldpay")


def money(minor, cur="GBP"):
    return fixturelib.money(minor, cur)


def pay(status, amount=money(2599), **more):
    p = {"connector_transaction_id": "ORD-2023-11-0042", "merchant_transaction_id": "ORD-2023-11-0042", "status": status,
         "amount": amount, "error": None, "created_at": None}
    p.update(more)
    return {"payments_response": p}


def gen():
    ids = iter([f"6f2c1a9e-3b7d-4e5f-9a1c-{n:012d}" for n in range(1, 100)])

    def payment_case(name, typ, event_type, status, description, amount=(2599, "GBP"), **extra):
        eid = next(ids)
        text = body(eid, "payment", typ, amount=amount, **extra)
        exp_amount = money(*amount) if amount else None
        case(name, description, text, events=[ev(event_type, typ, eid, pay(status, exp_amount))])
        return text, eid

    payment_case("payment_sent_for_authorization", "sentForAuthorization", "PAYMENT_INTENT_PROCESSING", "AUTHORIZING",
                 "sentForAuthorization (Worldpay: we've requested permission from the card issuer): PAYMENT_INTENT_PROCESSING with status AUTHORIZING; transactionReference is the payment's only identifier; amount.value 2599 GBP in minor units.")
    authorized, auth_id = payment_case(
        "payment_authorized", "authorized", "PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "AUTHORIZED",
        "authorized (the payment was approved and the funds reserved): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED; the signed eventId is the idempotency key. Signed with hmac (hex-decoded key) per Worldpay's Signature page; no SDK helper exists.",
        schemeReference="MCC8Z1Y2X0114")
    payment_case("payment_captured", "sentForSettlement", "PAYMENT_INTENT_CAPTURE_SUCCESS", "CHARGED",
                 "sentForSettlement (the reserved funds were requested: the capture, often the last event since `settled` is only sent in some set-ups): PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED. hyperswitch's webhook table says processing while its own payment sync maps this status to Charged.")
    payment_case("payment_settled", "settled", "PAYMENT_INTENT_SUCCESS", "CHARGED",
                 "settled (Worldpay received the funds): PAYMENT_INTENT_SUCCESS / CHARGED.")
    payment_case("settlement_failed", "settlementFailed", "PAYMENT_INTENT_CAPTURE_FAILURE", "CAPTURE_FAILED",
                 "settlementFailed (the settlement could not be processed, no funds transferred): PAYMENT_INTENT_CAPTURE_FAILURE / CAPTURE_FAILED (hyperswitch: failure).")
    payment_case("payment_cancelled", "cancelled", "PAYMENT_INTENT_CANCELLED", "VOIDED",
                 "cancelled (the merchant stopped the payment before settlement): PAYMENT_INTENT_CANCELLED / VOIDED (hyperswitch: not supported).")
    payment_case("payment_refused", "refused", "PAYMENT_INTENT_AUTHORIZATION_FAILURE", "AUTHORIZATION_FAILED",
                 "refused (declined by a third party; the documented example has no amount): PAYMENT_INTENT_AUTHORIZATION_FAILURE / AUTHORIZATION_FAILED (hyperswitch: not supported).",
                 amount=None)
    payment_case("payment_failure", "error", "PAYMENT_INTENT_FAILURE", "FAILURE",
                 "error (the payment was not completed; the customer may retry): PAYMENT_INTENT_FAILURE / FAILURE.", amount=None)
    payment_case("payment_expired", "expired", "PAYMENT_INTENT_EXPIRED", "EXPIRED",
                 "expired (the authorization period ended before settlement or cancel): PAYMENT_INTENT_EXPIRED / EXPIRED (hyperswitch: failure).")

    eid = next(ids)
    refunded = body(eid, "payment", "refunded", amount=(1000, "GBP"), reference="REF-0042-1",
                    refund={"onlineRefundAuthorization": "987654"})
    case("refund", "refunded (the issuer received the refund; partial, 10.00 GBP): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the refund request's `reference` is the merchant refund id, transactionReference the payment; Worldpay sends no refund id of its own.",
         refunded, events=[ev("WEBHOOK_REFUND_SUCCESS", "refunded", eid, {"refunds_response": {
             "connector_refund_id": None, "merchant_refund_id": "REF-0042-1", "connector_transaction_id": "ORD-2023-11-0042",
             "status": "REFUND_SUCCESS", "refund_amount": money(1000), "error": None}})])
    eid = next(ids)
    refund_failed = body(eid, "payment", "refundFailed", amount=(2599, "GBP"), reference="REF-0042-2",
                         refund={"refusal": {"code": "5", "description": "Do not honor"}})
    case("refund_failure", "refundFailed (the refund could not be processed; the funds went back to the merchant): WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with refund.refusal as the error (hyperswitch: not supported).",
         refund_failed, events=[ev("WEBHOOK_REFUND_FAILURE", "refundFailed", eid, {"refunds_response": {
             "merchant_refund_id": "REF-0042-2", "connector_transaction_id": "ORD-2023-11-0042", "status": "REFUND_FAILURE",
             "refund_amount": money(2599), "error": {"code": "5", "message": "Do not honor"}}})])
    eid = next(ids)
    sent_for_refund = body(eid, "payment", "sentForRefund", amount=(1000, "GBP"), reference="REF-0042-1")
    case("refund_requested", "sentForRefund (a refund was requested; refundFailed can still follow): not final, so EVENT_NOT_SUPPORTED.",
         sent_for_refund, events=[ev("EVENT_NOT_SUPPORTED", "sentForRefund", eid, None)])
    eid = next(ids)
    info = json.dumps({"eventId": eid, "eventTimestamp": "2023-11-20T09:00:00.000", "eventDetails": {
        "classification": "chargeback", "transactionReference": "ORD-2023-11-0042", "type": "informationRequested",
        "date": "2023-11-14", "amount": {"value": 2599, "currencyCode": "GBP"}, "_links": {"payment": {"href": ""}}}},
        separators=(",", ":"))
    case("dispute_opened", "chargeback informationRequested (the customer disputed the payment, the issuer requested information and the disputed funds are held): WEBHOOK_DISPUTE_OPENED at stage PRE_DISPUTE (an information request); Worldpay sends no dispute id.",
         info, events=[ev("WEBHOOK_DISPUTE_OPENED", "informationRequested", eid, {"disputes_response": {
             "connector_dispute_id": None, "connector_transaction_id": "ORD-2023-11-0042", "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "PRE_DISPUTE", "dispute_amount": money(2599), "connector_status_code": "informationRequested"}})])
    eid = next(ids)
    disbursed = json.dumps({"eventId": eid, "eventTimestamp": "2023-11-14T22:13:20.407", "eventDetails": {
        "classification": "payout", "transactionReference": "PAYOUT-0077", "type": "disbursed", "date": "2023-11-14",
        "amount": {"value": 5000, "currencyCode": "EUR"}}}, separators=(",", ":"))
    case("payout_disbursed", "payout disbursed (a Fast Access disbursement was disbursed): PAYOUT_SUCCESS; the contract has no payout resource, so no event_response.",
         disbursed, events=[ev("PAYOUT_SUCCESS", "disbursed", eid, None)])
    eid = next(ids)
    payout_refused = json.dumps({"eventId": eid, "eventTimestamp": "2023-11-14T22:13:20.407", "eventDetails": {
        "classification": "payout", "transactionReference": "PAYOUT-0078", "type": "refused", "date": "2023-11-14",
        "octReference": "12345"}}, separators=(",", ":"))
    case("payout_refused", "payout refused: PAYOUT_FAILURE; the classification tells it apart from a refused payment.",
         payout_refused, events=[ev("PAYOUT_FAILURE", "refused", eid, None)])
    eid = next(ids)
    token = json.dumps({"eventId": eid, "eventTimestamp": "2023-11-14T22:13:20.407", "eventDetails": {
        "classification": "payment", "transactionReference": "ORD-2023-11-0050", "type": "tokenCreated",
        "tokenCreatedAt": "2023-11-14T22:13:18Z", "tokenPaymentInstrument": {"type": "token", "tokenId": "9981080858023992994"},
        "paymentInstrument": {"method": "klarna", "countryCode": "GB"}, "productType": "payLater"}}, separators=(",", ":"))
    case("unsupported_event", "tokenCreated (an APM token was created): verified, EVENT_NOT_SUPPORTED, no event_response.",
         token, events=[ev("EVENT_NOT_SUPPORTED", "tokenCreated", eid, None)])

    def auth_ev():
        return [ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "authorized", auth_id, pay("AUTHORIZED"))]
    case("rotated_additional_secret", "During a key renewal Worldpay sends two entries; the new key's entry comes first and only the new key (additional_secret) matches it: verifies (hyperswitch reads only the last entry and would fail).",
         authorized, sig=f"2/SHA256/{sign(SECRET2, authorized)},1/SHA256/{sign(SECRET, authorized)[::-1]}",
         secrets={"secret": SECRET, "additional_secret": SECRET2}, events=auth_ev())
    case("multiple_signatures", "Two entries `1/SHA256/<old key>,2/SHA256/<new key>` with only the old key configured: the first entry verifies (Worldpay: the order can change, use the keyId; any entry may match).",
         authorized, sig=f"1/SHA256/{sign(SECRET, authorized)},2/SHA256/{sign(SECRET2, authorized)}", events=auth_ev())
    case("uppercase_hex", "The right HMAC in upper-case hex: Worldpay does not state the case and hyperswitch hex-decodes the value, so it verifies (`hex_any_case`).",
         authorized, sig=f"1/SHA256/{sign(SECRET, authorized).upper()}", events=auth_ev())
    case("wrong_signature", "Signed with another key: InvalidSignature.", authorized, secret=SECRET2, error="InvalidSignature")
    tampered = authorized.replace('"value":2599', '"value":259', 1)
    assert tampered != authorized
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered,
         sig=f"1/SHA256/{sign(SECRET, authorized)}", error="InvalidSignature")
    case("missing_signature", "No Event-Signature header: MissingSignature.", authorized, sig=False, error="MissingSignature")
    case("bare_hex", "The hex signature without `keyId/SHA256/` (Worldpay's documented format always has them; hyperswitch would take it): MalformedSignature.",
         authorized, sig=sign(SECRET, authorized), error="MalformedSignature")
    case("other_hash_function", "`1/SHA512/<hex>`: SHA256 is the only documented hash function, so the entry is not a candidate: MalformedSignature.",
         authorized, sig=f"1/SHA512/{sign(SECRET, authorized)}", error="MalformedSignature")
    case("secret_not_hex", "A shared secret that is not hex text cannot be hex-decoded into the HMAC key: InvalidSecret.",
         authorized, secrets={"secret": "not-a-hex-secret"}, error="InvalidSecret")


def oracle(name, fx):
    """Worldpay's documented check: for each `keyId/hashFunction/signature` entry of Event-Signature
    with hashFunction SHA256, hex HMAC-SHA256(hex-decoded shared secret, raw body) == signature.
    True = accepted."""
    rd = details(fx)
    header = header_get(rd["headers"], "event-signature")
    if header is None:
        assert fx.get("expect_error") == "MissingSignature", "no Event-Signature: MissingSignature expected"
        return False
    entries = [e.split("/") for e in header.split(",")]
    sigs = [e[2].lower() for e in entries if len(e) == 3 and e[1] == "SHA256"]
    keys = []
    for k in secrets_of(fx):
        try:
            keys.append(bytes.fromhex(k))
        except ValueError:
            pass
    raw = rd["body_text"].encode()
    if not sigs:
        assert fx.get("expect_error") == "MalformedSignature", "no SHA256 entry: MalformedSignature expected"
    if not keys:
        assert fx.get("expect_error") == "InvalidSecret", "no hex secret: InvalidSecret expected"
    return any(hmac.compare_digest(hmac.new(k, raw, hashlib.sha256).hexdigest(), s) for k in keys for s in sigs)


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
