"""The layer contracts (pyproject.toml [tool.importlinter], run by `make lint`) fail on an
upward import: each case plants one in a copy of the tree and runs lint-imports on it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The apps' Python files and the contracts, copied."""
    copy = tmp_path_factory.mktemp("tree")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for package in config["root_packages"]:
        shutil.copytree(
            ROOT / package,
            copy / package,
            ignore=lambda folder, names: [
                n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", copy)
    return copy


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  our own venv's script, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("marketplace/search/planted.py", "evaluation.models"),
        ("marketplace/invoicing/planted.py", "producers.income.models"),
        ("producers/models/planted.py", "marketplace.organisations.models"),
        ("producers/services/planted.py", "producers.income.selectors"),
        ("producers/income/planted.py", "evaluation.models"),
        ("evaluation/planted.py", "cms.models"),
        ("core/planted.py", "producers.models"),
        ("cms/planted.py", "demo.cms"),
    ],
)
def test_an_upward_import_breaks_the_layers_contract(tree, module, imported):
    planted = tree / module
    planted.write_text(f"import {imported}\n")
    try:
        result = lint_imports(tree)
    finally:
        planted.unlink()

    importer = module.removesuffix(".py").replace("/", ".")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"- {importer} -> {imported} (l.1)" in result.stdout
    assert "Layers: config | demo > cms > evaluation" in result.stdout


def test_a_new_module_of_producers_must_be_placed_in_a_layer(tree):
    planted = tree / "producers" / "planted.py"
    planted.write_text("")
    try:
        result = lint_imports(tree)
    finally:
        planted.unlink()

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Every module of producers is placed" in result.stdout
    assert "producers.planted" in result.stdout
