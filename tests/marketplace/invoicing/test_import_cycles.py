"""The invoicing app builds on the payment (it sends and settles invoices through Stripe),
never the other way round: the payment's webhooks hand `invoice.paid` to a handler the
invoicing app registers. Inside invoicing, tasks import services, never back (services
enqueue tasks by name). Imports inside functions count too."""

import ast
from pathlib import Path

from tests.marketplace.payment.test_import_cycles import _cycle_from, _imports

ROOT = Path(__file__).resolve().parents[3]


def _modules(app: Path) -> dict[str, Path]:
    modules = {}
    for path in app.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def test_no_import_cycle_in_the_invoicing_app():
    modules = _modules(ROOT / "marketplace" / "invoicing")
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycles = [cycle for name in graph if (cycle := _cycle_from(name, graph))]
    assert cycles == []


def test_the_payment_app_never_imports_invoicing():
    found = []
    for name, path in _modules(ROOT / "marketplace" / "payment").items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level:
                sources = [node.module or ""]
            elif isinstance(node, ast.Import):
                sources = [alias.name for alias in node.names]
            else:
                continue
            found += [
                f"{name} imports {source}"
                for source in sources
                if source.startswith("marketplace.invoicing")
            ]
    assert found == []
