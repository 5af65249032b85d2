#!/usr/bin/env python3
"""Generate hooknorm's webhook test fixtures, signed and checked with the processors' official SDKs.

Writes tests/fixtures/<connector>/<case>.json for the connectors stripe, adyen, paypal,
standard-webhooks and razorpay (format: tests/fixtures/README.md). Every *.json file in those five
folders is owned by this script: it deletes them and writes them again, so a case removed here
disappears there too. The PayPal test key and certificate live in tests/keys/ and are created only
when missing (the fixtures' signatures depend on them, so keep the committed ones).

How to run (from the repository root; needs Python 3.9+ and openssl on PATH):

    python3 -m venv /tmp/hooknorm-fixtures-venv
    /tmp/hooknorm-fixtures-venv/bin/pip install stripe==16.1.0 standardwebhooks==1.1.0 svix==2.9.1 \
        Adyen==16.0.0 razorpay==2.0.1 paypalrestsdk==1.13.3 pyOpenSSL==24.2.1 cryptography==43.0.3
    /tmp/hooknorm-fixtures-venv/bin/python tools/gen_fixtures.py

(or regenerate all 21 connectors and check nothing changed: bash tools/regen_all.sh).

Versions this was last run with: stripe 16.1.0, standardwebhooks 1.1.0, svix 2.9.1, Adyen 16.0.0,
razorpay 2.0.1, paypalrestsdk 1.13.3 (+ pyOpenSSL 24.2.1, which pins cryptography 43.0.3).
paypalrestsdk's verify() returns False on pyOpenSSL >= 24.3, hence the pin.

Everything is deterministic: fixed timestamps, fixed ids, fixed secrets, no randomness. HMACs are
deterministic, and PayPal's RSA signatures use PKCS#1 v1.5, which is deterministic too, so running
the script twice gives byte-identical files (as long as tests/keys/ is unchanged).

Oracles. Signing uses the SDK helpers where the SDK has one:
  * Stripe: stripe.WebhookSignature.generate_signature_header (and its _compute_signature for the
    hand-built headers: v0, uppercase hex, two v1 entries).
  * Standard Webhooks: standardwebhooks.Webhook.sign (v1). The published v1 and v1a vectors from
    the Standard Webhooks spec are used verbatim; standardwebhooks 1.1.0 cannot sign or verify v1a
    (Ed25519), so v1a is checked with `cryptography`'s Ed25519 directly.
  * Adyen: Adyen.util.generate_notification_sig.
  * Razorpay: its SDK has no signing helper; plain hmac/hashlib signs (hex HMAC-SHA256 of the body).
  * PayPal: no SDK signs; `cryptography` signs with RSA PKCS#1 v1.5 / SHA-256.
Then every fixture is verified with the SDK's own verify function, with the clock pinned to the
fixture's `now`: stripe.Webhook.construct_event, standardwebhooks.Webhook.verify (svix.Webhook.verify
for the svix-* headers), Adyen.util.is_valid_hmac_notification (called on every item, since the SDK
itself looks only at notificationItems[0]), razorpay Utility.verify_webhook_signature, and
paypalrestsdk.WebhookEvent.verify (cert fetch patched to return the test certificate and its chain
check patched out, because a self-signed test certificate cannot chain to PayPal's DigiCert roots;
its CN and expiry checks still run). The script fails unless the SDK accepts every fixture that
expects events and rejects every fixture that expects an error, for the stated reason.

Rules that are hooknorm's own policy rather than an SDK's (each is asserted separately here):
  * several secrets (secret + additional_secret) for Stripe: any of them may match;
  * PayPal's PAYPAL-CERT-URL must be https on a paypal.com host (PayPal's docs say to check the
    certificate comes from PayPal; paypalrestsdk itself would fetch any URL);
  * the error kind names (MissingSignature / InvalidSignature / TimestampOutOfTolerance /
    UntrustedCertificate) are mapped from the SDKs' messages below.

Shared pieces (tools/fixturelib.py): one `Cases` list per connector holds the case records
(`add_case` below only picks the list), the money/event helpers, the oracle loop (each oracle here
returns "ok" or an error kind, compared with the fixture's expect_error; all disagreements are
listed and the run exits 1 before anything is written) and the deterministic file writing.
"""

import base64
import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import io
import json
import subprocess
import zlib
from unittest import mock
from urllib.parse import urlparse

import Adyen.util as adyen_util
import razorpay
import standardwebhooks.webhooks as stdwh_module
import stripe
import svix
from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook as StdWebhook

import fixturelib
from fixturelib import FIXTURES, OMIT, ROOT, Cases, header_get, money, rfc3339

try:  # optional second PayPal oracle (needs pyOpenSSL < 24.3)
    import paypalrestsdk.notifications as paypal_notifications
    from OpenSSL import crypto as openssl_crypto
except Exception:  # pragma: no cover - reported at the end
    paypal_notifications = None

KEYS = ROOT / "tests" / "keys"
PAYPAL_KEY = KEYS / "paypal-test-key.pem"
PAYPAL_CERT = KEYS / "paypal-test-cert.pem"

CONNECTORS = ["stripe", "adyen", "paypal", "standard-webhooks", "razorpay"]

T0 = 1700000000  # 2023-11-14T22:13:20Z: the signed timestamp of most cases
NOW = T0 + 30  # the engine's clock in most cases

# ---------------------------------------------------------------------------------------------
# Secrets (test-only values, derived deterministically)
# ---------------------------------------------------------------------------------------------
STRIPE_SECRET = "whsec_4f9kQm2Tz8LwX1vRb7NcJ3hY6dPa0sEu"
STRIPE_OTHER_SECRET = "whsec_Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0GfEdC"
STRIPE_OLD_SECRET = "whsec_0ldR0tatedS3cretN0LongerInUse00"

ADYEN_KEY = hashlib.sha256(b"hooknorm adyen test hmac key").hexdigest().upper()
ADYEN_OTHER_KEY = hashlib.sha256(b"hooknorm adyen some other hmac key").hexdigest().upper()

STDWH_SECRET = "whsec_" + base64.b64encode(
    hashlib.sha256(b"hooknorm standard-webhooks test key").digest()[:24]).decode()
STDWH_OTHER_SECRET = "whsec_" + base64.b64encode(
    hashlib.sha256(b"hooknorm standard-webhooks other key").digest()[:24]).decode()

# Published Standard Webhooks test vectors (from the spec / its reference libraries).
VEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VEC_PUBLIC = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4="
VEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VEC_TS = 1614265330
VEC_BODY = '{"test": 2432232314}'
VEC_SIG_V1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
VEC_SIG_V1A = ("v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM"
               "+m7TBAg==")

RAZORPAY_SECRET = "hooknorm_rzp_webhook_secret_7Qe2"
RAZORPAY_OTHER_SECRET = "not_the_configured_rzp_secret_99"

PAYPAL_WEBHOOK_ID = "4JH86294D6297924G"
PAYPAL_OTHER_WEBHOOK_ID = "8PT597110X687430L"
PAYPAL_CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-aecacc47"
PAYPAL_EVIL_CERT_URL = "https://evil.example.com/v1/notifications/certs/CERT-360caa42-fca2a594-aecacc47"

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
# One case list per connector; Adyen expects "[accepted]" as the acknowledgement body.
CASES = {c: Cases(c, now=NOW, acknowledgement=fixturelib.ack(body="[accepted]" if c == "adyen" else ""))
         for c in CONNECTORS}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def pretty(obj):
    # Stripe delivers pretty-printed JSON with two-space indentation.
    return json.dumps(obj, indent=2, ensure_ascii=False)


def event(event_type, mev, cet, ceid, response):
    """An expected event; `mev` is a placeholder that add_case replaces, ceid None is left out."""
    return fixturelib.event(event_type, cet, OMIT if ceid is None else ceid, response, mev=mev)


def unsupported(mev, cet, ceid):
    """EVENT_NOT_SUPPORTED: verified, no content. event_status is deliberately not asserted."""
    ev = {"event_type": "EVENT_NOT_SUPPORTED", "source_verified": True, "merchant_event_id": mev,
          "event_response": None}
    if cet is not None:
        ev["connector_event_type"] = cet
    if ceid is not None:
        ev["connector_event_id"] = ceid
    return ev


def add_case(connector, case, description, headers, body, secrets, *, now=NOW, events=None,
             expect_error=None, url=None):
    return CASES[connector].add(case, description, body, headers=headers, secrets=secrets, events=events,
                                error=expect_error, now=now, url=url)


def tamper(body, old, new):
    assert body.count(old) == 1, (old, body[:200])
    return body.replace(old, new)


# =============================================================================================
# Stripe
# =============================================================================================
STRIPE_HEADERS_BASE = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
}
STRIPE_API_VERSION = "2023-10-16"


def stripe_event(evt_id, event_type, obj, created=T0 - 2, request_id="req_9bTq0yHkNrmW1x"):
    return {
        "id": evt_id,
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": request_id, "idempotency_key": "9f3c0b8e-5a51-4b8e-9d2e-6c1b7a2f4e10"},
        "type": event_type,
    }


def stripe_payment_intent(pi_id, status, amount, currency, *, received, order_id=None,
                          last_error=None, latest_charge=None, customer="cus_P0hk4Nrm7Tq2Lx"):
    """A full PaymentIntent as of API version 2023-10-16."""
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": received,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": {"allow_redirects": "always", "enabled": True},
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": pi_id + "_secret_Hk4nRm0dT3sTfIxTuReCl1eNtS3cReT",
        "confirmation_method": "automatic",
        "created": T0 - 65,
        "currency": currency,
        "customer": customer,
        "description": "hooknorm test order " + (order_id or "without order id"),
        "invoice": None,
        "last_payment_error": last_error,
        "latest_charge": latest_charge,
        "livemode": False,
        "metadata": ({"order_id": order_id, "cart_items": "3", "channel": "web",
                      "customer_ref": "cust_88412", "promo_code": "WINTER23"}
                     if order_id else {}),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": "pm_1OCx8bHkNrmTst00aB1cD2eF",
        "payment_method_configuration_details": {"id": "pmc_1NxHkNrmTst0Cfg01QwErTy", "parent": None},
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            },
            "link": {"persistent_token": None},
        },
        "payment_method_types": ["card", "link"],
        "processing": None,
        "receipt_email": "zoe.muller@example.com",
        "review": None,
        "setup_future_usage": None,
        "shipping": {
            "address": {
                "city": "Zürich",
                "country": "CH",
                "line1": "Bahnhofstrasse 21",
                "line2": "3. Stock",
                "postal_code": "8001",
                "state": "ZH",
            },
            "carrier": "Swiss Post",
            "name": "Zoë Müller",
            "phone": "+41 44 000 00 00",
            "tracking_number": "99.00.123456.78901234",
        },
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": "ORDER 1042",
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }


STRIPE_DISPUTE_EVIDENCE = {k: None for k in [
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "customer_communication",
    "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id",
    "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
    "uncategorized_file", "uncategorized_text"]}


