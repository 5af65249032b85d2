"""Time per webhook from Python: ``hooknorm`` ``EventClient`` against the official ``stripe``
package's ``stripe.Webhook.construct_event``, on the same signed ~3 KB Stripe webhook, in one run.

Run (in a venv with the wheel and ``stripe`` installed)::

    python python/bench/bench_stripe.py [--rounds 7] [--number 2000]

The body is the one of ``tests/fixtures/stripe/payment_success.json`` (also the Rust
benchmark's), signed now by ``hooknorm.sign`` (Stripe's scheme: HMAC-SHA256 over ``t.body``).
Each variant is timed in ``rounds`` rounds of ``number`` calls, alternating the variants round by
round, both as CPU time of this process (``time.process_time``: what a call costs, unaffected by
other processes on a shared machine) and as wall-clock time; the median and best round are printed
per call, with the ratios of the medians.
"""

import argparse
import asyncio
import json
import pathlib
import statistics
import sys
import time

import hooknorm
import stripe

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "whsec_bench_0123456789abcdef0123456789"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()

    fixture = json.loads((ROOT / "tests/fixtures/stripe/payment_success.json").read_text())
    body = fixture["request"]["request_details"]["body_text"].encode("utf-8")
    signed = hooknorm.sign("stripe", body, SECRET)
    assert signed["body"] == body
    sig_header = signed["headers"]["Stripe-Signature"]
    headers = {"Content-Type": "application/json", "Stripe-Signature": sig_header}

    client = hooknorm.EventClient(connector="stripe")
    request = {"payload": body, "headers": headers, "webhook_secret": SECRET}

    # Both must accept the webhook and agree on what it is before anything is timed.
    event = client.handle_event_sync(request)
    assert event["type"] == "payment.captured" and event["source_verified"]
    assert event["data"]["merchant_transaction_id"] == "order_1042"
    official = stripe.Webhook.construct_event(body, sig_header, SECRET)
    assert official["type"] == "payment_intent.succeeded"
    assert official["data"]["object"]["metadata"]["order_id"] == "order_1042"

    loop = asyncio.new_event_loop()

    async def many_async(n: int) -> None:
        for _ in range(n):
            await client.handle_event(request)

    variants = {
        "hooknorm handle_event_sync": lambda: client.handle_event_sync(request),
        "hooknorm await handle_event": None,  # timed as a loop inside one coroutine
        "stripe Webhook.construct_event": lambda: stripe.Webhook.construct_event(
            body, sig_header, SECRET
        ),
    }
    cpu = {name: [] for name in variants}
    wall = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, fn in variants.items():
            c0, w0 = time.process_time(), time.perf_counter()
            if fn is None:
                loop.run_until_complete(many_async(args.number))
            else:
                for _ in range(args.number):
                    fn()
            cpu[name].append((time.process_time() - c0) / args.number * 1e6)
            wall[name].append((time.perf_counter() - w0) / args.number * 1e6)
    loop.close()

    print(f"python {sys.version.split()[0]}, stripe {stripe.VERSION}, body {len(body)} bytes")
    print(f"{'variant':32} {'CPU median':>11} {'CPU best':>9} {'wall median':>12} {'wall best':>10}  (µs/call)")
    for name in variants:
        c, w = cpu[name], wall[name]
        print(
            f"{name:32} {statistics.median(c):11.2f} {min(c):9.2f}"
            f" {statistics.median(w):12.2f} {min(w):10.2f}"
        )
    for label, times in (("CPU", cpu), ("wall", wall)):
        theirs = statistics.median(times["stripe Webhook.construct_event"])
        for name in ("hooknorm handle_event_sync", "hooknorm await handle_event"):
            ratio = theirs / statistics.median(times[name])
            print(f"ratio ({label}) stripe / {name}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
