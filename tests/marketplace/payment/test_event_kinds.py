"""The payment event kinds ("paid", "refund") are spelled once, in
marketplace/payment/events.py: every other module imports PAID and REFUND. Invoice.State.PAID,
the ledger's and the facts' Kind.REFUND and Stripe's own statuses are other things and
may keep their strings; what is caught is a kind's string used as a PaymentEvent type
code: in a `…event_type__code` lookup, a PaymentEventType's `code`, a comparison with an
`event_type`'s code, or a module constant that is used so."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KINDS = {"paid", "refund"}
HOME = Path("marketplace/payment/events.py")
SKIP_PARTS = {".venv", "node_modules", "migrations", "tests", "__pycache__", ".git"}
TEMPLATE_CODE = re.compile(
    r"""event_type(?:__|\.)code\s*(?:==|!=)\s*["'](?:paid|refund)["']"""
    r"""|["'](?:paid|refund)["']\s*(?:==|!=)\s*[\w.]*event_type(?:__|\.)code"""
)


def _sources(suffix: str):
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        relative = path.relative_to(ROOT)
        if SKIP_PARTS.isdisjoint(relative.parts) and relative != HOME:
            yield relative, path.read_text(encoding="utf-8")


def _kind(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in KINDS


def _kinds_in(node) -> list:
    """The kind literals (or names) a lookup value holds: itself, or a tuple/list's items."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return list(node.elts)
    return [node]


def _is_code_lookup(keyword: str) -> bool:
    return re.search(r"event_type__code(__in|__exact)?$", keyword) is not None


def _mentions_event_type(node) -> bool:
    return "event_type" in ast.unparse(node) or re.search(r"\btype_code\b", ast.unparse(node))


def event_kind_literals(source: str) -> list[int]:
    """Line numbers where a kind's string is used as a PaymentEvent type code."""
    tree = ast.parse(source)
    # Module-level names bound to a kind's string, e.g. `PAID = "paid"`.
    bound: dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets[0]
            names = targets.elts if isinstance(targets, ast.Tuple) else [targets]
            values = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
            for name, value in zip(names, values, strict=False):
                if isinstance(name, ast.Name) and _kind(value):
                    bound[name.id] = value.lineno
    hits: set[int] = set()

    def used_as_code(node) -> None:
        for item in _kinds_in(node):
            if _kind(item):
                hits.add(item.lineno)
            elif isinstance(item, ast.Name) and item.id in bound:
                hits.add(bound[item.id])

    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and _is_code_lookup(node.arg):
            used_as_code(node.value)
        elif isinstance(node, ast.Call) and "PaymentEventType" in ast.unparse(node.func):
            for keyword in node.keywords:
                if keyword.arg == "code":
                    used_as_code(keyword.value)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_mentions_event_type(o) for o in operands):
                for operand in operands:
                    used_as_code(operand)
        elif isinstance(node, ast.Dict):
            # {PAID: …} keyed by kind, as a receiver maps codes to its own kinds.
            if any(isinstance(k, ast.Name) and k.id in bound for k in node.keys if k):
                for key in node.keys:
                    if key is not None:
                        used_as_code(key)
    return sorted(hits)


def test_no_event_kind_string_outside_events_module():
    found = []
    for relative, source in _sources(".py"):
        found += [f"{relative}:{line}" for line in event_kind_literals(source)]
    for relative, source in _sources(".html"):
        for number, text in enumerate(source.splitlines(), 1):
            if TEMPLATE_CODE.search(text):
                found.append(f"{relative}:{number}")
    assert found == [], "use marketplace.payment.events.PAID / REFUND instead"


@pytest.mark.parametrize(
    "source",
    [
        'PaymentEvent.objects.filter(order=o, event_type__code="paid")',
        'Q(event__event_type__code__in=("paid", "refund"))',
        'PaymentEventType.objects.get_or_create(code="refund", defaults={})',
        'ok = event.event_type.code == "refund"',
        'REFUND = "refund"\nx = lines.filter(payment_event__event_type__code=REFUND)',
        'PAID, REFUND = "paid", "refund"\nMAP = {PAID: 1, REFUND: 2}',
    ],
)
def test_the_check_catches_an_event_kind_written_out(source):
    assert event_kind_literals(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        'class State(TextChoices):\n    PAID = "paid", _("已付款")',
        'invoice.state = "paid"',
        'if stripe_invoice.get("status") != "paid": pass',
        'SETTLEMENT, REFUND = "settlement", "refund"\nentries.filter(kind=REFUND)',
        'facts.filter(kind="refund")',
        "from marketplace.payment.events import PAID\nf(event_type__code=PAID)",
    ],
)
def test_the_check_leaves_other_paid_and_refund_strings_alone(source):
    assert event_kind_literals(source) == []