def stripe_dispute(dp_id, status, amount, currency, pi_id, reason, due_by, has_evidence=False):
    return {
        "id": dp_id,
        "object": "dispute",
        "amount": amount,
        "balance_transaction": None,
        "balance_transactions": [],
        "charge": "ch_3OCxDsHkNrmTst001Dq9ZbXa",
        "created": T0 - 3600,
        "currency": currency,
        "evidence": STRIPE_DISPUTE_EVIDENCE,
        "evidence_details": {
            "due_by": due_by,
            "has_evidence": has_evidence,
            "past_due": False,
            "submission_count": 1 if has_evidence else 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "network_reason_code": "10.4",
        "payment_intent": pi_id,
        "payment_method_details": {"card": {"brand": "visa", "network_reason_code": "10.4"},
                                   "type": "card"},
        "reason": reason,
        "status": status,
    }


def stripe_refund(re_id, status, amount, currency, pi_id, reason, failure_reason=None):
    obj = {
        "id": re_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": "txn_3OCxDsHkNrmTst001Rf4bTxn",
        "charge": "ch_3OCxDsHkNrmTst001Dq9ZbXa",
        "created": T0 - 20,
        "currency": currency,
        "destination_details": {"card": {"reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"}, "type": "card"},
        "metadata": {"refund_id": "rf_local_77"},
        "payment_intent": pi_id,
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }
    if failure_reason:
        obj["failure_balance_transaction"] = "txn_3OCxDsHkNrmTst001FailTxn"
        obj["failure_reason"] = failure_reason
    return obj


def stripe_sig_header(body, secret, t):
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=t)


def stripe_v1(body, secret, t):
    return stripe.WebhookSignature._compute_signature(f"{t}.{body}", secret)


def stripe_case(case, description, body, *, header=None, t=T0, now=NOW, secrets=None,
                events=None, expect_error=None, drop_header=False):
    headers = dict(STRIPE_HEADERS_BASE)
    if not drop_header:
        headers["Stripe-Signature"] = header or stripe_sig_header(body, STRIPE_SECRET, t)
    return add_case("stripe", case, description, headers, body,
                    secrets or {"secret": STRIPE_SECRET}, now=now, events=events,
                    expect_error=expect_error)


def gen_stripe():
    pi_ok = "pi_3OCxDsHkNrmTst001A2b3C4d"
    evt_ok = "evt_3OCxDsHkNrmTst001Ev7Sc9Q"
    ok_body = pretty(stripe_event(evt_ok, "payment_intent.succeeded", stripe_payment_intent(
        pi_ok, "succeeded", 2000, "usd", received=2000, order_id="order_1042",
        latest_charge="ch_3OCxDsHkNrmTst001Dq9ZbXa")))
    ok_events = [event("PAYMENT_INTENT_SUCCESS", "", "payment_intent.succeeded", evt_ok,
                       {"payments_response": {
                           "connector_transaction_id": pi_ok,
                           "merchant_transaction_id": "order_1042",
                           "status": "CHARGED",
                           "amount": money(2000, "USD"),
                           "created_at": T0 - 65}})]
    stripe_case("payment_success",
                "Stripe payment_intent.succeeded (full PaymentIntent, API 2023-10-16, pretty JSON "
                "as Stripe sends it, non-ASCII shipping name). Signed with the stripe SDK's "
                "WebhookSignature.generate_signature_header (HMAC-SHA256 over '{t}.{body}', key = "
                "whsec_ secret as-is); verified with stripe.Webhook.construct_event. Maps to "
                "PAYMENT_INTENT_SUCCESS/CHARGED, merchant_transaction_id = metadata.order_id. "
                "Also the benchmark body.",
                ok_body, events=ok_events)

    pi_fail = "pi_3OCxF1HkNrmTst001FaIlEd9"
    evt_fail = "evt_3OCxF1HkNrmTst001Ev8Fa1L"
    last_error = {
        "charge": "ch_3OCxF1HkNrmTst001Dc1InEd",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": "Your card has insufficient funds.",
        "param": None,
        "payment_method": {"id": "pm_1OCxF0HkNrmTst00Dc1Ned00", "object": "payment_method",
                           "type": "card"},
        "type": "card_error",
    }
    fail_body = pretty(stripe_event(evt_fail, "payment_intent.payment_failed", stripe_payment_intent(
        pi_fail, "requires_payment_method", 4599, "eur", received=0, order_id="order_1043",
        last_error=last_error, latest_charge="ch_3OCxF1HkNrmTst001Dc1InEd")))
    stripe_case("payment_failure",
                "Stripe payment_intent.payment_failed with last_payment_error (card_declined). "
                "SDK-signed and SDK-verified. Maps to PAYMENT_INTENT_FAILURE/FAILURE with "
                "error.code/message from last_payment_error.",
                fail_body,
                events=[event("PAYMENT_INTENT_FAILURE", "", "payment_intent.payment_failed", evt_fail,
                              {"payments_response": {
                                  "connector_transaction_id": pi_fail,
                                  "merchant_transaction_id": "order_1043",
                                  "status": "FAILURE",
                                  "amount": money(4599, "EUR"),
                                  "error": {"code": "card_declined",
                                            "message": "Your card has insufficient funds."}}})])

    evt_ref = "evt_3OCxGzHkNrmTst001Ev9Rf0D"
    ref_body = pretty(stripe_event(evt_ref, "refund.created", stripe_refund(
        "re_3OCxDsHkNrmTst001ReFuNd1", "succeeded", 1500, "usd", pi_ok, "requested_by_customer")))
    stripe_case("refund",
                "Stripe refund.created whose refund object has status succeeded (partial refund of "
                "1500 of 2000). SDK-signed and verified. Maps to WEBHOOK_REFUND_SUCCESS; "
                "connector_transaction_id = data.object.payment_intent.",
                ref_body,
                events=[event("WEBHOOK_REFUND_SUCCESS", "", "refund.created", evt_ref,
                              {"refunds_response": {
                                  "connector_refund_id": "re_3OCxDsHkNrmTst001ReFuNd1",
                                  "connector_transaction_id": pi_ok,
                                  "status": "REFUND_SUCCESS",
                                  "refund_amount": money(1500, "USD"),
                                  "refund_reason": "requested_by_customer"}})])

    evt_reff = "evt_3OCxH4HkNrmTst001EvReFfL"
    reff_body = pretty(stripe_event(evt_reff, "refund.updated", stripe_refund(
        "re_3OCxDsHkNrmTst001ReFuNd2", "failed", 500, "usd", pi_ok, "requested_by_customer",
        failure_reason="expired_or_canceled_card")))
    stripe_case("refund_failure",
                "Stripe refund.updated whose refund status is failed (failure_reason "
                "expired_or_canceled_card). Maps to WEBHOOK_REFUND_FAILURE/REFUND_FAILURE.",
                reff_body,
                events=[event("WEBHOOK_REFUND_FAILURE", "", "refund.updated", evt_reff,
                              {"refunds_response": {
                                  "connector_refund_id": "re_3OCxDsHkNrmTst001ReFuNd2",
                                  "connector_transaction_id": pi_ok,
                                  "status": "REFUND_FAILURE",
                                  "refund_amount": money(500, "USD")}})])

    due = T0 + 7 * 86400 + 3599  # 2023-11-21T23:13:19Z, a week after the event
    evt_dp = "evt_3OCxJ7HkNrmTst001EvDiSp1"
    dp_body = pretty(stripe_event(evt_dp, "charge.dispute.created", stripe_dispute(
        "dp_1OCxJ6HkNrmTst00DiSpUtE1", "needs_response", 2000, "usd", pi_ok, "fraudulent", due)))
    stripe_case("dispute_opened",
                "Stripe charge.dispute.created, dispute status needs_response. Maps to "
                "WEBHOOK_DISPUTE_OPENED, stage ACTIVE_DISPUTE, due_date = "
                "evidence_details.due_by, dispute_reason = reason.",
                dp_body,
                events=[event("WEBHOOK_DISPUTE_OPENED", "", "charge.dispute.created", evt_dp,
                              {"disputes_response": {
                                  "connector_dispute_id": "dp_1OCxJ6HkNrmTst00DiSpUtE1",
                                  "connector_transaction_id": pi_ok,
                                  "dispute_status": "DISPUTE_OPENED",
                                  "dispute_stage": "ACTIVE_DISPUTE",
                                  "dispute_amount": money(2000, "USD"),
                                  "dispute_reason": "fraudulent",
                                  "due_date": due}})])

    evt_inq = "evt_3OCxK0HkNrmTst001EvInQu1"
    inq_body = pretty(stripe_event(evt_inq, "charge.dispute.created", stripe_dispute(
        "dp_1OCxJzHkNrmTst00InQuIrY1", "warning_needs_response", 2000, "usd", pi_ok,
        "product_not_received", due)))
    stripe_case("dispute_inquiry",
                "Stripe charge.dispute.created for an inquiry (status warning_needs_response). Maps "
                "to WEBHOOK_DISPUTE_OPENED with stage PRE_DISPUTE.",
                inq_body,
                events=[event("WEBHOOK_DISPUTE_OPENED", "", "charge.dispute.created", evt_inq,
                              {"disputes_response": {
                                  "connector_dispute_id": "dp_1OCxJzHkNrmTst00InQuIrY1",
                                  "connector_transaction_id": pi_ok,
                                  "dispute_status": "DISPUTE_OPENED",
                                  "dispute_stage": "PRE_DISPUTE",
                                  "dispute_amount": money(2000, "USD"),
                                  "dispute_reason": "product_not_received",
                                  "due_date": due}})])

    for case, status, etype, evt in [("dispute_closed", "won", "WEBHOOK_DISPUTE_WON",
                                      "evt_3OCxL2HkNrmTst001EvDpWoN"),
                                     ("dispute_closed_lost", "lost", "WEBHOOK_DISPUTE_LOST",
                                      "evt_3OCxL3HkNrmTst001EvDpLoS")]:
        body = pretty(stripe_event(evt, "charge.dispute.closed", stripe_dispute(
            "dp_1OCxJ6HkNrmTst00DiSpUtE1", status, 2000, "usd", pi_ok, "fraudulent", due,
            has_evidence=True)))
        stripe_case(case,
                    f"Stripe charge.dispute.closed with dispute status {status}. Maps to {etype}.",
                    body,
                    events=[event(etype, "", "charge.dispute.closed", evt,
                                  {"disputes_response": {
                                      "connector_dispute_id": "dp_1OCxJ6HkNrmTst00DiSpUtE1",
                                      "connector_transaction_id": pi_ok,
                                      "dispute_status": "DISPUTE_" + status.upper(),
                                      "dispute_stage": "ACTIVE_DISPUTE",
                                      "dispute_amount": money(2000, "USD"),
                                      "dispute_reason": "fraudulent"}})])

    evt_un = "evt_3OCxM5HkNrmTst001EvCrEaT"
    un_body = pretty(stripe_event(evt_un, "payment_intent.created", stripe_payment_intent(
        "pi_3OCxM5HkNrmTst001NeWpI000", "requires_payment_method", 1200, "usd", received=0)))
    stripe_case("unsupported_event",
                "Stripe payment_intent.created, a real event type hooknorm does not map: verified "
                "(source_verified true) but EVENT_NOT_SUPPORTED with no event_response.",
                un_body, events=[unsupported("", "payment_intent.created", evt_un)])

    # --- signature failures -------------------------------------------------------------
    stripe_case("wrong_signature",
                "The payment_success body signed with a different whsec_ secret than the "
                "configured one. stripe.Webhook.construct_event raises 'No signatures found "
                "matching the expected signature'.",
                ok_body, header=stripe_sig_header(ok_body, STRIPE_OTHER_SECRET, T0),
                expect_error="InvalidSignature")
    tampered = tamper(ok_body, '"amount": 2000,', '"amount": 200000,')
    stripe_case("tampered_body",
                "payment_success signed correctly, then data.object.amount changed from 2000 to "
                "200000 after signing. The SDK rejects it (signature mismatch).",
                tampered, header=stripe_sig_header(ok_body, STRIPE_SECRET, T0),
                expect_error="InvalidSignature")
    stripe_case("missing_signature",
                "payment_success without a Stripe-Signature header. The SDK raises 'No "
                "Stripe-Signature header value was provided'.",
                ok_body, drop_header=True, expect_error="MissingSignature")
    stripe_case("stale_timestamp",
                "Correct signature, but t is 301 s before now; Stripe's default tolerance is 300 "
                "s (construct_event rejects t < now - 300: 'Timestamp outside the tolerance "
                "zone').",
                ok_body, t=NOW - 301, header=stripe_sig_header(ok_body, STRIPE_SECRET, NOW - 301),
                expect_error="TimestampOutOfTolerance")
    stripe_case("timestamp_at_tolerance_edge",
                "Correct signature with t exactly 300 s before now: still accepted (the SDK's test "
                "is strict: t < now - 300).",
                ok_body, t=NOW - 300, header=stripe_sig_header(ok_body, STRIPE_SECRET, NOW - 300),
                events=ok_events)
    stripe_case("future_timestamp_accepted",
                "Correct signature with t one hour AFTER now. The stripe SDK only rejects old "
                "timestamps, never future ones, so this is accepted.",
                ok_body, t=NOW + 3600, header=stripe_sig_header(ok_body, STRIPE_SECRET, NOW + 3600),
                events=ok_events)
    hdr = (f"t={T0},v1={stripe_v1(ok_body, STRIPE_OLD_SECRET, T0)},"
           f"v1={stripe_v1(ok_body, STRIPE_SECRET, T0)}")
    stripe_case("rotated_secret",
                "During secret rotation Stripe sends one v1 entry per active secret. The first "
                "v1 is from an old secret, the second from the configured one; the SDK accepts "
                "if any v1 matches.",
                ok_body, header=hdr, events=ok_events)
    stripe_case("rotated_additional_secret",
                "webhook_secrets.secret is an old, rotated-out secret and additional_secret is "
                "the current one that signed the request. hooknorm policy: any supplied secret "
                "may match (the SDK, which takes one secret, rejects with the old one and "
                "accepts with the new one; both facts are asserted by the generator).",
                ok_body, secrets={"secret": STRIPE_OLD_SECRET, "additional_secret": STRIPE_SECRET},
                events=ok_events)
    stripe_case("v0_ignored",
                "Header carries only a v0 entry (with the correct HMAC) and no v1. The SDK only "
                "reads v1 ('No signatures found with expected scheme v1'), so there is no "
                "signature to check.",
                ok_body, header=f"t={T0},v0={stripe_v1(ok_body, STRIPE_SECRET, T0)}",
                expect_error="MissingSignature")
    stripe_case("uppercase_hex",
                "The correct signature, written in upper-case hex. The SDK compares the hex "
                "strings case-sensitively (secure_compare), so it is rejected.",
                ok_body, header=f"t={T0},v1={stripe_v1(ok_body, STRIPE_SECRET, T0).upper()}",
                expect_error="InvalidSignature")


