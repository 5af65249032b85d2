#!/usr/bin/env python3
"""Generate tests/fixtures/paystack/*.json (Paystack webhooks), verified with pypaystack2.

How to run (from the repository root):

    python3 -m venv /tmp/paystack-venv
    /tmp/paystack-venv/bin/pip install pypaystack2==3.4.0
    /tmp/paystack-venv/bin/python tools/gen_fixtures_paystack.py

Paystack publishes no official Python SDK; the listed community SDK `pypaystack2` 3.4.0 has a
verify function but no signing helper: `PaystackClient(secret_key=..).is_verified_webhook_payload(
body_bytes, signature)`, which computes the lower-case hex HMAC-SHA512 of the raw body keyed with
the secret API key as-is and compares it with `==`. The fixtures are signed here with Python's
hmac, following Paystack's "Verify event origin" documentation (`x-paystack-signature` = HMAC
SHA512 of the payload signed with your secret key), and EVERY fixture is then checked with the
SDK: a fixture that expects events must verify with one of its secrets, a fixture that expects a
signature error must verify with none. Bodies are modelled on the event examples of Paystack's
webhook, refund, dispute, transfer, pre-authorization and direct-debit documentation; ids,
amounts, names and times are this script's own. Deterministic: fixed ids, secrets and times. This
script owns tests/fixtures/paystack/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Paystack's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json

from pypaystack2 import PaystackClient

import fixturelib
from fixturelib import Cases, details, event, money, secrets_of

URL = "https://shop.example/webhooks/paystack"
SECRET = "sk_test_4f1c9a7e5b2d4e8f9a610c4d2e7b8f15a3c6d9e2"
SECRET2 = "sk_test_9d2e4b6a1c3f4a5e8b7d6f0a2c4e6b81d7f3a5c9"
NOW = 1700000030  # Paystack signs no timestamp; `now` only pins the clock.
CASES = Cases("paystack", url=URL, now=NOW)


def sign(secret, text):
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def body(event, data):
    # Paystack posts compact JSON; non-ASCII text stays UTF-8 (signed as raw bytes).
    return json.dumps({"event": event, "data": data}, separators=(",", ":"), ensure_ascii=False)


def default_key(sig):
    """hooknorm's default idempotency key: `{connector}:{sha256(signature)[..32]}:{item}`."""
    return fixturelib.default_idempotency_key("paystack", sig)


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None):
    headers = {"Content-Type": "application/json", "User-Agent": "Paystack/1.0"}
    signature = sig if sig is not None else sign(secret, text)
    if sig is not False:
        headers["x-paystack-signature"] = signature
    fx = CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events,
                   error=error)
    for e in fx.get("expect", {}).get("events", []):
        e["idempotency_key"] = default_key(signature)


def ev(event_type, cet, response):
    # Paystack webhooks carry no event id.
    return event(event_type, cet, None, response)


CUSTOMER = {"id": 181873746, "first_name": "Adébáyọ̀", "last_name": "Okonkwo", "email": "adebayo.okonkwo@example.com",
            "customer_code": "CUS_xnxdt6s1zg1f4nx", "phone": None, "metadata": None, "risk_action": "default",
            "international_format_phone": None}
CARD = {"authorization_code": "AUTH_8dfhjjdt", "bin": "408408", "last4": "4081", "exp_month": "12", "exp_year": "2030",
        "channel": "card", "card_type": "visa ", "bank": "TEST BANK", "country_code": "NG", "brand": "visa",
        "reusable": True, "signature": "SIG_uSYN4fv1adlAuoij8QXh", "account_name": None}
REF = "T7q2x9vk4m_5023"


