"""The repository stands alone: its docs are inside it, and every invariant that code or
tests cite by number is defined in docs/domain.md."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN = ROOT / "docs" / "domain.md"


SKIPPED = {".git", ".venv", "var", "node_modules", "static"}


def tracked_files() -> list[Path]:
    """The repository's own source and docs (not the virtualenv or generated files)."""
    return [
        path
        for path in ROOT.rglob("*")
        if path.suffix in {".py", ".md", ".html", ".txt", ".toml"}
        and not SKIPPED.intersection(path.relative_to(ROOT).parts)
    ]


def defined_invariants() -> set[int]:
    section = DOMAIN.read_text(encoding="utf-8").split("## Invariants", 1)[1]
    return {int(n) for n in re.findall(r"^(\d+)\. \*\*", section, flags=re.MULTILINE)}


def test_nothing_refers_to_a_file_outside_the_repository():
    # Written so that this file does not match itself, and a grep of the tree finds nothing.
    outside = re.compile(r"sh[a]red/|\.\./sh[a]red|DEMO-W[O]RLD")
    offenders = [
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if outside.search(path.read_text(encoding="utf-8", errors="ignore"))
    ]

    assert offenders == []


def test_every_cited_invariant_is_defined_in_the_domain_doc():
    cited = set()
    for path in tracked_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        cited |= {int(n) for n in re.findall(r"[Ii]nvariants? (\d+)", text)}
        cited |= {
            int(n) for pair in re.findall(r"[Ii]nvariants (\d+) and (\d+)", text) for n in pair
        }

    assert cited
    assert cited <= defined_invariants()


def test_each_invariant_names_a_test_file_that_exists():
    section = DOMAIN.read_text(encoding="utf-8").split("## Invariants", 1)[1]
    section = section.split("\n## ", 1)[0]
    named = set(re.findall(r"`(tests/[\w/]+\.py)", section))

    assert named
    assert [name for name in sorted(named) if not (ROOT / name).exists()] == []