def oracle_stripe(fx):
    req = fx["request"]
    body = req["request_details"]["body_text"]
    hdr = header_get(req["request_details"]["headers"], "Stripe-Signature")
    secrets = [s for s in (req["webhook_secrets"].get("secret"),
                           req["webhook_secrets"].get("additional_secret")) if s]
    verdicts = []
    for secret in secrets:
        try:
            with mock.patch("time.time", return_value=float(fx["now"])):
                evt = stripe.Webhook.construct_event(body, hdr, secret)
            assert evt["id"] == json.loads(body)["id"]
            return "ok"
        except stripe.SignatureVerificationError as e:
            msg = str(e)
            if "No Stripe-Signature header" in msg or "No signatures found with expected scheme" in msg:
                verdicts.append("MissingSignature")
            elif "Timestamp outside the tolerance zone" in msg:
                verdicts.append("TimestampOutOfTolerance")
            elif "No signatures found matching" in msg:
                verdicts.append("InvalidSignature")
            else:
                raise
    return verdicts[0]


# =============================================================================================
# Adyen
# =============================================================================================
ADYEN_MERCHANT = "HooknormShopECOM"


def adyen_item(psp, event_code, success, value, currency, merchant_ref, *, original=None,
               reason="", extra_additional=None, payment_method="visa", event_date=None):
    item = {
        "amount": {"currency": currency, "value": value},
        "eventCode": event_code,
        "eventDate": event_date or "2023-11-14T23:13:15+01:00",
        "merchantAccountCode": ADYEN_MERCHANT,
        "merchantReference": merchant_ref,
    }
    if original is not None:
        item["originalReference"] = original
    if payment_method is not None:
        item["paymentMethod"] = payment_method
    item.update({
        "pspReference": psp,
        "reason": reason,
        "success": success,
    })
    item["additionalData"] = dict(extra_additional or {})
    return item


def adyen_sign(item, key=ADYEN_KEY):
    unsigned = {k: v for k, v in item.items() if k != "additionalData"}
    sig = adyen_util.generate_notification_sig(unsigned, key).decode()
    signed = copy.deepcopy(item)
    signed["additionalData"]["hmacSignature"] = sig
    return signed


def adyen_body(items):
    return compact({"live": "false",
                    "notificationItems": [{"NotificationRequestItem": i} for i in items]})


def adyen_case(case, description, items, *, events=None, expect_error=None, body=None,
               secret=ADYEN_KEY):
    headers = {"Content-Type": "application/json", "User-Agent": "Adyen HttpClient 1.0"}
    return add_case("adyen", case, description, headers, body or adyen_body(items),
                    {"secret": secret}, events=events, expect_error=expect_error)


