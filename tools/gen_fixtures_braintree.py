#!/usr/bin/env python3
"""Generate tests/fixtures/braintree/*.json, signed and checked with Braintree's official SDK.

How to run (from the repository root):

    python3 -m venv /tmp/groupa-venv
    /tmp/groupa-venv/bin/pip install braintree==4.48.0
    /tmp/groupa-venv/bin/python tools/gen_fixtures_braintree.py

Payloads are this script's own notification XML (the SDK's sample_notification stamps the
current time, so it is not deterministic), base64-encoded with line breaks exactly as the SDK
does (`base64.encodebytes`) and signed with the SDK's `braintree.util.crypto.Crypto.sha1_hmac_hash`
(HMAC-SHA1 keyed with SHA-1 of the private key, hex), listed as `public_key|signature`. Every
fixture is then checked with `gateway.webhook_notification.parse(bt_signature, bt_payload)`: it
must accept (with the expected kind) every fixture that expects events and raise
InvalidSignatureError for every signature-error fixture. Deterministic: fixed keys, ids and
times. This script owns tests/fixtures/braintree/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Braintree's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import base64
from urllib.parse import parse_qsl, urlencode

import braintree
from braintree.exceptions.invalid_signature_error import InvalidSignatureError
from braintree.util.crypto import Crypto

import fixturelib
from fixturelib import Cases, details, event

MERCHANT = "hk4nrmt3stm3rch"
PUBLIC = "hk4nrmpubk3y7q2x"
PRIVATE = "9f3c0b8e5a514b8e9d2e6c1b7a2f4e10"
URL = "https://shop.example/webhooks/braintree"
NOW = 1700000000

GATEWAY = braintree.BraintreeGateway(braintree.Configuration(
    environment=braintree.Environment.Sandbox, merchant_id=MERCHANT, public_key=PUBLIC, private_key=PRIVATE))


def notification(kind, timestamp, subject):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<notification>
  <kind>{kind}</kind>
  <timestamp type="datetime">{timestamp}</timestamp>
  <subject>
{subject}
  </subject>
</notification>
"""


def payload(xml):
    return base64.encodebytes(xml.encode()).decode()


def sig(p, private=PRIVATE, public=PUBLIC, extra=""):
    return f"{public}|{Crypto.sha1_hmac_hash(private, p)}"


def transaction(tid, status, amount, currency, *, order_id=None, response=("1000", "Approved"), kind="sale", instrument="credit_card",
                created="2023-11-14T22:10:05Z", refunded=None):
    order = f"<order-id>{order_id}</order-id>" if order_id else '<order-id nil="true"/>'
    ref = f"<refunded-transaction-id>{refunded}</refunded-transaction-id>" if refunded else '<refunded-transaction-id nil="true"/>'
    return f"""    <transaction>
      <id>{tid}</id>
      <status>{status}</status>
      <type>{kind}</type>
      <currency-iso-code>{currency}</currency-iso-code>
      <amount>{amount}</amount>
      <merchant-account-id>hooknormshopUSD</merchant-account-id>
      {order}
      {ref}
      <created-at type="datetime">{created}</created-at>
      <updated-at type="datetime">2023-11-14T22:13:00Z</updated-at>
      <customer>
        <id>84512037</id>
        <first-name>Zoë</first-name>
        <last-name>Müller</last-name>
      </customer>
      <processor-response-code>{response[0]}</processor-response-code>
      <processor-response-text>{response[1]}</processor-response-text>
      <payment-instrument-type>{instrument}</payment-instrument-type>
      <tax-amount nil="true"/>
    </transaction>"""


