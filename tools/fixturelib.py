"""Shared pieces of hooknorm's fixture generators (tools/gen_fixtures*.py).

Every generator writes tests/fixtures/<connector>/<case>.json (format: tests/fixtures/README.md) and
checks each fixture against an oracle: the processor's official SDK where it can verify, or a
separately written reading of the processor's documentation. What is the same in all of them lives
here; each generator keeps only what belongs to its processor: bodies, signing, the oracle call,
the case list.

  * `Cases`: a generator's ordered list of (name, fixture) records. `Cases.add` builds the fixture
    dict in the one key order every fixture file uses (description, now, request{connector,
    merchant_event_id, request_details{method, url, headers, body_text}, webhook_secrets}, then
    expect{connector, acknowledgement, events} or expect_error) and, unless told not to, stamps the
    case's merchant_event_id (`mev_<connector with _ for ->_<case>`) on each expected event.
  * `event`, `event_builder`, `money`, `ack`, `default_idempotency_key`: the expected-outcome
    helpers. `event_builder(connector)` is the `ev(event_type, connector_event_type, event_id,
    response)` of the connectors whose idempotency key is `<connector>:<event id>`;
    `default_idempotency_key` is hooknorm's fallback key `<connector>:<sha256(material)[:32]>:<item>`
    (material = the verified signature, or the body when unsigned).
  * `check` / `generate` / `write`: the oracle loop. `oracle(name, fx)` returns a verdict, `want(name,
    fx)` the verdict the fixture implies (by default: accepted iff it expects events). Every case is
    checked, every disagreement (or AssertionError raised by an oracle) is reported on stderr, and
    the run exits 1 before writing anything. Otherwise the connector's old *.json files are deleted
    (a case removed from a generator disappears from the tree) and every fixture is written as
    `json.dumps(fx, indent=2, ensure_ascii=False) + "\n"` in UTF-8, so a rerun is byte-identical.
  * `header_get`, `details`, `secrets_of`, `unix_time`, `rfc3339`: small accessors and time
    conversions several generators share.

Regenerating everything: `bash tools/regen_all.sh` (needs PyPI) makes one venv per SDK group under
/tmp (override with HN_VENV_ROOT), installs the SDK versions pinned there (the versions named in
each generator's docstring), runs all 26 generators and then `git diff --exit-code --
tests/fixtures`, so it fails if any fixture changed. Run one generator by hand as its docstring
says; tools/ must be the script's directory (it is when run as `python tools/gen_fixtures_x.py`).
"""

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# Error kinds that mean "the signature did not check out" (as opposed to e.g. MalformedBody, where
# the signature is fine and the body is not).
SIGNATURE_ERRORS = frozenset({"MissingSignature", "MalformedSignature", "InvalidSignature",
                              "TimestampOutOfTolerance", "UntrustedCertificate", "InvalidSecret"})


class _Omit:
    def __repr__(self):
        return "OMIT"


OMIT = _Omit()  # an event field left out of the expectation (not even null)


# ---------------------------------------------------------------------------------------------
# Expected outcomes
# ---------------------------------------------------------------------------------------------
def money(minor, currency):
    return {"minor_amount": minor, "currency": currency}


def ack(status=200, body=""):
    return {"status": status, "content_type": "text/plain", "body": body}


def merchant_event_id(connector, name):
    return f"mev_{connector.replace('-', '_')}_{name}"


def default_idempotency_key(connector, material, item=0):
    """hooknorm's default idempotency key: `{connector}:{sha256(material)[..32]}:{item}`, material
    being the verified signature (or the body of an unsigned webhook)."""
    return f"{connector}:{hashlib.sha256(material.encode()).hexdigest()[:32]}:{item}"


def event(event_type, connector_event_type=OMIT, connector_event_id=OMIT, response=None, *,
          mev=OMIT, key=OMIT, status="COMPLETE", verified=True):
    """An expected event, keys in the fixtures' order; OMIT leaves a key out."""
    fields = [("event_type", event_type), ("source_verified", verified), ("merchant_event_id", mev),
              ("event_status", status), ("connector_event_type", connector_event_type),
              ("connector_event_id", connector_event_id), ("idempotency_key", key),
              ("event_response", response)]
    return {k: v for k, v in fields if v is not OMIT}


