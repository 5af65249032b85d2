"""Shared helpers: the repository's paths, the ``hooknorm`` CLI (to sign webhooks as the
processors do, independently of the Python package), fixtures, and a fresh copy of the Flask
example per test."""

import base64
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _cli() -> str:
    """The ``hooknorm`` binary: ``HOOKNORM_BIN``, else built with cargo (debug)."""
    given = os.environ.get("HOOKNORM_BIN")
    if given:
        return given
    subprocess.run(
        ["cargo", "build", "--quiet", "--bin", "hooknorm"], cwd=ROOT, check=True
    )
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return str(pathlib.Path(json.loads(meta.stdout)["target_directory"]) / "debug" / "hooknorm")


@pytest.fixture(scope="session")
def cli() -> str:
    path = _cli()
    assert os.access(path, os.X_OK), f"{path} is not an executable"
    return path


@pytest.fixture
def sign_cli(cli, tmp_path):
    """``sign_cli(connector, body, secret, url=..., now=None)``: runs ``hooknorm sign`` and
    returns ``(headers, body_bytes)``."""

    def sign(connector, body, secret, url="https://example.com/webhooks", now=None,
             additional_secret=None):
        body_file = tmp_path / f"body-{uuid.uuid4().hex}"
        body_file.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        args = [cli, "sign", "--connector", connector, "--secret", secret,
                "--body-file", str(body_file), "--url", url]
        if now is not None:
            args += ["--now", str(now)]
        if additional_secret is not None:
            args += ["--additional-secret", additional_secret]
        out = subprocess.run(args, check=True, capture_output=True, text=True)
        signed = json.loads(out.stdout)
        return signed["headers"], base64.b64decode(signed["body"])

    return sign


def fixture(connector: str, case: str) -> dict:
    return json.loads((FIXTURES / connector / f"{case}.json").read_text())


def fixture_body(fx: dict) -> bytes:
    details = fx["request"]["request_details"]
    if "body_text" in details:
        return details["body_text"].encode("utf-8")
    return base64.b64decode(details.get("body", ""))


@pytest.fixture
def load_example(monkeypatch):
    """``load_example(connector="stripe", **env)``: a fresh module of ``examples/flask_app.py``
    with ``HOOKNORM_CONNECTOR`` (and further environment variables) set."""

    def load(connector="stripe", **env):
        monkeypatch.setenv("HOOKNORM_CONNECTOR", connector)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        name = f"flask_app_{uuid.uuid4().hex}"
        spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "flask_app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        module.app.config["TESTING"] = True
        return module

    return load


def matches(expected, actual, where="$"):
    """The fixtures' subset rule: every key given is present and equal (recursively); lists
    match element by element; a key given as null is absent or None."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            if value is None:
                assert actual.get(key) is None, f"{where}.{key}"
            else:
                assert key in actual, f"{where}.{key} missing"
                matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (e, a) in enumerate(zip(expected, actual)):
            matches(e, a, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