def dispute(did, status, kind, amount, currency, txn, reason, reason_code, *, reply_by="2023-12-04", opened="2023-11-20", created="2023-11-20T09:12:44Z"):
    rc = f"<reason-code>{reason_code}</reason-code>" if reason_code else '<reason-code nil="true"/>'
    return f"""    <dispute>
      <id>{did}</id>
      <amount>{amount}</amount>
      <amount-disputed>{amount}</amount-disputed>
      <amount-won>0.00</amount-won>
      <case-number>CB-{did.upper()}</case-number>
      <created-at type="datetime">{created}</created-at>
      <currency-iso-code>{currency}</currency-iso-code>
      <forwarded-comments nil="true"/>
      <kind>{kind}</kind>
      <merchant-account-id>hooknormshopUSD</merchant-account-id>
      <reason>{reason}</reason>
      {rc}
      <reason-description nil="true"/>
      <received-date type="date">{opened}</received-date>
      <reference-number>74859302110</reference-number>
      <reply-by-date type="date">{reply_by}</reply-by-date>
      <status>{status}</status>
      <updated-at type="datetime">{created}</updated-at>
      <status-history type="array">
        <status-history>
          <status>{status}</status>
          <timestamp type="datetime">{created}</timestamp>
        </status-history>
      </status-history>
      <evidence type="array"/>
      <transaction>
        <id>{txn}</id>
        <amount>{amount}</amount>
        <created-at>2023-11-14T22:10:05Z</created-at>
        <order-id>order_4711</order-id>
        <purchase-order-number nil="true"/>
        <payment-instrument-subtype>Visa</payment-instrument-subtype>
      </transaction>
      <date-opened type="date">{opened}</date-opened>
    </dispute>"""


CASES = Cases("braintree", url=URL, now=NOW, tag_events=False)
KINDS = {}  # case name -> the notification kind the SDK must parse


def case(name, description, kind, p, *, events=None, error=None, bt_signature=None, fields=None, secrets=None):
    if fields is None:
        fields = [("bt_signature", bt_signature if bt_signature is not None else sig(p)), ("bt_payload", p)]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Braintree/1.0"}
    CASES.add(name, description, urlencode(fields), headers=headers,
              secrets=secrets or {"secret": PRIVATE, "additional_secret": PUBLIC}, events=events, error=error)
    KINDS[name] = kind


def ev(event_type, kind, response):
    return event(event_type, kind, response=response)


