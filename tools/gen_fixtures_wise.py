#!/usr/bin/env python3
"""Generate tests/fixtures/wise/*.json (Wise Platform webhooks), checked with `cryptography`.

How to run (from the repository root):

    python3 -m venv /tmp/wise-venv
    /tmp/wise-venv/bin/pip install cryptography==43.0.3
    /tmp/wise-venv/bin/python tools/gen_fixtures_wise.py

Wise signs each webhook body with its private key: `X-Signature-SHA256` = base64 of the RSA
PKCS#1 v1.5 SHA-256 signature of the raw body, verified with Wise's published public key (Wise's
"Webhooks" guide and event references). Wise publishes no Python SDK with a webhook helper, and
nobody but Wise holds its private key, so the fixtures are signed with test key pairs generated
for this repository (tests/keys/wise-test-key.pem and wise-test-key-2.pem, public halves
wise-test-public*.pem): the spec takes the public key PEM from the account's secrets, so Wise's
real key and these behave alike. Each fixture expecting events carries `signing_secrets` (the
private key) for the property checks. Every fixture is checked by `rsa_verifies`, which verifies
with `cryptography`'s RSA public-key verification against each supplied public key, as Wise's
guide describes. Bodies follow Wise's event references (transfers#state-change,
transfers#payout-failure, balances#credit); ids and times are this script's own. Deterministic
(PKCS#1 v1.5 signatures are). This script owns tests/fixtures/wise/*.json and writes nothing else.
"""

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import fixturelib
from fixturelib import OMIT, ROOT, Cases, details, event, header_get, secrets_of

URL = "https://shop.example/webhooks/wise"
KEYS = ROOT / "tests" / "keys"
PRIV = (KEYS / "wise-test-key.pem").read_text()
PUB = (KEYS / "wise-test-public.pem").read_text()
PRIV2 = (KEYS / "wise-test-key-2.pem").read_text()
PUB2 = (KEYS / "wise-test-public-2.pem").read_text()
NOW = 1700000000  # Wise signs no timestamp; `now` only pins the clock.
CASES = Cases("wise", url=URL, now=NOW)


def sign(priv_pem, text):
    key = serialization.load_pem_private_key(priv_pem.encode(), password=None)
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def transfer_body(state, previous, transfer_id=49876543, occurred="2023-11-14T22:13:10.512Z"):
    return json.dumps({"data": {"resource": {"type": "transfer", "id": transfer_id, "profile_id": 16283745, "account_id": 31415926},
                                "current_state": state, "previous_state": previous, "occurred_at": occurred},
                       "subscription_id": "f5b51f77-e14a-433b-9f7c-fc2834ffcff5", "event_type": "transfers#state-change",
                       "schema_version": "2.0.0", "sent_at": "2023-11-14T22:13:12.003Z"}, separators=(",", ":"))


def ev(event_type, cet, sig):
    return event(event_type, cet, None, OMIT, key=fixturelib.default_idempotency_key("wise", sig))


def case(name, description, text, event_type=None, cet="transfers#state-change", *, error=None, sig=None, priv=PRIV,
         secrets=None, header="X-Signature-SHA256", signing=None, extra=None):
    headers = {"Content-Type": "application/json", "User-Agent": "Wise-Webhooks/1.0",
               "X-Delivery-Id": "a1b2c3d4-e5f6-4890-abcd-ef1234567890"}
    headers.update(extra or {})
    signature = sig if sig is not None else sign(priv, text)
    if sig is not False:
        headers[header] = signature
    events = [ev(event_type, cet, signature)] if event_type else None
    fx = CASES.add(name, description, text, headers=headers, secrets=secrets or {"secret": PUB}, events=events, error=error)
    if events:
        fx["signing_secrets"] = signing or {"secret": PRIV}
        # The fixture format's key order: signing_secrets before expect.
        fx["expect"] = fx.pop("expect")


