#!/usr/bin/env python3
"""Generate tests/fixtures/airwallex/*.json (Airwallex online payments webhooks).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_airwallex.py

No SDK helper exists: Airwallex publishes no official Python SDK, and its official Node.js SDK
(`@airwallex/node-sdk` 2.1.0-beta.5, checked by unpacking it) has no webhook signing or
verification function (only webhook-settings models). The fixtures are therefore signed here with
Python's hmac, following Airwallex's "Listen for webhook events" documentation: `x-signature` =
lower-case hex HMAC-SHA256 of the `x-timestamp` header's text immediately followed by the raw
body, keyed with the webhook secret as-is; `x-timestamp` is Unix time in milliseconds.
`oracle()` re-checks every fixture with a separately written reading of the docs' Java example
(build `timestamp + payload`, `hmacHex`, `.equals`): it must accept every fixture that expects
events and reject every fixture that expects a signature error.

Bodies follow the shapes of Airwallex's "Payload examples" (envelope `id`, `name`, `account_id`,
`data.object`, `created_at`; `data.object` = the Retrieve-API body of the payment intent,
payment attempt, refund or payment dispute); ids, amounts and times are this script's own.
Deterministic: fixed ids, secrets and times. This script owns tests/fixtures/airwallex/*.json
and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Airwallex's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event_builder, header_get, money, secrets_of

URL = "https://shop.example/webhooks/airwallex"
SECRET = "whsec_awx_9QpL2vXk7RtY4nBd8ZsC3mFh6JwE1uGa"
SECRET2 = "whsec_awx_5TbN8cVz2QwK7xLp4HsM9dRj3YfU6gEo"
ACCOUNT = "acct_hk5rTq2vS8yWmN3pLc7Xb4"
NOW = 1700000030
TS = "1700000000123"  # x-timestamp, milliseconds
T0 = "2023-11-14T22:13:20+0000"  # 1700000000
CASES = Cases("airwallex", url=URL, now=NOW)


def sign(secret, ts, body):
    return hmac.new(secret.encode(), (ts + body).encode(), hashlib.sha256).hexdigest()


def event(evt_id, name, obj, created=T0):
    return json.dumps({"id": evt_id, "name": name, "account_id": ACCOUNT, "data": {"object": obj},
                       "created_at": created, "version": "2024-06-30"}, separators=(",", ":"))


def intent(int_id, status, amount, currency, captured=0, **extra):
    o = {"id": int_id, "request_id": f"req_{int_id[4:12]}", "amount": amount, "currency": currency,
         "merchant_order_id": "ORD-5023-4E89", "customer_id": "cus_hkdm7qs2gh4n1v9zpt3",
         "descriptor": "Example Shop", "status": status, "captured_amount": captured,
         "created_at": "2023-11-14T22:10:05+0000", "updated_at": "2023-11-14T22:13:19+0000"}
    o.update(extra)
    return o


def attempt(att_id, int_id, status, amount, currency, captured=0, **extra):
    o = {"id": att_id, "payment_intent_id": int_id, "merchant_order_id": "ORD-5023-4E89", "amount": amount,
         "currency": currency, "captured_amount": captured, "status": status,
         "payment_method": {"id": "mtd_hkdmv3n8gh4n1x2cq9w", "customer_id": "cus_hkdm7qs2gh4n1v9zpt3",
                            "type": "card", "card": {"brand": "visa", "last4": "4242", "bin": "42424242"}},
         "created_at": "2023-11-14T22:12:48+0000", "updated_at": "2023-11-14T22:13:19+0000"}
    o.update(extra)
    return o


def refund_obj(rfd_id, status, amount, currency, **extra):
    o = {"id": rfd_id, "request_id": "RFND-5023-1", "payment_intent_id": "int_hkdmbt8q4gh4n1m2k6s",
         "payment_attempt_id": "att_hkdmbt8q4gh4n1m2k6s_7rqf2x", "amount": amount, "currency": currency,
         "reason": "Returned goods", "status": status, "created_at": "2023-11-14T22:11:40+0000",
         "updated_at": "2023-11-14T22:13:19+0000"}
    o.update(extra)
    return o


def dispute_obj(status, stage, **extra):
    o = {"id": "dst_hkdmr7w2qgh4n1c5x8v", "payment_intent_id": "int_hkdmbt8q4gh4n1m2k6s",
         "payment_attempt_id": "att_hkdmbt8q4gh4n1m2k6s_7rqf2x", "merchant_order_id": "ORD-5023-4E89",
         "amount": 65.4, "currency": "GBP", "stage": stage, "status": status,
         "reason": {"type": "FRAUD", "original_code": "10.4", "description": "Other fraud - card-absent environment"},
         "due_at": "2023-11-24T18:00:00+0000", "created_at": "2023-11-10T10:00:00+0000",
         "updated_at": "2023-11-14T22:13:19+0000"}
    o.update(extra)
    return o


def case(name, description, text, *, events=None, error=None, sig=None, ts=TS, secret=SECRET, secrets=None,
         now=NOW):
    headers = {"Content-Type": "application/json", "User-Agent": "Airwallex-Webhook"}
    if ts is not False:
        headers["x-timestamp"] = ts
    if sig is not False:
        headers["x-signature"] = sig or sign(secret, ts or "", text)
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events,
              error=error, now=now)


ev = event_builder("airwallex")


INT = "int_hkdmbt8q4gh4n1m2k6s"
ATT = "att_hkdmbt8q4gh4n1m2k6s_7rqf2x"


def gen():
    succeeded = event("evt_hkdm6x2sgh4n1q8w3re", "payment_intent.succeeded",
                      intent(INT, "SUCCEEDED", 65.4, "GBP", 65.4,
                             latest_payment_attempt=attempt(ATT, INT, "CAPTURE_REQUESTED", 65.4, "GBP", 65.4,
                                                            payment_method_transaction_id="489341065491658")))
    case("payment_success",
         "payment_intent.succeeded: PAYMENT_INTENT_SUCCESS / CHARGED. amount and captured_amount are decimal major "
         "units (65.4 GBP = 6540 minor); the intent id is the transaction id, merchant_order_id the merchant's; "
         "method type and network transaction id come from latest_payment_attempt; created_at `+0000` is read as "
         "RFC 3339. Signed with hmac over x-timestamp + body per Airwallex's docs (no SDK helper).",
         succeeded, events=[ev("PAYMENT_INTENT_SUCCESS", "payment_intent.succeeded", "evt_hkdm6x2sgh4n1q8w3re",
                               {"payments_response": {"connector_transaction_id": INT,
                                                      "merchant_transaction_id": "ORD-5023-4E89", "status": "CHARGED",
                                                      "amount": money(6540, "GBP"), "captured_amount": 6540,
                                                      "error": None, "payment_method_type": "card",
                                                      "network_transaction_id": "489341065491658",
                                                      "connector_customer_id": "cus_hkdm7qs2gh4n1v9zpt3",
                                                      "created_at": 1699999805}})])
    requires_capture = event("evt_hkdm2p9tgh4n1r4y7ua", "payment_intent.requires_capture",
                             intent(INT, "REQUIRES_CAPTURE", 65.4, "GBP", 0))
    case("payment_authorized",
         "payment_intent.requires_capture (authorized, merchant capture required): "
         "PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED, captured_amount 0.",
         requires_capture, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "payment_intent.requires_capture",
                                      "evt_hkdm2p9tgh4n1r4y7ua",
                                      {"payments_response": {"connector_transaction_id": INT, "status": "AUTHORIZED",
                                                             "amount": money(6540, "GBP"), "captured_amount": 0}})])
    att_authorized = event("evt_hkdm4c7ngh4n1t2z5ib", "payment_attempt.authorized",
                           attempt(ATT, INT, "AUTHORIZED", 65.4, "GBP", 0, authorization_code="528709"))
    case("attempt_authorized",
         "payment_attempt.authorized ('authorized and is waiting to be captured'): "
         "PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED (hyperswitch reports it as Success). The transaction "
         "id is the attempt's payment_intent_id, not the att_ id.",
         att_authorized, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "payment_attempt.authorized",
                                    "evt_hkdm4c7ngh4n1t2z5ib",
                                    {"payments_response": {"connector_transaction_id": INT, "status": "AUTHORIZED",
                                                           "payment_method_type": "card"}})])
    jpy_int = "int_hkdmq3x9sgh4n1w8e2d"
    capture = event("evt_hkdm8v3kgh4n1u6a9oc", "payment_attempt.capture_requested",
                    attempt("att_hkdmq3x9sgh4n1w8e2d_2mvn4c", jpy_int, "CAPTURE_REQUESTED", 1500, "JPY", 1500,
                            acquirer_reference_number="74987653318330112345678"))
    case("capture_requested_jpy",
         "payment_attempt.capture_requested ('requested for capture successfully and is therefore fulfilled'): "
         "PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED. JPY has no minor unit: 1500 JPY is 1500.",
         capture, events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", "payment_attempt.capture_requested",
                             "evt_hkdm8v3kgh4n1u6a9oc",
                             {"payments_response": {"connector_transaction_id": jpy_int, "status": "CHARGED",
                                                    "amount": money(1500, "JPY"), "captured_amount": 1500}})])
    declined_int = "int_hkdmz6c1ngh4n1p3s7f"
    auth_failed = event("evt_hkdm1e5rgh4n1v8b2pd", "payment_attempt.authorization_failed",
                        attempt("att_hkdmz6c1ngh4n1p3s7f_8kqd1w", declined_int, "FAILED", 19.99, "EUR",
                                failure_code="issuer_declined", provider_original_response_code="05"))
    case("attempt_authorization_failed",
         "payment_attempt.authorization_failed: PAYMENT_INTENT_AUTHORIZATION_FAILURE / AUTHORIZATION_FAILED with "
         "the attempt's failure_code as the error code.",
         auth_failed, events=[ev("PAYMENT_INTENT_AUTHORIZATION_FAILURE", "payment_attempt.authorization_failed",
                                 "evt_hkdm1e5rgh4n1v8b2pd",
                                 {"payments_response": {"connector_transaction_id": declined_int,
                                                        "status": "AUTHORIZATION_FAILED",
                                                        "amount": money(1999, "EUR"),
                                                        "error": {"code": "issuer_declined"}}})])
    authn_failed = event("evt_hkdm9w4tgh4n1x1c6qe", "payment_attempt.authentication_failed",
                         attempt("att_hkdmz6c1ngh4n1p3s7f_3hsa9p", declined_int, "FAILED", 19.99, "EUR",
                                 failure_code="authentication_declined"))
    case("attempt_authentication_failed",
         "payment_attempt.authentication_failed (3DS failed): PAYMENT_INTENT_AUTHORIZATION_FAILURE with the rule's "
         "status AUTHENTICATION_FAILED.",
         authn_failed, events=[ev("PAYMENT_INTENT_AUTHORIZATION_FAILURE", "payment_attempt.authentication_failed",
                                  "evt_hkdm9w4tgh4n1x1c6qe",
                                  {"payments_response": {"connector_transaction_id": declined_int,
                                                         "status": "AUTHENTICATION_FAILED",
                                                         "error": {"code": "authentication_declined"}}})])
    failed = event("evt_hkdm3j8ygh4n1z5d0rf", "payment_attempt.failed_to_process",
                   attempt("att_hkdmz6c1ngh4n1p3s7f_6tbw2e", declined_int, "FAILED", 19.99, "EUR",
                           failure_code="provider_unavailable"))
    case("payment_failure",
         "payment_attempt.failed_to_process: PAYMENT_INTENT_FAILURE / FAILURE with the failure_code.",
         failed, events=[ev("PAYMENT_INTENT_FAILURE", "payment_attempt.failed_to_process", "evt_hkdm3j8ygh4n1z5d0rf",
                            {"payments_response": {"connector_transaction_id": declined_int, "status": "FAILURE",
                                                   "error": {"code": "provider_unavailable"}}})])
    cancelled_int = "int_hkdmk2v7bgh4n1f9g4h"
    cancelled = event("evt_hkdm7n2ugh4n1b3e8sg", "payment_intent.cancelled",
                      intent(cancelled_int, "CANCELLED", 120.0, "AUD", 0, cancellation_reason="Order cancelled"))
    case("payment_cancelled",
         "payment_intent.cancelled: PAYMENT_INTENT_CANCELLED / VOIDED.",
         cancelled, events=[ev("PAYMENT_INTENT_CANCELLED", "payment_intent.cancelled", "evt_hkdm7n2ugh4n1b3e8sg",
                               {"payments_response": {"connector_transaction_id": cancelled_int, "status": "VOIDED",
                                                      "amount": money(12000, "AUD")}})])

    settled = event("evt_hkdm5b9igh4n1c7f1th", "refund.settled",
                    refund_obj("rfd_hkdmd4s6xgh4n1h2j5k", "SETTLED", 20, "GBP",
                               acquirer_reference_number="74987653318330199887766"))
    case("refund",
         "refund.settled: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the refund's request_id is merchant_refund_id, "
         "its payment_intent_id the refunded payment, 20 GBP = 2000 minor.",
         settled, events=[ev("WEBHOOK_REFUND_SUCCESS", "refund.settled", "evt_hkdm5b9igh4n1c7f1th",
                             {"refunds_response": {"connector_refund_id": "rfd_hkdmd4s6xgh4n1h2j5k",
                                                   "merchant_refund_id": "RFND-5023-1",
                                                   "connector_transaction_id": INT, "status": "REFUND_SUCCESS",
                                                   "refund_amount": money(2000, "GBP"),
                                                   "refund_reason": "Returned goods", "created_at": 1699999900}})])
    refund_failed = event("evt_hkdm6m1ogh4n1d4g7ui", "refund.failed",
                          refund_obj("rfd_hkdmf8t2cgh4n1k6l9m", "FAILED", 90.0, "GBP", request_id="RFND-5023-2"))
    case("refund_failure",
         "refund.failed: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.",
         refund_failed, events=[ev("WEBHOOK_REFUND_FAILURE", "refund.failed", "evt_hkdm6m1ogh4n1d4g7ui",
                                   {"refunds_response": {"connector_refund_id": "rfd_hkdmf8t2cgh4n1k6l9m",
                                                         "merchant_refund_id": "RFND-5023-2",
                                                         "status": "REFUND_FAILURE",
                                                         "refund_amount": money(9000, "GBP")}})])
    accepted = event("evt_hkdm0q7pgh4n1e1h4vj", "refund.accepted",
                     refund_obj("rfd_hkdmd4s6xgh4n1h2j5k", "ACCEPTED", 20, "GBP"))
    case("refund_accepted_not_final",
         "refund.accepted: accepted for processing, not final (settled or failed follows); the contract has no "
         "refund-pending event, so EVENT_NOT_SUPPORTED.",
         accepted, events=[ev("EVENT_NOT_SUPPORTED", "refund.accepted", "evt_hkdm0q7pgh4n1e1h4vj", None)])

    opened = event("evt_hkdm2s5agh4n1f8i1wk", "payment_dispute.requires_response",
                   dispute_obj("REQUIRES_RESPONSE", "CHARGEBACK"))
    case("dispute_opened",
         "payment_dispute.requires_response at stage CHARGEBACK: WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE with the "
         "reason type, description, status and the response deadline (due_at).",
         opened, events=[ev("WEBHOOK_DISPUTE_OPENED", "payment_dispute.requires_response", "evt_hkdm2s5agh4n1f8i1wk",
                            {"disputes_response": {"connector_dispute_id": "dst_hkdmr7w2qgh4n1c5x8v",
                                                   "connector_transaction_id": INT, "dispute_status": "DISPUTE_OPENED",
                                                   "dispute_stage": "ACTIVE_DISPUTE",
                                                   "dispute_amount": money(6540, "GBP"), "dispute_reason": "FRAUD",
                                                   "dispute_message": "Other fraud - card-absent environment",
                                                   "connector_status_code": "REQUIRES_RESPONSE",
                                                   "due_date": 1700848800, "created_at": 1699610400}})])
    rfi = event("evt_hkdm8d3bgh4n1g2j5xl", "payment_dispute.requires_response",
                dispute_obj("REQUIRES_RESPONSE", "RFI", reason={"type": "REQUEST_FOR_INFORMATION"}))
    case("dispute_rfi",
         "payment_dispute.requires_response at stage RFI (a request for information, no funds moved): "
         "WEBHOOK_DISPUTE_OPENED at stage PRE_DISPUTE.",
         rfi, events=[ev("WEBHOOK_DISPUTE_OPENED", "payment_dispute.requires_response", "evt_hkdm8d3bgh4n1g2j5xl",
                         {"disputes_response": {"dispute_status": "DISPUTE_OPENED", "dispute_stage": "PRE_DISPUTE",
                                                "dispute_reason": "REQUEST_FOR_INFORMATION"}})])
    challenged = event("evt_hkdm4f6cgh4n1h5k8ym", "payment_dispute.challenged",
                       dispute_obj("CHALLENGED", "CHARGEBACK"))
    case("dispute_challenged",
         "payment_dispute.challenged (evidence submitted): WEBHOOK_DISPUTE_CHALLENGED.",
         challenged, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", "payment_dispute.challenged", "evt_hkdm4f6cgh4n1h5k8ym",
                                {"disputes_response": {"connector_dispute_id": "dst_hkdmr7w2qgh4n1c5x8v",
                                                       "dispute_status": "DISPUTE_CHALLENGED",
                                                       "dispute_stage": "ACTIVE_DISPUTE"}})])
    won = event("evt_hkdm6h9dgh4n1j8l1zn", "payment_dispute.won", dispute_obj("WON", "CHARGEBACK"),
                created="2023-12-20T09:00:00+0000")
    case("dispute_won",
         "payment_dispute.won: WEBHOOK_DISPUTE_WON.",
         won, events=[ev("WEBHOOK_DISPUTE_WON", "payment_dispute.won", "evt_hkdm6h9dgh4n1j8l1zn",
                         {"disputes_response": {"connector_dispute_id": "dst_hkdmr7w2qgh4n1c5x8v",
                                                "dispute_status": "DISPUTE_WON", "dispute_amount": money(6540, "GBP"),
                                                "connector_status_code": "WON"}})])
    lost = event("evt_hkdm8k2egh4n1k1m4ao", "payment_dispute.lost", dispute_obj("LOST", "PRE_ARBITRATION"))
    case("dispute_lost_pre_arbitration",
         "payment_dispute.lost at stage PRE_ARBITRATION: WEBHOOK_DISPUTE_LOST at stage PRE_ARBITRATION.",
         lost, events=[ev("WEBHOOK_DISPUTE_LOST", "payment_dispute.lost", "evt_hkdm8k2egh4n1k1m4ao",
                          {"disputes_response": {"dispute_status": "DISPUTE_LOST",
                                                 "dispute_stage": "PRE_ARBITRATION"}})])
    pending_closure = event("evt_hkdm0m5fgh4n1m4n7bp", "payment_dispute.pending_closure",
                            dispute_obj("PENDING_CLOSURE", "PRE_ARBITRATION"))
    case("dispute_pending_closure",
         "payment_dispute.pending_closure (a pre-arbitration Airwallex auto-accepts on the merchant's behalf): "
         "WEBHOOK_DISPUTE_ACCEPTED at stage PRE_ARBITRATION.",
         pending_closure, events=[ev("WEBHOOK_DISPUTE_ACCEPTED", "payment_dispute.pending_closure",
                                     "evt_hkdm0m5fgh4n1m4n7bp",
                                     {"disputes_response": {"dispute_status": "DISPUTE_ACCEPTED",
                                                            "dispute_stage": "PRE_ARBITRATION",
                                                            "connector_status_code": "PENDING_CLOSURE"}})])
    reversed_ = event("evt_hkdm2n8ggh4n1n7o0cq", "payment_dispute.reversed",
                      dispute_obj("REVERSED", "PRE_CHARGEBACK"))
    case("dispute_reversed",
         "payment_dispute.reversed at stage PRE_CHARGEBACK (the issuer withdrew the dispute, no ruling): "
         "WEBHOOK_DISPUTE_CANCELLED at stage PRE_DISPUTE (hyperswitch maps its dispute_reversed to Won).",
         reversed_, events=[ev("WEBHOOK_DISPUTE_CANCELLED", "payment_dispute.reversed", "evt_hkdm2n8ggh4n1n7o0cq",
                               {"disputes_response": {"dispute_status": "DISPUTE_CANCELLED",
                                                      "dispute_stage": "PRE_DISPUTE"}})])
    expired = event("evt_hkdm4p1hgh4n1o0p3dr", "payment_dispute.expired", dispute_obj("EXPIRED", "CHARGEBACK"))
    case("dispute_expired",
         "payment_dispute.expired (no response before due_at): WEBHOOK_DISPUTE_EXPIRED.",
         expired, events=[ev("WEBHOOK_DISPUTE_EXPIRED", "payment_dispute.expired", "evt_hkdm4p1hgh4n1o0p3dr",
                             {"disputes_response": {"dispute_status": "DISPUTE_EXPIRED"}})])
    consent = event("evt_hkdm6q4igh4n1p3q6es", "payment_consent.verified",
                    {"id": "cst_hkdmv9w3xgh4n1q5r8t", "customer_id": "cus_hkdm7qs2gh4n1v9zpt3",
                     "next_triggered_by": "merchant", "status": "VERIFIED",
                     "created_at": "2023-11-14T22:10:05+0000"})
    case("unsupported_event",
         "payment_consent.verified: verified, EVENT_NOT_SUPPORTED, no event_response.",
         consent, events=[ev("EVENT_NOT_SUPPORTED", "payment_consent.verified", "evt_hkdm6q4igh4n1p3q6es", None)])

    # Signature and timestamp handling.
    def short():
        return [ev("PAYMENT_INTENT_SUCCESS", "payment_intent.succeeded", "evt_hkdm6x2sgh4n1q8w3re",
                   {"payments_response": {"connector_transaction_id": INT}})]
    case("rotated_additional_secret", "Signed with the second webhook secret, passed as additional_secret: verifies.",
         succeeded, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2}, events=short())
    case("wrong_signature", "Signed with another secret: InvalidSignature.", succeeded,
         secret="whsec_awx_not_the_configured_secret", error="InvalidSignature")
    tampered = succeeded.replace('"amount":65.4', '"amount":6.54', 1)
    assert tampered != succeeded
    case("tampered_body", "The amount changed after signing: InvalidSignature.",
         tampered, sig=sign(SECRET, TS, succeeded), error="InvalidSignature")
    case("tampered_timestamp",
         "x-timestamp changed after signing (the timestamp is part of the signed text): InvalidSignature.",
         succeeded, ts="1700000099123", sig=sign(SECRET, TS, succeeded), error="InvalidSignature")
    case("missing_signature", "No x-signature header: MissingSignature.", succeeded, sig=False,
         error="MissingSignature")
    case("missing_timestamp",
         "x-signature present but no x-timestamp, which is part of the signed text: MissingSignature.",
         succeeded, ts=False, sig=sign(SECRET, TS, succeeded), error="MissingSignature")
    case("uppercase_hex",
         "The right HMAC in upper-case hex: Airwallex sends lower-case hex and its documented check compares "
         "exactly (`hmacHex(...).equals(signature)`): InvalidSignature.",
         succeeded, sig=sign(SECRET, TS, succeeded).upper(), error="InvalidSignature")
    case("body_only_signature_rejected",
         "An HMAC over the body alone (without the x-timestamp prefix, as some receivers wrongly assume): "
         "InvalidSignature.",
         succeeded, sig=hmac.new(SECRET.encode(), succeeded.encode(), hashlib.sha256).hexdigest(),
         error="InvalidSignature")
    case("old_timestamp_accepted",
         "Signed three days before `now` (Airwallex retries for about three days and can re-trigger old events): "
         "Airwallex documents no replay tolerance, so none is applied and the delivery verifies; the signed event "
         "id is the idempotency key that makes it a duplicate.",
         succeeded, now=1700000000 + 3 * 86400, events=short())
    case("future_timestamp_accepted",
         "x-timestamp an hour ahead of the receiver's clock: with no documented tolerance there is no future "
         "limit either (the timestamp is signed material only), so the delivery verifies.",
         succeeded, now=1700000000 - 3600, events=short())


def oracle(name, fx):
    """Airwallex's documented check, written apart from sign(): value_to_digest = x-timestamp +
    payload; expected = hex HMAC-SHA256(secret, value_to_digest); equal to x-signature exactly.
    True = accepted."""
    rd = details(fx)
    ts, got = header_get(rd["headers"], "x-timestamp"), header_get(rd["headers"], "x-signature")
    if ts is None or got is None:
        return False
    value_to_digest = ts + rd["body_text"]
    return any(hmac.compare_digest(hmac.new(k.encode("utf-8"), value_to_digest.encode("utf-8"),
                                            hashlib.sha256).hexdigest(), got)
               for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
