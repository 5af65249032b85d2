#!/usr/bin/env python3
"""Generate tests/fixtures/trustpay/*.json (TrustPay JSON notifications).

How to run (from the repository root; standard library only):

    python3 tools/gen_fixtures_trustpay.py

TrustPay publishes no Python SDK. The fixtures are signed here with hmac/hashlib following the
rule the contract's reference implementation verifies (connectors/trustpay.yaml explains it):
`Signature` = hex HMAC-SHA256 (key = the secret as text) over every leaf value of the body except
the `Signature` member: strings as they are, numbers as floats with two decimals, booleans
`true` / `false`, null `null`, nested objects and arrays walked, the texts sorted and joined with
`/`. TrustPay's other signatures are upper-case hex, so the fixtures are too (one case is lower
case). Each fixture is checked by `oracle()`, written separately from the signing helper.
Bodies follow the fields of TrustPay's notification (PaymentInformation with
CreditDebitIndicator, Status, References, Amount as a JSON number in the major unit,
StatusReasonInformation; AccountId; Signature); ids and amounts are this script's own.
Deterministic. This script owns tests/fixtures/trustpay/*.json and writes nothing else.
"""

import hashlib
import hmac
import json

import fixturelib
from fixturelib import Cases, details, event, money, secrets_of

SECRET = "trustpay-notif-7d3a91c0e5b24f68"
SECRET2 = "trustpay-notif-2b8e6f1a9c0d4e37"
NOW = 1700000000
ACCOUNT = 4107111111
CASES = Cases("trustpay", now=NOW)


