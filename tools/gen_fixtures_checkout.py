#!/usr/bin/env python3
"""Generate tests/fixtures/checkout/*.json (Checkout.com webhooks).

How to run (from the repository root):

    python3 -m venv /tmp/groupb-venv
    /tmp/groupb-venv/bin/pip install checkout-sdk==4.8.1
    /tmp/groupb-venv/bin/python tools/gen_fixtures_checkout.py

Checkout.com's official Python SDK (`checkout-sdk` 4.8.1) has no webhook signing or verification
helper (only a `workflows.WebhookSignature{method, key}` model used to configure a workflow's
signature; the script asserts that model still has no behaviour). So the fixtures are signed here
with Python's hmac, following Checkout.com's "Verify webhook signatures" documentation:
`Cko-Signature` = lower-case hex HMAC-SHA256 of the raw body, keyed with the webhook's secret key
as-is. `oracle()` re-checks every fixture with that documented algorithm, written separately from
the signing helper (it must accept every fixture that expects events and reject every fixture that
expects a signature error). Bodies are modelled on the example webhooks of Checkout.com's
"Event types" pages; ids, amounts and times are this script's own. Deterministic: fixed ids,
secrets and times. This script owns tests/fixtures/checkout/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Checkout.com's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json

from checkout_sdk.workflows.workflows import WebhookSignature

import fixturelib
from fixturelib import Cases, details, event_builder, money, secrets_of

URL = "https://shop.example/webhooks/checkout"
SECRET = "ck_whsk_3f9c1a7e-5b2d-4e8f-9a61-0c4d2e7b8f15"
SECRET2 = "ck_whsk_9d2e4b6a-1c3f-4a5e-8b7d-6f0a2c4e6b81"
NOW = 1700000030
T0 = "2023-11-14T22:13:20Z"  # 1700000000
CASES = Cases("checkout", url=URL, now=NOW)


def sign(secret, body):
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def body(evt_id, typ, data, created=T0):
    return json.dumps({"id": evt_id, "type": typ, "version": "1.0.33", "created_on": created, "data": data,
                       "_links": {"self": {"href": f"https://api.checkout.com/workflows/events/{evt_id}"}}},
                      separators=(",", ":"))


def payment_data(pay, act, amount, currency, code="10000", summary="Approved", **extra):
    d = {"id": pay, "action_id": act, "reference": "ORD-5023-4E89", "amount": amount, "currency": currency,
         "processed_on": "2023-11-14T22:13:17.5Z", "response_code": code, "response_summary": summary,
         "customer": {"id": "cus_udst2tfldj6upmye2reztkmm4i", "email": "jia.tsang@example.com"},
         "source": {"id": "src_nwd3m4in3hkuddfpjsaevunhdy", "type": "card", "scheme": "Visa", "last4": "4242"},
         "scheme_id": "489341065491658", "metadata": {"order_channel": "web"}}
    d.update(extra)
    return d


def dispute_data(dsp, amount, currency, **extra):
    d = {"id": dsp, "date": "2023-11-10T10:00:00Z", "category": "fraudulent", "amount": amount, "currency": currency,
         "reason_code": "10.4", "payment_id": "pay_mbabizu24mvu3mela5njyhpit4", "payment_action_id": "act_y3oqhf46pyzuxjbcn2giaqnb44",
         "payment_reference": "ORD-5023-4E89", "payment_method": "VISA", "client_id": "cli_rfj4yr43ivge3jo3n22x3hgiei",
         "entity_id": "ent_3heic3vsec6urkmvnm7uwcqr5m"}
    d.update(extra)
    return d


def case(name, description, text, *, events=None, error=None, sig=None, secret=SECRET, secrets=None):
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Checkout.com Webhooks"}
    if sig is not False:
        headers["Cko-Signature"] = sig or sign(secret, text)
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error)


ev = event_builder("checkout")


def gen():
    pay = "pay_mbabizu24mvu3mela5njyhpit4"
    captured = body("evt_az5sblvku4ge3dwpztvyizgcau", "payment_captured",
                    payment_data(pay, "act_y3oqhf46pyzuxjbcn2giaqnb44", 6540, "GBP",
                                 balances={"total_authorized": 6540, "total_captured": 6540, "total_refunded": 0}))
    case("payment_success", "payment_captured (Checkout.com: the payment was captured): PAYMENT_INTENT_SUCCESS / CHARGED, amount in minor units, the payment's `reference` as merchant id, no error for the 10000 Approved response. Signed with hmac per Checkout.com's docs (the SDK has no helper).",
         captured, events=[ev("PAYMENT_INTENT_SUCCESS", "payment_captured", "evt_az5sblvku4ge3dwpztvyizgcau", {"payments_response": {
             "connector_transaction_id": pay, "merchant_transaction_id": "ORD-5023-4E89", "status": "CHARGED",
             "amount": money(6540, "GBP"), "error": None, "payment_method_type": "card", "network_transaction_id": "489341065491658",
             "connector_customer_id": "cus_udst2tfldj6upmye2reztkmm4i", "created_at": 1699999997}})])
    approved = body("evt_caxmnvuvbe4elkbdx2imwbnjxu", "payment_approved",
                    payment_data(pay, "act_gl5cpqgccxeulozrvaassd4lta", 6540, "GBP", auth_code="528709"))
    case("payment_authorized", "payment_approved (an authorization was approved; capture follows separately): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED. hyperswitch leaves this event unsupported; Checkout.com documents it as the authorization.",
         approved, events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", "payment_approved", "evt_caxmnvuvbe4elkbdx2imwbnjxu", {"payments_response": {
             "connector_transaction_id": pay, "status": "AUTHORIZED", "amount": money(6540, "GBP")}})])
    declined = body("evt_dli6ty4qo5vuxbtgl5aaqfxvhe", "payment_declined",
                    payment_data("pay_jlfj2raxqz3utyy2mupk6sbxbu", "act_jlfj2raxqz3utyy2mupk6sbxbu", 1999, "EUR",
                                 code="20005", summary="Declined - Do Not Honour"))
    case("payment_failure", "payment_declined with response 20005 Declined - Do Not Honour: PAYMENT_INTENT_FAILURE / FAILURE with the response code and summary as the error.",
         declined, events=[ev("PAYMENT_INTENT_FAILURE", "payment_declined", "evt_dli6ty4qo5vuxbtgl5aaqfxvhe", {"payments_response": {
             "connector_transaction_id": "pay_jlfj2raxqz3utyy2mupk6sbxbu", "status": "FAILURE", "amount": money(1999, "EUR"),
             "error": {"code": "20005", "message": "Declined - Do Not Honour"}}})])
    canceled = body("evt_4kqhdvwfgmouhp5tsaxz6ymrnq", "payment_canceled",
                    payment_data("pay_tx4qurebz6xunidjcxozgeu6wi", "act_tx4qurebz6xunidjcxozgeu6wi", 2500, "EUR", source={"type": "ideal"}))
    case("payment_canceled", "payment_canceled (a pending alternative-payment-method payment was canceled): PAYMENT_INTENT_CANCELLED / VOIDED. hyperswitch maps this event to CancelFailure, which contradicts Checkout.com's description of it.",
         canceled, events=[ev("PAYMENT_INTENT_CANCELLED", "payment_canceled", "evt_4kqhdvwfgmouhp5tsaxz6ymrnq", {"payments_response": {
             "connector_transaction_id": "pay_tx4qurebz6xunidjcxozgeu6wi", "status": "VOIDED", "payment_method_type": "ideal"}})])
    cap_declined = body("evt_lq2k3n7vxgbu5owzxcerqnhd7y", "payment_capture_declined",
                        payment_data(pay, "act_r5cnwc3wxqbuvpvrbpbo4jhkaq", 6540, "GBP", code="30033", summary="Expired authorization"))
    case("capture_declined", "payment_capture_declined: PAYMENT_INTENT_CAPTURE_FAILURE / CAPTURE_FAILED with the response as the error.",
         cap_declined, events=[ev("PAYMENT_INTENT_CAPTURE_FAILURE", "payment_capture_declined", "evt_lq2k3n7vxgbu5owzxcerqnhd7y", {"payments_response": {
             "connector_transaction_id": pay, "status": "CAPTURE_FAILED", "error": {"code": "30033", "message": "Expired authorization"}}})])
    cap_pending = body("evt_wz5y2kgpj6cu3mp3gq6d2y4xbu", "payment_capture_pending",
                       payment_data(pay, "act_p3ihbsc7gyzuzcj2edb2x5wsse", 6540, "GBP", code=None, summary=None))
    case("capture_pending", "payment_capture_pending: PAYMENT_INTENT_PROCESSING with the rule's status CAPTURE_INITIATED.",
         cap_pending, events=[ev("PAYMENT_INTENT_PROCESSING", "payment_capture_pending", "evt_wz5y2kgpj6cu3mp3gq6d2y4xbu", {"payments_response": {
             "connector_transaction_id": pay, "status": "CAPTURE_INITIATED", "error": None}})])
    refunded = body("evt_wtjdkbbqzzsepiizaqd7p7x4ia", "payment_refunded",
                    payment_data(pay, "act_fd3h6evhpn3uxdoqbuu3lqnqbm", 2000, "GBP", reference="REF-5023-1"))
    case("refund", "payment_refunded (partial refund of 20.00 GBP): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the refund is identified by its action id, the payment by data.id, the refund request's reference as merchant_refund_id.",
         refunded, events=[ev("WEBHOOK_REFUND_SUCCESS", "payment_refunded", "evt_wtjdkbbqzzsepiizaqd7p7x4ia", {"refunds_response": {
             "connector_refund_id": "act_fd3h6evhpn3uxdoqbuu3lqnqbm", "merchant_refund_id": "REF-5023-1", "connector_transaction_id": pay,
             "status": "REFUND_SUCCESS", "refund_amount": money(2000, "GBP"), "error": None, "created_at": 1699999997}})])
    refund_declined = body("evt_rbg3a4q6ijgepcrz3zxzmfnzfa", "payment_refund_declined",
                           payment_data(pay, "act_7t2ktbvwd5gudb5yx6eavwkx4e", 9000, "GBP", code="20057", summary="Transaction not permitted to cardholder"))
    case("refund_failure", "payment_refund_declined: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the decline as the error.",
         refund_declined, events=[ev("WEBHOOK_REFUND_FAILURE", "payment_refund_declined", "evt_rbg3a4q6ijgepcrz3zxzmfnzfa", {"refunds_response": {
             "connector_refund_id": "act_7t2ktbvwd5gudb5yx6eavwkx4e", "status": "REFUND_FAILURE", "refund_amount": money(9000, "GBP"),
             "error": {"code": "20057", "message": "Transaction not permitted to cardholder"}}})])
    dsp = "dsp_9rjdlsd4epepfjyyf9vl"
    opened = body("evt_b6anegml5j6u7kwzuzdg6r4sem", "dispute_evidence_required",
                  dispute_data(dsp, 6540, "GBP", evidence_required_by="2023-11-24T18:00:00Z"))
    case("dispute_opened", "dispute_evidence_required (evidence needed; the amount was debited): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE with reason code, category, dispute date and evidence deadline.",
         opened, events=[ev("WEBHOOK_DISPUTE_OPENED", "dispute_evidence_required", "evt_b6anegml5j6u7kwzuzdg6r4sem", {"disputes_response": {
             "connector_dispute_id": dsp, "connector_transaction_id": pay, "dispute_status": "DISPUTE_OPENED",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(6540, "GBP"), "dispute_reason": "10.4",
             "dispute_message": "fraudulent", "connector_status_code": "dispute_evidence_required", "dispute_date": 1699610400,
             "due_date": 1700848800, "created_at": 1700000000}})])
    submitted = body("evt_c2qelfixai2u3es3ksovngkx3e", "dispute_evidence_submitted", dispute_data(dsp, 6540, "GBP"))
    case("dispute_challenged", "dispute_evidence_submitted: WEBHOOK_DISPUTE_CHALLENGED.",
         submitted, events=[ev("WEBHOOK_DISPUTE_CHALLENGED", "dispute_evidence_submitted", "evt_c2qelfixai2u3es3ksovngkx3e", {"disputes_response": {
             "connector_dispute_id": dsp, "dispute_status": "DISPUTE_CHALLENGED", "dispute_stage": "ACTIVE_DISPUTE"}})])
    won = body("evt_2ewyh3rdawmezabpjv5ott4zb4", "dispute_won", dispute_data(dsp, 6540, "GBP"), created="2023-12-20T09:00:00Z")
    case("dispute_won", "dispute_won (the issuer accepted the evidence; the amount is credited back): WEBHOOK_DISPUTE_WON.",
         won, events=[ev("WEBHOOK_DISPUTE_WON", "dispute_won", "evt_2ewyh3rdawmezabpjv5ott4zb4", {"disputes_response": {
             "connector_dispute_id": dsp, "connector_transaction_id": pay, "dispute_status": "DISPUTE_WON",
             "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(6540, "GBP"), "created_at": 1703062800}})])
    arb_lost = body("evt_sb7lqkqyqjyuxkoecyx2ckvxay", "dispute_arbitration_lost", dispute_data(dsp, 6540, "GBP"))
    case("dispute_arbitration_lost", "dispute_arbitration_lost: WEBHOOK_DISPUTE_LOST at stage PRE_ARBITRATION (arbitration events).",
         arb_lost, events=[ev("WEBHOOK_DISPUTE_LOST", "dispute_arbitration_lost", "evt_sb7lqkqyqjyuxkoecyx2ckvxay", {"disputes_response": {
             "connector_dispute_id": dsp, "dispute_status": "DISPUTE_LOST", "dispute_stage": "PRE_ARBITRATION"}})])
    resolved = body("evt_3tquhbz5ochermjr4xk4gicmva", "dispute_resolved", dispute_data(dsp, 6540, "GBP", resolved_reason="rapid_dispute_resolution"))
    case("dispute_resolved", "dispute_resolved (closed with no action needed because the payment had been refunded): WEBHOOK_DISPUTE_CANCELLED.",
         resolved, events=[ev("WEBHOOK_DISPUTE_CANCELLED", "dispute_resolved", "evt_3tquhbz5ochermjr4xk4gicmva", {"disputes_response": {
             "connector_dispute_id": dsp, "dispute_status": "DISPUTE_CANCELLED"}})])
    other = body("evt_t6m2kodq6bvuzbnekbyevjpccm", "card_verified",
                 payment_data("pay_vj4yqs7r3zgexjjrbqpamv3wfe", "act_vj4yqs7r3zgexjjrbqpamv3wfe", 0, "GBP"))
    case("unsupported_event", "card_verified: verified, EVENT_NOT_SUPPORTED, no event_response.",
         other, events=[ev("EVENT_NOT_SUPPORTED", "card_verified", "evt_t6m2kodq6bvuzbnekbyevjpccm", None)])
    case("rotated_additional_secret", "Signed with the second secret key, passed as additional_secret: verifies.",
         captured, secret=SECRET2, secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", "payment_captured", "evt_az5sblvku4ge3dwpztvyizgcau", {"payments_response": {"connector_transaction_id": pay}})])
    case("wrong_signature", "Signed with another key: InvalidSignature.", captured, secret="ck_whsk_not-the-configured-key", error="InvalidSignature")
    case("uppercase_hex", "The right HMAC in upper-case hex: Checkout.com sends lower-case hex and the comparison is exact, so InvalidSignature.",
         captured, sig=sign(SECRET, captured).upper(), error="InvalidSignature")
    tampered = captured.replace('"amount":6540', '"amount":654', 1)
    assert tampered != captured
    case("tampered_body", "The amount changed after signing: InvalidSignature.", tampered, sig=sign(SECRET, captured), error="InvalidSignature")
    case("missing_signature", "No Cko-Signature header: MissingSignature.", captured, sig=False, error="MissingSignature")


def oracle(name, fx):
    """Checkout.com's documented check: hex HMAC-SHA256(secret key, raw body) == Cko-Signature.
    True = accepted."""
    rd = details(fx)
    got = rd["headers"].get("Cko-Signature")
    raw = rd["body_text"].encode()
    return got is not None and any(
        hmac.compare_digest(hmac.new(k.encode(), raw, hashlib.sha256).hexdigest(), got) for k in secrets_of(fx))


def main():
    # The SDK's only signature-related type: a workflow webhook's signature configuration
    # (method + key), with no code that computes or checks a signature.
    assert set(WebhookSignature.__annotations__) == {"method", "key"}
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
