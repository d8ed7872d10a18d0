"""Every CSV and XLSX export reads the same on every database: money always with two places
(a sum on SQLite once came out as 17.0700000000000 or 0E-13), kinds by their label in the
user's language (never a code such as produce_supply), dates local.

One small world, built the same way each time with fixed names and numbers, is exported by
each export the platform has with data in it: the household income CSVs (county and
cooperative balances, a household's statement, also in English), the evaluators' scorecard
table (CSV, XLSX), the county's own report (CSV, XLSX, also in English), an organisation's
purchase statement (XLSX) and a cooperative's orders in the store's dashboard (CSV). The
second test renders the same world on SQLite in a child pytest (tables from the models, no
migrations: a few seconds) and compares the CSV texts and the XLSX cells with those made on
PostgreSQL."""

import datetime
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from evaluation import county_exports, exports
from evaluation.models import Indicator
from evaluation.selectors.county import county_report
from evaluation.services.scoring import scorecards_refresh
from producers.income.balances import household_balances, household_statement
from producers.income.models import Payout
from producers.income.purchase_statement_documents import statement_xlsx
from producers.income.purchase_statements import purchase_statement
from producers.income.services.payouts import payout_record
from producers.income.views.exports import balances_csv, statement_csv
from producers.models import BenefitKind, Region
from tests.evaluation.factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CooperativeStaffFactory,
    HouseholdFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.store_factories import sales_channel_create

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
OUT = "DONGXI_EXPORTS_CLEAN_OUT"  # set for the child run: where to write what it rendered
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
RAW_CODES = ("produce_supply", "wage_labour", "dividend", "cooperative_retained", "payout")


