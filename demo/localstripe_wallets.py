"""localstripe with Alipay and WeChat Pay: the Stripe the demo and the tests pay through.

localstripe (a development requirement) knows cards and SEPA debits only. This module starts
it with the two wallets added as Stripe serves them, so the site talks to it exactly as to
Stripe (the same library calls, the same Stripe.js calls on the pay page):

- a PaymentIntent keeps its `payment_method_types` and refuses to be confirmed with a type it
  was not created for;
- `POST /v1/payment_intents/{id}/confirm` with `payment_method_data[type]` alipay or
  wechat_pay, authenticated by the secret key or (as Stripe.js does) by the publishable key
  and the intent's client secret, leaves the intent in `requires_action` with Stripe's
  `next_action`: `redirect_to_url` for Alipay (a `return_url` is required) and
  `wechat_pay_display_qr_code` for WeChat Pay (`data`, a PNG `image_data_url`);
- `/_wallets/{id}/authorize?client_secret=…` stands for the customer's wallet: the page Alipay
  redirects to, and what the WeChat QR code's `data` opens on the customer's phone. Its
  「确认付款」 succeeds the intent (a charge, the `payment_intent.succeeded` webhook), its
  「取消付款」 sends it back to `requires_payment_method`; for Alipay the customer then returns
  to `return_url?payment_intent=…&payment_intent_client_secret=…&redirect_status=…`;
- the Stripe.js stand-in gains `confirmAlipayPayment` (redirects) and
  `confirmWechatPayPayment` (with `{handleActions: false}`: returns the intent for the page to
  show its QR code, and shows a small localstripe panel that opens the "phone").

Run as `python -m demo.localstripe_wallets --port 8420` (bin/demo and the tests' localstripe
fixture do). Development tooling only: nothing in the site imports it.

localstripe itself keeps its objects in one file for every process on the machine
(/tmp/localstripe.pickle), rewritten whole after every POST: two servers at once (the
tests, a benchmark, the demo) overwrite each other's objects, and one starting while
another writes finds a truncated file and exits. Here a server keeps its objects in memory
unless `--state-file PATH` names a file of its own (bin/demo keeps the demo's in var/, so
a restarted demo still knows its payments), written to a temporary name and renamed.
"""

import argparse
import base64
import html
import io
import json
import os
import pickle
import re
import sys
import tempfile
from urllib.parse import urlencode, urlsplit, urlunsplit

import qrcode
from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, PaymentMethod, Store, StripeObject

WALLETS = ("alipay", "wechat_pay")
WALLET_NAMES = {"alipay": "支付宝 Alipay", "wechat_pay": "微信支付 WeChat Pay"}
CONFIRM_PATH = re.compile(r"^/v1/payment_intents/(pi_\w+)/confirm$")
AUTHORIZE_PATH = re.compile(r"^/_wallets/(pi_\w+)/authorize$")


# --- Resources -------------------------------------------------------------------------------

_payment_method_init = PaymentMethod.__init__


def _payment_method_init_with_wallets(self, type=None, **kwargs):  # noqa: A002  Stripe's name
    if type not in WALLETS:
        return _payment_method_init(self, type=type, **kwargs)
    details = kwargs.pop(type, None) or {}
    billing_details = kwargs.pop("billing_details", None)
    metadata = kwargs.pop("metadata", None)
    if kwargs or not isinstance(details, dict):
        raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    StripeObject.__init__(self)
    self.type = type
    setattr(self, type, {})
    self.billing_details = billing_details or {}
    self.customer = None
    self.metadata = metadata or {}
    return None


_payment_intent_init = PaymentIntent.__init__


def _payment_intent_init_with_types(self, payment_method_types=None, **kwargs):
    types = payment_method_types or ["card"]
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise UserError(400, "Bad request")
    _payment_intent_init(self, **kwargs)
    self.payment_method_types = types


PaymentMethod.__init__ = _payment_method_init_with_wallets
PaymentIntent.__init__ = _payment_intent_init_with_types


def _wallet_of(intent) -> str | None:
    if not intent.payment_method:
        return None
    method = PaymentMethod._api_retrieve(intent.payment_method)
    return method.type if method.type in WALLETS else None