def gen_adyen():
    auth_add = {"authCode": "058671", "cardSummary": "1111", "expiryDate": "03/2030",
                "cardBin": "411111"}
    auth_ok = adyen_sign(adyen_item("QFQTPCQ8HXSKGK82", "AUTHORISATION", "true", 2000, "EUR",
                                    "order_2001", extra_additional=auth_add))
    adyen_case("payment_success",
               "Adyen AUTHORISATION success=true (no originalReference key, which signs as an "
               "empty field). hmacSignature made with Adyen.util.generate_notification_sig (hex "
               "key, HMAC-SHA256 over psp:orig:merchant:ref:value:currency:eventCode:success, "
               "base64) and verified with is_valid_hmac_notification. Maps to "
               "PAYMENT_INTENT_AUTHORIZATION_SUCCESS/AUTHORIZED.",
               [auth_ok],
               events=[event("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "", "AUTHORISATION",
                             "QFQTPCQ8HXSKGK82",
                             {"payments_response": {
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "merchant_transaction_id": "order_2001",
                                 "status": "AUTHORIZED",
                                 "amount": money(2000, "EUR")}})])

    auth_fail = adyen_sign(adyen_item("V4HZ4RBFJGXXGN82", "AUTHORISATION", "false", 10000, "EUR",
                                      "order_2002", reason="Refused",
                                      extra_additional={"refusalReasonRaw": "05 : Do not honor"}))
    adyen_case("payment_failure",
               "Adyen AUTHORISATION success=false, reason Refused. Maps to "
               "PAYMENT_INTENT_AUTHORIZATION_FAILURE/AUTHORIZATION_FAILED with error.message = "
               "reason.",
               [auth_fail],
               events=[event("PAYMENT_INTENT_AUTHORIZATION_FAILURE", "", "AUTHORISATION",
                             "V4HZ4RBFJGXXGN82",
                             {"payments_response": {
                                 "connector_transaction_id": "V4HZ4RBFJGXXGN82",
                                 "merchant_transaction_id": "order_2002",
                                 "status": "AUTHORIZATION_FAILED",
                                 "amount": money(10000, "EUR"),
                                 "error": {"message": "Refused"}}})])

    capture = adyen_sign(adyen_item("JDD6LKT8MBLZNN84", "CAPTURE", "true", 2000, "EUR",
                                    "order_2001", original="QFQTPCQ8HXSKGK82"))
    adyen_case("capture_success",
               "Adyen CAPTURE success=true, a modification with originalReference = the "
               "authorisation's pspReference. Maps to PAYMENT_INTENT_CAPTURE_SUCCESS/CHARGED with "
               "connector_transaction_id = originalReference.",
               [capture],
               events=[event("PAYMENT_INTENT_CAPTURE_SUCCESS", "", "CAPTURE", "JDD6LKT8MBLZNN84",
                             {"payments_response": {
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "status": "CHARGED",
                                 "amount": money(2000, "EUR")}})])

    refund = adyen_sign(adyen_item("KHQC5N7G84BLNK43", "REFUND", "true", 500, "EUR",
                                   "refund_2001_a", original="QFQTPCQ8HXSKGK82"))
    adyen_case("refund",
               "Adyen REFUND success=true (partial, 500 of 2000). Maps to WEBHOOK_REFUND_SUCCESS: "
               "connector_refund_id = pspReference, connector_transaction_id = "
               "originalReference, merchant_refund_id = merchantReference.",
               [refund],
               events=[event("WEBHOOK_REFUND_SUCCESS", "", "REFUND", "KHQC5N7G84BLNK43",
                             {"refunds_response": {
                                 "connector_refund_id": "KHQC5N7G84BLNK43",
                                 "merchant_refund_id": "refund_2001_a",
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "status": "REFUND_SUCCESS",
                                 "refund_amount": money(500, "EUR")}})])

    refund_f = adyen_sign(adyen_item("M9WCQ7J3SZ5ZKN82", "REFUND", "false", 700, "EUR",
                                     "refund_2001_b", original="QFQTPCQ8HXSKGK82",
                                     reason="Insufficient balance on payment"))
    adyen_case("refund_failure",
               "Adyen REFUND success=false. Maps to WEBHOOK_REFUND_FAILURE/REFUND_FAILURE.",
               [refund_f],
               events=[event("WEBHOOK_REFUND_FAILURE", "", "REFUND", "M9WCQ7J3SZ5ZKN82",
                             {"refunds_response": {
                                 "connector_refund_id": "M9WCQ7J3SZ5ZKN82",
                                 "merchant_refund_id": "refund_2001_b",
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "status": "REFUND_FAILURE",
                                 "refund_amount": money(700, "EUR")}})])

    cb_add = {"chargebackReasonCode": "10.4", "chargebackSchemeCode": "visa",
              "defensePeriodEndsAt": "2023-12-05T12:00:00+01:00", "defendable": "true",
              "disputeStatus": "Undefended", "modificationMerchantReferences": ""}
    noc = adyen_sign(adyen_item("T2KB7GG9R8XXGN82", "NOTIFICATION_OF_CHARGEBACK", "true", 2000,
                                "EUR", "order_2001", original="QFQTPCQ8HXSKGK82",
                                reason="Other Fraud-Card Absent Environment",
                                extra_additional=cb_add))
    adyen_case("dispute_opened",
               "Adyen NOTIFICATION_OF_CHARGEBACK. Maps to WEBHOOK_DISPUTE_OPENED, stage "
               "ACTIVE_DISPUTE: connector_dispute_id = pspReference, connector_transaction_id = "
               "originalReference, dispute_reason = reason.",
               [noc],
               events=[event("WEBHOOK_DISPUTE_OPENED", "", "NOTIFICATION_OF_CHARGEBACK",
                             "T2KB7GG9R8XXGN82",
                             {"disputes_response": {
                                 "connector_dispute_id": "T2KB7GG9R8XXGN82",
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "dispute_status": "DISPUTE_OPENED",
                                 "dispute_stage": "ACTIVE_DISPUTE",
                                 "dispute_amount": money(2000, "EUR"),
                                 "dispute_reason": "Other Fraud-Card Absent Environment"}})])

    cb_lost = adyen_sign(adyen_item("W7QF2B9L4RXXGN82", "CHARGEBACK", "true", 2000, "EUR",
                                    "order_2001", original="QFQTPCQ8HXSKGK82",
                                    reason="Other Fraud-Card Absent Environment",
                                    extra_additional=dict(cb_add, disputeStatus="Lost",
                                                          defendable="false")))
    adyen_case("dispute_closed",
               "Adyen CHARGEBACK with additionalData.disputeStatus Lost. Maps to "
               "WEBHOOK_DISPUTE_LOST.",
               [cb_lost],
               events=[event("WEBHOOK_DISPUTE_LOST", "", "CHARGEBACK", "W7QF2B9L4RXXGN82",
                             {"disputes_response": {
                                 "connector_dispute_id": "W7QF2B9L4RXXGN82",
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "dispute_status": "DISPUTE_LOST",
                                 "dispute_stage": "ACTIVE_DISPUTE",
                                 "dispute_amount": money(2000, "EUR"),
                                 "dispute_reason": "Other Fraud-Card Absent Environment"}})])

    cb_rev = adyen_sign(adyen_item("C3VJ8N2P5RXXGN82", "CHARGEBACK_REVERSED", "true", 2000, "EUR",
                                   "order_2001", original="QFQTPCQ8HXSKGK82",
                                   reason="Other Fraud-Card Absent Environment",
                                   extra_additional=dict(cb_add, disputeStatus="Won")))
    adyen_case("dispute_won",
               "Adyen CHARGEBACK_REVERSED with disputeStatus Won (not Pending). Maps to "
               "WEBHOOK_DISPUTE_WON.",
               [cb_rev],
               events=[event("WEBHOOK_DISPUTE_WON", "", "CHARGEBACK_REVERSED", "C3VJ8N2P5RXXGN82",
                             {"disputes_response": {
                                 "connector_dispute_id": "C3VJ8N2P5RXXGN82",
                                 "connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                 "dispute_status": "DISPUTE_WON",
                                 "dispute_stage": "ACTIVE_DISPUTE",
                                 "dispute_amount": money(2000, "EUR")}})])

    report = adyen_sign(adyen_item(
        "settlement_detail_report_batch_24.csv", "REPORT_AVAILABLE", "true", 0, "EUR",
        "", reason="https://ca-test.adyen.com/reports/download/MerchantAccount/HooknormShopECOM/"
        "settlement_detail_report_batch_24.csv", payment_method=None))
    adyen_case("unsupported_event",
               "Adyen REPORT_AVAILABLE (a real, signed eventCode hooknorm does not map). "
               "Verified, EVENT_NOT_SUPPORTED, no event_response; acknowledged with [accepted].",
               [report],
               events=[unsupported("", "REPORT_AVAILABLE",
                                   "settlement_detail_report_batch_24.csv")])

    adyen_case("wrong_signature",
               "The payment_success item signed with a different HMAC key. "
               "is_valid_hmac_notification returns False.",
               [adyen_sign(adyen_item("QFQTPCQ8HXSKGK82", "AUTHORISATION", "true", 2000, "EUR",
                                      "order_2001", extra_additional=auth_add), ADYEN_OTHER_KEY)],
               expect_error="InvalidSignature")
    tampered_item = copy.deepcopy(auth_ok)
    tampered_item["amount"]["value"] = 200000
    adyen_case("tampered_body",
               "payment_success item signed, then amount.value changed from 2000 to 200000 "
               "(a signed field). The SDK rejects it.",
               [tampered_item], expect_error="InvalidSignature")
    unsigned_item = copy.deepcopy(auth_ok)
    del unsigned_item["additionalData"]["hmacSignature"]
    adyen_case("missing_signature",
               "payment_success item with additionalData but no hmacSignature. (The SDK raises "
               "KeyError here, and returns None with no additionalData at all.)",
               [unsigned_item], expect_error="MissingSignature")

    batch_b = adyen_sign(adyen_item("N5RT3W8KQ2XXGN82", "AUTHORISATION", "true", 4599, "GBP",
                                    "order_2003", extra_additional=auth_add,
                                    payment_method="mc"))
    adyen_case("batch",
               "Two NotificationRequestItems in one body, each with its own valid hmacSignature. "
               "Each item is verified with is_valid_hmac_notification (the SDK checks only "
               "item [0] itself). Two events, in body order.",
               [auth_ok, batch_b],
               events=[
                   event("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "", "AUTHORISATION",
                         "QFQTPCQ8HXSKGK82",
                         {"payments_response": {"connector_transaction_id": "QFQTPCQ8HXSKGK82",
                                                "merchant_transaction_id": "order_2001",
                                                "status": "AUTHORIZED",
                                                "amount": money(2000, "EUR")}}),
                   event("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "", "AUTHORISATION",
                         "N5RT3W8KQ2XXGN82",
                         {"payments_response": {"connector_transaction_id": "N5RT3W8KQ2XXGN82",
                                                "merchant_transaction_id": "order_2003",
                                                "status": "AUTHORIZED",
                                                "amount": money(4599, "GBP")}})])
    bad_b = adyen_sign(adyen_item("N5RT3W8KQ2XXGN82", "AUTHORISATION", "true", 4599, "GBP",
                                  "order_2003", extra_additional=auth_add, payment_method="mc"),
                       ADYEN_OTHER_KEY)
    adyen_case("batch_one_bad_item",
               "Two items; the first is validly signed, the second's hmacSignature was made with "
               "another key. The whole request is rejected: no events at all.",
               [auth_ok, bad_b], expect_error="InvalidSignature")


def oracle_adyen(fx):
    req = fx["request"]
    body = json.loads(req["request_details"]["body_text"])
    key = req["webhook_secrets"]["secret"]
    items = [w["NotificationRequestItem"] for w in body["notificationItems"]]
    for item in items:
        if "hmacSignature" not in item.get("additionalData", {}):
            return "MissingSignature"
    for item in items:
        # Verify every item; the SDK verifies notificationItems[0] when handed the whole body,
        # so hand it each item on its own.
        if adyen_util.is_valid_hmac_notification(item, key) is not True:
            return "InvalidSignature"
    if len(items) == 1:
        assert adyen_util.is_valid_hmac_notification(body, key) is True
    return "ok"


# =============================================================================================
# PayPal
# =============================================================================================
def ensure_paypal_keys():
    """Create the test-only RSA-2048 key (openssl) and self-signed certificate if missing.

    The certificate is built with `cryptography` from the openssl key because OpenSSL 3.0's `req`
    cannot set a fixed notBefore: it is valid 2020-01-01 .. 2045-01-01, covering both the fixtures'
    `now` (Nov 2023) and today's date (paypalrestsdk checks expiry against the real clock).
    """
    KEYS.mkdir(parents=True, exist_ok=True)
    if not PAYPAL_KEY.exists():
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", str(PAYPAL_KEY)], check=True,
                       capture_output=True)
    key = serialization.load_pem_private_key(PAYPAL_KEY.read_bytes(), password=None)
    if not PAYPAL_CERT.exists():
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hooknorm test fixtures (not PayPal)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.paypal.com"),
        ])
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name)
                .public_key(key.public_key())
                .serial_number(0x686F6F6B6E6F726D)
                .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
                .not_valid_after(dt.datetime(2045, 1, 1, tzinfo=dt.timezone.utc))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        PAYPAL_CERT.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    cert = x509.load_pem_x509_certificate(PAYPAL_CERT.read_bytes())
    assert cert.public_key().public_numbers() == key.public_key().public_numbers(), \
        "tests/keys: certificate does not match key"
    return key, PAYPAL_CERT.read_text()


def paypal_expected_message(tid, ttime, webhook_id, body):
    crc = zlib.crc32(body.encode("utf-8")) & 0xFFFFFFFF
    return f"{tid}|{ttime}|{webhook_id}|{crc}"


def paypal_sign(key, tid, ttime, webhook_id, body):
    msg = paypal_expected_message(tid, ttime, webhook_id, body).encode("utf-8")
    return base64.b64encode(key.sign(msg, padding.PKCS1v15(), hashes.SHA256())).decode()


def paypal_event(wh_id, event_type, resource_type, summary, resource, create_time,
                 resource_version="2.0"):
    return {
        "id": wh_id,
        "event_version": "1.0",
        "create_time": create_time,
        "resource_type": resource_type,
        "resource_version": resource_version,
        "event_type": event_type,
        "summary": summary,
        "resource": resource,
        "links": [
            {"href": f"https://api.paypal.com/v1/notifications/webhooks-events/{wh_id}",
             "rel": "self", "method": "GET"},
            {"href": f"https://api.paypal.com/v1/notifications/webhooks-events/{wh_id}/resend",
             "rel": "resend", "method": "POST"},
        ],
    }


def paypal_capture(cap_id, status, value, currency, order_id, invoice_id, create_time):
    amount = {"currency_code": currency, "value": value}
    res = {
        "id": cap_id,
        "amount": amount,
        "final_capture": True,
        "seller_protection": {"status": "ELIGIBLE",
                              "dispute_categories": ["ITEM_NOT_RECEIVED",
                                                     "UNAUTHORIZED_TRANSACTION"]},
        "invoice_id": invoice_id,
        "custom_id": "cust-" + invoice_id,
        "status": status,
        "supplementary_data": {"related_ids": {"order_id": order_id}},
        "create_time": create_time,
        "update_time": create_time,
        "links": [
            {"href": f"https://api.paypal.com/v2/payments/captures/{cap_id}", "rel": "self",
             "method": "GET"},
            {"href": f"https://api.paypal.com/v2/payments/captures/{cap_id}/refund",
             "rel": "refund", "method": "POST"},
            {"href": f"https://api.paypal.com/v2/checkout/orders/{order_id}", "rel": "up",
             "method": "GET"},
        ],
    }
    if status == "COMPLETED":
        res["seller_receivable_breakdown"] = {"gross_amount": amount}
    return res


