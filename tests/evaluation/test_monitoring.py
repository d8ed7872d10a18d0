"""What evaluators watch: slack after exit, supervision-target counties, anomalies, and the
public summary."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from evaluation.selectors import anomalies, public_summary, slack_flags, supervision_targets
from evaluation.services.locking import year_lock
from marketplace.users.roles import EVALUATOR
from tests.factories import CountyFactory, UserFactory
from tests.store_factories import cooperative_staff_create

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
    world["product"] = product_from(world["zhaojue"], price=Decimal("100.00"))
    return world


@override_settings(EVALUATION_SLACK_DECLINE_PERCENT=20)
def test_a_fall_beyond_the_slack_limit_after_exit_is_flagged(world):
    # Given ¥1,000 bought from an exited county in 2025 and ¥700 in 2026
    bought(world["product"], 10, year=2025)
    bought(world["product"], 7, year=2026)

    [row] = slack_flags(year=2026)

    assert (row["pairing"], row["last_year"], row["this_year"]) == (
        world["pairing"],
        Decimal("1000.00"),
        Decimal("700.00"),
    )
    assert row["decline_percent"] == Decimal("30.0") and row["flagged"]


@override_settings(EVALUATION_SLACK_DECLINE_PERCENT=20)
def test_a_small_fall_is_not_flagged(world):
    bought(world["product"], 10, year=2025)
    bought(world["product"], 9, year=2026)

    assert not slack_flags(year=2026)[0]["flagged"]


def test_counties_not_yet_exited_are_not_checked_for_slack(world):
    world["zhaojue"].exit_year = 2026
    world["zhaojue"].save()
    product = product_from(world["zhaojue"])  # facts keep the exit year of their time
    bought(product, 10, year=2025)
    bought(product, 1, year=2026)

    assert slack_flags(year=2026) == []


def test_supervision_targets_show_the_weakest_county_first(world):
    # Given two supervision-target counties, one growing and one falling
    butuo = CountyFactory(
        parent=world["liangshan"], name="布拖县", is_deep_poverty=True, is_supervision_target=True
    )
    AgreementFactory(pairing=world["pairing"], year=2026, target_bought=Decimal("5000.00"))
    bought(world["product"], 1, year=2025)
    bought(world["product"], 3, year=2026)
    falling = product_from(butuo)
    bought(falling, 10, year=2025)
    bought(falling, 2, year=2026)

    rows = supervision_targets(year=2026)

    assert [r["county"] for r in rows] == [butuo, world["zhaojue"]]
    # One sign convention with the slack table: a fall is a positive decline, growth negative
    assert rows[0]["decline_percent"] == Decimal("80.0")
    assert rows[1]["decline_percent"] == Decimal("-200.0")
    assert rows[0]["pairings"][0]["target"] == Decimal("5000.00")
    assert rows[0]["pairings"][0]["bought"] == Decimal("400.00")  # ¥300 + ¥100


def test_purchase_by_the_selling_cooperatives_own_staff_is_an_anomaly(world):
    staff = cooperative_staff_create(cooperative=world["product"].cooperative)
    own = bought(world["product"], 2, user=staff)
    bought(world["product"], 2)

    found = anomalies(year=2025)["own_cooperative"]

    assert [f.order for f in found] == [own]


def test_refund_after_lock_is_an_anomaly_of_the_year_it_adjusts(world):
    order = order_place(products=[(world["product"], 2)])
    order_settle(order=order, when=at(2025, 5, 1))
    year_lock(year=2025, evaluator=UserFactory(roles=[EVALUATOR]))

    order_refund(order=order, when=at(2026, 1, 2), lines=[(order.lines.get(), 1)])

    [refund] = anomalies(year=2026)["refunds_after_lock"]
    assert refund.order == order and refund.natural_year == 2025


@override_settings(EVALUATION_LARGE_ORDER_FACTOR=5)
def test_single_order_far_above_usual_near_year_end_is_flagged(world):
    for month in range(1, 11):
        bought(world["product"], 1, year=2025, month=month)
    big = bought(world["product"], 60, year=2025, month=12, day=28)
    bought(world["product"], 2, year=2025, month=12, day=1)

    [row] = anomalies(year=2025)["large_orders"]

    assert row["order_number"] == str(big.number) and row["total"] == Decimal("6000.00")


def test_public_summary_aggregates_counted_purchases(world):
    IndicatorFactory()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("100.00"))
    bought(world["product"], 3)
    bought(product_from(world["zhaojue"], state=None), 5)  # uncertified: not counted

    summary = public_summary(year=2025)

    assert summary["amount"] == Decimal("300.00")
    assert summary["priority_amount"] == Decimal("300.00")
    assert (summary["counties"], summary["cooperatives"], summary["orders"]) == (1, 1, 1)
    assert {g["label"]: g["pairings"] for g in summary["grades"]} == {
        "好": 1,
        "较好": 0,
        "一般": 0,
        "差": 0,
    }
    assert not summary["is_final"]
    assert summary["pairings"] == [
        {
            "pairing_id": world["pairing"].pk,
            "pairing": str(world["pairing"]),
            "kind": "东西部协作",
            "bought": Decimal("300.00"),
            "helped": Decimal("0.00"),
            "grade": "好",
            "grade_code": "good",
            "rank": 1,
        }
    ]


def test_public_summary_is_kept_until_the_years_data_changes(
    world, django_assert_num_queries, django_assert_max_num_queries
):
    # Given a summary read once (a scan of the year's facts)
    IndicatorFactory()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("100.00"))
    bought(world["product"], 1)
    assert public_summary(year=2025)["amount"] == Decimal("100.00")

    # When it is read again, then it comes from the cache
    with django_assert_num_queries(3):
        assert public_summary(year=2025)["amount"] == Decimal("100.00")

    # When another purchase settles, or the year is locked, then it shows at once
    # (three to see what changed, nine for the summary: the year's income minimum is one)
    bought(world["product"], 2)
    with django_assert_max_num_queries(12):
        assert public_summary(year=2025)["amount"] == Decimal("300.00")
    assert not public_summary(year=2025)["is_final"]
    year_lock(year=2025, evaluator=UserFactory(roles=[EVALUATOR]))
    assert public_summary(year=2025)["is_final"]


@override_settings(EVALUATION_SLACK_DECLINE_PERCENT=20)
def test_slack_compares_the_same_period_of_both_years_while_the_year_is_under_way(world):
    # Given ¥300 bought by 31 March of both years, and ¥700 more later in 2025
    bought(world["product"], 3, year=2025, month=3, day=1)
    bought(world["product"], 7, year=2025, month=9, day=1)
    bought(world["product"], 3, year=2026, month=3, day=1)

    # When evaluators look on 31 March 2026
    [row] = slack_flags(year=2026, today=datetime.date(2026, 3, 31))

    # Then spring is compared with spring: no fall, no false alarm
    assert (row["last_year"], row["this_year"]) == (Decimal("300.00"), Decimal("300.00"))
    assert row["decline_percent"] == Decimal("0.0") and not row["flagged"]
    # and once the year is over, whole years are compared (a fall is a positive percentage)
    [row] = slack_flags(year=2026, today=datetime.date(2027, 1, 5))
    assert row["decline_percent"] == Decimal("70.0") and row["flagged"]


def test_supervision_targets_compare_the_same_period_of_both_years(world):
    # Given ¥300 bought from a supervision-target county by 31 March of both years, and
    # ¥700 more later in 2025
    bought(world["product"], 3, year=2025, month=3, day=1)
    bought(world["product"], 7, year=2025, month=9, day=1)
    bought(world["product"], 3, year=2026, month=3, day=1)

    # When evaluators look on 31 March 2026, spring is compared with spring: no fall
    [row] = supervision_targets(year=2026, today=datetime.date(2026, 3, 31))
    assert (row["last_year"], row["this_year"]) == (Decimal("300.00"), Decimal("300.00"))
    assert row["decline_percent"] == Decimal("0.0")
    # and once the year is over, whole years: a fall of 70 %, shown as 70
    [row] = supervision_targets(year=2026, today=datetime.date(2027, 1, 5))
    assert row["decline_percent"] == Decimal("70.0")


def test_the_monitoring_page_labels_both_tables_as_a_decline(client, world):
    bought(world["product"], 10, year=2024)
    bought(world["product"], 5, year=2025)
    client.force_login(UserFactory(roles=[EVALUATOR]))

    page = client.get(reverse("evaluation:monitoring", args=[2025])).content.decode()

    assert page.count("下降（同比）") == 2 and "50.0%" in page and "-50.0%" not in page
