"""The ``hooknorm`` package itself: results match the engine's fixtures, typed exceptions,
secrets kept out of reprs and errors, ``sign``, ``connectors_dir``, async use, and what the
installed wheel ships."""

import asyncio
import base64
import importlib.metadata
import json
import pathlib
import shutil
import sys
import threading
import time

import pytest

import hooknorm
from conftest import FIXTURES, ROOT, fixture, fixture_body, matches

ALL_FIXTURES = sorted(FIXTURES.glob("*/*.json"))


def request_of(fx):
    req = fx["request"]
    details = req["request_details"]
    out = {
        "payload": fixture_body(fx),
        "headers": details.get("headers", {}),
        "webhook_secrets": req.get("webhook_secrets", {}),
        "url": details.get("url") or details.get("uri") or "",
        "method": details.get("method", "POST"),
        "now": fx["now"],
    }
    if details.get("query_params"):
        out["query_params"] = details["query_params"]
    if "merchant_event_id" in req:
        out["merchant_event_id"] = req["merchant_event_id"]
    return out


def test_there_are_fixtures_of_many_connectors():
    assert len({p.parent.name for p in ALL_FIXTURES}) >= 15


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_engine_fixture_gives_the_same_result_from_python(path):
    fx = json.loads(path.read_text())
    client = hooknorm.EventClient(connector=fx["request"]["connector"])
    request = request_of(fx)
    if "expect_error" in fx:
        with pytest.raises(hooknorm.WebhookError) as caught:
            client.handle_event_sync(request)
        assert caught.value.kind == fx["expect_error"]
        assert type(caught.value).__name__ == fx["expect_error"]
        assert caught.value.report and caught.value.report[-1]["ok"] is False
        return
    result = client.handle_event_sync(request)
    matches(fx["expect"], result)
    first = result["events"][0]
    for key in ("event_type", "event_response", "source_verified", "event_status", "type",
                "data", "merchant_event_id"):
        assert result[key] == first[key]
    for event in result["events"]:
        assert event["type"] == hooknorm.EVENT_TYPES[event["event_type"]]
        response = event["event_response"]
        if response is None:
            assert event["data"] == {}
        else:
            (resource,) = response.values()
            # `data` is the resource's fields, with None for those the webhook lacks.
            assert {k: v for k, v in event["data"].items() if v is not None} == resource


def test_the_type_table():
    table = hooknorm.EVENT_TYPES
    assert table["PAYMENT_INTENT_SUCCESS"] == "payment.captured"
    assert table["PAYMENT_INTENT_CAPTURE_SUCCESS"] == "payment.captured"
    assert table["PAYMENT_INTENT_AUTHORIZATION_SUCCESS"] == "payment.authorized"
    assert table["WEBHOOK_REFUND_SUCCESS"] == "refund.succeeded"
    assert table["WEBHOOK_DISPUTE_OPENED"] == "dispute.opened"
    assert table["EVENT_NOT_SUPPORTED"] == "event.unsupported"
    assert len(table) == 42
    assert all(name.count(".") == 1 for name in table.values())


def test_every_error_kind_has_its_exception_class():
    assert len(hooknorm.ERROR_KINDS) == 12
    for kind in hooknorm.ERROR_KINDS:
        cls = getattr(hooknorm, kind)
        assert issubclass(cls, hooknorm.WebhookError) and cls.kind == kind
        assert kind in hooknorm.__all__


def stripe_request(secret="whsec_xxx", **extra):
    fx = fixture("stripe", "payment_success")
    signed = hooknorm.sign("stripe", fixture_body(fx), secret)
    return {"payload": signed["body"], "headers": signed["headers"], "webhook_secret": secret,
            **extra}


def test_secrets_never_appear_in_reprs_or_errors():
    api_key = "sk_live_api_key_must_not_show_9f8e7d"
    secret = "whsec_the_right_secret_must_not_show_1a2b3c"
    wrong = "whsec_a_wrong_secret_must_not_show_4d5e6f"
    client = hooknorm.EventClient(connector="stripe", api_key=api_key, environment="SANDBOX")
    assert api_key not in repr(client) and api_key not in str(vars_of(client))

    request = stripe_request(secret)
    request["webhook_secret"] = wrong
    request["additional_secret"] = "whsec_another_secret_must_not_show_7g8h"
    with pytest.raises(hooknorm.InvalidSignature) as caught:
        client.handle_event_sync(request)
    error = caught.value
    shown = " ".join([str(error), repr(error), repr(error.args), repr(error.report),
                      error.message])
    for s in (secret, wrong, "whsec_another_secret_must_not_show_7g8h", api_key):
        assert s not in shown
    assert request["headers"]["Stripe-Signature"].split("v1=")[1] not in shown

    # A secret of the wrong type is named, never shown.
    with pytest.raises(TypeError) as caught:
        client.handle_event_sync({**stripe_request(secret), "webhook_secrets": {"secret": 42}})
    assert "42" not in str(caught.value)