def paypal_dispute(dispute_id, status, stage, value, currency, seller_txn, reason, outcome=None):
    res = {
        "dispute_id": dispute_id,
        "create_time": rfc3339(T0 - 86400),
        "update_time": rfc3339(T0 - 10),
        "disputed_transactions": [{
            "seller_transaction_id": seller_txn,
            "create_time": rfc3339(T0 - 10 * 86400),
            "transaction_status": "COMPLETED",
            "gross_amount": {"currency_code": currency, "value": value},
            "invoice_number": "order_3001",
            "seller": {"merchant_id": "RD465XN5VS364", "name": "Hooknorm Test Shop"},
        }],
        "reason": reason,
        "status": status,
        "dispute_amount": {"currency_code": currency, "value": value},
        "dispute_life_cycle_stage": stage,
        "dispute_channel": "INTERNAL",
        "seller_response_due_date": rfc3339(T0 + 20 * 86400),
        "messages": [{"posted_by": "BUYER", "time_posted": rfc3339(T0 - 86400),
                      "content": "I have not received the item yet."}],
        "links": [{"href": f"https://api.paypal.com/v1/customer/disputes/{dispute_id}",
                   "rel": "self", "method": "GET"}],
    }
    if outcome is not None:
        res["dispute_outcome"] = {"outcome_code": outcome,
                                  "amount_refunded": {"currency_code": currency,
                                                      "value": value if outcome ==
                                                      "RESOLVED_BUYER_FAVOUR" else "0.00"}}
    return res


PAYPAL_CTX = {}


def paypal_case(case, description, body, *, tid, ttime=None, webhook_id=PAYPAL_WEBHOOK_ID,
                cert_url=PAYPAL_CERT_URL, drop_sig=False, sign_body=None, events=None,
                expect_error=None):
    key, cert_pem = PAYPAL_CTX["key"], PAYPAL_CTX["cert"]
    ttime = ttime or rfc3339(T0)
    headers = {
        "Content-Type": "application/json",
        "PAYPAL-TRANSMISSION-ID": tid,
        "PAYPAL-TRANSMISSION-TIME": ttime,
        "PAYPAL-CERT-URL": cert_url,
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-TRANSMISSION-SIG": paypal_sign(key, tid, ttime, webhook_id, sign_body or body),
    }
    if drop_sig:
        del headers["PAYPAL-TRANSMISSION-SIG"]
    return add_case("paypal", case, description, headers, body,
                    {"secret": PAYPAL_WEBHOOK_ID, "additional_secret": cert_pem},
                    events=events, expect_error=expect_error)


def gen_paypal():
    key, cert_pem = ensure_paypal_keys()
    PAYPAL_CTX.update(key=key, cert=cert_pem)
    common = ("Signed like PayPal: base64 RSA PKCS#1 v1.5 SHA-256 over "
              "'{transmission_id}|{transmission_time}|{webhook_id}|{crc32(body)}' with the test key "
              "in tests/keys (cert CN messageverificationcerts.paypal.com, given as "
              "additional_secret); verified with paypalrestsdk WebhookEvent.verify (cert fetch "
              "patched to the test cert) and cryptography.")

    wh_ok = "WH-2WR32451HC0233532-67976317FL4543714"
    ok_body = compact(paypal_event(
        wh_ok, "PAYMENT.CAPTURE.COMPLETED", "capture", "Payment completed for $ 20.00 USD",
        paypal_capture("2GG279541U471931P", "COMPLETED", "20.00", "USD", "5O190127TN364715T",
                       "order_3001", rfc3339(T0 - 60)), rfc3339(T0 - 5)))
    ok_events = [event("PAYMENT_INTENT_SUCCESS", "", "PAYMENT.CAPTURE.COMPLETED", wh_ok,
                       {"payments_response": {"connector_transaction_id": "2GG279541U471931P",
                                              "status": "CHARGED",
                                              "amount": money(2000, "USD")}})]
    paypal_case("payment_success",
                "PayPal PAYMENT.CAPTURE.COMPLETED, amount '20.00' USD (major units) -> 2000 minor. "
                + common,
                ok_body, tid="8f9a2c60-82f3-11ee-9b2e-31f4bd2f6a01", events=ok_events)

    wh_jpy = "WH-7DJ40392M40128127-4PT36172RS1867411"
    jpy_body = compact(paypal_event(
        wh_jpy, "PAYMENT.CAPTURE.COMPLETED", "capture", "Payment completed for ¥ 1500 JPY",
        paypal_capture("7TK53561SV3312634", "COMPLETED", "1500", "JPY", "9AJ59842RF5513203",
                       "order_3002", rfc3339(T0 - 60)), rfc3339(T0 - 5)))
    paypal_case("payment_success_jpy",
                "PayPal PAYMENT.CAPTURE.COMPLETED in JPY: value '1500' has no decimals and JPY's "
                "minor unit is the yen, so minor_amount is 1500 (not 150000). The summary has a "
                "non-ASCII '¥', so the CRC32 must be over the UTF-8 bytes. " + common,
                jpy_body, tid="8f9a2c61-82f3-11ee-9b2e-31f4bd2f6a01",
                events=[event("PAYMENT_INTENT_SUCCESS", "", "PAYMENT.CAPTURE.COMPLETED", wh_jpy,
                              {"payments_response": {
                                  "connector_transaction_id": "7TK53561SV3312634",
                                  "status": "CHARGED",
                                  "amount": money(1500, "JPY")}})])

    wh_dec = "WH-4SW78779LJ2230734-8CM51234GP5720214"
    dec_body = compact(paypal_event(
        wh_dec, "PAYMENT.CAPTURE.DECLINED", "capture", "Payment denied for $ 35.50 USD",
        paypal_capture("6VE87634HJ5523617", "DECLINED", "35.50", "USD", "3TB81234LK7645231",
                       "order_3003", rfc3339(T0 - 60)), rfc3339(T0 - 5)))
    paypal_case("payment_failure",
                "PayPal PAYMENT.CAPTURE.DECLINED. Maps to PAYMENT_INTENT_FAILURE/FAILURE. " + common,
                dec_body, tid="8f9a2c62-82f3-11ee-9b2e-31f4bd2f6a01",
                events=[event("PAYMENT_INTENT_FAILURE", "", "PAYMENT.CAPTURE.DECLINED", wh_dec,
                              {"payments_response": {
                                  "connector_transaction_id": "6VE87634HJ5523617",
                                  "status": "FAILURE",
                                  "amount": money(3550, "USD")}})])

    wh_ref = "WH-1GE84257G0350133W-6RW800890C634293G"
    refund_res = {
        "id": "1JU08902781691411",
        "amount": {"currency_code": "USD", "value": "12.50"},
        "note_to_payer": "Partial refund: one item out of stock",
        "seller_payable_breakdown": {
            "gross_amount": {"currency_code": "USD", "value": "12.50"},
            "paypal_fee": {"currency_code": "USD", "value": "0.00"},
            "net_amount": {"currency_code": "USD", "value": "12.50"},
            "total_refunded_amount": {"currency_code": "USD", "value": "12.50"},
        },
        "invoice_id": "order_3001",
        "status": "COMPLETED",
        "create_time": rfc3339(T0 - 30),
        "update_time": rfc3339(T0 - 30),
        "links": [
            {"href": "https://api.paypal.com/v2/payments/refunds/1JU08902781691411",
             "rel": "self", "method": "GET"},
            {"href": "https://api.paypal.com/v2/payments/captures/2GG279541U471931P",
             "rel": "up", "method": "GET"},
        ],
    }
    ref_body = compact(paypal_event(wh_ref, "PAYMENT.CAPTURE.REFUNDED", "refund",
                                    "A $ 12.50 USD capture payment was refunded", refund_res,
                                    rfc3339(T0 - 5)))
    paypal_case("refund",
                "PayPal PAYMENT.CAPTURE.REFUNDED (resource is the refund; the capture is only in "
                "its 'up' link). Maps to WEBHOOK_REFUND_SUCCESS, connector_refund_id = "
                "resource.id. " + common,
                ref_body, tid="8f9a2c63-82f3-11ee-9b2e-31f4bd2f6a01",
                events=[event("WEBHOOK_REFUND_SUCCESS", "", "PAYMENT.CAPTURE.REFUNDED", wh_ref,
                              {"refunds_response": {
                                  "connector_refund_id": "1JU08902781691411",
                                  "status": "REFUND_SUCCESS",
                                  "refund_amount": money(1250, "USD")}})])

    for case, stage, want_stage, wh_id, dispute_id, tid in [
            ("dispute_opened", "CHARGEBACK", "ACTIVE_DISPUTE",
             "WH-3AP15497TC1181410-6YS06346SR0236027", "PP-D-27803", "8f9a2c64"),
            ("dispute_inquiry", "INQUIRY", "PRE_DISPUTE",
             "WH-6YP50395BE8212426-45M65741GU8843713", "PP-D-27804", "8f9a2c65")]:
        body = compact(paypal_event(
            wh_id, "CUSTOMER.DISPUTE.CREATED", "dispute",
            f"A new dispute opened with Case # {dispute_id}",
            paypal_dispute(dispute_id, "OPEN" if stage == "CHARGEBACK" else "WAITING_FOR_SELLER_RESPONSE",
                           stage, "20.00", "USD", "2GG279541U471931P",
                           "MERCHANDISE_OR_SERVICE_NOT_RECEIVED"),
            rfc3339(T0 - 5), resource_version="1.0"))
        paypal_case(case,
                    f"PayPal CUSTOMER.DISPUTE.CREATED with dispute_life_cycle_stage {stage} -> "
                    f"WEBHOOK_DISPUTE_OPENED, stage {want_stage}; connector_dispute_id = "
                    "resource.dispute_id, connector_transaction_id = "
                    "resource.disputed_transactions[0].seller_transaction_id. " + common,
                    body, tid=tid + "-82f3-11ee-9b2e-31f4bd2f6a01",
                    events=[event("WEBHOOK_DISPUTE_OPENED", "", "CUSTOMER.DISPUTE.CREATED", wh_id,
                                  {"disputes_response": {
                                      "connector_dispute_id": dispute_id,
                                      "connector_transaction_id": "2GG279541U471931P",
                                      "dispute_status": "DISPUTE_OPENED",
                                      "dispute_stage": want_stage,
                                      "dispute_amount": money(2000, "USD")}})])

    for case, outcome, etype, wh_id, tid in [
            ("dispute_closed", "RESOLVED_SELLER_FAVOUR", "WEBHOOK_DISPUTE_WON",
             "WH-0T490472X6099635W-3NN4151341937631K", "8f9a2c66"),
            ("dispute_closed_lost", "RESOLVED_BUYER_FAVOUR", "WEBHOOK_DISPUTE_LOST",
             "WH-9HG22452HT5520813-2LK7364328B21374F", "8f9a2c67")]:
        body = compact(paypal_event(
            wh_id, "CUSTOMER.DISPUTE.RESOLVED", "dispute",
            "A dispute was resolved with case # PP-D-27803",
            paypal_dispute("PP-D-27803", "RESOLVED", "CHARGEBACK", "20.00", "USD",
                           "2GG279541U471931P", "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
                           outcome=outcome),
            rfc3339(T0 - 5), resource_version="1.0"))
        paypal_case(case,
                    f"PayPal CUSTOMER.DISPUTE.RESOLVED with resource.dispute_outcome.outcome_code "
                    f"{outcome} -> {etype}. (The outcome is read from resource.dispute_outcome as "
                    "PayPal documents it, not from a body-root outcome_code.) " + common,
                    body, tid=tid + "-82f3-11ee-9b2e-31f4bd2f6a01",
                    events=[event(etype, "", "CUSTOMER.DISPUTE.RESOLVED", wh_id,
                                  {"disputes_response": {
                                      "connector_dispute_id": "PP-D-27803",
                                      "connector_transaction_id": "2GG279541U471931P",
                                      "dispute_status": "DISPUTE_" + etype.rsplit("_", 1)[1],
                                      "dispute_stage": "ACTIVE_DISPUTE",
                                      "dispute_amount": money(2000, "USD")}})])

    wh_un = "WH-77687562XN25889J8-8Y6T55435R66168T6"
    sub = {
        "id": "I-BW452GLLEP1G",
        "plan_id": "P-5ML4271244454362WXNWU5NQ",
        "status": "APPROVAL_PENDING",
        "quantity": "1",
        "subscriber": {"name": {"given_name": "John", "surname": "Doe"},
                       "email_address": "customer@example.com"},
        "create_time": rfc3339(T0 - 20),
        "links": [{"href": "https://www.paypal.com/webapps/billing/subscriptions?ba_token=BA-2M539689T3856352J",
                   "rel": "approve", "method": "GET"}],
    }
    un_body = compact(paypal_event(wh_un, "BILLING.SUBSCRIPTION.CREATED", "subscription",
                                   "Subscription created", sub, rfc3339(T0 - 5)))
    paypal_case("unsupported_event",
                "PayPal BILLING.SUBSCRIPTION.CREATED, correctly signed, not mapped: "
                "EVENT_NOT_SUPPORTED with no event_response. " + common,
                un_body, tid="8f9a2c68-82f3-11ee-9b2e-31f4bd2f6a01",
                events=[unsupported("", "BILLING.SUBSCRIPTION.CREATED", wh_un)])

    paypal_case("wrong_signature",
                "payment_success signed for another webhook id (the configured webhook_id is part "
                "of the signed string), so the RSA signature does not verify for ours.",
                ok_body, tid="8f9a2c69-82f3-11ee-9b2e-31f4bd2f6a01",
                webhook_id=PAYPAL_OTHER_WEBHOOK_ID, expect_error="InvalidSignature")
    paypal_case("tampered_body",
                "payment_success signed, then the amount changed from 20.00 to 2000.00: the body's "
                "CRC32 no longer matches the signed one.",
                tamper(ok_body, '"value":"20.00"},"final_capture"', '"value":"2000.00"},"final_capture"'),
                sign_body=ok_body, tid="8f9a2c6a-82f3-11ee-9b2e-31f4bd2f6a01",
                expect_error="InvalidSignature")
    paypal_case("missing_signature",
                "payment_success without the PAYPAL-TRANSMISSION-SIG header.",
                ok_body, tid="8f9a2c6b-82f3-11ee-9b2e-31f4bd2f6a01", drop_sig=True,
                expect_error="MissingSignature")
    paypal_case("untrusted_cert_url",
                "payment_success with a valid signature, but PAYPAL-CERT-URL points at "
                "evil.example.com. hooknorm only trusts certificates announced under an https "
                "paypal.com host (PayPal's docs: make sure the certificate comes from PayPal); "
                "paypalrestsdk itself would fetch any URL, so this rule is hooknorm's.",
                ok_body, tid="8f9a2c6c-82f3-11ee-9b2e-31f4bd2f6a01",
                cert_url=PAYPAL_EVIL_CERT_URL, expect_error="UntrustedCertificate")