def event_builder(connector, *, status="COMPLETE"):
    """`ev(event_type, connector_event_type, connector_event_id, response)` for a connector whose
    idempotency key is `<connector>:<connector_event_id>`."""
    def ev(event_type, cet, ceid, response):
        return event(event_type, cet, ceid, response, key=f"{connector}:{ceid}", status=status)
    return ev


# ---------------------------------------------------------------------------------------------
# Case records
# ---------------------------------------------------------------------------------------------
class Cases(list):
    """A generator's fixtures in generation order, as (name, fixture dict) pairs."""

    def __init__(self, connector, *, url=None, now=None, acknowledgement=None, tag_events=True):
        super().__init__()
        self.connector = connector
        self.url = url or f"https://shop.example/webhooks/{connector}"
        self.now = now
        self.acknowledgement = acknowledgement or ack()
        self.tag_events = tag_events

    def add(self, name, description, body_text, *, headers, secrets, events=None, error=None,
            now=None, url=None, method="POST"):
        mev = merchant_event_id(self.connector, name)
        fx = {
            "description": description,
            "now": self.now if now is None else now,
            "request": {
                "connector": self.connector,
                "merchant_event_id": mev,
                "request_details": {"method": method, "url": url or self.url, "headers": headers,
                                    "body_text": body_text},
                "webhook_secrets": secrets,
            },
        }
        if error:
            fx["expect_error"] = error
        else:
            if self.tag_events:
                events = [dict(e, merchant_event_id=mev) for e in events]
            fx["expect"] = {"connector": self.connector, "acknowledgement": dict(self.acknowledgement),
                            "events": events}
        self.append((name, fx))
        return fx


# ---------------------------------------------------------------------------------------------
# Reading a fixture back (for the oracles)
# ---------------------------------------------------------------------------------------------
def details(fx):
    return fx["request"]["request_details"]


def secrets_of(fx, names=None):
    """The fixture's webhook secrets, in order (only the given keys when `names` is set)."""
    return [v for k, v in fx["request"]["webhook_secrets"].items() if names is None or k in names]


def header_get(headers, name):
    """A header's value by case-insensitive name, or None."""
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def unix_time(iso):
    """'2023-11-14T22:13:20Z' (or with an offset) -> Unix seconds."""
    return int(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def rfc3339(ts):
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# The oracle loop and writing
# ---------------------------------------------------------------------------------------------
def expects_events(name, fx):
    """The default verdict: the oracle must accept exactly the fixtures that expect events."""
    return "expect" in fx


def expected_kind(name, fx):
    """For oracles that name their verdict: "ok" or the error kind the fixture expects."""
    return fx.get("expect_error", "ok")


def signature_ok(name, fx):
    """For oracles that check the signature only: accepted unless a signature error is expected."""
    return fx.get("expect_error") not in SIGNATURE_ERRORS


def check(cases, oracle, *, want=expects_events, label):
    """Runs `oracle(name, fx)` on every case and returns the disagreements with `want(name, fx)`
    as messages; an AssertionError raised by the oracle counts as a disagreement too."""
    names = [name for name, _ in cases]
    failures = [f"{label}: duplicate case name {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    for name, fx in cases:
        try:
            got = oracle(name, fx)
        except AssertionError as e:
            failures.append(f"{label}/{name}: oracle assertion failed: {e}")
            continue
        expected = want(name, fx)
        if got != expected:
            failures.append(f"{label}/{name}: oracle says {got!r}, fixture expects {expected!r}")
    return failures


def exit_on_failures(failures):
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print(f"{len(failures)} fixture(s) disagree with their oracle; nothing written", file=sys.stderr)
        sys.exit(1)


def write(cases, directory):
    """Replaces directory/*.json with the cases, byte for byte deterministic."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.json"):
        old.unlink()
    for name, fx in cases:
        (directory / f"{name}.json").write_text(json.dumps(fx, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")


def generate(cases, oracle, *, want=expects_events, note=""):
    """Checks every case with the oracle (exit 1, nothing written, on any disagreement), then
    writes tests/fixtures/<connector>/*.json."""
    exit_on_failures(check(cases, oracle, want=want, label=cases.connector))
    write(cases, FIXTURES / cases.connector)
    print(f"wrote {len(cases)} {cases.connector} fixtures{note}")