def gen():
    sent = transfer_body("outgoing_payment_sent", "processing")
    case("payout_success", "transfers#state-change to outgoing_payment_sent (Wise paid the money out to the recipient): PAYOUT_SUCCESS. X-Signature-SHA256 = base64 RSA PKCS#1 v1.5 SHA-256 of the body, verified with the public key in `secret`; no event id, so the key comes from the signature.",
         sent, "PAYOUT_SUCCESS")
    waiting = transfer_body("incoming_payment_waiting", None)
    case("payout_created", "transfers#state-change to incoming_payment_waiting (a new transfer waiting for its funds; previous_state null): PAYOUT_CREATED.",
         waiting, "PAYOUT_CREATED")
    processing = transfer_body("processing", "incoming_payment_waiting")
    case("payout_processing", "transfers#state-change to processing: PAYOUT_PROCESSING.", processing, "PAYOUT_PROCESSING")
    converted = transfer_body("funds_converted", "processing")
    case("payout_funds_converted", "transfers#state-change to funds_converted (the money was exchanged, not yet sent): PAYOUT_PROCESSING.",
         converted, "PAYOUT_PROCESSING")
    cancelled = transfer_body("cancelled", "incoming_payment_waiting")
    case("payout_cancelled", "transfers#state-change to cancelled: PAYOUT_CANCELLED.", cancelled, "PAYOUT_CANCELLED")
    bounced = transfer_body("bounced_back", "outgoing_payment_sent")
    case("payout_bounced_back", "transfers#state-change to bounced_back (the recipient's bank returned the money): PAYOUT_REVERSED.",
         bounced, "PAYOUT_REVERSED")
    refunded = transfer_body("funds_refunded", "processing")
    case("payout_funds_refunded", "transfers#state-change to funds_refunded (the transfer failed and the sender was refunded): PAYOUT_REVERSED.",
         refunded, "PAYOUT_REVERSED")
    failure = json.dumps({"data": {"transfer_id": 49876543, "profile_id": 16283745, "failure_reason_code": "ACCOUNT_CLOSED",
                                   "failure_description": "The recipient's account is closed"},
                          "subscription_id": "f5b51f77-e14a-433b-9f7c-fc2834ffcff5", "event_type": "transfers#payout-failure",
                          "schema_version": "2.0.0", "sent_at": "2023-11-14T22:13:12.003Z"}, separators=(",", ":"))
    case("payout_failure", "transfers#payout-failure (Wise could not pay the recipient): PAYOUT_FAILURE.",
         failure, "PAYOUT_FAILURE", "transfers#payout-failure")
    odd = transfer_body("unknown", "processing")
    case("unknown_state_unsupported", "transfers#state-change to a state this spec does not know (`unknown`): EVENT_NOT_SUPPORTED rather than a guess.",
         odd, "EVENT_NOT_SUPPORTED")
    credit = json.dumps({"data": {"resource": {"type": "balance-account", "id": 111, "profile_id": 16283745},
                                  "transaction_type": "credit", "amount": 1250.75, "currency": "EUR", "post_transaction_balance_amount": 3000.5,
                                  "occurred_at": "2023-11-14T22:13:10.512Z"},
                         "subscription_id": "f5b51f77-e14a-433b-9f7c-fc2834ffcff5", "event_type": "balances#credit",
                         "schema_version": "2.0.0", "sent_at": "2023-11-14T22:13:12.003Z"}, separators=(",", ":"))
    case("unsupported_event", "balances#credit (money arrived in a balance; not a payment the contract models): verified, EVENT_NOT_SUPPORTED.",
         credit, "EVENT_NOT_SUPPORTED", "balances#credit")
    case("test_notification", "The test notification Wise sends when a subscription is set up (X-Test-Notification: true), signed like any event: verified and classified as usual.",
         sent, "PAYOUT_SUCCESS", extra={"X-Test-Notification": "true"})
    case("rotated_additional_secret", "Signed with a second key pair whose public key is configured as additional_secret (the other environment, or a key Wise rotates to): verified.",
         sent, "PAYOUT_SUCCESS", priv=PRIV2, secrets={"secret": PUB, "additional_secret": PUB2}, signing={"secret": PRIV2})
    case("lowercase_header_name", "The signature header name in lower case: header names are case-insensitive.",
         sent, "PAYOUT_SUCCESS", header="x-signature-sha256")
    case("wrong_key", "Signed with the second test key while only the first public key is configured: InvalidSignature.",
         sent, priv=PRIV2, error="InvalidSignature")
    good = sign(PRIV, sent)
    tampered = sent.replace("49876543", "49876544", 1)
    case("tampered_body", "The transfer id changed after signing: InvalidSignature.", tampered, sig=good, error="InvalidSignature")
    case("reserialized_body", "The same JSON pretty-printed: the signature covers the raw bytes: InvalidSignature.",
         json.dumps(json.loads(sent), indent=2), sig=good, error="InvalidSignature")
    case("missing_signature", "No X-Signature-SHA256 header: MissingSignature.", sent, sig=False, error="MissingSignature")
    legacy = base64.b64encode(hashlib.sha1(sent.encode()).digest()).decode()
    case("legacy_x_signature_only", "Only the deprecated SHA-1 `X-Signature` header (Wise's older scheme, not accepted): MissingSignature.",
         sent, sig=legacy, header="X-Signature", error="MissingSignature")


def rsa_verifies(name, fx):
    """cryptography's RSA PKCS#1 v1.5 SHA-256 verification with each supplied public key."""
    rd = details(fx)
    sig = header_get(rd["headers"], "X-Signature-SHA256")
    if sig is None:
        return False
    raw = rd["body_text"].encode()
    for pem in secrets_of(fx):
        key = serialization.load_pem_public_key(pem.encode())
        try:
            key.verify(base64.b64decode(sig, validate=True), raw, padding.PKCS1v15(), hashes.SHA256())
            return True
        except (InvalidSignature, ValueError):
            continue
    return False


def main():
    gen()
    fixturelib.generate(CASES, rsa_verifies, note=" (each checked with cryptography 43.0.3)")


if __name__ == "__main__":
    main()