def vars_of(obj):
    return {name: getattr(obj, name, None) for name in type(obj).__slots__}


def test_errors_carry_kind_report_and_delta():
    client = hooknorm.EventClient(connector="stripe")
    fx = fixture("stripe", "payment_success")
    signed = hooknorm.sign("stripe", fixture_body(fx), "whsec_xxx", now=1_700_000_000)
    with pytest.raises(hooknorm.TimestampOutOfTolerance) as caught:
        client.handle_event_sync({"payload": signed["body"], "headers": signed["headers"],
                                  "webhook_secret": "whsec_xxx", "now": 1_700_001_000})
    assert caught.value.kind == "TimestampOutOfTolerance"
    assert caught.value.delta_seconds == 1000
    assert [s["step"] for s in caught.value.report][-1] == "timestamp"

    with pytest.raises(hooknorm.MissingSecret):
        client.handle_event_sync({"payload": signed["body"], "headers": signed["headers"]})


def test_bad_requests_are_clear():
    client = hooknorm.EventClient(connector="stripe")
    with pytest.raises(hooknorm.InvalidRequest, match="webhook_secert"):
        client.handle_event_sync({"payload": b"{}", "headers": {}, "webhook_secert": "x"})
    with pytest.raises(hooknorm.InvalidRequest, match="payload"):
        client.handle_event_sync({"headers": {}})
    with pytest.raises(hooknorm.InvalidRequest, match="method"):
        client.handle_event_sync({**stripe_request(), "method": "BREW"})
    with pytest.raises(TypeError, match="payload"):
        client.handle_event_sync({"payload": 12, "headers": {}})
    with pytest.raises(hooknorm.UnknownConnector):
        hooknorm.EventClient(connector="nosuchpay")


def test_payload_as_str_and_contract_spellings():
    client = hooknorm.EventClient(connector="stripe")
    request = stripe_request(merchant_event_id="mev_1")
    as_bytes = client.handle_event_sync(request)
    as_text = client.handle_event_sync(
        {**request, "payload": request["payload"].decode("utf-8"), "method": "HTTP_METHOD_POST",
         "uri": "https://shop.example/webhooks/stripe"})
    assert as_bytes == as_text
    assert as_bytes["merchant_event_id"] == "mev_1"
    assert as_bytes["data"]["merchant_transaction_id"] == "order_1042"
    assert as_bytes["type"] == "payment.captured"


def test_the_contracts_nested_request_shape():
    client = hooknorm.EventClient(connector="stripe")
    flat = stripe_request(merchant_event_id="evt_webhook_001")
    nested = {
        "merchant_event_id": "evt_webhook_001",
        "request_details": {"method": "HTTP_METHOD_POST",
                            "uri": "https://your-app.com/webhooks/stripe",
                            "headers": flat["headers"], "body": flat["payload"]},
        "webhook_secrets": {"secret": flat["webhook_secret"]},
    }
    assert client.handle_event_sync(nested) == client.handle_event_sync(flat)
    assert asyncio.run(client.handle_event(nested))["merchant_event_id"] == "evt_webhook_001"
    with pytest.raises(hooknorm.InvalidRequest, match="bogus"):
        client.handle_event_sync({**nested, "request_details": {**nested["request_details"],
                                                                "bogus": 1}})
    with pytest.raises(hooknorm.InvalidRequest, match="payload"):
        client.handle_event_sync({**nested, "payload": flat["payload"]})


def test_rotated_secrets_either_verifies():
    client = hooknorm.EventClient(connector="stripe")
    request = stripe_request("whsec_new_secret_after_rotation")
    old_first = {**request, "webhook_secrets": {"secret": "whsec_old_secret",
                                                "additional_secret": request["webhook_secret"]}}
    del old_first["webhook_secret"]
    assert client.handle_event_sync(old_first)["source_verified"] is True


