"""A fake Stripe Invoicing API behind stripe's HTTPClient interface (localstripe has no
send_invoice invoices): customers, invoices, invoice items, finalise and send, retrieve;
`pay` stands for the customer paying at Stripe."""

import itertools
import json
import re
import time
from urllib.parse import parse_qsl, urlparse

import stripe


class FakeStripeInvoicing(stripe.HTTPClient):
    name = "fake-invoicing"

    def __init__(self, *, fail: bool = False):
        super().__init__()
        self.fail = fail
        self.ids = itertools.count(1)
        self.invoices: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict]] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = urlparse(url).path
        form = dict(parse_qsl(post_data or "", keep_blank_values=True))
        self.calls.append((method.upper(), path, form))
        if self.fail:
            body = {"error": {"type": "api_error", "message": "Stripe is down"}}
            return json.dumps(body), 500, {}
        if method.upper() == "GET":
            invoice = self.invoices.get(path.removeprefix("/v1/invoices/"))
            if invoice is None:
                body = {"error": {"type": "invalid_request_error", "message": "No such invoice"}}
                return json.dumps(body), 404, {}
            return json.dumps(invoice), 200, {}
        return json.dumps(self._route(path, form)), 200, {}

    def pay(self, invoice_id: str, *, amount: int | None = None) -> dict:
        """The customer pays the invoice at Stripe (all of it unless `amount` is given)."""
        invoice = self.invoices[invoice_id]
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"] if amount is None else amount,
            customer_email="buyer@canteen.example",
            status_transitions={"paid_at": int(time.time())},
        )
        return dict(invoice)

    def close(self):
        pass

    def _route(self, path: str, form: dict) -> dict:
        if path == "/v1/customers":
            return {"id": f"cus_{next(self.ids)}", "object": "customer", "email": form.get("email")}
        if path == "/v1/invoices":
            invoice = {
                "id": f"in_{next(self.ids)}",
                "object": "invoice",
                "customer": form["customer"],
                "collection_method": form["collection_method"],
                "currency": form["currency"],
                "amount_due": 0,
                "status": "draft",
                "metadata": {
                    key[9:-1]: value for key, value in form.items() if key.startswith("metadata[")
                },
            }
            self.invoices[invoice["id"]] = invoice
            return invoice
        if path == "/v1/invoiceitems":
            invoice = self.invoices[form["invoice"]]
            invoice["amount_due"] += int(form["amount"])
            return {
                "id": f"ii_{next(self.ids)}",
                "object": "invoiceitem",
                "amount": int(form["amount"]),
            }
        match = re.fullmatch(r"/v1/invoices/(\w+)/(finalize|send)", path)
        if match:
            invoice = self.invoices[match.group(1)]
            invoice["status"] = "open"
            return invoice
        raise AssertionError(f"unexpected Stripe call {path}")
