"""A county office's own report: its county's sales of a year by pairing (purchase and
help-sell apart), by buyer region and by month against last year, certified products sold
and households reached; the same numbers the evaluators see for that county, exported as
CSV, XLSX and PDF. Other counties' reports are not found. Orders are placed, paid and
refunded through the store's payment events."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import county_exports
from evaluation.models import Indicator, PurchaseFact, ScorecardItem
from evaluation.selectors import scorecard_item_facts
from evaluation.selectors.county import county_report
from evaluation.services.scoring import scorecards_refresh
from marketplace.users import roles
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CountyFactory,
    HouseholdFactory,
    OrganisationFactory,
    PairingFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import county_officer_create, sales_channel_create

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    zhaojue, hangzhou = world["zhaojue"], world["hangzhou"]
    world["canteen"] = OrganisationFactory(home_region=hangzhou, name="杭州市机关食堂")
    world["zone"] = sales_channel_create(code="hz-zone", name="杭州消费帮扶专区", region=hangzhou)
    AgreementFactory(pairing=world["pairing"], year=2025)
    AgreementFactory(pairing=world["pairing"], year=2024)
    for year, minimum in ((2024, "15.00"), (2025, "10.00")):
        IndicatorFactory(year=year, code="bought")
        IndicatorFactory(
            year=year,
            code="households",
            name="带动建档立卡户数",
            measure=Indicator.Measure.HOUSEHOLDS,
            target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
            income_minimum=Decimal(minimum),
        )
        IndicatorFactory(
            year=year,
            code="helped",
            name="帮助销售额",
            measure=Indicator.Measure.AMOUNT_HELPED,
            target_source=Indicator.TargetSource.AGREEMENT_HELPED,
        )
    tea = product_from(zhaojue, title="昭觉苦荞茶", price=Decimal("40.00"))
    pepper = product_from(zhaojue, title="昭觉花椒", price=Decimal("25.50"))
    uncertified = product_from(zhaojue, title="昭觉土豆", price=Decimal("10.00"), state=None)
    village = VillageFactory(parent=TownshipFactory(parent=zhaojue))
    BenefitSchemeFactory(cooperative=tea.cooperative)
    for size in (4, 3):
        BenefitLinkFactory(
            cooperative=tea.cooperative,
            household=HouseholdFactory(village=village, size=size),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )
    # Another county of the same province, whose sales are not Zhaojue's
    butuo = CountyFactory(name="布拖县", parent=world["liangshan"], code="513429")
    world.update(tea=tea, pepper=pepper, uncertified=uncertified, butuo=butuo)
    world["butuo_tea"] = product_from(butuo, title="布拖苦荞", price=Decimal("99.00"))
    return world


def _sales(world):
    """2024: ¥80.00 bought in March (¥12.00 to each supplying household: under that
    year's minimum of ¥15.00). 2025: ¥160.00 bought (the canteen, March), ¥76.50
    helped (a stranger in the Hangzhou zone, June), ¥40.00 of the purchase refunded
    (July), ¥10.00 of an uncertified product; ¥99.00 of Butuo's."""
    bought(world["tea"], 2, year=2024, month=3, organisation=world["canteen"])
    order = order_place(products=[(world["tea"], 4)], organisation=world["canteen"])
    order_settle(order=order, when=at(2025, 3))
    bought(world["pepper"], 3, month=6, user=UserFactory(), channel=world["zone"])
    order_refund(order=order, when=at(2025, 7), lines=[(order.lines.get(), 1)])
    bought(world["uncertified"], 1, organisation=world["canteen"])
    bought(world["butuo_tea"], 1, organisation=world["canteen"])
    scorecards_refresh(year=2024)
    scorecards_refresh(year=2025)


def test_the_report_adds_up_the_countys_sales_by_pairing_region_and_month(world):
    _sales(world)

    report = county_report(county=world["zhaojue"], year=2025)

    this, last = report.this, report.last
    assert (this.total, this.bought, this.helped) == (
        Decimal("196.50"),
        Decimal("120.00"),
        Decimal("76.50"),
    )
    assert this.not_counted == Decimal("10.00")  # the uncertified product, shown apart
    assert this.products == 2 and last.products == 1
    # The tea's two supplying households get 30% of the ¥120.00 kept, ¥18.00 each: over
    # 2025's minimum of ¥10.00, so driven with their 4 + 3 registered members; in 2024
    # their ¥12.00 each is under that year's ¥15.00
    assert (this.households, this.people, this.minimum) == (2, 7, Decimal("10.00"))
    assert (last.households, last.people) == (0, 0)
    assert last.total == Decimal("80.00")
    assert report.changes()["total"] == Decimal("145.6")  # 196.50 against 80.00
    [pairing] = report.pairings
    assert pairing["pairing"] == world["pairing"]
    assert (pairing["bought"], pairing["helped"], pairing["last_bought"]) == (
        Decimal("120.00"),
        Decimal("76.50"),
        Decimal("80.00"),
    )
    by_month = {m["month"]: m for m in report.months}
    assert by_month[3]["bought"] == Decimal("160.00")
    assert by_month[3]["last_total"] == Decimal("80.00")
    assert by_month[3]["change"] == Decimal("100.0")
    assert by_month[6]["helped"] == Decimal("76.50") and by_month[6]["change"] is None
    assert by_month[7]["total"] == Decimal("-40.00")  # the refund, in the month it was made
    regions = {r["region"]: r for r in report.regions}
    assert regions[world["hangzhou"]]["bought"] == Decimal("120.00")


def test_the_county_figures_are_the_countys_part_of_the_evaluators_drill_downs(world):
    """ "The same numbers the evaluators see": for each pairing, the report's purchase
    (help-sell) is the sum of the facts of this county listed under the pairing's purchase
    (help-sell) figure of all origins; and the county's total is each counted fact of its
    products once."""
    _sales(world)
    report = county_report(county=world["zhaojue"], year=2025)

    for row in report.pairings:
        items = ScorecardItem.objects.filter(
            scorecard__pairing=row["pairing"], scorecard__year=2025
        ).select_related("indicator", "scorecard")
        seen = {}
        for item in items:
            if item.indicator.measure not in Indicator.MONEY_MEASURES:
                continue
            facts = list(scorecard_item_facts(item=item))
            assert sum((f.amount for f in facts), Decimal("0")) == item.value  # the figure
            seen[item.indicator.measure] = sum(
                (f.amount for f in facts if f.origin_county_id == world["zhaojue"].pk),
                Decimal("0"),
            )
        assert seen[Indicator.Measure.AMOUNT_BOUGHT] == row["bought"]
        assert seen[Indicator.Measure.AMOUNT_HELPED] == row["helped"]
        # One pairing buys from this county alone here: its households are the county's
        households = items.get(indicator__measure=Indicator.Measure.HOUSEHOLDS)
        assert households.value == report.this.households
    counted = PurchaseFact.objects.filter(origin_county=world["zhaojue"], year=2025, counts=True)
    assert report.this.total == sum((f.amount for f in counted), Decimal("0"))


@pytest.fixture
def officer(world):
    return county_officer_create(county=world["zhaojue"])


def test_an_officer_opens_the_report_from_the_workspace_and_sees_the_figures(
    client, world, officer
):
    _sales(world)
    client.force_login(officer)

    home = client.get(reverse("producers:county-home"))
    assert reverse("evaluation:county-reports") in home.content.decode()
    this_year = timezone.localdate().year
    landing = client.get(reverse("evaluation:county-reports"))
    assert landing["Location"] == reverse(
        "evaluation:county-report", args=[world["zhaojue"].pk, this_year]
    )
    response = client.get(reverse("evaluation:county-report", args=[world["zhaojue"].pk, 2025]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "¥196.50" in page and "¥76.50" in page and "145.6%" in page
    assert "-¥40.00" in page  # July's refund


def test_another_countys_report_and_exports_are_not_found_for_an_officer(client, world, officer):
    client.force_login(officer)
    other = world["butuo"].pk

    assert client.get(reverse("evaluation:county-report", args=[other, 2025])).status_code == 404
    for fmt in ("csv", "xlsx", "pdf"):
        url = reverse("evaluation:county-report-export", args=[other, 2025, fmt])
        assert client.get(url).status_code == 404
    own = reverse("evaluation:county-report", args=[world["zhaojue"].pk, 2025])
    assert client.get(own).status_code == 200


def test_an_evaluator_may_open_any_countys_report_and_others_may_not(client, world):
    _sales(world)
    evaluator = UserFactory(roles=[roles.EVALUATOR])
    client.force_login(evaluator)

    index = client.get(reverse("evaluation:county-reports")).content.decode()
    this_year = timezone.localdate().year
    assert reverse("evaluation:county-report", args=[world["butuo"].pk, this_year]) in index
    url = reverse("evaluation:county-report", args=[world["butuo"].pk, 2025])
    assert "¥99.00" in client.get(url).content.decode()
    # not a county: not found
    province = reverse("evaluation:county-report", args=[world["sichuan"].pk, 2025])
    assert client.get(province).status_code == 404

    client.force_login(UserFactory(roles=[roles.CONSUMER]))
    assert client.get(url).status_code == 403


def test_the_exports_read_as_filed_money_with_two_places_counts_whole(client, world, officer):
    from openpyxl import load_workbook
    from pdfminer.high_level import extract_text

    _sales(world)
    client.force_login(officer)
    county = world["zhaojue"].pk

    def get(fmt):
        response = client.get(reverse("evaluation:county-report-export", args=[county, 2025, fmt]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        return response.content

    rows = list(csv.reader(io.StringIO(get("csv").decode("utf-8-sig"))))
    assert rows[0] == ["昭觉县2025年度消费帮扶情况报表"]
    summary = {row[0]: row[1:] for row in rows if row}
    assert summary["销售额（计入考核）"] == ["196.50", "80.00", "145.6"]
    assert summary["销售认定扶贫产品种数"] == ["2", "1", "100.0"]
    assert summary["带动建档立卡户数"] == ["2", "0", ""]  # no base last year: no change
    assert summary["带动贫困人口"][0] == "7"
    assert summary["带动收入门槛（元/户/年）"][:2] == ["10.00", "15.00"]
    assert summary["7月"][:3] == ["-40.00", "0.00", "-40.00"]  # the refund, of a purchase
    assert ["二、按结对关系"] in rows
    pairing_header = rows[rows.index(["二、按结对关系"]) + 1]
    assert pairing_header[2] == "采购额（元）"

    book = load_workbook(io.BytesIO(get("xlsx")))
    summary_sheet = book.worksheets[0]
    money = summary_sheet.cell(row=4, column=2)
    assert money.value == Decimal("196.50") or money.value == 196.5
    assert money.number_format == '"¥"#,##0.00'
    cells = {row[0].value: row[1] for row in summary_sheet.iter_rows(min_row=4)}
    assert cells["销售认定扶贫产品种数"].value == 2
    assert cells["销售认定扶贫产品种数"].number_format == "#,##0"

    text = extract_text(io.BytesIO(get("pdf")))
    lines = [line.strip() for line in text.splitlines()]
    assert "¥196.50" in lines and "-¥40.00" in lines and "+145.6%" in lines
    assert "上年帮助销售额" in text.split()  # headers fit their columns where there is room
    assert "昭觉县2025年度消费帮扶情况报表" in text


def test_the_report_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    _sales(world)
    for month in (8, 9, 10):
        bought(world["pepper"], 1, month=month, user=UserFactory(), channel=world["zone"])

    with django_assert_max_num_queries(8):
        report = county_report(county=world["zhaojue"], year=2025)
        county_exports.sections(report)


def test_a_confirmed_off_platform_sale_counts_in_the_report_marked_as_such(
    client, world, officer, django_capture_on_commit_callbacks
):
    from evaluation.models import OffPlatformSale
    from evaluation.services.offplatform import offplatform_sale_confirm, offplatform_sale_record
    from tests.store_factories import cooperative_staff_create

    from .offplatform_helpers import organisation_admin, pdf

    _sales(world)
    _organisation, recorder = organisation_admin(organisation=world["canteen"])

    def record(amount):
        return offplatform_sale_record(
            actor=recorder,
            organisation=world["canteen"],
            cooperative=world["tea"].cooperative,
            channel_kind=OffPlatformSale.ChannelKind.FAIR,
            sold_on=datetime.date(2025, 9, 20),
            amount=amount,
            lines=[(world["tea"], 25)],
            evidence=[pdf()],
            corrects=None,
        )

    record("300.00")  # never confirmed: never counted
    sale = record("1000.00")
    with django_capture_on_commit_callbacks(execute=True):
        offplatform_sale_confirm(
            sale=sale, actor=cooperative_staff_create(cooperative=world["tea"].cooperative)
        )

    report = county_report(county=world["zhaojue"], year=2025)

    assert report.shows_offplatform
    assert report.this.offplatform == Decimal("1000.00")
    assert report.this.total == Decimal("1196.50")
    assert report.this.helped == Decimal("1076.50")
    assert {m["month"]: m["helped"] for m in report.months}[9] == Decimal("1000.00")
    assert report.this.households == 2  # a sale off the platform enters no income ledger
    client.force_login(officer)
    url = reverse("evaluation:county-report-export", args=[world["zhaojue"].pk, 2025, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    summary = {row[0]: row[1:] for row in rows if row}
    assert summary["其中：线下销售（已确认）"][0] == "1000.00"


def _county_report_links(page: str) -> set[tuple[int, int]]:
    """(county id, year) of every link to a county's report (or its exports) on a page."""
    prefix = reverse("evaluation:county-report", args=[1, 2000]).split("/1/2000/")[0]
    return {
        (int(county), int(year))
        for county, year in re.findall(re.escape(prefix) + r"/(\d+)/(\d+)/", page)
    }


def test_evaluators_reach_a_countys_report_for_the_year_from_where_they_see_the_county(
    client, world
):
    _sales(world)
    client.force_login(UserFactory(roles=[roles.EVALUATOR]))
    zhaojue, butuo = world["zhaojue"].pk, world["butuo"].pk

    # The supervision-target counties of the monitoring page (Zhaojue is one)
    monitoring = client.get(reverse("evaluation:monitoring", args=[2025])).content.decode()
    assert (zhaojue, 2025) in _county_report_links(monitoring)
    # The drill-down of a figure: each fact's county of origin
    item = ScorecardItem.objects.get(
        scorecard__pairing=world["pairing"], scorecard__year=2025, indicator__code="bought"
    )
    facts = client.get(reverse("evaluation:item-facts", args=[item.pk])).content.decode()
    assert {(zhaojue, 2025), (butuo, 2025)} <= _county_report_links(facts)
    # Every evaluation screen's tabs lead to the list of counties
    assert reverse("evaluation:county-reports") in monitoring
    # A pairing of a whole province names no county on its scorecard
    url = reverse("evaluation:scorecard", args=[2025, world["pairing"].pk])
    assert _county_report_links(client.get(url).content.decode()) == set()


def test_a_county_pairings_scorecard_links_to_that_countys_report(client, world):
    pairing = PairingFactory(
        east_region=world["hangzhou"], west_region=world["zhaojue"], start_year=2020
    )
    AgreementFactory(pairing=pairing, year=2025)
    scorecards_refresh(year=2025)
    client.force_login(UserFactory(roles=[roles.EVALUATOR]))

    page = client.get(reverse("evaluation:scorecard", args=[2025, pairing.pk])).content.decode()

    assert _county_report_links(page) == {(world["zhaojue"].pk, 2025)}


def test_a_county_officers_screens_link_to_their_own_countys_report_only(client, world, officer):
    _sales(world)
    client.force_login(officer)
    own = world["zhaojue"].pk

    pages = [
        client.get(reverse("producers:county-home")),
        client.get(reverse("evaluation:county-report", args=[own, 2025])),
        client.get(reverse("evaluation:county-report", args=[own, 2024])),
    ]

    assert all(page.status_code == 200 for page in pages)
    links = set().union(*(_county_report_links(page.content.decode()) for page in pages))
    assert links and {county for county, _year in links} == {own}
    # The evaluators' screens that name other counties stay closed to them
    assert client.get(reverse("evaluation:monitoring", args=[2025])).status_code == 403
    item = ScorecardItem.objects.filter(scorecard__year=2025).first()
    assert client.get(reverse("evaluation:item-facts", args=[item.pk])).status_code == 403