def _qr_png_data_url(data: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(data, box_size=6, border=2).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _with_query(url: str, params: dict) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


def intent_confirm_with_wallet(*, intent, data: dict, base_url: str):
    """Confirm `intent` with an Alipay or WeChat Pay payment method, as Stripe does: it then
    waits (requires_action) for the customer's wallet."""
    method_data = data.get("payment_method_data") or {}
    method_id = data.get("payment_method")
    if method_data:
        method = PaymentMethod(**method_data)
    else:
        method = PaymentMethod._api_retrieve(method_id or intent.payment_method or "")
    if method.type not in WALLETS:
        raise UserError(400, "localstripe_wallets confirms alipay and wechat_pay only")
    allowed = getattr(intent, "payment_method_types", ["card"])
    if method.type not in allowed:
        raise UserError(
            400,
            f'The payment method type "{method.type}" is not in this PaymentIntent\'s '
            "payment_method_types.",
            {"code": "payment_intent_incompatible_payment_method"},
        )
    if intent.status not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise UserError(
            400,
            f"This PaymentIntent's status is {intent.status}: it cannot be confirmed.",
            {"code": "payment_intent_unexpected_state"},
        )
    authorize_url = f"{base_url}/_wallets/{intent.id}/authorize?" + urlencode(
        {"client_secret": intent.client_secret}
    )
    if method.type == "alipay":
        return_url = data.get("return_url")
        if not isinstance(return_url, str) or not return_url.startswith("http"):
            raise UserError(400, "A return_url is required to confirm with alipay.")
        next_action = {
            "type": "redirect_to_url",
            "redirect_to_url": {"url": authorize_url, "return_url": return_url},
        }
    else:
        options = (data.get("payment_method_options") or {}).get("wechat_pay") or {}
        if options.get("client") not in ("web", "ios", "android"):
            raise UserError(
                400, "payment_method_options[wechat_pay][client] is required for wechat_pay."
            )
        next_action = {
            "type": "wechat_pay_display_qr_code",
            "wechat_pay_display_qr_code": {
                "data": authorize_url,
                "image_data_url": _qr_png_data_url(authorize_url),
                "hosted_instructions_url": authorize_url,
            },
        }
    intent.payment_method = method.id
    intent.latest_charge = None  # Stripe takes another method after a failed one
    intent._authentication_failed = False
    intent.next_action = next_action
    intent._wallet_return_url = data.get("return_url")
    return intent


def intent_authorize(*, intent, approve: bool):
    """The customer approves (or declines) the payment in their wallet."""
    if intent.status != "requires_action" or _wallet_of(intent) is None:
        raise UserError(400, "This payment is not waiting for a wallet.")
    intent.next_action = None
    if approve:
        intent._create_charge(on_failure_now=intent._report_failure)
    else:
        intent._authentication_failed = True
        intent.payment_method = None
    return intent


# --- HTTP ------------------------------------------------------------------------------------


def _base_url(request) -> str:
    return f"{request.scheme}://{request.host}"


def _json(obj) -> web.Response:
    return web.json_response(obj._export(), dumps=lambda x: json.dumps(x, indent=2))


def _secret_key(request) -> bool:
    header = request.headers.get("Authorization", "").split(" ")
    if len(header) != 2:
        return False
    if header[0] == "Basic":
        key = base64.b64decode(header[1]).decode().split(":")[0]
    else:
        key = header[1]
    return key.startswith("sk_") and len(key) > 5


async def _post_data(request) -> dict:
    from localstripe.server import get_post_data

    return await get_post_data(request, remove_auth=False) or {}


async def _confirm(request, intent_id: str):
    """Confirm with a wallet; None for anything else (localstripe's own confirm takes it)."""
    data = await _post_data(request)
    intent = PaymentIntent._api_retrieve(intent_id)
    method_data = data.get("payment_method_data")
    method_id = data.get("payment_method")
    method = PaymentMethod._api_retrieve(method_id) if isinstance(method_id, str) else None
    wallet = (
        (isinstance(method_data, dict) and method_data.get("type") in WALLETS)
        or (method is not None and method.type in WALLETS)
        or (method is None and not method_data and _wallet_of(intent) is not None)
    )
    if not wallet:
        return None
    authenticated = _secret_key(request) or (
        str(data.get("key", "")).startswith("pk_")
        and data.get("client_secret") == intent.client_secret
    )
    if not authenticated:
        raise UserError(401, "Unauthorized")
    for field in ("key", "client_secret", "payment_user_agent", "referrer", "use_stripe_sdk"):
        data.pop(field, None)
    data.pop("expand", None)
    return _json(intent_confirm_with_wallet(intent=intent, data=data, base_url=_base_url(request)))


AUTHORIZE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{wallet}（localstripe）</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}}</style></head>
<body><h1>{wallet}</h1>
<p>localstripe：此页代表顾客手机上的{wallet}，用于演示和测试，不会真实扣款。</p>
<p id="amount">{amount} {currency}</p>
<p id="status">{status}</p>
{form}
</body></html>"""

AUTHORIZE_FORM = """<form method="post">
<input type="hidden" name="client_secret" value="{secret}">
<button type="submit" name="decision" value="approve" id="authorize">确认付款</button>
<button type="submit" name="decision" value="decline" id="decline">取消付款</button>
</form>"""


def _authorize_page(intent, status: str, *, form: bool) -> web.Response:
    wallet = _wallet_of(intent) or "wechat_pay"
    body = AUTHORIZE_PAGE.format(
        wallet=WALLET_NAMES.get(wallet, wallet),
        amount=f"{intent.amount / 100:.2f}",
        currency=html.escape(intent.currency.upper()),
        status=html.escape(status),
        form=AUTHORIZE_FORM.format(secret=html.escape(intent.client_secret)) if form else "",
    )
    return web.Response(text=body, content_type="text/html")


async def _authorize(request, intent_id: str):
    intent = PaymentIntent._api_retrieve(intent_id)
    if request.method == "GET":
        secret = request.query.get("client_secret", "")
    else:
        form = await request.post()
        secret = form.get("client_secret", "")
    if secret != intent.client_secret:
        raise UserError(401, "Unauthorized")
    waiting = intent.status == "requires_action" and _wallet_of(intent) is not None
    if request.method == "GET":
        if not waiting:
            return _authorize_page(intent, f"此付款已不在等待授权（{intent.status}）。", form=False)
        return _authorize_page(intent, "请确认付款。", form=True)
    wallet = _wallet_of(intent)
    return_url = getattr(intent, "_wallet_return_url", None)
    intent_authorize(intent=intent, approve=form.get("decision") == "approve")
    if wallet == "alipay" and return_url:
        location = _with_query(
            return_url,
            {
                "payment_intent": intent.id,
                "payment_intent_client_secret": intent.client_secret,
                "redirect_status": "succeeded" if intent.status == "succeeded" else "failed",
            },
        )
        raise web.HTTPFound(location)
    done = "付款成功，请回到下单页面。" if intent.status == "succeeded" else "已取消付款。"
    return _authorize_page(intent, done, form=False)


STRIPE_JS_WALLETS = r"""
// localstripe_wallets (the Dongxi demo's tooling): Alipay and WeChat Pay on the stand-in.
(function () {
  const base = LOCALSTRIPE_BASE_API;
  const standIn = Stripe;
  async function confirmWallet(apiKey, type, clientSecret, data) {
    const pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
    const body = {
      key: apiKey,
      client_secret: clientSecret,
      payment_method_data: {type: type, ...((data || {}).payment_method || {})},
    };
    if (data && data.return_url) { body.return_url = data.return_url; }
    if (data && data.payment_method_options) {
      body.payment_method_options = data.payment_method_options;
    }
    try {
      const response = await fetch(`${base}/v1/payment_intents/${pi}/confirm`, {
        method: "POST", body: JSON.stringify(body),
      });
      const res = await response.json().catch(() => ({}));
      if (response.status !== 200 || res.error) { return {error: res.error || {}}; }
      return {paymentIntent: res};
    } catch (err) {
      return {error: {message: String(err)}};
    }
  }
  function phonePanel(url) {
    let panel = document.getElementById("localstripe-wallet-phone");
    if (!panel) {
      panel = document.createElement("div");
      panel.id = "localstripe-wallet-phone";
      panel.setAttribute("style", "position:fixed;right:1rem;bottom:1rem;z-index:9999;" +
        "background:#fff;border:2px dashed #888;padding:.6rem;font:14px sans-serif");
      document.body.appendChild(panel);
    }
    panel.textContent = "localstripe：";
    const link = document.createElement("a");
    link.id = "localstripe-wechat-scan";
    link.href = url;
    link.target = "_blank";
    link.textContent = "模拟用手机微信扫码";
    panel.appendChild(link);
  }
  // The stand-in's card boxes are labelled with field names in English and take a two-digit
  // year in a box where "2030" reads as 20: label them in Chinese, say MM and YY, and stop
  // the year at two digits, as Stripe.js's own card element (locale zh) does.
  const CARD_LABELS = {
    number: "卡号", exp_month: "月 MM", exp_year: "年 YY", cvc: "安全码", postal_code: "邮编",
  };
  function cardRelabel(element) {
    const mount = element.mount.bind(element);
    element.mount = (domElement) => {
      mount(domElement);
      element._domChildren[0].textContent = "localstripe 测试卡：";
      Object.entries(element._inputs).forEach(([field, input]) => {
        input.name = field;
        input.placeholder = CARD_LABELS[field] || field;
        input.setAttribute("aria-label", CARD_LABELS[field] || field);
        if (field === "exp_month" || field === "exp_year") { input.maxLength = 2; }
        input.inputMode = "numeric";
      });
    };
    return element;
  }
  Stripe = (apiKey, options) => {
    const stripe = standIn(apiKey, options);
    const elements = stripe.elements;
    stripe.elements = (...args) => {
      const made = elements(...args);
      const create = made.create;
      made.create = (type, ...rest) => {
        const element = create(type, ...rest);
        return type === "card" ? cardRelabel(element) : element;
      };
      return made;
    };
    stripe.confirmAlipayPayment = async (clientSecret, data, options) => {
      console.log("localstripe: Stripe().confirmAlipayPayment()");
      const result = await confirmWallet(apiKey, "alipay", clientSecret, data);
      const action = result.paymentIntent && result.paymentIntent.next_action;
      if (result.error || (options && options.handleActions === false) || !action) {
        return result;
      }
      window.location.assign(action.redirect_to_url.url);
      return new Promise(() => {});  // the page is left, as with Stripe.js
    };
    stripe.confirmWechatPayPayment = async (clientSecret, data, options) => {
      console.log("localstripe: Stripe().confirmWechatPayPayment()");
      if (!options || options.handleActions !== false) {
        const message = "localstripe: confirmWechatPayPayment needs {handleActions: false}";
        return {error: {message: message}};
      }
      const result = await confirmWallet(apiKey, "wechat_pay", clientSecret, data);
      const action = result.paymentIntent && result.paymentIntent.next_action;
      if (action && action.wechat_pay_display_qr_code) {
        phonePanel(action.wechat_pay_display_qr_code.data);
      }
      return result;
    };
    return stripe;
  };
})();
"""


@web.middleware
async def wallets_middleware(request, handler):
    """Before localstripe's own authentication: Stripe.js confirms with the publishable key,
    and the wallet pages are the customer's, with no key at all."""
    if request.method == "POST" and (match := CONFIRM_PATH.match(request.path)):
        response = await _confirm(request, match.group(1))
        if response is not None:
            return response
    elif request.method in ("GET", "POST") and (match := AUTHORIZE_PATH.match(request.path)):
        return await _authorize(request, match.group(1))
    response = await handler(request)
    if request.path == "/js.stripe.com/v3/" and isinstance(response, web.Response):
        response.text = response.text + STRIPE_JS_WALLETS
    return response


def app_extend(app: web.Application) -> web.Application:
    # After localstripe's error middleware (which turns UserError into Stripe's error body),
    # before its authentication.
    app.middlewares.insert(1, wallets_middleware)
    return app


def store_persist(*, path: str | None) -> None:
    """Keep localstripe's objects in `path` (loaded at start, replaced atomically after each
    change), or only in memory when `path` is None."""

    def try_load_from_disk(store) -> None:
        if path is None:
            return
        try:
            with open(path, "rb") as file:
                saved = pickle.load(file)  # noqa: S301  our own server's file
        except FileNotFoundError:
            return
        store.clear()
        store.update(saved)

    def dump_to_disk(store) -> None:
        if path is None:
            return
        folder = os.path.dirname(os.path.abspath(path))
        with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False) as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)

    Store.try_load_from_disk = try_load_from_disk
    Store.dump_to_disk = dump_to_disk


def main() -> None:
    from localstripe import server

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--state-file", default=None)
    ours, rest = parser.parse_known_args()
    store_persist(path=ours.state_file)
    sys.argv = [sys.argv[0], *rest]  # localstripe's own options (--port, --from-scratch)
    app_extend(server.app)
    server.start()


if __name__ == "__main__":
    main()
