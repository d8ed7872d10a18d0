"""One log line per request and per task, for operators: what ran, how it ended, how long it
took, and the ids of the order or payment it concerned. Never personal data: no query strings,
no form data, no names, no task arguments but ids (tasks take ids only, see architecture.md)."""

import logging
import re
import time

request_logger = logging.getLogger("dongxi.request")
task_logger = logging.getLogger("dongxi.task")

# URL arguments that are ids; anything else (tokens, slugs, free text) stays out of the log.
_ID_VALUE = re.compile(r"^[\w-]{1,40}$")
_ID_NAMES = re.compile(r"^(pk|number|order_number|year|\w+_id|\w+_pk)$")
# Stripe's ids of PaymentIntents, as the return from Stripe carries them.
_PAYMENT_INTENT = re.compile(r"^pi_\w{1,64}$")


def request_fields(request, response) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)
    fields: dict[str, object] = {
        "method": request.method,
        "path": request.path,  # never the query string: searches and tokens live there
        "view": (match.view_name if match else "-"),
        "status": response.status_code,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        fields["user"] = user.pk
    if match:
        for name, value in sorted(match.kwargs.items()):
            if _ID_NAMES.match(name) and _ID_VALUE.match(str(value)):
                fields[name] = value
    intent = request.GET.get("payment_intent", "")
    if _PAYMENT_INTENT.match(intent):
        fields["payment_intent"] = intent
    session = getattr(request, "session", None)
    if session is not None and match and match.url_name == "stripe-return":
        order_id = session.get("checkout_order_id")
        if order_id is not None:
            fields["order_id"] = order_id
    return fields


def line(fields: dict[str, object]) -> str:
    return " ".join(f"{key}={value}" for key, value in fields.items())


class RequestLogMiddleware:
    """First in MIDDLEWARE, so the time is the whole request's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        fields = request_fields(request, response)
        fields["ms"] = round((time.perf_counter() - started) * 1000)
        request_logger.info("request %s", line(fields))
        return response


_started: dict[str, float] = {}


def _id_arguments(args, kwargs) -> dict[str, object]:
    """Positional and keyword arguments that are ids (ints or short tokens such as Stripe's
    event ids); a dict or free text is left out whatever it holds."""
    fields: dict[str, object] = {}
    for n, value in enumerate(args or ()):
        if isinstance(value, int) or (isinstance(value, str) and _ID_VALUE.match(value)):
            fields[f"arg{n}"] = value
    for name, value in sorted((kwargs or {}).items()):
        if isinstance(value, int) and not isinstance(value, bool):
            fields[name] = value
    return fields


def on_task_prerun(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


def on_task_postrun(task_id=None, task=None, args=None, kwargs=None, state=None, **extra):
    started = _started.pop(task_id, None)
    fields: dict[str, object] = {"task": task.name, "id": task_id, "state": state}
    fields.update(_id_arguments(args, kwargs))
    if started is not None:
        fields["ms"] = round((time.perf_counter() - started) * 1000)
    level = logging.INFO if state in ("SUCCESS", "RETRY") else logging.WARNING
    task_logger.log(level, "task %s", line(fields))
