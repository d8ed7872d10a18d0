"""A fake Stripe API behind stripe's own HTTPClient interface: unit tests talk to it
through the real library, without a network. It keeps PaymentIntents and refunds in memory,
honours idempotency keys and records every call."""

import itertools
import json
import re
import threading
from urllib.parse import parse_qsl, urlparse

import stripe


def _form(post_data) -> dict:
    data: dict = {}
    for key, value in parse_qsl(post_data or "", keep_blank_values=True):
        match = re.fullmatch(r"(\w+)\[(\w*)\]", key)
        if match:
            name, sub = match.groups()
            if sub.isdigit() or sub == "":
                data.setdefault(name, []).append(value)
            else:
                data.setdefault(name, {})[sub] = value
        else:
            data[key] = value
    return data


class FakeStripe(stripe.HTTPClient):
    name = "fake"

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict, str | None]] = []

    # stripe.HTTPClient
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        with self.lock:
            path = urlparse(url).path
            query = dict(parse_qsl(urlparse(url).query))
            form = _form(post_data)
            key = (headers or {}).get("Idempotency-Key")
            self.calls.append((method.upper(), path, form or query, key))
            if key and key in self.by_key:
                return self._ok(self.by_key[key])
            status, body = self._route(method.upper(), path, form, query)
            if key and status == 200:
                self.by_key[key] = body
            return json.dumps(body), status, {"Request-Id": f"req_{next(self.ids)}"}

    def close(self):
        pass

    def _ok(self, body):
        return json.dumps(body), 200, {}

    def _error(self, message, status=400):
        return status, {"error": {"type": "invalid_request_error", "message": message}}

    def _route(self, method, path, form, query):
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        if parts == ["payment_intents"] and method == "POST":
            pid = f"pi_fake{next(self.ids)}"
            intent = {
                "id": pid,
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "metadata": form.get("metadata", {}),
                "payment_method_types": form.get("payment_method_types", []),
                "client_secret": f"{pid}_secret_fake",
                "payment_method": None,
                "status": "requires_payment_method",
            }
            self.intents[pid] = intent
            return 200, intent
        if parts[:1] == ["payment_intents"] and len(parts) >= 2:
            intent = self.intents.get(parts[1])
            if intent is None:
                return self._error("No such payment_intent", 404)
            action = parts[2] if len(parts) > 2 else None
            if action is None and method == "GET":
                return 200, intent
            if action is None and method == "POST":
                intent.update({k: v for k, v in form.items() if k == "payment_method"})
                if intent["payment_method"]:
                    intent["status"] = "requires_confirmation"
                return 200, intent
            if action == "confirm":
                declined = "Declined" in (intent["payment_method"] or "")
                intent["status"] = "requires_payment_method" if declined else "succeeded"
                return 200, intent
            if action == "cancel":
                if intent["status"] in ("succeeded", "canceled", "processing"):
                    return self._error("This PaymentIntent's status is " + intent["status"])
                intent["status"] = "canceled"
                return 200, intent
        if parts == ["refunds"] and method == "POST":
            intent = self.intents.get(form.get("payment_intent"))
            if intent is None or intent["status"] != "succeeded":
                return self._error("Cannot refund")
            rid = f"re_fake{next(self.ids)}"
            refund = {
                "id": rid,
                "object": "refund",
                "amount": int(form.get("amount", intent["amount"])),
                "currency": intent["currency"],
                "payment_intent": intent["id"],
                "metadata": form.get("metadata", {}),
                "status": "succeeded",
            }
            self.refunds[rid] = refund
            return 200, refund
        if parts[:1] == ["refunds"] and len(parts) == 2 and method == "GET":
            refund = self.refunds.get(parts[1])
            if refund is None:
                return self._error("No such refund", 404)
            return 200, refund
        if parts == ["refunds"] and method == "GET":
            data = [
                r
                for r in self.refunds.values()
                if r["payment_intent"] == query.get("payment_intent")
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        return self._error(f"Unknown route {method} {path}", 404)

    # helpers for tests
    def succeed(self, payment_intent_id: str) -> dict:
        with self.lock:
            self.intents[payment_intent_id]["status"] = "succeeded"
            return dict(self.intents[payment_intent_id])

    def refund_made_at_stripe(self, payment_intent_id: str, amount: int) -> dict:
        """A refund made outside the store (in Stripe's dashboard), as Stripe keeps it."""
        with self.lock:
            rid = f"re_fake{next(self.ids)}"
            self.refunds[rid] = {
                "id": rid,
                "object": "refund",
                "amount": amount,
                "currency": self.intents[payment_intent_id]["currency"],
                "payment_intent": payment_intent_id,
                "metadata": {},
                "status": "succeeded",
            }
            return dict(self.refunds[rid])

    def calls_to(self, method: str, prefix: str) -> list:
        return [c for c in self.calls if c[0] == method and c[1].startswith(prefix)]


class FailingStripe(FakeStripe):
    """The fake Stripe; while `down`, every call fails as the HTTP client fails when it
    cannot connect (APIConnectionError), and is counted in `failures`."""

    def __init__(self):
        super().__init__()
        self.down = False
        self.failures = 0

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.down:
            self.failures += 1
            raise stripe.APIConnectionError("Could not connect to Stripe (injected fault)")
        return super().request(method, url, headers, post_data, _usage=_usage)