def _named(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()
    return obj


def world_build() -> dict:
    """The same world on any database: every name and number that an export shows is fixed
    here, not drawn from a factory's sequence (which depends on the tests run before)."""
    world = east_west_world()
    canteen = OrganisationFactory(home_region=world["hangzhou"], name="杭州市机关食堂")
    zone = sales_channel_create(code="hz-zone", name="杭州消费帮扶专区", region=world["hangzhou"])
    AgreementFactory(pairing=world["pairing"], year=2025)
    IndicatorFactory(code="bought")
    IndicatorFactory(
        code="helped",
        name="帮助销售额",
        measure=Indicator.Measure.AMOUNT_HELPED,
        target_source=Indicator.TargetSource.AGREEMENT_HELPED,
    )
    IndicatorFactory(
        code="households",
        name="带动建档立卡户数",
        measure=Indicator.Measure.HOUSEHOLDS,
        target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
    )
    tea = product_from(world["zhaojue"], title="昭觉苦荞茶", price=Decimal("33.30"))
    pepper = product_from(world["zhaojue"], title="昭觉花椒", price=Decimal("25.55"))
    village = _named(tea.cooperative.village, name="解放村")
    _named(village.parent, name="解放乡")
    _named(tea.cooperative, legal_name="昭觉县苦荞种植专业合作社")
    _named(pepper.cooperative, legal_name="昭觉县花椒专业合作社")
    _named(pepper.cooperative.village, name="四开村")
    BenefitSchemeFactory(cooperative=tea.cooperative)
    households = []
    for number, share in enumerate(("1.00", "3.00"), start=1):
        household = HouseholdFactory(village=village, register_number=f"51343101010{number:05d}")
        BenefitLinkFactory(
            cooperative=tea.cooperative,
            household=household,
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
        households.append(household)
    holder = HouseholdFactory(village=village, register_number="513431010100009")
    BenefitLinkFactory(
        cooperative=tea.cooperative,
        household=holder,
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("1000.00"),
    )
    staff = CooperativeStaffFactory(cooperative=tea.cooperative, email="staff@dongxi.example")
    buyer = UserFactory(email="buyer@dongxi.example")

    def order(products, number, when, **kwargs):
        placed = order_place(products=products, **kwargs)
        placed = _named(placed, number=number, date_placed=when)
        order_settle(order=placed, when=when)
        return placed

    canteen_order = order([(tea, 3)], "DX-2025-0001", at(2025, 3, 10), organisation=canteen)
    order([(pepper, 2), (tea, 1)], "DX-2025-0002", at(2025, 6, 1), user=buyer, channel=zone)
    order([(tea, 1)], "DX-2024-0001", at(2024, 5, 2), organisation=canteen)
    order_refund(order=canteen_order, when=at(2025, 7, 2), lines=[(canteen_order.lines.get(), 1)])
    payout_record(
        cooperative=tea.cooperative,
        household=households[1],
        amount=Decimal("5.00"),
        paid_on=datetime.date(2025, 7, 20),
        method=Payout.Method.BANK,
        reference="=HYPERLINK(1)",
        actor=staff,
    )
    scorecards_refresh(year=2025)
    world.update(canteen=canteen, tea=tea, households=households, staff=staff)
    return world


def _csv(response_or_bytes) -> str:
    raw = getattr(response_or_bytes, "content", response_or_bytes)
    return raw.decode("utf-8")


def _cells(data: bytes) -> dict:
    """Every sheet's cells as (value, number format), in a form JSON keeps exactly."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [
            [[repr(cell.value), cell.number_format] for cell in row] for row in sheet.iter_rows()
        ]
        for sheet in book.worksheets
    }


def exports_render(world: dict) -> dict:
    """What each export gives for the world: CSV text, XLSX cells."""
    county, cooperative = world["zhaojue"], world["tea"].cooperative
    supplier = world["households"][1]
    rendered = {
        "county-balances.csv": _csv(
            balances_csv(rows=household_balances(county=county), filename="b.csv")
        ),
        "cooperative-balances.csv": _csv(
            balances_csv(rows=household_balances(cooperative=cooperative), filename="b.csv")
        ),
        "statement.csv": _csv(
            statement_csv(statement=household_statement(household=supplier), filename="s.csv")
        ),
        "scorecards.csv": _csv(exports.as_csv(year=2025)),
        "scorecards.xlsx": _cells(exports.as_xlsx(year=2025)),
        "county-report.csv": _csv(
            county_exports.as_csv(report=county_report(county=county, year=2025))
        ),
        "county-report.xlsx": _cells(
            county_exports.as_xlsx(report=county_report(county=county, year=2025))
        ),
        "purchase-statement.xlsx": _cells(
            statement_xlsx(
                statement=purchase_statement(
                    organisation=world["canteen"],
                    start=datetime.date(2025, 1, 1),
                    end=datetime.date(2025, 12, 31),
                )
            )
        ),
    }
    client = Client()
    client.force_login(world["staff"])
    # The cooperative's own orders in the store's dashboard (Oscar's CSV, the cooperative's
    # own subtotal summed from its lines)
    rendered["dashboard-orders.csv"] = _csv(
        client.get(reverse("dashboard:order-list"), {"response_format": "csv"})
    )
    with translation.override("en"):
        rendered["statement-en.csv"] = _csv(
            statement_csv(statement=household_statement(household=supplier), filename="s.csv")
        )
        rendered["county-report-en.csv"] = _csv(
            county_exports.as_csv(report=county_report(county=county, year=2025))
        )
    return rendered


def test_exports_show_money_with_two_places_and_kinds_by_their_labels():
    rendered = exports_render(world_build())

    for name, text in rendered.items():
        if not name.endswith(".csv"):
            continue
        # no amount with more than two places, no exponent, no raw code
        assert not re.search(r"\d\.\d{3,}", text), name
        assert not re.search(r"\dE[-+]?\d", text), name
        assert not any(re.search(rf"\b{code}\b", text) for code in RAW_CODES), name
        assert "-0.00" not in text, name
    statement = rendered["statement.csv"]
    # 3 × ¥33.30 to the canteen, 30% to producers, the supplier with share 3 of 4: ¥22.48;
    # the canteen's refund of one unit takes back ¥7.49; the payout of ¥5.00
    assert "2025-03-10,DX-2025-0001,昭觉苦荞茶,昭觉县苦荞种植专业合作社,产品收购,22.48" in statement
    assert ",退款冲减：产品收购,-7.49" in statement
    assert "2025-07-20,'=HYPERLINK(1),银行转账,昭觉县苦荞种植专业合作社,兑付,-5.00" in statement
    english = rendered["statement-en.csv"]
    with translation.override("en"):
        label = str(BenefitKind.PRODUCE_SUPPLY.label)
    assert f",{label},22.48" in english
    balances = rendered["county-balances.csv"].splitlines()
    assert balances[0].endswith("逾期未付（元）")
    assert all(re.search(r",-?\d+\.\d\d$", row) for row in balances[1:])
    assert rendered["county-report.csv"].startswith("\ufeff昭觉县2025年度消费帮扶情况报表")
    orders = rendered["dashboard-orders.csv"]
    assert "DX-2025-0002,33.30," in orders  # the tea's line only, not the pepper's


def test_run_on_another_database_for_the_comparison():
    """Not a test of its own: the child run of the next test, on SQLite."""
    out = os.environ.get(OUT)
    if not out:
        pytest.skip("run by test_every_export_is_the_same_on_sqlite_and_postgresql")
    Path(out).write_text(json.dumps(exports_render(world_build()), ensure_ascii=False))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="compares PostgreSQL's exports with SQLite's")
def test_every_export_is_the_same_on_sqlite_and_postgresql(tmp_path):
    here = exports_render(world_build())
    out = tmp_path / "sqlite.json"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'exports.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        OUT: str(out),
    }
    child = subprocess.run(  # noqa: S603  this file, run by this interpreter
        [
            sys.executable,
            "-m",
            "pytest",
            f"{__file__}::test_run_on_another_database_for_the_comparison",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",
            "--create-db",
            "--nomigrations",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-3000:]
    there = json.loads(out.read_text())

    assert there.keys() == here.keys()
    for name in here:
        assert there[name] == here[name], name
    assert Region.objects.exists()  # the comparison ran on this database's world too
