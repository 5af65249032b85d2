#!/usr/bin/env python3
"""Generate tests/fixtures/bluesnap/*.json (BlueSnap IPNs / webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_bluesnap.py

No SDK helper exists: BlueSnap publishes no SDK with an IPN signing or verification function (the
community PyPI package `bluesnap` 1.2025.4.6 was installed and checked: it is an API client with no
IPN, HMAC or authKey code; Node's `bluesnap` 0.3.4 is an API client too). So the fixtures are signed
here with Python's hmac, following BlueSnap's webhook settings documentation ("Add Security Header"):
`bls-signature` = hex HMAC-SHA256 over the `bls-ipn-timestamp` header text directly followed by the
raw body, keyed with the security-header key as-is. `oracle()` re-checks every fixture with that
documented algorithm, written separately from `sign()`: it must accept every fixture that expects
events and reject every fixture that expects a signature error. BlueSnap does not state the hex
case; like hyperswitch (which hex-decodes the header) the oracle compares case-insensitively, so an
upper-case signature is accepted (`uppercase_hex`).

Bodies are form-encoded IPNs built from the parameter names of BlueSnap's "IPN parameter reference"
and "All IPNs Name Reference" (transactionType, referenceNumber, merchantTransactionId,
invoiceChargeAmount, invoiceChargeCurrency, reversalRefNum, reversalReason, cbStatus, ...). Refund
and chargeback amounts are negative, as BlueSnap sends them. Ids, amounts and times are this
script's own. Deterministic: fixed ids, keys and times. Writes only tests/fixtures/bluesnap/*.json.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is BlueSnap's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
from urllib.parse import urlencode

import fixturelib
from fixturelib import Cases, details, event, header_get, secrets_of

URL = "https://shop.example/webhooks/bluesnap"
SECRET = "bsipn_7Qm2xV9cK4pR8tW1zN6dF3hJ5"
SECRET2 = "bsipn_2Lk8sD4fG7hJ1qW9eR3tY6uI0"
NOW = 1700000030
TS = "2023-11-14 22:13:20.123"  # bls-ipn-timestamp as BlueSnap formats it (no zone)
CASES = Cases("bluesnap", url=URL, now=NOW)


def sign(secret, ts, body):
    return hmac.new(secret.encode(), (ts + body).encode(), hashlib.sha256).hexdigest()


def form(pairs):
    """Form-encodes the parameters in order, as BlueSnap posts them."""
    return urlencode(pairs)


def common(txn_type, ref, **extra):
    pairs = [
        ("transactionType", txn_type),
        ("referenceNumber", ref),
        ("transactionDate", "11/14/2023 05:13 PM"),
        ("accountId", "25614412"),
        ("contractId", "3047232"),
        ("productId", "821594"),
        ("paymentMethod", "CC"),
        ("creditCardType", "VISA"),
        ("creditCardLastFourDigits", "1111"),
        ("firstName", "Dana"),
        ("lastName", "Ortiz"),
        ("email", "dana.ortiz@example.com"),
        ("testMode", "Y"),
    ]
    pairs += list(extra.items())
    return form(pairs)


def case(name, description, text, *, events=None, error=None, sig=None, ts=TS, secret=SECRET, secrets=None,
         headers=None):
    h = headers if headers is not None else {"Content-Type": "application/x-www-form-urlencoded"}
    if headers is None:
        if ts is not False:
            h["bls-ipn-timestamp"] = ts
        if sig is not False:
            h["bls-signature"] = sig or sign(secret, ts or TS, text)
    fx = CASES.add(name, description, text, headers=h, secrets=secrets or {"secret": SECRET}, events=events, error=error)
    # IPNs carry no event id: the key is hooknorm's body-hash key.
    for e in fx.get("expect", {}).get("events", []):
        e["idempotency_key"] = "bluesnap:" + hashlib.sha256(text.encode()).hexdigest()


def ev(event_type, cet, response):
    return event(event_type, cet, None, response)


def money(minor, cur="USD"):
    return fixturelib.money(minor, cur)


def gen():
    charge = common("CHARGE", "1012345678", merchantTransactionId="ORD-88120", invoiceAmount="49.99",
                    invoiceChargeAmount="49.99", invoiceChargeCurrency="USD", invoiceAmountUSD="49.99", currency="USD",
                    avsResponse="Y", **{"3dStatus": "AUTHENTICATION_SUCCEEDED"})
    case("payment_success", "CHARGE (BlueSnap: a purchase was completed): PAYMENT_INTENT_SUCCESS / CHARGED; invoiceChargeAmount 49.99 USD in major units -> 4999; referenceNumber is the transaction, merchantTransactionId the merchant's id, accountId the shopper. Signed with hmac over bls-ipn-timestamp + body (no SDK helper exists); the idempotency key is the SHA-256 of the signed body (no event id).",
         charge, events=[ev("PAYMENT_INTENT_SUCCESS", "CHARGE", {"payments_response": {
             "connector_transaction_id": "1012345678", "merchant_transaction_id": "ORD-88120", "status": "CHARGED",
             "amount": money(4999), "error": None, "payment_method_type": "CC", "connector_customer_id": "25614412",
             "created_at": None}})])
    recurring = common("RECURRING", "1012399001", subscriptionId="21658700", invoiceChargeAmount="4.99",
                       invoiceChargeCurrency="EUR", currency="EUR")
    case("payment_recurring", "RECURRING (BlueSnap: a later charge of a subscription): PAYMENT_INTENT_SUCCESS / CHARGED, 4.99 EUR -> 499. hyperswitch leaves this IPN unsupported.",
         recurring, events=[ev("PAYMENT_INTENT_SUCCESS", "RECURRING", {"payments_response": {
             "connector_transaction_id": "1012399001", "merchant_transaction_id": None, "status": "CHARGED",
             "amount": money(499, "EUR")}})])
    pending = common("CHARGE_PENDING", "1012345690", merchantTransactionId="ORD-88131", invoiceChargeAmount="120.00",
                     invoiceChargeCurrency="USD").replace("paymentMethod=CC", "paymentMethod=ECP")
    case("payment_pending", "CHARGE_PENDING (BlueSnap: an ACH / SEPA payment was received; CHARGE follows once processed): PAYMENT_INTENT_PROCESSING / PENDING.",
         pending, events=[ev("PAYMENT_INTENT_PROCESSING", "CHARGE_PENDING", {"payments_response": {
             "connector_transaction_id": "1012345690", "merchant_transaction_id": "ORD-88131", "status": "PENDING",
             "amount": money(12000), "payment_method_type": "ECP"}})])
    auth = common("AUTH_ONLY_SINGLE_CHARGE", "1012345701", merchantTransactionId="ORD-88140", invoiceChargeAmount="75.50",
                  invoiceChargeCurrency="USD")
    case("payment_authorized", "AUTH_ONLY_SINGLE_CHARGE (BlueSnap: an Auth Only API call succeeded): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         auth, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "AUTH_ONLY_SINGLE_CHARGE", {"payments_response": {
             "connector_transaction_id": "1012345701", "status": "AUTHORIZED", "amount": money(7550)}})])
    failed = common("CC_CHARGE_FAILED", "1012345712", merchantTransactionId="ORD-88150", invoiceChargeAmount="19.00",
                    invoiceChargeCurrency="GBP")
    case("payment_failure", "CC_CHARGE_FAILED (BlueSnap: the initial card charge failed): PAYMENT_INTENT_FAILURE / FAILURE; no decline code is documented for this IPN, so no error is extracted.",
         failed, events=[ev("PAYMENT_INTENT_FAILURE", "CC_CHARGE_FAILED", {"payments_response": {
             "connector_transaction_id": "1012345712", "merchant_transaction_id": "ORD-88150", "status": "FAILURE",
             "amount": money(1900, "GBP"), "error": None}})])
    declined = common("DECLINE", "1012345723", invoiceChargeAmount="310.00", invoiceChargeCurrency="USD")
    case("payment_declined", "DECLINE (BlueSnap: declined in its manual review): PAYMENT_INTENT_FAILURE / FAILURE.",
         declined, events=[ev("PAYMENT_INTENT_FAILURE", "DECLINE", {"payments_response": {
             "connector_transaction_id": "1012345723", "status": "FAILURE", "amount": money(31000)}})])
    refund = common("REFUND", "1012345678", merchantTransactionId="ORD-88120", reversalRefNum="38911624",
                    reversalReason="Customer returned the item", invoiceChargeAmount="-20.00", invoiceChargeCurrency="USD",
                    currency="USD")
    case("refund", "REFUND (partial, 20.00 USD): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; reversalRefNum is the refund, referenceNumber the refunded charge; BlueSnap sends the refunded invoiceChargeAmount negative (-20.00), reported as 2000.",
         refund, events=[ev("WEBHOOK_REFUND_SUCCESS", "REFUND", {"refunds_response": {
             "connector_refund_id": "38911624", "connector_transaction_id": "1012345678", "merchant_refund_id": None,
             "status": "REFUND_SUCCESS", "refund_amount": money(2000), "refund_reason": "Customer returned the item",
             "error": None}})])
    cancel_refund = common("CANCELLATION_REFUND", "1012399001", subscriptionId="21658700", reversalRefNum="38911701",
                           cancelReason="Shopper cancelled the subscription", invoiceChargeAmount="-1,250.00",
                           invoiceChargeCurrency="EUR")
    case("cancellation_refund", "CANCELLATION_REFUND (a subscription was cancelled and refunded): WEBHOOK_REFUND_SUCCESS; `-1,250.00` EUR has its sign and thousands separator dropped -> 125000; without reversalReason the cancelReason is the refund reason.",
         cancel_refund, events=[ev("WEBHOOK_REFUND_SUCCESS", "CANCELLATION_REFUND", {"refunds_response": {
             "connector_refund_id": "38911701", "connector_transaction_id": "1012399001", "status": "REFUND_SUCCESS",
             "refund_amount": money(125000, "EUR"), "refund_reason": "Shopper cancelled the subscription"}})])

    def chargeback(txn_type, status, **extra):
        params = dict(reversalRefNum="38920055", reversalReason="Fraud - Card Absent Environment",
                      invoiceChargeAmount="-49.99", invoiceChargeCurrency="USD", merchantTransactionId="ORD-88120")
        if status is not None:
            params["cbStatus"] = status
        params.update(extra)
        return common(txn_type, "1012345678", **params)

    def dispute(event_type, cet, status, **more):
        d = {"connector_dispute_id": "38920055", "connector_transaction_id": "1012345678", "dispute_status": status,
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(4999),
             "dispute_reason": "Fraud - Card Absent Environment"}
        d.update(more)
        return ev(event_type, cet, {"disputes_response": d})

    opened = chargeback("CHARGEBACK", "NEW")
    case("dispute_opened", "CHARGEBACK with cbStatus NEW: WEBHOOK_DISPUTE_OPENED; reversalRefNum identifies the chargeback (as hyperswitch), reversalReason is the reason, cbStatus the status code, the negative amount -49.99 is reported as 4999.",
         opened, events=[dispute("WEBHOOK_DISPUTE_OPENED", "CHARGEBACK", "DISPUTE_OPENED", connector_status_code="NEW")])
    no_status = chargeback("CHARGEBACK", None)
    case("dispute_opened_without_status", "CHARGEBACK without cbStatus: still a chargeback opened (BlueSnap: sent when the shopper's bank initiates a chargeback); hyperswitch rejects it instead.",
         no_status, events=[dispute("WEBHOOK_DISPUTE_OPENED", "CHARGEBACK", "DISPUTE_OPENED", connector_status_code=None)])
    challenged = chargeback("CHARGEBACK_STATUS_CHANGED", "COMPLETED_PENDING")
    case("dispute_challenged", "CHARGEBACK_STATUS_CHANGED with cbStatus COMPLETED_PENDING (the representment was submitted, outcome pending): WEBHOOK_DISPUTE_CHALLENGED.",
         challenged, events=[dispute("WEBHOOK_DISPUTE_CHALLENGED", "CHARGEBACK_STATUS_CHANGED", "DISPUTE_CHALLENGED",
                                     connector_status_code="COMPLETED_PENDING")])
    won = chargeback("CHARGEBACK_STATUS_CHANGED", "Completed_Won")
    case("dispute_won", "CHARGEBACK_STATUS_CHANGED with cbStatus `Completed_Won` (mixed case, which hyperswitch also accepts; compared upper-cased): WEBHOOK_DISPUTE_WON; the status code is reported as sent.",
         won, events=[dispute("WEBHOOK_DISPUTE_WON", "CHARGEBACK_STATUS_CHANGED", "DISPUTE_WON",
                              connector_status_code="Completed_Won")])
    lost = chargeback("CHARGEBACK_STATUS_CHANGED", "COMPLETED_LOST")
    case("dispute_lost", "CHARGEBACK_STATUS_CHANGED with cbStatus COMPLETED_LOST: WEBHOOK_DISPUTE_LOST.",
         lost, events=[dispute("WEBHOOK_DISPUTE_LOST", "CHARGEBACK_STATUS_CHANGED", "DISPUTE_LOST",
                               connector_status_code="COMPLETED_LOST")])
    closed = chargeback("CHARGEBACK_STATUS_CHANGED", "CLOSED")
    case("dispute_closed", "CHARGEBACK_STATUS_CHANGED with cbStatus CLOSED: WEBHOOK_DISPUTE_EXPIRED (hyperswitch's reading of CLOSED; BlueSnap's pages do not define the values).",
         closed, events=[dispute("WEBHOOK_DISPUTE_EXPIRED", "CHARGEBACK_STATUS_CHANGED", "DISPUTE_EXPIRED",
                                 connector_status_code="CLOSED")])
    unknown_cb = chargeback("CHARGEBACK_STATUS_CHANGED", "DOCUMENTS_REQUESTED")
    case("dispute_unknown_status", "CHARGEBACK_STATUS_CHANGED with a cbStatus outside the known values: verified, EVENT_NOT_SUPPORTED (never guessed into a dispute outcome).",
         unknown_cb, events=[ev("EVENT_NOT_SUPPORTED", "CHARGEBACK_STATUS_CHANGED", None)])
    cancellation = common("CANCELLATION", "1012399001", subscriptionId="21658700",
                          cancelReason="Shopper cancelled the subscription")
    case("unsupported_event", "CANCELLATION (a subscription was cancelled, no money moved): verified, EVENT_NOT_SUPPORTED, no event_response.",
         cancellation, events=[ev("EVENT_NOT_SUPPORTED", "CANCELLATION", None)])

    case("rotated_additional_secret", "Signed with the second security-header key, passed as additional_secret: verifies.",
         charge, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "CHARGE", {"payments_response": {"connector_transaction_id": "1012345678"}})])
    case("uppercase_hex", "The right HMAC in upper-case hex: BlueSnap does not state the case and hyperswitch hex-decodes the header (community verifiers lower-case it), so it verifies (`hex_any_case`).",
         charge, sig=sign(SECRET, TS, charge).upper(),
         events=[ev("PAYMENT_INTENT_SUCCESS", "CHARGE", {"payments_response": {"connector_transaction_id": "1012345678"}})])
    case("header_names_capitalised", "The headers as `Bls-Signature` / `Bls-Ipn-Timestamp` (HTTP header names are case-insensitive): verifies.",
         charge, headers={"Content-Type": "application/x-www-form-urlencoded", "Bls-Ipn-Timestamp": TS,
                          "Bls-Signature": sign(SECRET, TS, charge)},
         events=[ev("PAYMENT_INTENT_SUCCESS", "CHARGE", {"payments_response": {"connector_transaction_id": "1012345678"}})])
    old_ts = "2023-11-10 08:00:00.000"
    case("old_timestamp_accepted", "Signed four days before `now`: accepted, because BlueSnap documents no replay window (it resends unacknowledged IPNs for hours) and its timestamp has no zone; the timestamp is signed material only.",
         charge, ts=old_ts, sig=sign(SECRET, old_ts, charge),
         events=[ev("PAYMENT_INTENT_SUCCESS", "CHARGE", {"payments_response": {"connector_transaction_id": "1012345678"}})])
    case("wrong_signature", "Signed with another key: InvalidSignature.", charge, secret="bsipn_not-the-configured-key",
         error="InvalidSignature")
    tampered = charge.replace("invoiceChargeAmount=49.99", "invoiceChargeAmount=4.99", 1)
    assert tampered != charge
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=sign(SECRET, TS, charge),
         error="InvalidSignature")
    case("tampered_timestamp", "bls-ipn-timestamp changed after signing (the timestamp is part of the signed message): InvalidSignature.",
         charge, ts="2023-11-14 22:13:21.123", sig=sign(SECRET, TS, charge), error="InvalidSignature")
    case("prefixed_signature", "`sha256=<hex>`: BlueSnap sends the bare hex, so a prefixed value is not the signature: InvalidSignature.",
         charge, sig="sha256=" + sign(SECRET, TS, charge), error="InvalidSignature")
    case("missing_signature", "No bls-signature header: MissingSignature.", charge, sig=False, error="MissingSignature")
    case("missing_timestamp", "bls-signature without the bls-ipn-timestamp header it signs: MissingSignature.", charge,
         ts=False, sig=sign(SECRET, TS, charge), error="MissingSignature")
    legacy = common("CHARGE", "1012345678", invoiceChargeAmount="49.99", invoiceChargeCurrency="USD",
                    authKey=hashlib.md5(("1012345678" + "3047232" + SECRET).encode()).hexdigest())
    case("legacy_authkey_only", "Only the legacy `authKey` body parameter (MD5 of referenceNumber + contractId + Data Protection Key), no security headers: not a supported scheme, so MissingSignature.",
         legacy, headers={"Content-Type": "application/x-www-form-urlencoded"}, error="MissingSignature")


def oracle(name, fx):
    """BlueSnap's documented check: hex HMAC-SHA256(key, bls-ipn-timestamp + raw body) == bls-signature
    (hex compared case-insensitively, as hyperswitch's hex-decoding does). True = accepted."""
    rd = details(fx)
    sig, ts = header_get(rd["headers"], "bls-signature"), header_get(rd["headers"], "bls-ipn-timestamp")
    if sig is None or ts is None:
        assert fx.get("expect_error") == "MissingSignature", "a header is missing: MissingSignature expected"
        return False
    msg = ts.encode() + rd["body_text"].encode()
    return any(hmac.compare_digest(hmac.new(k.encode(), msg, hashlib.sha256).hexdigest(), sig.lower())
               for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