def paypal_cert_url_trusted(url):
    u = urlparse(url)
    host = (u.hostname or "").lower()
    return u.scheme == "https" and (host == "paypal.com" or host.endswith(".paypal.com"))


def oracle_paypal(fx):
    req = fx["request"]
    headers = req["request_details"]["headers"]
    body = req["request_details"]["body_text"]
    webhook_id = req["webhook_secrets"]["secret"]
    cert_pem = req["webhook_secrets"]["additional_secret"]
    names = ["PAYPAL-TRANSMISSION-ID", "PAYPAL-TRANSMISSION-TIME", "PAYPAL-CERT-URL",
             "PAYPAL-AUTH-ALGO", "PAYPAL-TRANSMISSION-SIG"]
    vals = {n: header_get(headers, n) for n in names}
    if vals["PAYPAL-TRANSMISSION-SIG"] is None:
        return "MissingSignature"
    tid, ttime, cert_url, algo, sig = (vals[n] for n in names)

    # 1) cryptography: RSA PKCS#1 v1.5 SHA-256 with the certificate's public key.
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    msg = paypal_expected_message(tid, ttime, webhook_id, body).encode()
    try:
        cert.public_key().verify(base64.b64decode(sig), msg, padding.PKCS1v15(), hashes.SHA256())
        crypto_ok = True
    except CryptoInvalidSignature:
        crypto_ok = False

    # 2) paypalrestsdk, the official (deprecated) PayPal SDK's verifier.
    if paypal_notifications is not None:
        WE = paypal_notifications.WebhookEvent
        sdk_cert = openssl_crypto.load_certificate(openssl_crypto.FILETYPE_PEM, cert_pem)
        with mock.patch.object(WE, "_get_cert", staticmethod(lambda url: sdk_cert)), \
                mock.patch.object(WE, "_verify_certificate_chain", classmethod(lambda cls, c: True)), \
                contextlib.redirect_stdout(io.StringIO()):
            sdk_ok = WE.verify(tid, ttime, webhook_id, body, cert_url, sig, algo)
        assert sdk_ok == crypto_ok, (fx["description"], sdk_ok, crypto_ok)
        PAYPAL_CTX["sdk_used"] = True

    if not crypto_ok:
        return "InvalidSignature"
    if not paypal_cert_url_trusted(cert_url):
        return "UntrustedCertificate"
    return "ok"


# =============================================================================================
# Standard Webhooks
# =============================================================================================
def stdwh_sign(secret, msg_id, ts, body):
    return StdWebhook(secret).sign(msg_id, dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc), body)


def stdwh_case(case, description, body, *, msg_id, ts=T0, now=NOW, secret=STDWH_SECRET,
               sig=None, sign_secret=None, drop_sig=False, prefix="webhook", events=None,
               expect_error=None, sign_body=None):
    sig = sig or stdwh_sign(sign_secret or secret, msg_id, ts, sign_body or body)
    headers = {"content-type": "application/json", "user-agent": "Svix-Webhooks/1.13",
               f"{prefix}-id": msg_id, f"{prefix}-timestamp": str(ts),
               f"{prefix}-signature": sig}
    if drop_sig:
        del headers[f"{prefix}-signature"]
    return add_case("standard-webhooks", case, description, headers, body, {"secret": secret},
                    now=now, events=events, expect_error=expect_error)


