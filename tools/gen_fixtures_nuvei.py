#!/usr/bin/env python3
"""Generate tests/fixtures/nuvei/*.json (Nuvei payment DMNs).

How to run (from the repository root):

    python3 -m venv /tmp/nuvei-venv
    /tmp/nuvei-venv/bin/pip install nuvei==1.0.2
    /tmp/nuvei-venv/bin/python tools/gen_fixtures_nuvei.py

Nuvei publishes no official Python SDK. The community package `nuvei` 1.0.2 on PyPI (Krishan
Jangid's "Nuvei REST API v1.0 SDK for Python") has a DMN verifier, `nuvei.webhook.verify_webhook`:
SHA-256 hex of `merchantSecretKey + totalAmount + currency + responseTimeStamp +
PPP_TransactionID + Status + productId`, a missing field counting as the empty string, compared
with `hmac.compare_digest`. The fixtures are signed here with hashlib, following Nuvei's "Payment
DMNs" documentation, and every fixture is then VERIFIED with that SDK function (valid ones must
pass with one of the fixture's secrets, signature-error ones must fail with all of them), and
re-checked with `oracle()`, written separately from the signing helper from the documentation
and Nuvei's own plugins, which is stricter than the SDK in one way the spec shares: the four
fields every payment DMN carries (totalAmount, currency, responseTimeStamp, PPP_TransactionID)
are required (every fixture that drops one is also rejected by the SDK, since the checksum was
computed over the full DMN). `md5_checksum` is additionally checked to be a genuine legacy MD5
checksum (the SDK accepts it when told `algorithm="md5"`); this spec supports SHA-256 only and
rejects it, like the SDK's default. The known-answer vector of Nuvei's SAP Commerce plugin tests
(`NuveiValidateChecksumAspectTest`: secret `THE_SECRET_KEY`, 115 / USD / 2020-03-14.16:22:34 /
3453459 / APPROVED / NA → aaa9ad16...) is one fixture. Bodies follow the parameter names of
Nuvei's DMN examples (`ppp_status=OK&totalAmount=115&currency=USD&productId=...&
PPP_TransactionID=...&TransactionID=...&Status=APPROVED&transactionType=Sale&...`); ids,
amounts and times are this script's own. Deterministic: fixed ids, secrets and times. This
script owns tests/fixtures/nuvei/*.json and writes nothing else.

Shared pieces (tools/fixturelib.py): the case record (`Cases.add`), the expected-event and
money helpers, the oracle loop (every fixture is checked before any is written; all
disagreements are listed and the run exits 1) and the deterministic file writing. This script
keeps what is Nuvei's: bodies, signing, the oracle, the case list. To regenerate every
connector's fixtures with the pinned SDKs and check they are unchanged: bash tools/regen_all.sh.
"""

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlencode

from nuvei.webhook import verify_webhook

import fixturelib
from fixturelib import Cases, details, event, money, secrets_of

URL = "https://shop.example/webhooks/nuvei"
SECRET = "kQ7ZtJ3pW9mV2xC8rN5bH1sL6dF4gY0aE"
SECRET2 = "pS2nM8vB4cX6zL1kJ9hG3fD7aQ5wE0rT"
NOW = 1700000030
CASES = Cases("nuvei", url=URL, now=NOW)
SIGNED = ["totalAmount", "currency", "responseTimeStamp", "PPP_TransactionID", "Status", "productId"]


def checksum(secret, params, algorithm="sha256", product_default=""):
    """Nuvei's advanceResponseChecksum over the (already decoded) parameters."""
    parts = [params.get(k, product_default if k == "productId" else "") for k in SIGNED]
    return hashlib.new(algorithm, (secret + "".join(parts)).encode()).hexdigest()


def dmn(**fields):
    """A payment DMN's parameters in Nuvei's order, without the checksum."""
    base = {
        "ppp_status": "OK",
        "totalAmount": "65.40",
        "currency": "EUR",
        "productId": "Order ORD-7731",
        "merchant_id": "427583496191624621",
        "merchant_site_id": "180083",
        "payment_method": "cc_card",
        "ErrCode": "0",
        "ExErrCode": "0",
        "Reason": "",
        "ReasonCode": "0",
        "responseTimeStamp": "2023-11-14.22:13:17",
        "PPP_TransactionID": "547385061",
        "TransactionID": "7110000000015592101",
        "Status": "APPROVED",
        "transactionType": "Sale",
        "clientUniqueId": "ORD-7731",
        "clientRequestId": "REQ-7731-1",
        "user_token_id": "cust_20931",
        "nameOnCard": "Jia Tsang",
        "cardNumber": "4****2535",
        "AuthCode": "111361",
        "message": "APPROVED",
    }
    for k, v in fields.items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    return base