def gen():
    ts = "2023-11-14T22:13:19Z"
    settled = payload(notification("transaction_settled", ts, transaction("k9d2rt7x", "settled", "49.99", "USD", order_id="order_4711", instrument="us_bank_account")))
    case("payment_success", "Braintree transaction_settled (an ACH transaction settling; notification XML per Braintree's webhook reference, base64 with line breaks as the SDK encodes it): PAYMENT_INTENT_SUCCESS / CHARGED, amount '49.99' in major units → 4999. Signed with braintree Crypto.sha1_hmac_hash, parsed by gateway.webhook_notification.parse.",
         "transaction_settled", settled, events=[ev("PAYMENT_INTENT_SUCCESS", "transaction_settled", {"payments_response": {
             "connector_transaction_id": "k9d2rt7x", "merchant_transaction_id": "order_4711", "status": "CHARGED", "amount": {"minor_amount": 4999, "currency": "USD"},
             "payment_method_type": "us_bank_account", "connector_customer_id": "84512037", "created_at": 1699999805, "error": None}})])
    declined = payload(notification("transaction_settlement_declined", ts, transaction("m3q8zv1w", "settlement_declined", "120.00", "USD",
                                                                                      response=("2046", "Declined"), instrument="us_bank_account")))
    case("payment_failure", "Braintree transaction_settlement_declined: PAYMENT_INTENT_FAILURE / FAILURE with the processor response as error; a nil order-id gives no merchant_transaction_id.",
         "transaction_settlement_declined", declined, events=[ev("PAYMENT_INTENT_FAILURE", "transaction_settlement_declined", {"payments_response": {
             "connector_transaction_id": "m3q8zv1w", "merchant_transaction_id": None, "status": "FAILURE", "amount": {"minor_amount": 12000, "currency": "USD"},
             "error": {"code": "2046", "message": "Declined"}}})])
    sub_xml = f"""    <subscription>
      <id>hk4nsub7</id>
      <status>Active</status>
      <transactions type="array">
{transaction("p4w7nd2k", "submitted_for_settlement", "15.00", "EUR", created="2023-11-14T06:00:10Z")}
{transaction("a8c1e5g9", "settled", "15.00", "EUR", created="2023-10-14T06:00:09Z")}
      </transactions>
      <add-ons type="array"/>
      <discounts type="array"/>
    </subscription>"""
    subp = payload(notification("subscription_charged_successfully", "2023-11-14T06:00:12Z", sub_xml))
    case("subscription_charged", "Braintree subscription_charged_successfully with two transactions: the newest (first) is the payment: PAYMENT_INTENT_SUCCESS / CHARGED (submitted_for_settlement), 15.00 EUR.",
         "subscription_charged_successfully", subp, events=[ev("PAYMENT_INTENT_SUCCESS", "subscription_charged_successfully", {"payments_response": {
             "connector_transaction_id": "p4w7nd2k", "status": "CHARGED", "amount": {"minor_amount": 1500, "currency": "EUR"}}})])
    refund = payload(notification("refund_failed", ts, transaction("r7t2kq9d", "processor_declined", "20.00", "USD", kind="credit", refunded="k9d2rt7x",
                                                                    response=("2005", "Invalid Credit Card Number"))))
    case("refund", "Braintree refund_failed (the subject is the refund transaction, refunded-transaction-id the sale): WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the processor response.",
         "refund_failed", refund, events=[ev("WEBHOOK_REFUND_FAILURE", "refund_failed", {"refunds_response": {
             "connector_refund_id": "r7t2kq9d", "connector_transaction_id": "k9d2rt7x", "status": "REFUND_FAILURE", "refund_amount": {"minor_amount": 2000, "currency": "USD"},
             "error": {"code": "2005", "message": "Invalid Credit Card Number"}}})])
    d_open = payload(notification("dispute_opened", "2023-11-20T09:12:45Z", dispute("hk4nd1sp", "open", "chargeback", "49.99", "USD", "k9d2rt7x", "fraud", "83")))
    case("dispute_opened", "Braintree dispute_opened for a chargeback: WEBHOOK_DISPUTE_OPENED / DISPUTE_OPENED, ACTIVE_DISPUTE; reason-code as reason, date-opened and reply-by-date (days) as midnight UTC.",
         "dispute_opened", d_open, events=[ev("WEBHOOK_DISPUTE_OPENED", "dispute_opened", {"disputes_response": {
             "connector_dispute_id": "hk4nd1sp", "connector_transaction_id": "k9d2rt7x", "dispute_status": "DISPUTE_OPENED", "dispute_stage": "ACTIVE_DISPUTE",
             "dispute_amount": {"minor_amount": 4999, "currency": "USD"}, "dispute_reason": "83", "dispute_message": None, "connector_status_code": "open",
             "dispute_date": 1700438400, "due_date": 1701648000, "created_at": 1700471564}})])
    d_ret = payload(notification("dispute_opened", "2023-11-20T09:12:45Z", dispute("hk4nr3tr", "open", "retrieval", "49.99", "USD", "k9d2rt7x", "retrieval", None)))
    case("dispute_retrieval", "Braintree dispute_opened for a retrieval request (kind retrieval): WEBHOOK_DISPUTE_OPENED at stage PRE_DISPUTE; a nil reason-code falls back to reason.",
         "dispute_opened", d_ret, events=[ev("WEBHOOK_DISPUTE_OPENED", "dispute_opened", {"disputes_response": {
             "connector_dispute_id": "hk4nr3tr", "dispute_stage": "PRE_DISPUTE", "dispute_reason": "retrieval"}})])
    d_won = payload(notification("dispute_won", "2024-01-10T12:00:00Z", dispute("hk4nd1sp", "won", "chargeback", "49.99", "USD", "k9d2rt7x", "fraud", "83")))
    case("dispute_won", "Braintree dispute_won: WEBHOOK_DISPUTE_WON / DISPUTE_WON.", "dispute_won", d_won,
         events=[ev("WEBHOOK_DISPUTE_WON", "dispute_won", {"disputes_response": {"connector_dispute_id": "hk4nd1sp", "dispute_status": "DISPUTE_WON", "connector_status_code": "won"}})])
    d_lost = payload(notification("dispute_lost", "2024-01-10T12:00:00Z", dispute("hk4np4rb", "lost", "pre_arbitration", "49.99", "USD", "k9d2rt7x", "fraud", "83")))
    case("dispute_lost", "Braintree dispute_lost in pre-arbitration: WEBHOOK_DISPUTE_LOST at stage PRE_ARBITRATION.", "dispute_lost", d_lost,
         events=[ev("WEBHOOK_DISPUTE_LOST", "dispute_lost", {"disputes_response": {"connector_dispute_id": "hk4np4rb", "dispute_status": "DISPUTE_LOST", "dispute_stage": "PRE_ARBITRATION"}})])
    d_acc = payload(notification("dispute_auto_accepted", "2023-12-05T00:00:00Z", dispute("hk4nd2ac", "accepted", "chargeback", "10.00", "USD", "m3q8zv1w", "product_unsatisfactory", None)))
    case("dispute_accepted", "Braintree dispute_auto_accepted (no response before the reply-by date): WEBHOOK_DISPUTE_ACCEPTED.", "dispute_auto_accepted", d_acc,
         events=[ev("WEBHOOK_DISPUTE_ACCEPTED", "dispute_auto_accepted", {"disputes_response": {"dispute_status": "DISPUTE_ACCEPTED"}})])
    check = payload(notification("check", ts, '    <check type="boolean">true</check>'))
    case("unsupported_event", "Braintree check (the control panel's test notification): verified, EVENT_NOT_SUPPORTED.", "check", check,
         events=[ev("EVENT_NOT_SUPPORTED", "check", None)])
    # The SDK also accepts a signature over payload + "\n".
    nl = f"{PUBLIC}|{Crypto.sha1_hmac_hash(PRIVATE, settled + chr(10))}"
    case("signature_over_payload_newline", "bt_signature computed over bt_payload plus one trailing newline: the SDK accepts it (it tries payload and payload + '\\n'), so does the second scheme.",
         "transaction_settled", settled, bt_signature=nl, events=[ev("PAYMENT_INTENT_SUCCESS", "transaction_settled", {"payments_response": {"connector_transaction_id": "k9d2rt7x"}})])
    other_pair = f"otherpubkey0001|{Crypto.sha1_hmac_hash('another-private-key', settled)}&{sig(settled)}"
    case("several_pairs", "bt_signature lists another key pair's signature first: the pair of our public key (additional_secret) is chosen and verifies.",
         "transaction_settled", settled, bt_signature=other_pair, events=[ev("PAYMENT_INTENT_SUCCESS", "transaction_settled", {"payments_response": {"connector_transaction_id": "k9d2rt7x"}})])
    # Negative cases.
    case("wrong_signature", "Signed with another private key under our public key: InvalidSignature.", "transaction_settled", settled,
         bt_signature=f"{PUBLIC}|{Crypto.sha1_hmac_hash('not-the-private-key', settled)}", error="InvalidSignature")
    tampered = payload(notification("transaction_settled", ts, transaction("k9d2rt7x", "settled", "4999.00", "USD", order_id="order_4711", instrument="us_bank_account")))
    case("tampered_body", "bt_payload replaced (amount 4999.00) under the original signature: InvalidSignature.", "transaction_settled", tampered,
         bt_signature=sig(settled), error="InvalidSignature")
    case("no_matching_public_key", "bt_signature only has a pair for another public key: nothing to check (the SDK: 'no matching public key'): MissingSignature.",
         "transaction_settled", settled, bt_signature=f"otherpubkey0001|{Crypto.sha1_hmac_hash(PRIVATE, settled)}", error="MissingSignature")
    case("missing_signature", "No bt_signature field: MissingSignature.", "transaction_settled", settled, fields=[("bt_payload", settled)], error="MissingSignature")


def oracle(name, fx):
    """True = gateway.webhook_notification.parse accepted (and parsed the expected kind)."""
    form = dict(parse_qsl(details(fx)["body_text"], keep_blank_values=True))
    try:
        n = GATEWAY.webhook_notification.parse(form.get("bt_signature"), form.get("bt_payload"))
    except InvalidSignatureError:
        return False
    assert n.kind == KINDS[name], f"parsed kind {n.kind}, expected {KINDS[name]}"
    return True


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