def gen_standard_webhooks():
    common = ("Signed with standardwebhooks.Webhook.sign (HMAC-SHA256 over '{id}.{timestamp}."
              "{body}', key = base64-decoded whsec_ secret) and verified with "
              "standardwebhooks.Webhook.verify at the fixture's now.")
    pay_id = "pay_01HF7Q2W6G3K8M4N5P6R7S8T9V"

    def body_for(etype, data, ts=T0 - 1):
        return compact({"type": etype, "timestamp": rfc3339(ts), "data": data})

    ok_body = body_for("payment.succeeded", {"id": pay_id, "object": "payment", "amount": 2599,
                                             "currency": "USD", "status": "succeeded",
                                             "order_id": "order_4001"})
    ok_id = "msg_2Yd8KqN3vX7pLm4Rt9Wz1Bc6Hf0"
    ok_events = [event("PAYMENT_INTENT_SUCCESS", "", "payment.succeeded", ok_id,
                       {"payments_response": {"connector_transaction_id": pay_id,
                                              "status": "CHARGED",
                                              "amount": money(2599, "USD")}})]
    stdwh_case("payment_success",
               "Generic Standard Webhooks body {type, timestamp, data}: payment.succeeded -> "
               "PAYMENT_INTENT_SUCCESS/CHARGED (data.id, data.amount in minor units, "
               "data.currency). connector_event_id = the webhook-id header. " + common,
               ok_body, msg_id=ok_id, events=ok_events)

    fail_id = "msg_2Yd8KuF4bQ9sDe2Gh5Jk7Lm8Np1"
    fail_pay = "pay_01HF7Q4A1B2C3D4E5F6G7H8J9K"
    stdwh_case("payment_failure",
               "payment.failed -> PAYMENT_INTENT_FAILURE/FAILURE. " + common,
               body_for("payment.failed", {"id": fail_pay, "object": "payment", "amount": 1000,
                                           "currency": "EUR", "status": "failed",
                                           "failure_code": "card_declined",
                                           "failure_message": "The card was declined."}),
               msg_id=fail_id,
               events=[event("PAYMENT_INTENT_FAILURE", "", "payment.failed", fail_id,
                             {"payments_response": {"connector_transaction_id": fail_pay,
                                                    "status": "FAILURE",
                                                    "amount": money(1000, "EUR")}})])

    ref_id = "msg_2Yd8L0aZ3cV5bN7mQ9wE1rT3yU5"
    stdwh_case("refund",
               "refund.succeeded -> WEBHOOK_REFUND_SUCCESS (data.id = refund id, data.payment_id "
               "= the payment). " + common,
               body_for("refund.succeeded", {"id": "ref_01HF7Q6X9Y8Z7W6V5U4T3S2R1Q",
                                             "object": "refund", "payment_id": pay_id,
                                             "amount": 599, "currency": "USD",
                                             "status": "succeeded"}),
               msg_id=ref_id,
               events=[event("WEBHOOK_REFUND_SUCCESS", "", "refund.succeeded", ref_id,
                             {"refunds_response": {
                                 "connector_refund_id": "ref_01HF7Q6X9Y8Z7W6V5U4T3S2R1Q",
                                 "connector_transaction_id": pay_id,
                                 "status": "REFUND_SUCCESS",
                                 "refund_amount": money(599, "USD")}})])

    dsp = "dsp_01HF7Q8M2N3P4Q5R6S7T8U9V0W"
    for case, etype, ev, status, mid in [
            ("dispute_opened", "dispute.opened", "WEBHOOK_DISPUTE_OPENED", "DISPUTE_OPENED",
             "msg_2Yd8L5hJ7kL9mN1pQ3rS5tU7vW9"),
            ("dispute_closed", "dispute.won", "WEBHOOK_DISPUTE_WON", "DISPUTE_WON",
             "msg_2Yd8LAxC2vB4nM6qW8eR0tY2uI4"),
            ("dispute_closed_lost", "dispute.lost", "WEBHOOK_DISPUTE_LOST", "DISPUTE_LOST",
             "msg_2Yd8LFpO5iU7yT9rE1wQ3aS5dF7")]:
        stdwh_case(case,
                   f"{etype} -> {ev} (data.id = dispute id, data.payment_id = the payment). "
                   + common,
                   body_for(etype, {"id": dsp, "object": "dispute", "payment_id": pay_id,
                                    "amount": 2599, "currency": "USD",
                                    "reason": "fraudulent",
                                    "status": etype.split(".")[1]}),
                   msg_id=mid,
                   events=[event(ev, "", etype, mid,
                                 {"disputes_response": {"connector_dispute_id": dsp,
                                                        "connector_transaction_id": pay_id,
                                                        "dispute_status": status,
                                                        "dispute_amount": money(2599, "USD")}})])

    un_id = "msg_2Yd8LKqW3eR5tY7uI9oP1aS3dF5"
    stdwh_case("unsupported_event",
               "customer.created: verified, but not a type hooknorm maps -> EVENT_NOT_SUPPORTED, "
               "no event_response. " + common,
               body_for("customer.created", {"id": "cus_01HF7QAB3C4D5E6F7G8H9J0K1L",
                                             "object": "customer",
                                             "email": "customer@example.com"}),
               msg_id=un_id, events=[unsupported("", "customer.created", un_id)])

    stdwh_case("wrong_signature",
               "payment_success signed with a different whsec_ secret. verify raises 'No "
               "matching signature found'.",
               ok_body, msg_id=ok_id, sign_secret=STDWH_OTHER_SECRET,
               expect_error="InvalidSignature")
    stdwh_case("tampered_body",
               "payment_success signed, then data.amount changed from 2599 to 259900.",
               tamper(ok_body, '"amount":2599', '"amount":259900'), sign_body=ok_body,
               msg_id=ok_id, expect_error="InvalidSignature")
    stdwh_case("missing_signature",
               "payment_success without the webhook-signature header ('Missing required "
               "headers').",
               ok_body, msg_id=ok_id, drop_sig=True, expect_error="MissingSignature")
    stdwh_case("stale_timestamp",
               "Correct signature, webhook-timestamp 301 s before now; the window is ±300 s "
               "('Message timestamp too old').",
               ok_body, msg_id=ok_id, ts=NOW - 301, expect_error="TimestampOutOfTolerance")
    stdwh_case("future_timestamp",
               "Correct signature, webhook-timestamp 301 s after now; unlike Stripe, Standard "
               "Webhooks rejects future timestamps too ('Message timestamp too new').",
               ok_body, msg_id=ok_id, ts=NOW + 301, expect_error="TimestampOutOfTolerance")
    stdwh_case("timestamp_at_tolerance_edge_past",
               "webhook-timestamp exactly 300 s before now: accepted (the SDK rejects only "
               "timestamps strictly outside ±300 s).",
               ok_body, msg_id=ok_id, ts=NOW - 300, events=ok_events)
    stdwh_case("timestamp_at_tolerance_edge_future",
               "webhook-timestamp exactly 300 s after now: accepted.",
               ok_body, msg_id=ok_id, ts=NOW + 300, events=ok_events)
    stdwh_case("svix_headers",
               "The payment_success delivery with the Svix header names svix-id / svix-timestamp "
               "/ svix-signature (same scheme). Verified with svix.Webhook.verify, which reads "
               "svix-* first and falls back to webhook-*.",
               ok_body, msg_id=ok_id, prefix="svix", events=ok_events)
    wrong = stdwh_sign(STDWH_OTHER_SECRET, ok_id, T0, ok_body)
    right = stdwh_sign(STDWH_SECRET, ok_id, T0, ok_body)
    stdwh_case("multiple_signatures",
               "webhook-signature carries two space-separated entries 'v1,<wrong> v1,<right>' "
               "(as during key rotation); any matching v1 entry verifies.",
               ok_body, msg_id=ok_id, sig=f"{wrong} {right}", events=ok_events)

    vec_now = VEC_TS + 30
    assert stdwh_sign(VEC_SECRET, VEC_ID, VEC_TS, VEC_BODY) == VEC_SIG_V1
    stdwh_case("published_vector_v1",
               "The Standard Webhooks spec's published v1 test vector, verbatim: secret "
               f"{VEC_SECRET}, id {VEC_ID}, timestamp {VEC_TS}, body {VEC_BODY}. The body has no "
               "'type', so it is verified but EVENT_NOT_SUPPORTED.",
               VEC_BODY, msg_id=VEC_ID, ts=VEC_TS, now=vec_now, secret=VEC_SECRET, sig=VEC_SIG_V1,
               events=[unsupported("", None, VEC_ID)])
    stdwh_case("published_vector_v1a",
               "The spec's published v1a (Ed25519) vector over the same message; the "
               "verification secret is the public key whpk_... (standardwebhooks 1.1.0 cannot "
               "verify v1a, so the generator checks it with cryptography's Ed25519). Verified, "
               "EVENT_NOT_SUPPORTED (no 'type').",
               VEC_BODY, msg_id=VEC_ID, ts=VEC_TS, now=vec_now, secret=VEC_PUBLIC, sig=VEC_SIG_V1A,
               events=[unsupported("", None, VEC_ID)])


class _FrozenDateTime(dt.datetime):
    frozen = None

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.fromtimestamp(cls.frozen, tz=tz)


def oracle_stdwh(fx):
    req = fx["request"]
    headers = req["request_details"]["headers"]
    body = req["request_details"]["body_text"]
    secret = req["webhook_secrets"]["secret"]
    low = {k.lower(): v for k, v in headers.items()}
    if secret.startswith("whpk_"):
        # v1a: Ed25519 public key. standardwebhooks 1.1.0 has no v1a support.
        mid = low.get("webhook-id") or low.get("svix-id")
        ts = low.get("webhook-timestamp") or low.get("svix-timestamp")
        sigs = low.get("webhook-signature") or low.get("svix-signature")
        if not (mid and ts and sigs):
            return "MissingSignature"
        if abs(int(ts) - fx["now"]) > 300:
            return "TimestampOutOfTolerance"
        pk = Ed25519PublicKey.from_public_bytes(base64.b64decode(secret[len("whpk_"):]))
        for entry in sigs.split(" "):
            ver, _, s = entry.partition(",")
            if ver != "v1a":
                continue
            try:
                pk.verify(base64.b64decode(s), f"{mid}.{ts}.{body}".encode())
                return "ok"
            except CryptoInvalidSignature:
                pass
        return "InvalidSignature"
    _FrozenDateTime.frozen = fx["now"]
    uses_svix = any(k.startswith("svix-") for k in low)
    try:
        with mock.patch.object(stdwh_module, "datetime", _FrozenDateTime):
            if uses_svix:
                svix.Webhook(secret).verify(body, headers)
            else:
                StdWebhook(secret).verify(body, headers)
        return "ok"
    except Exception as e:  # both SDKs raise WebhookVerificationError (two classes of that name)
        msg = str(e)
        if "Missing required headers" in msg:
            return "MissingSignature"
        if "too old" in msg or "too new" in msg:
            return "TimestampOutOfTolerance"
        if "No matching signature found" in msg:
            return "InvalidSignature"
        raise


# =============================================================================================
# Razorpay
# =============================================================================================
RZP_ACCOUNT = "acc_HkNrmTst0Acc01"


def rzp_payment(pay_id, status, amount, order_id, *, method="card", error=None, captured=None,
                notes=None, description="Order #5001"):
    ent = {
        "id": pay_id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": status,
        "order_id": order_id,
        "invoice_id": None,
        "international": False,
        "method": method,
        "amount_refunded": 0,
        "refund_status": None,
        "captured": status == "captured" if captured is None else captured,
        "description": description,
        "card_id": "card_NRhkNrmTst0Cd1" if method == "card" else None,
        "bank": None,
        "wallet": None,
        "vpa": "ananya@okhdfcbank" if method == "upi" else None,
        "email": "ananya.iyer@example.com",
        "contact": "+919000090000",
        "notes": notes or {},
        "fee": 1180 if status == "captured" else None,
        "tax": 180 if status == "captured" else None,
        "error_code": None,
        "error_description": None,
        "error_source": None,
        "error_step": None,
        "error_reason": None,
        "acquirer_data": {"auth_code": "828553"} if method == "card" and status != "failed" else {},
        "created_at": T0 - 90,
    }
    if error:
        ent.update(error)
    return ent


def rzp_event(event_name, contains, payload, created_at=T0 - 1):
    return compact({"entity": "event", "account_id": RZP_ACCOUNT, "event": event_name,
                    "contains": contains, "payload": payload, "created_at": created_at})


def rzp_case(case, description, body, *, event_id, sign_secret=RAZORPAY_SECRET, sign_body=None,
             drop_sig=False, events=None, expect_error=None):
    sig = hmac.new(sign_secret.encode(), (sign_body or body).encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "User-Agent": "Razorpay-Webhook/v1",
               "X-Razorpay-Event-Id": event_id, "X-Razorpay-Signature": sig}
    if drop_sig:
        del headers["X-Razorpay-Signature"]
    return add_case("razorpay", case, description, headers, body, {"secret": RAZORPAY_SECRET},
                    events=events, expect_error=expect_error)


