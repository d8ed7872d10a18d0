"""One term per concept in the Chinese interface (docs/glossary.md)."""

import gettext
import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.config.test_docs import tracked_files

ROOT = Path(__file__).resolve().parents[2]
REJECTED = re.compile("购物篮|登陆|帐户|愿望清单")


PO_FILE = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"


def catalogue():
    with PO_FILE.open("rb") as po:
        return [message for message in read_po(po) if message.id]


def translations(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_chinese_catalogue_uses_one_term_per_concept():
    offenders = [
        message.id
        for message in catalogue()
        if any(REJECTED.search(text or "") for text in translations(message))
    ]

    assert offenders == []


def test_templates_and_code_use_one_term_per_concept():
    offenders = [
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if path.name not in {"glossary.md", "test_glossary.py"}
        and REJECTED.search(path.read_text(encoding="utf-8", errors="ignore"))
    ]

    assert offenders == []


def test_the_chinese_catalogue_is_compiled():
    with PO_FILE.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        message.id
        for message in catalogue()
        if not message.context
        and isinstance(message.id, str)
        and compiled.gettext(message.id) != message.string
    ]

    assert stale == []
