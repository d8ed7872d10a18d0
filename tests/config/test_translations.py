"""The English catalogue: complete, compiled, and consistent with the domain glossary."""

import gettext as stdlib_gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from producers.validators import validate_credit_code

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"


def po_entries() -> list[dict]:
    """Entries of the .po file as {flags, msgid, msgid_plural, msgstr: [..]}; header excluded."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": [], "msgstr": []}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            else:
                match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
                if match:
                    field, value = match[1], match[2]
                    if field.startswith("msgstr"):
                        entry["msgstr"].append(value)
                    else:
                        entry[field] = value
                else:  # continuation line of the previous field
                    value = re.match(r'^"(.*)"$', line)[1]
                    if field.startswith("msgstr"):
                        entry["msgstr"][-1] += value
                    else:
                        entry[field] += value
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("商城", "Store"),
        ("合作社", "Cooperative"),
        ("建档立卡户", "Registered poor household"),
        ("挂牌督战", "Supervision target"),
        ("深度贫困地区", "Deep-poverty area"),
        ("县扶贫办", "County poverty alleviation office"),
        ("东西部协作", "East–west cooperation"),
        ("定点帮扶", "Designated assistance"),
        ("扶贫产品认定", "Poverty-alleviation product certification"),
        ("利益联结方案", "Benefit-linkage scheme"),
    ],
)
def test_glossary_terms_read_in_english(msgid, english):
    with translation.override("en"):
        assert gettext(msgid) == english


def test_glossary_terms_stay_chinese_by_default():
    assert gettext("商城") == "商城"


def test_product_count_has_singular_and_plural_in_english():
    msgid = "共 <strong>%(num_results)s</strong> 件产品"

    with translation.override("en"):
        one = ngettext(msgid, msgid, 1) % {"num_results": 1}
        many = ngettext(msgid, msgid, 3) % {"num_results": 3}

    assert one == "<strong>1</strong> product"
    assert many == "<strong>3</strong> products"


def test_validation_message_is_translated_with_its_parameters():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("12345")

    with translation.override("en"):
        message = excinfo.value.messages[0]

    assert message == "A unified social credit code has 18 characters; this one has 5."


def test_every_entry_of_the_catalogue_is_translated():
    untranslated = [
        entry["msgid"] for entry in po_entries() if not entry["msgstr"] or not all(entry["msgstr"])
    ]

    assert untranslated == []


def test_no_entry_of_the_catalogue_is_fuzzy():
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")
    assert [entry["msgid"] for entry in po_entries() if "fuzzy" in entry["flags"]] == []


def test_catalogue_declares_english_and_its_plural_forms():
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n")[0]

    assert '"Language: en\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header


def test_python_format_placeholders_survive_translation():
    # Given every entry that formats named values
    for entry in po_entries():
        placeholders = set(re.findall(r"%\(\w+\)[sd]", entry["msgid"]))

        # Then each translation uses exactly the same placeholders
        for msgstr in entry["msgstr"]:
            assert set(re.findall(r"%\(\w+\)[sd]", msgstr)) == placeholders, entry["msgid"]


def test_compiled_catalogue_matches_the_po_file():
    # Given the compiled catalogue, read without Django
    with MO_FILE.open("rb") as mo:
        compiled = stdlib_gettext.GNUTranslations(mo)

    # Then every translation in the .po file is in it, unchanged
    stale = [
        entry["msgid"]
        for entry in po_entries()
        if "msgid_plural" not in entry
        and "msgctxt" not in entry
        and compiled.gettext(unescape(entry["msgid"])) != unescape(entry["msgstr"][0])
    ]
    assert stale == []
