"""The payment app's modules import one another in one direction only (tasks → services →
settlement; checkout never imports refunds): no cycle, counting imports inside functions
too, and no module imports another's private names."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "marketplace" / "payment"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(name: str, path: Path, modules) -> list[tuple[str, str]]:
    """(module imported, name imported) for every import of this app's modules."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(parts + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    found.append((submodule, ""))
                elif source in modules:
                    found.append((source, alias.name))
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name in modules]
    return [(module, imported) for module, imported in found if module != name]


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle_from(start: str, graph) -> list[str] | None:
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for module, _name in graph[node]:
            if module == start:
                return [*path, start]
            if module not in seen:
                seen.add(module)
                stack.append((module, [*path, module]))
    return None


def test_no_import_cycle_in_the_payment_app():
    graph = _graph()
    cycles = [cycle for name in graph if (cycle := _cycle_from(name, graph))]
    assert cycles == []


def test_no_module_imports_anothers_private_names():
    private = [
        f"{name} imports {module}.{imported}"
        for name, imports in _graph().items()
        for module, imported in imports
        if imported.startswith("_")
    ]
    assert private == []


def test_the_check_sees_a_cycle():
    graph = {"a": [("b", "")], "b": [("c", "f")], "c": [("a", "")]}
    assert _cycle_from("a", graph) == ["a", "b", "c", "a"]