def form(params):
    return urlencode(list(params.items()))


def signed_form(params, secret=SECRET, sig=None):
    p = dict(params)
    p["advanceResponseChecksum"] = sig if sig is not None else checksum(secret, params)
    return form(p)


def idem(sig):
    return fixturelib.default_idempotency_key("nuvei", sig)


def case(name, description, text, *, events=None, error=None, secrets=None, url=URL, method="POST"):
    headers = {"User-Agent": "Nuvei DMN"}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": SECRET}, events=events, error=error,
              url=url, method=method)


def ev(event_type, params, response, sig=None, secret=SECRET):
    sig = sig or checksum(secret, params)
    return event(event_type, params["transactionType"], params.get("TransactionID"), response, key=idem(sig))


def gen():
    sale = dmn()
    case("payment_success", "Sale with Status APPROVED: PAYMENT_INTENT_SUCCESS / CHARGED. totalAmount 65.40 (major units) EUR becomes 6540 minor; clientUniqueId is the merchant's id, user_token_id the customer; no error for approvals (ReasonCode 0). Checksum per Nuvei's Payment DMN docs; verified with the `nuvei` 1.0.2 SDK.",
         signed_form(sale), events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": "7110000000015592101", "merchant_transaction_id": "ORD-7731", "status": "CHARGED",
             "amount": money(6540, "EUR"), "error": None, "payment_method_type": "cc_card", "connector_customer_id": "cust_20931"}})])

    auth = dmn(transactionType="Auth", TransactionID="7110000000015592202", totalAmount="120.00", currency="USD")
    case("payment_authorized", "Auth APPROVED (an authorization; Settle follows separately): PAYMENT_INTENT_AUTHORIZATION_SUCCESS / AUTHORIZED.",
         signed_form(auth), events=[ev("PAYMENT_INTENT_AUTHORIZATION_SUCCESS", auth, {"payments_response": {
             "connector_transaction_id": "7110000000015592202", "status": "AUTHORIZED", "amount": money(12000, "USD")}})])

    declined = dmn(Status="DECLINED", ppp_status="FAIL", TransactionID="7110000000015592303", ReasonCode="1",
                   Reason="Decline", message="DECLINED", AuthCode=None, totalAmount="19.99")
    case("payment_declined", "Sale DECLINED by the issuer: PAYMENT_INTENT_FAILURE / FAILURE, with ReasonCode and Reason as the error.",
         signed_form(declined), events=[ev("PAYMENT_INTENT_FAILURE", declined, {"payments_response": {
             "connector_transaction_id": "7110000000015592303", "status": "FAILURE", "amount": money(1999, "EUR"),
             "error": {"code": "1", "message": "Decline"}}})])

    error = dmn(transactionType="Auth", Status="ERROR", ppp_status="FAIL", TransactionID="7110000000015592404",
                ErrCode="-1100", ExErrCode="-2", Reason="Invalid card expiration date", message="ERROR", AuthCode=None)
    case("auth_error", "Auth with Status ERROR (a processing error, ReasonCode 0): PAYMENT_INTENT_AUTHORIZATION_FAILURE / AUTHORIZATION_FAILED; the error code is ErrCode since there is no decline reason code.",
         signed_form(error), events=[ev("PAYMENT_INTENT_AUTHORIZATION_FAILURE", error, {"payments_response": {
             "connector_transaction_id": "7110000000015592404", "status": "AUTHORIZATION_FAILED",
             "error": {"code": "-1100", "message": "Invalid card expiration date"}}})])

    pending = dmn(Status="PENDING", ppp_status="PENDING", payment_method="apmgw_Sofort", TransactionID="7110000000015592505",
                  message="PENDING", AuthCode=None, nameOnCard=None, cardNumber=None)
    case("payment_pending", "Sale PENDING (an alternative payment method awaiting the bank): PAYMENT_INTENT_PROCESSING / PENDING.",
         signed_form(pending), events=[ev("PAYMENT_INTENT_PROCESSING", pending, {"payments_response": {
             "connector_transaction_id": "7110000000015592505", "status": "PENDING", "payment_method_type": "apmgw_Sofort"}})])

    settle = dmn(transactionType="Settle", TransactionID="7110000000015592606", relatedTransactionId="7110000000015592202",
                 totalAmount="120.00", currency="USD", responseTimeStamp="2023-11-14.22:15:02")
    case("settle_success", "Settle APPROVED (capture of the Auth): PAYMENT_INTENT_CAPTURE_SUCCESS / CHARGED. The payment id is the Auth's TransactionID, from relatedTransactionId.",
         signed_form(settle), events=[ev("PAYMENT_INTENT_CAPTURE_SUCCESS", settle, {"payments_response": {
             "connector_transaction_id": "7110000000015592202", "status": "CHARGED", "amount": money(12000, "USD")}})])

    settle_declined = dmn(transactionType="Settle", Status="DECLINED", ppp_status="FAIL", TransactionID="7110000000015592707",
                          relatedTransactionId="7110000000015592202", totalAmount="120.00", currency="USD",
                          ReasonCode="1110", Reason="Invalid Amount", responseTimeStamp="2023-11-14.22:16:40")
    case("settle_declined", "Settle DECLINED: PAYMENT_INTENT_CAPTURE_FAILURE / CAPTURE_FAILED with the decline reason.",
         signed_form(settle_declined), events=[ev("PAYMENT_INTENT_CAPTURE_FAILURE", settle_declined, {"payments_response": {
             "connector_transaction_id": "7110000000015592202", "status": "CAPTURE_FAILED",
             "error": {"code": "1110", "message": "Invalid Amount"}}})])

    void = dmn(transactionType="Void", TransactionID="7110000000015592808", relatedTransactionId="7110000000015592202",
               totalAmount="120.00", currency="USD", responseTimeStamp="2023-11-14.22:18:11")
    case("void_success", "Void APPROVED: PAYMENT_INTENT_CANCELLED / VOIDED for the voided Auth (relatedTransactionId).",
         signed_form(void), events=[ev("PAYMENT_INTENT_CANCELLED", void, {"payments_response": {
             "connector_transaction_id": "7110000000015592202", "status": "VOIDED"}})])

    refund = dmn(transactionType="Credit", TransactionID="7110000000015592909", relatedTransactionId="7110000000015592101",
                 totalAmount="20.00", clientUniqueId="REF-7731-1", responseTimeStamp="2023-11-15.09:02:44")
    case("refund", "Credit APPROVED (Nuvei's refund of the Sale): WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; the Credit's TransactionID is the refund id, relatedTransactionId the refunded payment.",
         signed_form(refund), events=[ev("WEBHOOK_REFUND_SUCCESS", refund, {"refunds_response": {
             "connector_refund_id": "7110000000015592909", "connector_transaction_id": "7110000000015592101",
             "merchant_refund_id": "REF-7731-1", "status": "REFUND_SUCCESS", "refund_amount": money(2000, "EUR"), "error": None}})])

    refund_declined = dmn(transactionType="Credit", Status="DECLINED", ppp_status="FAIL", TransactionID="7110000000015593010",
                          relatedTransactionId="7110000000015592101", totalAmount="90.00", ReasonCode="1101",
                          Reason="Amount exceeds the refundable amount", responseTimeStamp="2023-11-15.09:05:10")
    case("refund_failure", "Credit DECLINED: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the reason.",
         signed_form(refund_declined), events=[ev("WEBHOOK_REFUND_FAILURE", refund_declined, {"refunds_response": {
             "connector_refund_id": "7110000000015593010", "status": "REFUND_FAILURE", "refund_amount": money(9000, "EUR"),
             "error": {"code": "1101", "message": "Amount exceeds the refundable amount"}}})])

    chargeback = dmn(transactionType="Chargeback", TransactionID="7110000000015593111", relatedTransactionId="7110000000015592101",
                     Reason="Fraud - Card Absent Environment", responseTimeStamp="2023-12-02.07:40:00")
    case("dispute_opened", "A payment DMN with transactionType Chargeback (the chargeback booked against the Sale, which can still be represented): WEBHOOK_DISPUTE_OPENED / ACTIVE_DISPUTE.",
         signed_form(chargeback), events=[ev("WEBHOOK_DISPUTE_OPENED", chargeback, {"disputes_response": {
             "connector_dispute_id": "7110000000015593111", "connector_transaction_id": "7110000000015592101",
             "dispute_status": "DISPUTE_OPENED", "dispute_stage": "ACTIVE_DISPUTE", "dispute_amount": money(6540, "EUR"),
             "dispute_reason": "Fraud - Card Absent Environment", "connector_status_code": "APPROVED"}})])

    init3d = dmn(transactionType="InitAuth3D", TransactionID="7110000000015593212", responseTimeStamp="2023-11-14.22:12:50")
    case("unsupported_event", "InitAuth3D (a 3-D Secure step, not a payment outcome): verified, EVENT_NOT_SUPPORTED, no event_response.",
         signed_form(init3d), events=[ev("EVENT_NOT_SUPPORTED", init3d, None)])

    jpy = dmn(totalAmount="1500", currency="JPY", TransactionID="7110000000015593313", PPP_TransactionID="547385099")
    case("zero_decimal_currency", "Sale of 1500 JPY: JPY has no minor unit, so minor_amount is 1500.",
         signed_form(jpy), events=[ev("PAYMENT_INTENT_SUCCESS", jpy, {"payments_response": {"amount": money(1500, "JPY")}})])

    get_url = URL + "?" + signed_form(sale)
    case("get_delivery", "The same Sale DMN delivered as an HTTPS GET (Nuvei: 'The URL includes parameter name-value pairs as a query string. The body of the request is empty.'): body.format form_or_query reads the query string; same event and key as the POST.",
         "", url=get_url, method="GET", events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {
             "connector_transaction_id": "7110000000015592101", "status": "CHARGED", "amount": money(6540, "EUR")}})])

    case("body_does_not_borrow_query", "A POST whose body has no checksum, sent to a URL whose query string holds a validly signed DMN: the body is the only source when it is not empty, so MissingSignature.",
         form(sale), url=URL + "?" + signed_form(sale), error="MissingSignature")

    kat = {"totalAmount": "115", "currency": "USD", "responseTimeStamp": "2020-03-14.16:22:34", "PPP_TransactionID": "3453459",
           "Status": "APPROVED", "productId": "NA", "merchant_id": "MERCHANT_ID", "merchant_site_id": "SITE_ID",
           "TransactionID": "2110000000004302220", "transactionType": "Sale"}
    kat_sig = "aaa9ad16c8ed9f172dff505e4eeb8929b9c77cfed3e38127d55d42e33a70c762"
    assert checksum("THE_SECRET_KEY", kat) == kat_sig
    case("known_answer_nuvei_sap_plugin", "Known-answer vector from Nuvei's SAP Commerce plugin tests (NuveiValidateChecksumAspectTest): secret THE_SECRET_KEY, totalAmount 115, USD, responseTimeStamp 2020-03-14.16:22:34, PPP_TransactionID 3453459, Status APPROVED, productId NA → advanceResponseChecksum aaa9ad16...; verifies.",
         signed_form(kat, sig=kat_sig), secrets={"secret": "THE_SECRET_KEY"},
         events=[ev("PAYMENT_INTENT_SUCCESS", kat, {"payments_response": {"amount": money(11500, "USD")}}, sig=kat_sig)])

    no_product = dmn(productId=None, TransactionID="7110000000015593414", PPP_TransactionID="547385120")
    case("product_id_absent", "No productId parameter: it is hashed as the empty string (Nuvei's PrestaShop / Shopware / SAP plugins, Odoo, the `nuvei` SDK); verifies.",
         signed_form(no_product), events=[ev("PAYMENT_INTENT_SUCCESS", no_product, {"payments_response": {
             "connector_transaction_id": "7110000000015593414"}})])
    case("product_id_absent_signed_as_na", "No productId parameter, but the checksum was computed with `NA` in its place (hyperswitch's substitute, which no Nuvei source uses): InvalidSignature.",
         signed_form(no_product, sig=checksum(SECRET, no_product, product_default="NA")), error="InvalidSignature")

    case("rotated_additional_secret", "Signed with a second merchant secret key, supplied as additional_secret during a key change: verifies (second scheme).",
         signed_form(sale, secret=SECRET2), secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", sale, {"payments_response": {"connector_transaction_id": "7110000000015592101"}}, secret=SECRET2)])

    case("wrong_signature", "Checksum computed with another secret key: InvalidSignature.", signed_form(sale, secret="not-the-merchant-secret"),
         error="InvalidSignature")
    case("uppercase_hex", "The right checksum in upper-case hex: Nuvei's integrations compare the lower-case hex text exactly, so InvalidSignature.",
         signed_form(sale, sig=checksum(SECRET, sale).upper()), error="InvalidSignature")
    case("md5_checksum", "The merchant is configured for Nuvei's legacy MD5 checksum (same string, MD5): this spec supports SHA-256 only (documented limit), so InvalidSignature.",
         signed_form(sale, sig=checksum(SECRET, sale, algorithm="md5")), error="InvalidSignature")

    tampered = dict(sale, totalAmount="6540.00")
    case("tampered_body", "totalAmount changed after signing (a signed field): InvalidSignature.",
         signed_form(tampered, sig=checksum(SECRET, sale)), error="InvalidSignature")
    tampered_status = dict(sale, Status="DECLINED")
    case("tampered_status", "Status changed from APPROVED to DECLINED after signing (Status is signed): InvalidSignature.",
         signed_form(tampered_status, sig=checksum(SECRET, sale)), error="InvalidSignature")

    # The documented limit: transactionType is not signed.
    relabeled = dict(auth, transactionType="Sale")
    case("unsigned_transaction_type_limit", "LIMIT, shown on purpose: transactionType is not covered by Nuvei's checksum. The Auth DMN above with transactionType changed to Sale still verifies and is reported as PAYMENT_INTENT_SUCCESS; its idempotency key (from the checksum) equals the genuine Auth's, so a host that de-duplicates on it processes only one of the two.",
         signed_form(relabeled, sig=checksum(SECRET, auth)), events=[ev("PAYMENT_INTENT_SUCCESS", relabeled, {"payments_response": {
             "connector_transaction_id": "7110000000015592202"}}, sig=checksum(SECRET, auth))])

    case("missing_signature", "No advanceResponseChecksum parameter: MissingSignature.", form(sale), error="MissingSignature")
    no_ts = dict(sale)
    no_ts.pop("responseTimeStamp")
    case("missing_signed_field", "responseTimeStamp (a signed field every payment DMN carries) removed from a signed DMN: the spec requires it, MissingSignature.",
         signed_form(no_ts, sig=checksum(SECRET, sale)), error="MissingSignature")

    cb_json = json.dumps({"EventId": "5f1c3a2b-6d7e-4f80-9a1b-2c3d4e5f6a7b", "EventType": "Chargeback",
                          "EventDateUTC": "2023-12-02T07:40:00.000Z", "Chargeback": {"Type": "Chargeback",
                          "Status": "First Chargeback is received", "Amount": 65.4, "Currency": "EUR",
                          "ReasonCode": "10.4"}, "TransactionDetails": {"TransactionId": 7110000000015592101}},
                         separators=(",", ":"))
    fx_headers = {"Content-Type": "application/json", "Checksum": hashlib.sha256((SECRET + cb_json).encode()).hexdigest()}
    case("event_dmn_json_unsupported", "A Control Panel chargeback event DMN (JSON with a checksum header over the secret and a JSON re-serialization): not supported by this spec (documented limit); the body has no advanceResponseChecksum form field, so it fails closed with MissingSignature.",
         cb_json, error="MissingSignature")
    CASES[-1][1]["request"]["request_details"]["headers"] = fx_headers


def params_of(fx):
    rd = details(fx)
    text = rd["body_text"] or (rd["url"].split("?", 1)[1] if "?" in rd["url"] else "")
    return dict(parse_qsl(text, keep_blank_values=True))


def sdk_accepts(fx):
    params = params_of(fx)
    return any(verify_webhook(params, s, raise_on_failure=False) for s in secrets_of(fx))


def oracle(fx):
    """Nuvei's documented check, written separately: sha256(secret + totalAmount + currency +
    responseTimeStamp + PPP_TransactionID + Status + productId) as lower-case hex; Status and
    productId may be absent (empty), the other four must be present."""
    p = params_of(fx)
    got = p.get("advanceResponseChecksum")
    if got is None or any(k not in p for k in ("totalAmount", "currency", "responseTimeStamp", "PPP_TransactionID")):
        return False
    msg = "".join([p["totalAmount"], p["currency"], p["responseTimeStamp"], p["PPP_TransactionID"],
                   p.get("Status", ""), p.get("productId", "")])
    return any(hmac.compare_digest(hashlib.sha256((s + msg).encode()).hexdigest(), got)
               for s in secrets_of(fx))


def both(name, fx):
    """The verdict of the SDK's verify_webhook and of oracle(), which must agree. True = accepted."""
    sdk, documented = sdk_accepts(fx), oracle(fx)
    assert sdk == documented, f"the nuvei SDK says {sdk}, oracle() says {documented}"
    if name == "md5_checksum":
        p = params_of(fx)
        assert any(verify_webhook(p, s, algorithm="md5", raise_on_failure=False) for s in secrets_of(fx)), \
            "not a genuine legacy MD5 checksum"
    return documented


def main():
    gen()
    fixturelib.generate(CASES, both)


if __name__ == "__main__":
    main()