def gen_razorpay():
    common = ("X-Razorpay-Signature = hex HMAC-SHA256 of the raw body with the secret as-is "
              "(signed with hmac: the razorpay SDK has no signing helper); verified with "
              "razorpay Client.utility.verify_webhook_signature.")
    pay = "pay_NRhkNrmTst0Py1"
    ok_body = rzp_event("payment.captured", ["payment"], {"payment": {"entity": rzp_payment(
        pay, "captured", 49900, "order_NRhkNrmTst0Or1", method="upi",
        notes={"cart": "Sari – silk, ₹499"}, description="Order #5001 – ₹499")}})
    ok_evid = "NRhkNrmEv0Cap01"
    rzp_case("payment_success",
             "Razorpay payment.captured (UPI, 49900 paise; notes and description contain "
             "non-ASCII '–' and '₹'). Maps to PAYMENT_INTENT_SUCCESS/CHARGED, "
             "merchant_transaction_id = order_id, connector_event_id = X-Razorpay-Event-Id. "
             + common,
             ok_body, event_id=ok_evid,
             events=[event("PAYMENT_INTENT_SUCCESS", "", "payment.captured", ok_evid,
                           {"payments_response": {"connector_transaction_id": pay,
                                                  "merchant_transaction_id": "order_NRhkNrmTst0Or1",
                                                  "status": "CHARGED",
                                                  "amount": money(49900, "INR")}})])

    auth_pay = "pay_NRhkNrmTst0Py2"
    auth_evid = "NRhkNrmEv0Aut01"
    rzp_case("payment_authorized",
             "Razorpay payment.authorized (card, not yet captured). Maps to "
             "PAYMENT_INTENT_AUTHORIZATION_SUCCESS/AUTHORIZED. " + common,
             rzp_event("payment.authorized", ["payment"], {"payment": {"entity": rzp_payment(
                 auth_pay, "authorized", 125000, "order_NRhkNrmTst0Or2")}}),
             event_id=auth_evid,
             events=[event("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "", "payment.authorized",
                           auth_evid,
                           {"payments_response": {"connector_transaction_id": auth_pay,
                                                  "merchant_transaction_id": "order_NRhkNrmTst0Or2",
                                                  "status": "AUTHORIZED",
                                                  "amount": money(125000, "INR")}})])

    fail_pay = "pay_NRhkNrmTst0Py3"
    fail_evid = "NRhkNrmEv0Fal01"
    err = {"error_code": "BAD_REQUEST_ERROR",
           "error_description": "Payment failed because the card was declined by the bank",
           "error_source": "bank", "error_step": "payment_authorization",
           "error_reason": "payment_declined"}
    rzp_case("payment_failure",
             "Razorpay payment.failed. Maps to PAYMENT_INTENT_FAILURE/FAILURE with error.code = "
             "error_code and error.message = error_description. " + common,
             rzp_event("payment.failed", ["payment"], {"payment": {"entity": rzp_payment(
                 fail_pay, "failed", 75000, "order_NRhkNrmTst0Or3", error=err)}}),
             event_id=fail_evid,
             events=[event("PAYMENT_INTENT_FAILURE", "", "payment.failed", fail_evid,
                           {"payments_response": {
                               "connector_transaction_id": fail_pay,
                               "merchant_transaction_id": "order_NRhkNrmTst0Or3",
                               "status": "FAILURE",
                               "amount": money(75000, "INR"),
                               "error": {"code": "BAD_REQUEST_ERROR",
                                         "message": "Payment failed because the card was "
                                                    "declined by the bank"}}})])

    refund_ent = {"id": "rfnd_NRhkNrmTst0Rf1", "entity": "refund", "amount": 10000,
                  "currency": "INR", "payment_id": pay, "notes": {"reason": "damaged item"},
                  "receipt": "refund_5001_a", "acquirer_data": {"rrn": "331822101234"},
                  "created_at": T0 - 40, "batch_id": None, "status": "processed",
                  "speed_processed": "normal", "speed_requested": "normal"}
    paid = rzp_payment(pay, "captured", 49900, "order_NRhkNrmTst0Or1", method="upi")
    paid.update(amount_refunded=10000, refund_status="partial")
    ref_evid = "NRhkNrmEv0Ref01"
    rzp_case("refund",
             "Razorpay refund.processed (payload has refund and payment). Maps to "
             "WEBHOOK_REFUND_SUCCESS: connector_refund_id = payload.refund.entity.id, "
             "connector_transaction_id = its payment_id. " + common,
             rzp_event("refund.processed", ["refund", "payment"],
                       {"refund": {"entity": refund_ent}, "payment": {"entity": paid}}),
             event_id=ref_evid,
             events=[event("WEBHOOK_REFUND_SUCCESS", "", "refund.processed", ref_evid,
                           {"refunds_response": {"connector_refund_id": "rfnd_NRhkNrmTst0Rf1",
                                                 "connector_transaction_id": pay,
                                                 "status": "REFUND_SUCCESS",
                                                 "refund_amount": money(10000, "INR")}})])

    respond_by = T0 + 10 * 86400

    def dispute_ent(status, deducted=0):
        return {"id": "disp_NRhkNrmTst0Ds1", "entity": "dispute", "payment_id": pay,
                "amount": 49900, "currency": "INR", "amount_deducted": deducted,
                "reason_code": "goods_not_received",
                "reason_description": "Customer says the goods were not delivered",
                "respond_by": respond_by, "status": status, "phase": "chargeback",
                "created_at": T0 - 3600,
                "evidence": {"amount": 49900, "summary": None, "shipping_proof": None,
                             "billing_proof": None, "cancellation_proof": None,
                             "customer_communication": None, "proof_of_service": None,
                             "explanation_letter": None, "refund_confirmation": None,
                             "access_activity_log": None, "refund_cancellation_policy": None,
                             "term_and_conditions": None, "others": None,
                             "submitted_at": None}}

    for case, ev_name, status, etype, dstatus, evid, deducted in [
            ("dispute_opened", "payment.dispute.created", "open", "WEBHOOK_DISPUTE_OPENED",
             "DISPUTE_OPENED", "NRhkNrmEv0Dsp01", 0),
            ("dispute_closed", "payment.dispute.won", "won", "WEBHOOK_DISPUTE_WON",
             "DISPUTE_WON", "NRhkNrmEv0Dsp02", 0),
            ("dispute_closed_lost", "payment.dispute.lost", "lost", "WEBHOOK_DISPUTE_LOST",
             "DISPUTE_LOST", "NRhkNrmEv0Dsp03", 49900)]:
        expected = {"connector_dispute_id": "disp_NRhkNrmTst0Ds1",
                    "connector_transaction_id": pay,
                    "dispute_status": dstatus,
                    "dispute_stage": "ACTIVE_DISPUTE",
                    "dispute_amount": money(49900, "INR"),
                    "dispute_reason": "goods_not_received",
                    "due_date": respond_by}
        rzp_case(case,
                 f"Razorpay {ev_name} (payload has payment and dispute; phase chargeback -> "
                 f"ACTIVE_DISPUTE, respond_by -> due_date, reason_code -> dispute_reason). Maps "
                 f"to {etype}. " + common,
                 rzp_event(ev_name, ["payment", "dispute"],
                           {"payment": {"entity": rzp_payment(
                               pay, "captured", 49900, "order_NRhkNrmTst0Or1", method="upi")},
                            "dispute": {"entity": dispute_ent(status, deducted)}}),
                 event_id=evid,
                 events=[event(etype, "", ev_name, evid, {"disputes_response": expected})])

    un_evid = "NRhkNrmEv0Ord01"
    order_ent = {"id": "order_NRhkNrmTst0Or1", "entity": "order", "amount": 49900,
                 "amount_paid": 49900, "amount_due": 0, "currency": "INR",
                 "receipt": "rcpt_5001", "offer_id": None, "status": "paid", "attempts": 1,
                 "notes": [], "created_at": T0 - 120}
    rzp_case("unsupported_event",
             "Razorpay order.paid: a real, signed event hooknorm does not map -> "
             "EVENT_NOT_SUPPORTED, no event_response. " + common,
             rzp_event("order.paid", ["payment", "order"],
                       {"payment": {"entity": rzp_payment(pay, "captured", 49900,
                                                          "order_NRhkNrmTst0Or1", method="upi")},
                        "order": {"entity": order_ent}}),
             event_id=un_evid, events=[unsupported("", "order.paid", un_evid)])

    rzp_case("wrong_signature",
             "payment_success signed with a different secret.",
             ok_body, event_id=ok_evid, sign_secret=RAZORPAY_OTHER_SECRET,
             expect_error="InvalidSignature")
    rzp_case("tampered_body",
             "payment_success signed, then amount changed from 49900 to 4990000.",
             tamper(ok_body, '"amount":49900', '"amount":4990000'), sign_body=ok_body,
             event_id=ok_evid, expect_error="InvalidSignature")
    rzp_case("missing_signature",
             "payment_success without X-Razorpay-Signature.",
             ok_body, event_id=ok_evid, drop_sig=True, expect_error="MissingSignature")


def oracle_razorpay(fx):
    req = fx["request"]
    sig = header_get(req["request_details"]["headers"], "X-Razorpay-Signature")
    if sig is None:
        return "MissingSignature"
    client = razorpay.Client(auth=("rzp_test_hooknorm", "unused"))
    try:
        client.utility.verify_webhook_signature(req["request_details"]["body_text"], sig,
                                                req["webhook_secrets"]["secret"])
        return "ok"
    except razorpay.errors.SignatureVerificationError:
        return "InvalidSignature"


# =============================================================================================
# Driver
# =============================================================================================
# Each oracle returns "ok" or the error kind it reads from the SDK's verdict.
ORACLES = {"stripe": oracle_stripe, "adyen": oracle_adyen, "paypal": oracle_paypal,
           "standard-webhooks": oracle_stdwh, "razorpay": oracle_razorpay}


def extra_assertions():
    """Facts that are not a single fixture's verdict."""
    by = {(c, n): fx for c in CONNECTORS for n, fx in CASES[c]}
    # Stripe rotation via additional_secret: the SDK rejects with the old secret alone and accepts
    # with the new one, so "any supplied secret may match" is what makes the fixture pass.
    fx = by[("stripe", "rotated_additional_secret")]
    body = fx["request"]["request_details"]["body_text"]
    hdr = fx["request"]["request_details"]["headers"]["Stripe-Signature"]
    with mock.patch("time.time", return_value=float(fx["now"])):
        try:
            stripe.Webhook.construct_event(body, hdr, STRIPE_OLD_SECRET)
            raise AssertionError("old secret must not verify")
        except stripe.SignatureVerificationError:
            pass
        stripe.Webhook.construct_event(body, hdr, STRIPE_SECRET)
    # The untrusted-cert case has a signature the SDK accepts: only the URL rule rejects it.
    fx = by[("paypal", "untrusted_cert_url")]
    h = fx["request"]["request_details"]["headers"]
    cert = x509.load_pem_x509_certificate(fx["request"]["webhook_secrets"]["additional_secret"].encode())
    cert.public_key().verify(
        base64.b64decode(h["PAYPAL-TRANSMISSION-SIG"]),
        paypal_expected_message(h["PAYPAL-TRANSMISSION-ID"], h["PAYPAL-TRANSMISSION-TIME"],
                                PAYPAL_WEBHOOK_ID, fx["request"]["request_details"]["body_text"]).encode(),
        padding.PKCS1v15(), hashes.SHA256())
    # The published v1 vector: the SDK signs it to the published value (asserted in generation)
    # and svix agrees.
    assert svix.Webhook(VEC_SECRET).sign(
        VEC_ID, dt.datetime.fromtimestamp(VEC_TS, tz=dt.timezone.utc), VEC_BODY) == VEC_SIG_V1
    # Stripe payment_success is the benchmark body: keep it around 3 KB.
    n = len(by[("stripe", "payment_success")]["request"]["request_details"]["body_text"].encode())
    assert 2500 <= n <= 3600, n


def main():
    gen_stripe()
    gen_adyen()
    gen_paypal()
    gen_standard_webhooks()
    gen_razorpay()

    failures = []
    for c in CONNECTORS:
        failures += fixturelib.check(CASES[c], lambda name, fx, oracle=ORACLES[c]: oracle(fx),
                                     want=fixturelib.expected_kind, label=c)
    extra_assertions()
    fixturelib.exit_on_failures(failures)
    for c in CONNECTORS:
        fixturelib.write(CASES[c], FIXTURES / c)

    counts = {c: len(CASES[c]) for c in CONNECTORS}
    print(f"wrote {sum(counts.values())} fixtures: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    print("oracles: stripe %s, standardwebhooks (1.1.0 API), svix, Adyen, razorpay, %s" % (
        stripe.VERSION,
        "paypalrestsdk + cryptography" if PAYPAL_CTX.get("sdk_used") else
        "cryptography only (paypalrestsdk not importable)"))


if __name__ == "__main__":
    main()
