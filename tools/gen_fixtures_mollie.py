#!/usr/bin/env python3
"""Generate tests/fixtures/mollie/*.json (Mollie classic and next-gen webhooks).

How to run (from the repository root):

    python3 -m venv /tmp/groupb-venv
    /tmp/groupb-venv/bin/pip install mollie-api-py==1.10.20
    /tmp/groupb-venv/bin/python tools/gen_fixtures_mollie.py

Oracle: Mollie's official Python SDK `mollie-api-py` 1.10.20, `mollie.utils.webhooks.
SignatureValidator`. Next-gen bodies are signed with its `create_signature(payload, secret)`
(hex HMAC-SHA256 of the raw body; the header is `X-Mollie-Signature: sha256=<hex>`), and every
fixture is checked with `SignatureValidator.validate(body, secrets, signatures)`, whose three
outcomes are: True (a signature verified), False (no signature: a classic, unsigned webhook) and
InvalidSignatureException. Fixtures expecting verified events must give True, fixtures expecting
unverified events False, and InvalidSignature fixtures the exception. Classic webhooks are the
form post `id=tr_...` of Mollie's webhook guide; next-gen bodies follow the event envelope
(`resource`, `id`, `type`, `entityId`, `createdAt`, `_embedded.entity`) of Mollie's Next-gen
webhooks guide and SDK fixtures, with entity snapshots shaped like Mollie's API resources. Ids,
amounts and times are this script's own. Deterministic; writes only tests/fixtures/mollie/*.json.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Mollie's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import json

from mollie.utils.webhooks import SignatureValidator
from mollie.utils.webhooks.signature_validator import InvalidSignatureException

import fixturelib
from fixturelib import Cases, details, secrets_of

URL = "https://shop.example/webhooks/mollie"
SECRET = "whsec_mollie_Hk4nRmT3stS1gn1ngS3cr3t7Q2x"
SECRET2 = "whsec_mollie_R0tat3dS1gn1ngS3cr3t9vW4kP"
NOW = 1700000030
CASES = Cases("mollie", url=URL, now=NOW)


def sig_header(secret, text):
    return "sha256=" + SignatureValidator.create_signature(text, secret)


def default_key(material):
    """hooknorm's default idempotency key: connector, SHA-256 of the verified signature (or of
    the body when unsigned), item index."""
    return fixturelib.default_idempotency_key("mollie", material)


def payment(tr, status, value, currency="EUR", method="ideal", **extra):
    p = {"resource": "payment", "id": tr, "mode": "live", "createdAt": "2023-11-14T22:10:00+00:00",
         "amount": {"value": value, "currency": currency}, "description": "Order #12345", "method": method,
         "metadata": {"order_id": "12345"}, "status": status, "isCancelable": False, "locale": "nl_NL",
         "profileId": "pfl_QkEhN94Ba", "sequenceType": "oneoff", "redirectUrl": "https://shop.example/order/12345/",
         "customerId": "cst_8wmqcHMN4U",
         "_links": {"self": {"href": f"https://api.mollie.com/v2/payments/{tr}", "type": "application/hal+json"}}}
    p.update(extra)
    return p


def event(evt, typ, entity_id, entity=None, created="2023-11-14T22:13:19.0Z"):
    e = {"resource": "event", "id": evt, "type": typ, "entityId": entity_id, "createdAt": created}
    if entity is not None:
        e["_embedded"] = {"entity": entity}
    e["_links"] = {"self": {"href": f"https://api.mollie.com/v2/events/{evt}", "type": "application/hal+json"},
                   "documentation": {"href": "https://docs.mollie.com/guides/webhooks", "type": "text/html"}}
    return json.dumps(e, separators=(",", ":"))


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None, form=False):
    if form:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mollie HTTP client/1.0"}
    else:
        headers = {"Content-Type": "application/json", "User-Agent": "Mollie HTTP client/1.0"}
    if sig is None and not form:
        sig = sig_header(secret, text)
    if sig:
        headers["X-Mollie-Signature"] = sig
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


def signed_ev(event_type, cet, ceid, response, sig):
    """A verified next-gen event; the key is derived from the verifying signature (hex)."""
    return fixturelib.event(event_type, cet, ceid, response, key=default_key(sig), status="INCOMPLETE")


def unsigned_ev(event_type, cet, ceid, response, body):
    return fixturelib.event(event_type, cet, ceid, response, key=default_key(body), status="INCOMPLETE",
                            verified=False)


def money(minor, cur="EUR"):
    return fixturelib.money(minor, cur)


def hexsig(secret, text):
    return SignatureValidator.create_signature(text, secret)


def gen():
    tr = "tr_5B8cwPMGnU6qLbRvo7qEZo"
    # ---- classic (unsigned form posts) ----
    b = f"id={tr}"
    case("classic_payment", "Classic webhook (Mollie's webhook guide: a form post with only `id`): unsigned, so source_verified false and INCOMPLETE; `classic:payment` → PAYMENT_INTENT_PROCESSING (status unknown: fetch it; PENDING is a placeholder) with the id as connector_transaction_id and no event id. The SDK's validate() returns False (legacy webhook).",
         b, form=True, events=[unsigned_ev("PAYMENT_INTENT_PROCESSING", "classic:payment", None, {"payments_response": {
             "connector_transaction_id": tr, "status": "PENDING", "amount": None}}, b)])
    b = "id=ord_kEn1PlbGa"
    case("classic_order", "Classic webhook of an order (Orders API): `classic:order` → PAYMENT_INTENT_PROCESSING with the order id, unverified.",
         b, form=True, events=[unsigned_ev("PAYMENT_INTENT_PROCESSING", "classic:order", None, {"payments_response": {
             "connector_transaction_id": "ord_kEn1PlbGa"}}, b)])
    b = "id=re_4qqhO89gsT"
    case("classic_refund_id", "A classic post with a refund id: Mollie documents classic refund and chargeback changes on the payment's webhook (with the payment id), so a bare `re_` id is EVENT_NOT_SUPPORTED (`classic:refund`), unverified.",
         b, form=True, events=[unsigned_ev("EVENT_NOT_SUPPORTED", "classic:refund", None, None, b)])
    case("classic_with_wrong_signature", "A form post carrying an X-Mollie-Signature that does not verify: a present signature must verify, so InvalidSignature (the SDK raises InvalidSignatureException).",
         f"id={tr}", form=True, sig="sha256=" + hexsig("not-the-signing-secret", f"id={tr}"), error="InvalidSignature")

    # ---- next-gen (signed JSON events) ----
    paid = event("event_GvJ8WHrp5isUdRub9CJyH", "payment.paid", tr, payment(tr, "paid", "10.00", paidAt="2023-11-14T22:12:54+00:00"))
    s_paid = hexsig(SECRET, paid)
    case("payment_success", "Next-gen payment.paid with the full snapshot, signed by SignatureValidator.create_signature (`sha256=` prefix): verified, PAYMENT_INTENT_SUCCESS / CHARGED, 10.00 EUR → 1000 minor units; INCOMPLETE because the spec sets events.incomplete (simple payloads carry no snapshot; Mollie's guidance is to fetch).",
         paid, events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_GvJ8WHrp5isUdRub9CJyH", {"payments_response": {
             "connector_transaction_id": tr, "status": "CHARGED", "amount": money(1000), "error": None,
             "payment_method_type": "ideal", "connector_customer_id": "cst_8wmqcHMN4U", "created_at": 1699999800}}, s_paid)])
    failed = event("event_R7x2Pq9ZbWkN3cV5yT1sM", "payment.failed", "tr_WDqYK6vllg",
                   payment("tr_WDqYK6vllg", "failed", "24.50", method="creditcard",
                           details={"cardNumber": "6787", "cardHolder": "T. Test", "cardLabel": "Mastercard",
                                    "failureReason": "insufficient_funds", "failureMessage": "Insufficient funds on card"}))
    case("payment_failure", "Next-gen payment.failed (credit card, insufficient funds): PAYMENT_INTENT_FAILURE / FAILURE with details.failureReason and failureMessage as the error.",
         failed, events=[signed_ev("PAYMENT_INTENT_FAILURE", "payment.failed", "event_R7x2Pq9ZbWkN3cV5yT1sM", {"payments_response": {
             "connector_transaction_id": "tr_WDqYK6vllg", "status": "FAILURE", "amount": money(2450),
             "error": {"code": "insufficient_funds", "message": "Insufficient funds on card"}, "payment_method_type": "creditcard"}},
             hexsig(SECRET, failed))])
    capture = {"resource": "capture", "id": "cpt_mNepDkEtco6ah3QNPUGYH", "mode": "live", "amount": {"value": "35.95", "currency": "EUR"},
               "status": "succeeded", "paymentId": "tr_7UhSN1zuXS", "createdAt": "2023-11-14T22:11:00+00:00"}
    cap = event("event_Cp4tR3dK8sQw2LxN6vB9z", "capture.succeeded", "cpt_mNepDkEtco6ah3QNPUGYH", capture)
    case("capture_succeeded", "Next-gen capture.succeeded: PAYMENT_INTENT_CAPTURE_SUCCESS for the capture's payment (paymentId), 35.95 EUR.",
         cap, events=[signed_ev("PAYMENT_INTENT_CAPTURE_SUCCESS", "capture.succeeded", "event_Cp4tR3dK8sQw2LxN6vB9z", {"payments_response": {
             "connector_transaction_id": "tr_7UhSN1zuXS", "amount": money(3595)}}, hexsig(SECRET, cap))])
    link = {"resource": "payment-link", "id": "pl_qng5gbbv8NAZ5gpM5ZYgx", "profileId": "pfl_D96wnsu869", "mode": "live",
            "description": "Bicycle tires", "amount": {"currency": "EUR", "value": "24.95"}, "archived": False,
            "createdAt": "2023-11-01T09:29:56.0Z", "reusable": True}
    pl = json.dumps({"resource": "event", "id": "event_Pl5kW8qZr2NcX7vT4mJ1a", "type": "payment-link.paid",
                     "entityId": "pl_qng5gbbv8NAZ5gpM5ZYgx", "createdAt": "2023-11-14T22:13:04.0Z",
                     "_embedded": {"payment-link": link}}, separators=(",", ":"))
    case("payment_link_paid", "Next-gen payment-link.paid with the snapshot keyed by resource type (`_embedded[\"payment-link\"]`, as in one of Mollie's documentation examples): PAYMENT_INTENT_SUCCESS for the payment link, 24.95 EUR.",
         pl, events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment-link.paid", "event_Pl5kW8qZr2NcX7vT4mJ1a", {"payments_response": {
             "connector_transaction_id": "pl_qng5gbbv8NAZ5gpM5ZYgx", "amount": money(2495), "created_at": 1698830996}},
             hexsig(SECRET, pl))])
    simple = event("event_S1mpL3pAyL0aDxQ7wE2rT", "payment.paid", "tr_Hk4nRmT3st", None)
    case("simple_payload", "A \"simple\" next-gen payload (no _embedded snapshot, as for Dashboard-created subscriptions): PAYMENT_INTENT_SUCCESS with only the entity id and the event's createdAt; the host fetches the payment (INCOMPLETE).",
         simple, events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_S1mpL3pAyL0aDxQ7wE2rT", {"payments_response": {
             "connector_transaction_id": "tr_Hk4nRmT3st", "status": "CHARGED", "amount": None, "created_at": 1699999999}},
             hexsig(SECRET, simple))])
    refund = {"resource": "refund", "id": "re_4qqhO89gsT", "mode": "live", "amount": {"currency": "EUR", "value": "5.95"},
              "description": "Order #12345 - damaged item", "metadata": None, "status": "refunded", "paymentId": tr,
              "createdAt": "2023-11-14T21:00:00+00:00"}
    rf = event("event_Rf9bN2kQ7xZ4vW1mP8cT3", "refund.refunded", "re_4qqhO89gsT", refund)
    case("refund", "Next-gen refund.refunded: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS, refund and payment ids, 5.95 EUR, description as reason.",
         rf, events=[signed_ev("WEBHOOK_REFUND_SUCCESS", "refund.refunded", "event_Rf9bN2kQ7xZ4vW1mP8cT3", {"refunds_response": {
             "connector_refund_id": "re_4qqhO89gsT", "connector_transaction_id": tr, "status": "REFUND_SUCCESS",
             "refund_amount": money(595), "refund_reason": "Order #12345 - damaged item", "created_at": 1699995600}},
             hexsig(SECRET, rf))])
    rfail = event("event_Rf0aL5dM3yX8uV2nQ6bS4", "refund.failed", "re_Zx7pL2mQ9k", dict(refund, id="re_Zx7pL2mQ9k", status="failed"))
    case("refund_failure", "Next-gen refund.failed: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE.",
         rfail, events=[signed_ev("WEBHOOK_REFUND_FAILURE", "refund.failed", "event_Rf0aL5dM3yX8uV2nQ6bS4", {"refunds_response": {
             "connector_refund_id": "re_Zx7pL2mQ9k", "status": "REFUND_FAILURE"}}, hexsig(SECRET, rfail))])
    chb = {"resource": "chargeback", "id": "chb_xFzwUN4ci8HAmSGUACS4J", "amount": {"currency": "EUR", "value": "10.00"},
           "reason": {"code": "AC06", "description": "Account blocked"}, "paymentId": tr,
           "createdAt": "2023-11-20T09:13:37+00:00", "reversedAt": None}
    opened = event("event_Cb1rC7vK4wQ9zX2nM5tY8", "chargeback.received", "chb_xFzwUN4ci8HAmSGUACS4J", chb, created="2023-11-20T09:13:40.0Z")
    case("dispute_opened", "Next-gen chargeback.received (the amount has been debited): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE with the chargeback's reason code and description.",
         opened, events=[signed_ev("WEBHOOK_DISPUTE_OPENED", "chargeback.received", "event_Cb1rC7vK4wQ9zX2nM5tY8", {"disputes_response": {
             "connector_dispute_id": "chb_xFzwUN4ci8HAmSGUACS4J", "connector_transaction_id": tr, "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(1000), "dispute_reason": "AC06",
             "dispute_message": "Account blocked", "connector_status_code": "chargeback.received", "created_at": 1700471617}},
             hexsig(SECRET, opened))])
    reversed_ = event("event_Cb2rV3sD6eQ1wX9nM4tY7", "chargeback.reversed", "chb_xFzwUN4ci8HAmSGUACS4J",
                      dict(chb, reversedAt="2023-11-21T09:13:37+00:00"), created="2023-11-21T09:13:40.0Z")
    case("dispute_won", "Next-gen chargeback.reversed (the chargeback was reversed, the amount returns to the merchant): WEBHOOK_DISPUTE_WON.",
         reversed_, events=[signed_ev("WEBHOOK_DISPUTE_WON", "chargeback.reversed", "event_Cb2rV3sD6eQ1wX9nM4tY7", {"disputes_response": {
             "connector_dispute_id": "chb_xFzwUN4ci8HAmSGUACS4J", "dispute_status": "DISPUTE_WON"}}, hexsig(SECRET, reversed_))])
    inv = event("event_Si3nV4cE5pA6iD7xQ8wR9", "sales-invoice.paid", "invoice_4Y0eZitmBnQ6IDoMqZQKh", None)
    case("unsupported_event", "Next-gen sales-invoice.paid: verified, EVENT_NOT_SUPPORTED, no event_response.",
         inv, events=[signed_ev("EVENT_NOT_SUPPORTED", "sales-invoice.paid", "event_Si3nV4cE5pA6iD7xQ8wR9", None, hexsig(SECRET, inv))])
    case("bare_hex_signature", "The signature without the `sha256=` prefix, which Mollie's SDKs also accept: verified by the `bare` scheme.",
         paid, sig=s_paid, events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_GvJ8WHrp5isUdRub9CJyH", {"payments_response": {
             "connector_transaction_id": tr}}, s_paid)])
    s_new = hexsig(SECRET2, paid)
    case("rotation_two_signatures", "During a secret rotation Mollie sends the header twice; merged by a proxy into `sha256=<old>, sha256=<new>`. Only the new secret is configured: the second entry verifies (the SDK, given both values, accepts).",
         paid, sig=f"sha256={hexsig('whsec_mollie_previous_secret_0000', paid)}, sha256={s_new}", secrets={"secret": SECRET2},
         events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_GvJ8WHrp5isUdRub9CJyH", {"payments_response": {
             "connector_transaction_id": tr}}, s_new)])
    case("rotated_additional_secret", "Signed with the second signing secret, passed as additional_secret: verifies.",
         paid, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[signed_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_GvJ8WHrp5isUdRub9CJyH", {"payments_response": {
             "connector_transaction_id": tr}}, s_new)])
    case("wrong_signature", "A next-gen event signed with another secret: InvalidSignature (SDK: InvalidSignatureException).",
         paid, secret="whsec_mollie_not_the_configured_one", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: compared exactly (as hmac.compare_digest in the SDK), InvalidSignature.",
         paid, sig="sha256=" + s_paid.upper(), error="InvalidSignature")
    tampered = paid.replace('"value":"10.00"', '"value":"1.00"', 1)
    assert tampered != paid
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig="sha256=" + s_paid, error="InvalidSignature")
    case("missing_signature", "A next-gen JSON body without X-Mollie-Signature: with `signature.required: false` it is accepted UNVERIFIED (source_verified false, INCOMPLETE), as the SDK treats a missing signature as a legacy webhook (validate() returns False). Its key is derived from the body, not from the (unsigned) event id.",
         paid, sig=False, events=[unsigned_ev("PAYMENT_INTENT_SUCCESS", "payment.paid", "event_GvJ8WHrp5isUdRub9CJyH", {"payments_response": {
             "connector_transaction_id": tr}}, paid)])


def oracle(name, fx):
    """SignatureValidator.validate's outcome: True (verified), False (unsigned) or "invalid"."""
    rd = details(fx)
    header = rd["headers"].get("X-Mollie-Signature")
    # Repeated headers arrive comma-joined; the SDK takes them as a list.
    sigs = [s.strip() for s in header.split(",")] if header else None
    try:
        return SignatureValidator.validate(rd["body_text"], secrets_of(fx), sigs)
    except InvalidSignatureException:
        return "invalid"


def want(name, fx):
    """InvalidSignature fixtures: "invalid"; the others: their events' source_verified."""
    if "expect_error" in fx:
        assert fx["expect_error"] == "InvalidSignature", fx["expect_error"]
        return "invalid"
    verified = {e["source_verified"] for e in fx["expect"]["events"]}
    assert len(verified) == 1, "events of one webhook are all verified or all unverified"
    return verified.pop()


def main():
    gen()
    fixturelib.generate(CASES, oracle, want=want)


if __name__ == "__main__":
    main()
