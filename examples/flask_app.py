"""The Event Service contract's Flask snippet ("Webhook Security", Python SDK docs), made real
with hooknorm.

The route ``/webhooks/payments`` below is the snippet exactly as the contract's documentation
writes it; only the import line differs (it also imports hooknorm). What the snippet leaves
undefined is defined around it: the app, ``event_client`` (connector from ``HOOKNORM_CONNECTOR``,
Stripe by default), ``fulfill_order``, and an error handler that answers a rejected webhook
(bad signature, stale timestamp, ...) with 400 instead of a 500.

Beyond the snippet, ``/webhooks/<connector>`` serves every bundled connector, with the secret
from ``HOOKNORM_SECRET_<CONNECTOR>`` (as ``hooknorm serve`` takes it), the request URL (for
processors that sign it) and the acknowledgement the processor expects (Adyen's ``[accepted]``).

Run: ``pip install ./python 'flask[async]'`` then ``flask --app examples/flask_app.py run``.
"""

import os

from flask import Flask, request
from hooknorm import EventClient, UnknownConnector, WebhookError

app = Flask(__name__)
event_client = EventClient(connector=os.environ.get("HOOKNORM_CONNECTOR", "stripe"))

#: The merchant references of fulfilled orders, and every event received (for the tests).
FULFILLED = []
RECEIVED = []


async def fulfill_order(merchant_transaction_id):
    FULFILLED.append(merchant_transaction_id)


@app.errorhandler(WebhookError)
def rejected(error):
    # The kind and message only: they never contain a secret or a signature.
    return {"error": error.kind, "message": error.message}, 400


# --- The contract's snippet, unchanged. ---
@app.route('/webhooks/payments', methods=['POST'])
async def handle_webhook():
    payload = request.get_data()
    headers = dict(request.headers)

    event = await event_client.handle_event({
        "payload": payload,
        "headers": headers,
        "webhook_secret": "whsec_xxx"
    })

    if event["type"] == "payment.captured":
        # Fulfill order
        await fulfill_order(event["data"]["merchant_transaction_id"])

    return "OK", 200
# --- End of the snippet. ---


_clients = {}


@app.route("/webhooks/<connector>", methods=["POST"])
async def handle_connector_webhook(connector):
    client = _clients.get(connector)
    if client is None:
        try:
            client = _clients[connector] = EventClient(connector=connector)
        except UnknownConnector as error:
            return {"error": error.kind, "message": error.message}, 404
    env = "HOOKNORM_SECRET_" + connector.upper().replace("-", "_")
    outcome = await client.handle_event({
        "payload": request.get_data(),
        "headers": dict(request.headers),
        "webhook_secret": os.environ.get(env),
        "url": request.url,
        "method": request.method,
    })
    for event in outcome["events"]:
        RECEIVED.append(event)
        if event["type"] == "payment.captured":
            await fulfill_order(event["data"]["merchant_transaction_id"])
    ack = outcome["acknowledgement"]
    return ack["body"], ack["status"], {"Content-Type": ack["content_type"]}
