"""``examples/flask_app.py`` (the contract's Flask snippet) driven by Flask's test client on
webhooks signed by the ``hooknorm sign`` CLI."""

import json

import pytest

from conftest import fixture, fixture_body, matches

SNIPPET_SECRET = "whsec_xxx"  # the secret the contract's snippet passes


def expected_merchant_ids(fx):
    return [
        e["event_response"]["payments_response"]["merchant_transaction_id"]
        for e in fx["expect"]["events"]
    ]


# Connectors whose signature covers only the body (and headers), which the snippet passes.
@pytest.mark.parametrize("connector", ["stripe", "razorpay", "paystack", "checkout"])
def test_snippet_fulfills_a_captured_payment(connector, load_example, sign_cli):
    fx = fixture(connector, "payment_success")
    assert fx["expect"]["events"][0]["event_type"] == "PAYMENT_INTENT_SUCCESS"
    headers, body = sign_cli(connector, fixture_body(fx), SNIPPET_SECRET)
    example = load_example(connector)

    response = example.app.test_client().post("/webhooks/payments", data=body, headers=headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data(as_text=True) == "OK"
    assert example.FULFILLED == expected_merchant_ids(fx)


def test_snippet_does_not_fulfill_a_refund(load_example, sign_cli):
    fx = fixture("stripe", "refund")
    assert fx["expect"]["events"][0]["event_type"] == "WEBHOOK_REFUND_SUCCESS"
    headers, body = sign_cli("stripe", fixture_body(fx), SNIPPET_SECRET)
    example = load_example("stripe")

    response = example.app.test_client().post("/webhooks/payments", data=body, headers=headers)

    assert response.status_code == 200
    assert example.FULFILLED == []


def test_snippet_rejects_a_tampered_webhook_with_400(load_example, sign_cli):
    fx = fixture("stripe", "payment_success")
    headers, body = sign_cli("stripe", fixture_body(fx), SNIPPET_SECRET)
    tampered = body.replace(b'"amount": 2000', b'"amount": 1', 1)
    assert tampered != body
    example = load_example("stripe")
    client = example.app.test_client()

    response = client.post("/webhooks/payments", data=tampered, headers=headers)

    assert response.status_code == 400
    assert response.get_json()["error"] == "InvalidSignature"
    assert example.FULFILLED == []
    # The untouched webhook still goes through: the 400 was the tampering.
    assert client.post("/webhooks/payments", data=body, headers=headers).status_code == 200
    assert example.FULFILLED == ["order_1042"]


def test_snippet_rejects_another_secret_and_a_missing_signature(load_example, sign_cli):
    fx = fixture("stripe", "payment_success")
    headers, body = sign_cli("stripe", fixture_body(fx), "whsec_someone_elses_secret")
    example = load_example("stripe")
    client = example.app.test_client()

    wrong = client.post("/webhooks/payments", data=body, headers=headers)
    unsigned = client.post("/webhooks/payments", data=body,
                           headers={"Content-Type": "application/json"})

    assert (wrong.status_code, wrong.get_json()["error"]) == (400, "InvalidSignature")
    assert (unsigned.status_code, unsigned.get_json()["error"]) == (400, "MissingSignature")
    assert "whsec_someone_elses_secret" not in wrong.get_data(as_text=True)
    assert example.FULFILLED == []


def test_snippet_rejects_a_stale_webhook(load_example, sign_cli):
    fx = fixture("stripe", "payment_success")
    headers, body = sign_cli("stripe", fixture_body(fx), SNIPPET_SECRET, now=1_700_000_000)
    example = load_example("stripe")

    response = example.app.test_client().post("/webhooks/payments", data=body, headers=headers)

    assert (response.status_code, response.get_json()["error"]) == (400, "TimestampOutOfTolerance")


def test_adyen_batch_yields_every_item_and_adyens_acknowledgement(load_example, sign_cli):
    fx = fixture("adyen", "batch")
    secret = fx["request"]["webhook_secrets"]["secret"]
    # The route passes no merchant_event_id; everything else must be as the engine's fixture says.
    expected = [
        {k: v for k, v in e.items() if k != "merchant_event_id"} for e in fx["expect"]["events"]
    ]
    assert len(expected) > 1
    headers, body = sign_cli("adyen", fixture_body(fx), secret)
    example = load_example("stripe", HOOKNORM_SECRET_ADYEN=secret)

    response = example.app.test_client().post("/webhooks/adyen", data=body, headers=headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data(as_text=True) == fx["expect"]["acknowledgement"]["body"]
    assert [e["event_type"] for e in example.RECEIVED] == [e["event_type"] for e in expected]
    matches(expected, example.RECEIVED)
    # Authorisations are not captures: nothing to fulfil.
    assert [e["type"] for e in example.RECEIVED] == ["payment.authorized"] * len(expected)
    assert example.FULFILLED == []


def test_adyen_batch_with_one_tampered_item_is_rejected_whole(load_example, sign_cli):
    fx = fixture("adyen", "batch")
    secret = fx["request"]["webhook_secrets"]["secret"]
    headers, body = sign_cli("adyen", fixture_body(fx), secret)
    doc = json.loads(body)
    item = doc["notificationItems"][-1]["NotificationRequestItem"]
    item["amount"]["value"] += 1
    example = load_example("stripe", HOOKNORM_SECRET_ADYEN=secret)

    response = example.app.test_client().post(
        "/webhooks/adyen", data=json.dumps(doc), headers=headers
    )

    assert (response.status_code, response.get_json()["error"]) == (400, "InvalidSignature")
    assert example.RECEIVED == []


def test_square_signs_the_url_which_the_connector_route_passes(load_example, sign_cli):
    fx = fixture("square", "payment_success")
    secret = fx["request"]["webhook_secrets"]["secret"]
    url = "http://localhost/webhooks/square"
    headers, body = sign_cli("square", fixture_body(fx), secret, url=url)
    example = load_example("stripe", HOOKNORM_SECRET_SQUARE=secret)
    client = example.app.test_client()

    response = client.post("/webhooks/square", data=body, headers=headers)
    # The same webhook signed for another URL does not verify here.
    other_headers, _ = sign_cli("square", fixture_body(fx), secret,
                                url="https://elsewhere.example/hook")
    moved = client.post("/webhooks/square", data=body, headers=other_headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert example.FULFILLED == expected_merchant_ids(fx)
    assert (moved.status_code, moved.get_json()["error"]) == (400, "InvalidSignature")


def test_unknown_connector_route_is_404(load_example):
    example = load_example("stripe")

    response = example.app.test_client().post("/webhooks/nosuchpay", data=b"{}")

    assert (response.status_code, response.get_json()["error"]) == (404, "UnknownConnector")