def leaf_texts(value):
    """The signed texts of a value (the signer's walk)."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in leaf_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in leaf_texts(v)]
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [format(float(value), ".2f")]
    return [value]


def digest(doc, secret=SECRET):
    texts = leaf_texts({k: v for k, v in doc.items() if k != "Signature"})
    message = "/".join(sorted(texts))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


def notification(indicator, status, *, merchant_ref, payment_id, amount, currency="EUR", reason=None,
                 method="Card", extra=None):
    info = {
        "CreditDebitIndicator": indicator,
        "Status": status,
        "References": {"MerchantReference": merchant_ref, "PaymentId": payment_id},
        "Amount": {"Amount": amount, "Currency": currency},
        "PaymentMethod": method,
    }
    if reason:
        info["StatusReasonInformation"] = {"Reason": {"Code": reason[0], "RejectReason": reason[1]}}
    doc = {"AccountId": ACCOUNT, "PaymentInformation": info}
    doc.update(extra or {})
    return doc


def signed(doc, secret=SECRET, signature=None):
    return dict(doc, Signature=signature if signature is not None else digest(doc, secret))


def text(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def case(name, description, body_text, *, events=None, error=None, secrets=None):
    CASES.add(name, description, body_text, headers={"Content-Type": "application/json"},
              secrets=secrets or {"secret": SECRET}, events=events, error=error)


def refs(doc):
    return doc["PaymentInformation"]["References"]


def ev(event_type, doc, response):
    info = doc["PaymentInformation"]
    r = info["References"]
    cet = f"{info['CreditDebitIndicator']}:{info['Status']}"
    key = f"trustpay:{info['CreditDebitIndicator']}:{r['MerchantReference']}:{r['PaymentId']}:{info['Status']}"
    return event(event_type, cet, None, response, key=key)


def gen():
    pay = notification("CRDT", "Paid", merchant_ref="order-88120", payment_id="5831299", amount=49.9,
                       extra={"Card": {"MaskedCardNumber": "411111******1111", "ExpiryDate": "12/29"}})
    case("payment_success", "CRDT + Paid: PAYMENT_INTENT_SUCCESS / CHARGED; Amount 49.9 (a JSON number, signed as `49.90`) EUR "
         "is 4990 cents; AccountId 4107111111 (an integer) is signed as `4107111111.00`.",
         text(signed(pay)), events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {
             "connector_transaction_id": "5831299", "merchant_transaction_id": "order-88120",
             "status": "CHARGED", "amount": money(4990, "EUR"), "error": None, "payment_method_type": "Card"}})])

    rej = notification("CRDT", "Rejected", merchant_ref="order-88121", payment_id="5831300", amount=120,
                       reason=("1100.000.301", "Transaction declined (insufficient funds)"))
    case("payment_failure", "CRDT + Rejected: PAYMENT_INTENT_FAILURE / FAILURE with the reason code and text; Amount 120 "
         "(an integer, signed as `120.00`) is 12000 cents.",
         text(signed(rej)), events=[ev("PAYMENT_INTENT_FAILURE", rej, {"payments_response": {
             "connector_transaction_id": "5831300", "status": "FAILURE", "amount": money(12000, "EUR"),
             "error": {"code": "1100.000.301", "message": "Transaction declined (insufficient funds)"}}})])

    ref = notification("DBIT", "Paid", merchant_ref="refund-88120-1", payment_id="5831412", amount=10.0)
    case("refund_success", "DBIT + Paid: WEBHOOK_REFUND_SUCCESS / REFUND_SUCCESS; MerchantReference is the refund's id, "
         "10.0 is 1000 cents.",
         text(signed(ref)), events=[ev("WEBHOOK_REFUND_SUCCESS", ref, {"refunds_response": {
             "connector_refund_id": "5831412", "merchant_refund_id": "refund-88120-1",
             "status": "REFUND_SUCCESS", "refund_amount": money(1000, "EUR")}})])

    refd = notification("DBIT", "Refunded", merchant_ref="refund-88120-2", payment_id="5831413", amount=1500,
                        currency="JPY", method="Wire")
    case("refund_refunded", "DBIT + Refunded: WEBHOOK_REFUND_SUCCESS too; JPY (exponent 0): 1500 is 1500 yen.",
         text(signed(refd)), events=[ev("WEBHOOK_REFUND_SUCCESS", refd, {"refunds_response": {
             "connector_refund_id": "5831413", "status": "REFUND_SUCCESS", "refund_amount": money(1500, "JPY")}})])

    ref_rej = notification("DBIT", "Rejected", merchant_ref="refund-88120-3", payment_id="5831414", amount=5.25,
                           reason=("1100.000.100", "Refund amount exceeds the payment"))
    case("refund_failure", "DBIT + Rejected: WEBHOOK_REFUND_FAILURE / REFUND_FAILURE with the reason.",
         text(signed(ref_rej)), events=[ev("WEBHOOK_REFUND_FAILURE", ref_rej, {"refunds_response": {
             "status": "REFUND_FAILURE", "refund_amount": money(525, "EUR"),
             "error": {"code": "1100.000.100", "message": "Refund amount exceeds the payment"}}})])

    cb = notification("DBIT", "Chargebacked", merchant_ref="order-88100", payment_id="5830999", amount=75.5)
    case("dispute_lost", "DBIT + Chargebacked: WEBHOOK_DISPUTE_LOST / DISPUTE_LOST; MerchantReference names the "
         "charged-back payment.",
         text(signed(cb)), events=[ev("WEBHOOK_DISPUTE_LOST", cb, {"disputes_response": {
             "connector_dispute_id": "5830999", "connector_transaction_id": "5830999",
             "dispute_status": "DISPUTE_LOST", "dispute_amount": money(7550, "EUR"),
             "connector_status_code": "Chargebacked"}})])

    auth = notification("CRDT", "Authorized", merchant_ref="order-88122", payment_id="5831301", amount=20)
    case("unsupported_status", "CRDT + Authorized (not in the mapping): verified, EVENT_NOT_SUPPORTED.",
         text(signed(auth)), events=[ev("EVENT_NOT_SUPPORTED", auth, None)])

    odd = notification("CRDT", "Paid", merchant_ref="order-88123", payment_id="5831302", amount=0.5, extra={
        "Description": None, "IsRecurring": False, "Tags": ["eshop", {"Channel": "web"}, []],
        "CardHolder": "Žofia Nováková", "Installments": -1})
    case("null_bool_unicode_values", "Extra fields of every JSON kind (null → `null`, false → `false`, nested arrays and "
         "objects, non-ASCII text, a negative integer → `-1.00`): all signed, verifies; 0.5 EUR is 50 cents.",
         text(signed(odd)), events=[ev("PAYMENT_INTENT_SUCCESS", odd, {"payments_response": {
             "merchant_transaction_id": "order-88123", "status": "CHARGED", "amount": money(50, "EUR")}})])

    pay_ok = {"payments_response": {"connector_transaction_id": "5831299", "merchant_transaction_id": "order-88120"}}
    case("lowercase_hex", "The right signature in lower-case hex: hyperswitch hex-decodes it, so either case verifies.",
         text(signed(pay, signature=digest(pay).lower())), events=[ev("PAYMENT_INTENT_SUCCESS", pay, pay_ok)])
    case("rotated_additional_secret", "Signed with a second secret supplied as additional_secret: verifies.",
         text(signed(pay, SECRET2)), secrets={"secret": SECRET, "additional_secret": SECRET2},
         events=[ev("PAYMENT_INTENT_SUCCESS", pay, pay_ok)])
    case("wrong_secret", "Signed with another secret: InvalidSignature.", text(signed(pay, "trustpay-notif-another-000000")),
         error="InvalidSignature")
    case("missing_signature", "No Signature member: MissingSignature.", text(pay), error="MissingSignature")

    tampered = signed(pay)
    tampered["PaymentInformation"] = dict(pay["PaymentInformation"], Amount={"Amount": 4.99, "Currency": "EUR"})
    case("tampered_amount", "Amount changed from 49.9 to 4.99 after signing: InvalidSignature.", text(tampered),
         error="InvalidSignature")
    tampered_status = signed(rej)
    tampered_status["PaymentInformation"] = dict(rej["PaymentInformation"], Status="Paid")
    case("tampered_status", "Status changed from Rejected to Paid after signing: InvalidSignature.", text(tampered_status),
         error="InvalidSignature")
    tampered_deep = signed(pay)
    tampered_deep["Card"] = {"MaskedCardNumber": "555555******4444", "ExpiryDate": "12/29"}
    case("tampered_nested_value", "A nested value no field mapping reads (Card.MaskedCardNumber) changed: every leaf is "
         "signed, InvalidSignature.", text(tampered_deep), error="InvalidSignature")
    added = dict(signed(pay), Note="extra")
    case("added_field", "A member added after signing (its value becomes signed material): InvalidSignature.",
         text(added), error="InvalidSignature")

    swapped = signed(pay)
    info = dict(pay["PaymentInformation"])
    info["References"] = {"MerchantReference": "5831299", "PaymentId": "order-88120"}
    swapped["PaymentInformation"] = info
    case("swapped_values_still_verify", "WARNING, the scheme's documented weakness: MerchantReference and PaymentId swapped "
         "after signing. Only the sorted values are signed, not their keys, so it still verifies and the event names "
         "the swapped ids.",
         text(swapped), events=[ev("PAYMENT_INTENT_SUCCESS", swapped, {"payments_response": {
             "connector_transaction_id": "order-88120", "merchant_transaction_id": "5831299"}})])

    # A member repeated before the signed one: JSON parsers keep the last, and so do both the
    # signature and the field mapping (the earlier `Paid` is neither signed nor read).
    forged_first = {"CreditDebitIndicator": "CRDT", "Status": "Paid", "References": refs(rej),
                    "Amount": rej["PaymentInformation"]["Amount"]}
    dup = '{"PaymentInformation":' + text(forged_first) + "," + text(signed(rej))[1:]
    case("duplicate_member_last_wins", "A PaymentInformation saying Paid put before the signed one (saying Rejected): "
         "the last member counts for the signature and for the mapping alike, so it verifies as the signed "
         "PAYMENT_INTENT_FAILURE, never as a success.",
         dup, events=[ev("PAYMENT_INTENT_FAILURE", rej, {"payments_response": {"status": "FAILURE"}})])

    as_written = signed(pay)
    body = text(as_written).replace('"Amount":49.9,', '"Amount":49.90,')
    assert body != text(as_written)
    case("amount_written_with_trailing_zero", "Amount written as `49.90` in the body (the same number): the signed "
         "text is the number with two decimals, `49.90` either way; verifies, 4990 cents.",
         body, events=[ev("PAYMENT_INTENT_SUCCESS", pay, {"payments_response": {"amount": money(4990, "EUR")}})])


def oracle(name, fx):
    """TrustPay's rule as the reference implementation verifies it, written separately: an
    explicit stack over the parsed body, the top-level Signature left out, numbers '%.2f',
    sorted, '/'-joined, HMAC-SHA256 hex compared ignoring case. True = accepted."""
    doc = json.loads(details(fx)["body_text"])
    sent = doc.get("Signature")
    if not isinstance(sent, str):
        return False
    parts = []
    todo = [v for k, v in doc.items() if k != "Signature"]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
        elif v is True or v is False:
            parts.append(str(v).lower())
        elif v is None:
            parts.append("null")
        elif isinstance(v, (int, float)):
            parts.append("%.2f" % v)
        else:
            parts.append(v)
    message = "/".join(sorted(parts)).encode()
    return any(hmac.compare_digest(hmac.new(s.encode(), message, hashlib.sha256).hexdigest(), sent.lower())
               for s in secrets_of(fx))


def main():
    gen()
    fixturelib.generate(CASES, oracle)


if __name__ == "__main__":
    main()