def test_async_handle_event_inline_and_offloaded():
    client = hooknorm.EventClient(connector="stripe")
    small = stripe_request()
    fx = fixture("stripe", "payment_success")
    doc = json.loads(fixture_body(fx))
    doc["data"]["object"]["description"] = "x" * (2 * hooknorm.INLINE_LIMIT)
    big_body = json.dumps(doc).encode()
    assert len(big_body) > hooknorm.INLINE_LIMIT
    signed = hooknorm.sign("stripe", big_body, "whsec_xxx")
    big = {"payload": signed["body"], "headers": signed["headers"], "webhook_secret": "whsec_xxx"}

    async def both():
        return await asyncio.gather(client.handle_event(small), client.handle_event(big))

    small_result, big_result = asyncio.run(both())
    assert small_result == client.handle_event_sync(small)
    assert big_result["data"]["merchant_transaction_id"] == "order_1042"

    tampered = {**big, "payload": big["payload"].replace(b"xxxx", b"yyyy", 1)}
    with pytest.raises(hooknorm.InvalidSignature):
        asyncio.run(client.handle_event(tampered))


def test_sign_matches_the_cli(sign_cli):
    fx = fixture("stripe", "payment_success")
    body = fixture_body(fx)
    ours = hooknorm.sign("stripe", body, "whsec_xxx", now=1_700_000_000)
    cli_headers, cli_body = sign_cli("stripe", body, "whsec_xxx", now=1_700_000_000)
    assert ours == {"headers": cli_headers, "body": cli_body}

    fx = fixture("adyen", "batch")
    secret = fx["request"]["webhook_secrets"]["secret"]
    ours = hooknorm.sign("adyen", fixture_body(fx), secret, now=1_700_000_000)
    assert (ours["headers"], ours["body"]) == sign_cli("adyen", fixture_body(fx), secret,
                                                       now=1_700_000_000)
    assert ours["body"] != fixture_body(fx)  # item signatures are written into the body

    with pytest.raises(hooknorm.UnknownConnector):
        hooknorm.sign("nosuchpay", b"{}", "s")


def test_connectors_dir(tmp_path):
    assert "stripe" in hooknorm.connectors()
    full = hooknorm.EventClient(connector="adyen", connectors_dir=ROOT / "connectors")
    assert full.connector == "adyen"

    only_stripe = tmp_path / "only-stripe"
    only_stripe.mkdir()
    shutil.copy(ROOT / "connectors" / "stripe.yaml", only_stripe)
    assert hooknorm.connectors(only_stripe) == ["stripe"]
    client = hooknorm.EventClient(connector="stripe", connectors_dir=str(only_stripe))
    assert client.handle_event_sync(stripe_request())["type"] == "payment.captured"
    with pytest.raises(hooknorm.UnknownConnector):
        hooknorm.EventClient(connector="adyen", connectors_dir=only_stripe)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("name: bad\nsignature: 12\n")
    with pytest.raises(ValueError, match="bad.yaml"):
        hooknorm.EventClient(connector="bad", connectors_dir=broken)


def test_the_installed_package_ships_stubs_and_py_typed():
    files = {str(f) for f in importlib.metadata.files("hooknorm")}
    assert "hooknorm/py.typed" in files
    assert "hooknorm/_native.pyi" in files
    assert any(f.startswith("hooknorm/_native") and f.endswith(".so") for f in files)
    package = pathlib.Path(hooknorm.__file__).parent
    assert (package / "py.typed").is_file() and (package / "_native.pyi").is_file()
    stub = (package / "_native.pyi").read_text()
    assert "def handle(" in stub and "class HandleFailure" in stub


def test_the_gil_is_released_while_the_engine_works():
    # A body near the 1 MiB limit keeps the engine busy for about a millisecond per call.
    fx = fixture("stripe", "payment_success")
    doc = json.loads(fixture_body(fx))
    doc["data"]["object"]["description"] = "x" * 900_000
    signed = hooknorm.sign("stripe", json.dumps(doc).encode(), "whsec_xxx")
    client = hooknorm.EventClient(connector="stripe")
    request = {"payload": signed["body"], "headers": signed["headers"],
               "webhook_secret": "whsec_xxx"}
    calls = 20
    results = []

    def worker():
        for _ in range(calls):
            results.append(client.handle_event_sync(request)["type"])

    old = sys.getswitchinterval()
    # No forced switches during the test: the GIL changes hands only when a thread releases it.
    # The worker's Python code between calls never does, so the main thread can only run while
    # the worker is inside the engine, if the engine releases the GIL.
    sys.setswitchinterval(5.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        ticks = 0
        while thread.is_alive():
            ticks += 1
            time.sleep(0)  # releases the GIL, letting the worker take it back
        thread.join()
    finally:
        sys.setswitchinterval(old)
    assert results == ["payment.captured"] * calls
    assert ticks >= calls // 2, ticks