def transaction(reference, amount, currency, **extra):
    d = {"id": 3216503910, "domain": "test", "status": "success", "reference": reference, "amount": amount, "message": None,
         "gateway_response": "Successful", "paid_at": "2023-11-14T22:13:17.000Z", "created_at": "2023-11-14T22:12:50.000Z",
         "channel": "card", "currency": currency, "ip_address": "102.89.3.101", "metadata": {"order_id": "ORD-5023"},
         "fees": 9750, "fees_split": None, "authorization": CARD, "customer": CUSTOMER, "plan": {}, "subaccount": {},
         "split": {}, "order_id": None, "paidAt": "2023-11-14T22:13:17.000Z", "requested_amount": amount,
         "source": {"type": "web", "source": "checkout", "entry_point": "request_inline", "identifier": None}}
    d.update(extra)
    return d


def preauth(event_status, reference, **extra):
    d = {"id": 3099, "domain": "live", "status": event_status, "reference": reference, "amount": 250000, "message": None,
         "currency": "ZAR", "metadata": None, "fees": 0,
         "authorization": dict(CARD, bin="492213", last4="6658", bank="NEDBANK", country_code="ZA", card_type="visa credit"),
         "customer": dict(CUSTOMER, customer_code="CUS_yqcuukj44ype5u1"), "merchant_id": 412922, "merchant_name": "Test Business",
         "transaction_id": None, "captured_at": None, "captured_amount": None, "expiry_date": "2023-11-21T22:00:00.000Z",
         "expire_action": "release", "split_code": None, "split": None}
    d.update(extra)
    return d


def dispute(status, resolution=None, **extra):
    d = {"id": 358950, "refund_amount": 1500000, "currency": "NGN", "status": status, "resolution": resolution,
         "domain": "live", "transaction": transaction(REF, 1500000, "NGN", domain="live"),
         "transaction_reference": None, "category": "chargeback", "customer": CUSTOMER, "bin": "408408", "last4": "4081",
         "due_at": "2023-11-16T09:00:00.000Z", "resolved_at": None, "evidence": None, "attachments": None, "note": None,
         "history": [{"status": "awaiting-merchant-feedback", "by": "adebayo.okonkwo@example.com",
                      "created_at": "2023-11-14T09:00:00.000Z"}],
         "messages": [{"sender": "adebayo.okonkwo@example.com", "body": "I was debited but did not receive value",
                       "created_at": "2023-11-14T09:00:00.000Z"}],
         "created_at": "2023-11-14T09:00:00.000Z", "updated_at": "2023-11-14T09:00:00.000Z"}
    d.update(extra)
    return d


def gen():
    success = body("charge.success", transaction(REF, 1500000, "NGN"))
    case("payment_success", "charge.success (Paystack: a successful charge; amount 1,500,000 kobo = NGN 15,000): PAYMENT_INTENT_SUCCESS / CHARGED, the whole amount captured; the transaction reference is the transaction id (Paystack's verify and refund APIs key by it, refund webhooks carry only it) and the merchant's id; channel card; customer_code. The customer's name is non-ASCII: the HMAC covers the raw UTF-8 bytes. Signed with hmac (pypaystack2 has no signer), verified with pypaystack2 is_verified_webhook_payload.",
         success, events=[ev("PAYMENT_INTENT_SUCCESS", "charge.success", {"payments_response": {
             "connector_transaction_id": REF, "merchant_transaction_id": REF, "status": "CHARGED",
             "amount": money(1500000, "NGN"), "captured_amount": 1500000, "error": None, "payment_method_type": "card",
             "connector_customer_id": "CUS_xnxdt6s1zg1f4nx", "created_at": 1700000000 - 30}})])
    bank_transfer = body("charge.success", transaction("T1w8bt3n6d_5024", 4999, "GHS", channel="mobile_money", domain="live",
                                                       authorization=dict(CARD, channel="mobile_money", bank="MTN", brand="mtn")))
    case("payment_success_mobile_money", "charge.success for a GHS mobile-money payment (4,999 pesewas): channel mobile_money becomes payment_method_type; the amount stays in the subunit.",
         bank_transfer, events=[ev("PAYMENT_INTENT_SUCCESS", "charge.success", {"payments_response": {
             "connector_transaction_id": "T1w8bt3n6d_5024", "status": "CHARGED", "amount": money(4999, "GHS"), "captured_amount": 4999,
             "payment_method_type": "mobile_money"}})])
    reserved = body("preauthorization.reserve.success", preauth("authorized", "pre_9gjnu6dc"))
    case("preauth_reserved", "preauthorization.reserve.success (Paystack pre-authorization: funds reserved on the card): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED, ZAR 2,500.00 as 250000 cents.",
         reserved, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "preauthorization.reserve.success", {"payments_response": {
             "connector_transaction_id": "pre_9gjnu6dc", "status": "AUTHORIZED", "amount": money(250000, "ZAR"),
             "captured_amount": None, "payment_method_type": "card", "connector_customer_id": "CUS_yqcuukj44ype5u1"}})])
    captured = body("preauthorization.capture.success", preauth("captured", "pre_9gjnu6dc", captured_amount="200000",
                                                                  captured_at="2023-11-14T22:13:00.000Z", transaction_id="3216503999",
                                                                  message="Approved"))
    case("preauth_captured", "preauthorization.capture.success (a partial capture of 2,000.00 of the 2,500.00 reserved): PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED with captured_amount 200000 (Paystack sends captured_amount as a digit string).",
         captured, events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", "preauthorization.capture.success", {"payments_response": {
             "connector_transaction_id": "pre_9gjnu6dc", "status": "CHARGED", "amount": money(250000, "ZAR"),
             "captured_amount": 200000, "error": None, "created_at": 1699999980}})])
    capture_failed = body("preauthorization.capture.failed", preauth("capture_failed", "pre_4kq8wz2c", captured_amount="250000"))
    case("payment_failure", "preauthorization.capture.failed (the capture of a pre-authorization failed; Paystack documents no failed-charge webhook): PAYMENT_INTENT_CAPTURE_FAILURE / CAPTURE_FAILED; the requested captured_amount is not reported as captured; Paystack's example has no message, so no error.",
         capture_failed, events=[ev("PAYMENT_INTENT_CAPTURE_FAILURE", "preauthorization.capture.failed", {"payments_response": {
             "connector_transaction_id": "pre_4kq8wz2c", "status": "CAPTURE_FAILED", "captured_amount": None, "error": None}})])
    released = body("preauthorization.release.success", preauth("released", "pre_11b0qw12", message="Release success",
                                                               expired_at="2023-11-14T22:13:00.000Z"))
    case("preauth_released", "preauthorization.release.success (the reserved funds were released to the customer): PAYMENT_INTENT_CANCELLED / VOIDED.",
         released, events=[ev("PAYMENT_INTENT_CANCELLED", "preauthorization.release.success", {"payments_response": {
             "connector_transaction_id": "pre_11b0qw12", "status": "VOIDED", "error": None}})])
    release_failed = body("preauthorization.release.failed", preauth("release_failed", "pre_h15lgtld", message="Release failed"))
    case("preauth_release_failed", "preauthorization.release.failed: PAYMENT_INTENT_CANCEL_FAILURE / VOID_FAILED with Paystack's message as the error message.",
         release_failed, events=[ev("PAYMENT_INTENT_CANCEL_FAILURE", "preauthorization.release.failed", {"payments_response": {
             "connector_transaction_id": "pre_h15lgtld", "status": "VOID_FAILED", "error": {"message": "Release failed"}}})])
    refund_customer = {"first_name": "Adébáyọ̀", "last_name": "Okonkwo", "email": "adebayo.okonkwo@example.com"}
    processed = body("refund.processed", {"status": "processed", "transaction_reference": REF, "refund_reference": "132013318360",
                                          "amount": "500000", "currency": "NGN", "processor": "mpgs_zen", "customer": refund_customer,
                                          "integration": 412829, "domain": "live"})
    case("refund", "refund.processed shaped like Paystack's refund docs example (no refund id; amount as a digit string): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the processor's refund_reference stands in as connector_refund_id, the transaction_reference links the payment.",
         processed, events=[ev("WEBHOOK_REFUND_SUCCESS", "refund.processed", {"refunds_response": {
             "connector_refund_id": "132013318360", "connector_transaction_id": REF, "status": "REFUND_SUCCESS",
             "refund_amount": money(500000, "NGN"), "error": None}})])
    failed = body("refund.failed", {"status": "failed", "transaction_reference": "T9171231_5025", "refund_reference": "TRF_9vgfawjnoz58uxy",
                                    "amount": 200000, "currency": "NGN", "processor": "instant-transfer", "customer": refund_customer,
                                    "integration": 412829, "domain": "live", "id": "16074290",
                                    "created_at": "2023-11-14T21:00:00.000Z"})
    case("refund_failure", "refund.failed carrying Paystack's refund id (the id pypaystack2's refund model and hyperswitch read): WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with that id.",
         failed, events=[ev("WEBHOOK_REFUND_FAILURE", "refund.failed", {"refunds_response": {
             "connector_refund_id": "16074290", "connector_transaction_id": "T9171231_5025", "status": "REFUND_FAILURE",
             "refund_amount": money(200000, "NGN"), "created_at": 1699995600}})])
    pending = body("refund.pending", {"status": "pending", "transaction_reference": REF, "refund_reference": None, "amount": "500000",
                                      "currency": "NGN", "processor": "instant-transfer", "customer": refund_customer,
                                      "integration": 412829, "domain": "live"})
    case("refund_pending_unsupported", "refund.pending is not a final state and the contract has no pending-refund event type: verified, EVENT_NOT_SUPPORTED (as in hyperswitch).",
         pending, events=[ev("EVENT_NOT_SUPPORTED", "refund.pending", None)])
    created = body("charge.dispute.create", dispute("awaiting-merchant-feedback"))
    case("dispute_opened", "charge.dispute.create (a dispute was logged against the business): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE; dispute id, the disputed transaction's reference, refund_amount as the disputed amount, category chargeback as reason, Paystack's status as status code, created_at and due_at.",
         created, events=[ev("WEBHOOK_DISPUTE_OPENED", "charge.dispute.create", {"disputes_response": {
             "connector_dispute_id": "358950", "connector_transaction_id": REF, "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(1500000, "NGN"), "dispute_reason": "chargeback",
             "connector_status_code": "awaiting-merchant-feedback", "dispute_date": 1699952400, "due_date": 1700125200,
             "created_at": 1699952400}})])
    remind = body("charge.dispute.remind", dispute("awaiting-merchant-feedback"))
    case("dispute_reminder", "charge.dispute.remind while the dispute still awaits the merchant's response: WEBHOOK_DISPUTE_OPENED.",
         remind, events=[ev("WEBHOOK_DISPUTE_OPENED", "charge.dispute.remind", {"disputes_response": {
             "connector_dispute_id": "358950", "dispute_status": "DISPUTE_OPENED", "connector_status_code": "awaiting-merchant-feedback"}})])
    challenged = body("charge.dispute.remind", dispute("awaiting-bank-feedback", evidence={"customer_email": "adebayo.okonkwo@example.com",
                                                                                           "service_details": "Delivered 2023-11-13", "id": 21}))
    case("dispute_challenged", "charge.dispute.remind with status awaiting-bank-feedback (the merchant declined with evidence and the bank is reviewing it): WEBHOOK_DISPUTE_CHALLENGED.",
         challenged, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", "charge.dispute.remind", {"disputes_response": {
             "connector_dispute_id": "358950", "dispute_status": "DISPUTE_CHALLENGED", "connector_status_code": "awaiting-bank-feedback"}})])
    accepted = body("charge.dispute.resolve", dispute("resolved", "merchant-accepted", resolved_at="2023-11-15T10:00:00.000Z",
                                                      refund_amount=700000))
    case("dispute_accepted", "charge.dispute.resolve with resolution merchant-accepted (the merchant accepted the claim; a partial 7,000 NGN is refunded to the customer): WEBHOOK_DISPUTE_ACCEPTED with the accepted refund_amount.",
         accepted, events=[ev("WEBHOOK_DISPUTE_ACCEPTED", "charge.dispute.resolve", {"disputes_response": {
             "connector_dispute_id": "358950", "dispute_status": "DISPUTE_ACCEPTED", "dispute_amount": money(700000, "NGN"),
             "connector_status_code": "resolved"}})])
    won = body("charge.dispute.resolve", dispute("resolved", "declined", resolved_at="2023-11-20T10:00:00.000Z"))
    case("dispute_won", "charge.dispute.resolve with resolution declined (the merchant's decline with evidence stood; no refund): WEBHOOK_DISPUTE_WON.",
         won, events=[ev("WEBHOOK_DISPUTE_WON", "charge.dispute.resolve", {"disputes_response": {
             "connector_dispute_id": "358950", "connector_transaction_id": REF, "dispute_status": "DISPUTE_WON",
             "dispute_stage": "ACTIVE_DISPUTE"}})])
    odd = body("charge.dispute.resolve", dispute("resolved", None))
    case("dispute_resolve_unknown_resolution", "charge.dispute.resolve without a documented resolution (merchant-accepted / declined): the outcome is unknown, so EVENT_NOT_SUPPORTED rather than a guess.",
         odd, events=[ev("EVENT_NOT_SUPPORTED", "charge.dispute.resolve", None)])
    transfer = {"amount": 3000000, "currency": "NGN", "domain": "live", "failures": None, "id": 37272792, "integration": {"id": 463433,
                "is_live": True, "business_name": "Boom Boom Industries NG"}, "reason": "Vendor payout November", "reference": "PAYOUT-1123-01",
                "source": "balance", "source_details": None, "status": "success", "titan_code": None, "transfer_code": "TRF_1ptvuv321ahaa7q",
                "transferred_at": "2023-11-14T22:13:00.000Z", "recipient": {"active": True, "currency": "NGN", "description": "",
                "domain": "live", "email": None, "id": 31337, "integration": 463433, "metadata": None, "name": "Chiamaka Eze",
                "recipient_code": "RCP_dd1top0iug6yv3r", "type": "nuban", "is_deleted": False, "details": {"account_number": "0123456789",
                "account_name": None, "bank_code": "058", "bank_name": "Guaranty Trust Bank"}}, "session": {"provider": "nip", "id": "090636231114221300"},
                "created_at": "2023-11-14T22:12:00.000Z", "updated_at": "2023-11-14T22:13:00.000Z"}
    case("payout_success", "transfer.success (a transfer from the Paystack balance completed; transfers are Paystack's payouts): PAYOUT_SUCCESS, no event_response (the contract has no payout response).",
         body("transfer.success", transfer), events=[ev("PAYOUT_SUCCESS", "transfer.success", None)])
    case("payout_reversed", "transfer.reversed: PAYOUT_REVERSED.",
         body("transfer.reversed", dict(transfer, status="reversed")), events=[ev("PAYOUT_REVERSED", "transfer.reversed", None)])
    mandate = body("direct_debit.authorization.active", {"authorization_code": "AUTH_JV4T9Wawdj", "active": True, "last4": "1234",
                                                         "channel": "direct_debit", "card_type": "mandate", "bank": "Guaranty Trust Bank",
                                                         "exp_month": 1, "exp_year": 2034, "country_code": "NG", "brand": "Guaranty Trust Bank",
                                                         "reusable": True, "signature": "SIG_u8SqR3E6ty2koQ9i5IrI", "account_name": "Chiamaka Eze",
                                                         "customer": {"first_name": "Chiamaka", "last_name": "Eze", "code": "CUS_g0a2pm2ilthhh62",
                                                                      "email": "chiamaka.eze@example.com", "phone": "", "metadata": None,
                                                                      "risk_action": "default"}})
    case("mandate_active", "direct_debit.authorization.active (a direct-debit mandate became active): MANDATE_ACTIVE; the authorization code (the mandate) is the transaction id, channel direct_debit, the customer's code.",
         mandate, events=[ev("MANDATE_ACTIVE", "direct_debit.authorization.active", {"payments_response": {
             "connector_transaction_id": "AUTH_JV4T9Wawdj", "merchant_transaction_id": None, "amount": None,
             "payment_method_type": "direct_debit", "connector_customer_id": "CUS_g0a2pm2ilthhh62"}})])
    sub = body("subscription.create", {"domain": "test", "status": "active", "subscription_code": "SUB_vsyqdmlzble3uii",
                                       "amount": 50000, "cron_expression": "0 0 28 * *", "next_payment_date": "2023-12-28T00:00:00.000Z",
                                       "open_invoice": None, "createdAt": "2023-11-14T22:13:00.000Z",
                                       "plan": {"name": "Monthly retainer", "plan_code": "PLN_gx2wn530m0i3w3m", "interval": "monthly",
                                                "amount": 50000, "currency": "NGN"},
                                       "authorization": CARD, "customer": CUSTOMER, "created_at": "2023-11-14T22:13:00.000Z"})
    case("unsupported_event", "subscription.create: a verified event hooknorm does not map -> EVENT_NOT_SUPPORTED, no event_response.",
         sub, events=[ev("EVENT_NOT_SUPPORTED", "subscription.create", None)])
    case("rotated_additional_secret", "Signed with a second secret key, passed as additional_secret (e.g. the previous key while a regenerated key rolls out): verifies.",
         success, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "charge.success", {"payments_response": {"connector_transaction_id": REF}})])
    case("wrong_signature", "Signed with another secret key (the live key while the test key is configured): InvalidSignature.",
         success, secret="sk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: pypaystack2 compares with ==, Paystack sends lower-case hex: InvalidSignature.",
         success, sig=sign(SECRET, success).upper(), error="InvalidSignature")
    case("prefixed_signature", "`sha512=<hex>`: Paystack sends the bare hex digest and the SDK compares the whole header, so a prefixed value does not match (hooknorm compares the encoded signature as text, like the SDK): InvalidSignature.",
         success, sig="sha512=" + sign(SECRET, success), error="InvalidSignature")
    case("sha256_signature", "A hex HMAC-SHA256 of the body with the right key (the wrong algorithm; 64 hex digits, not 128): InvalidSignature.",
         success, sig=hmac.new(SECRET.encode(), success.encode(), hashlib.sha256).hexdigest(), error="InvalidSignature")
    reserialized = json.dumps(json.loads(success), indent=2, ensure_ascii=False)
    case("reserialized_body", "The signature of the compact body sent with the same JSON pretty-printed: the HMAC covers the raw bytes, not the parsed JSON: InvalidSignature.",
         reserialized, sig=sign(SECRET, success), error="InvalidSignature")
    tampered = success.replace('"amount":1500000', '"amount":15000000', 1)
    assert tampered != success
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=sign(SECRET, success), error="InvalidSignature")
    case("missing_signature", "No x-paystack-signature header: MissingSignature.", success, sig=False, error="MissingSignature")


def sdk_verifies(name, fx):
    """pypaystack2's check with each supplied secret (bytes body, header value as received)."""
    rd = details(fx)
    sig = rd["headers"].get("x-paystack-signature")
    raw = rd["body_text"].encode()
    return any(PaystackClient(secret_key=k).is_verified_webhook_payload(raw, sig) for k in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, sdk_verifies, note=" (each checked with pypaystack2 3.4.0)")


if __name__ == "__main__":
    main()
