"""Evaluator screens: the pairing table, drill-down to facts and orders, exports, locking;
evaluators read but do not change transactions (invariant 6)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from evaluation.models import EvaluationYear, Pairing, PurchaseFact, Scorecard
from marketplace.users.roles import CONSUMER, EVALUATOR
from tests.factories import CountyFactory, PairingFactory, UserFactory

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from

pytestmark = pytest.mark.django_db
Order = get_model("order", "Order")


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    world["indicator"] = IndicatorFactory(name="采购额")
    world["product"] = product_from(world["zhaojue"], price=Decimal("100.00"))
    return world


@pytest.fixture
def evaluator(client):
    user = UserFactory(roles=[EVALUATOR])
    client.force_login(user)
    return user


def more_pairings(world, n: int) -> None:
    for _ in range(n):
        pairing = PairingFactory(east_region=world["zhejiang"], end_year=None)
        AgreementFactory(pairing=pairing, year=2025)
        bought(product_from(pairing.west_region), 2)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("evaluation:table"))

    assert response.status_code == 302 and "login" in response.url


def test_other_roles_are_refused(client, world):
    client.force_login(UserFactory(roles=[CONSUMER]))

    assert client.get(reverse("evaluation:table-year", args=[2025])).status_code == 403
    assert client.get(reverse("evaluation:export", args=[2025, "csv"])).status_code == 403


def test_evaluator_sees_value_target_score_grade_and_rank(client, world, evaluator):
    bought(world["product"], 8)

    response = client.get(reverse("evaluation:table-year", args=[2025]))

    content = response.content.decode()
    assert response.status_code == 200
    assert str(world["pairing"]) in content
    assert "¥800.00 / ¥1,000.00" in content and "80.00" in content and "较好" in content


@pytest.mark.parametrize("extra", [1, 6])
def test_pairing_table_runs_a_constant_number_of_queries(
    client, world, evaluator, extra, django_assert_max_num_queries
):
    bought(world["product"], 3)
    more_pairings(world, extra)

    # The table's own: provinces to filter by, the count of rows, a page of them, their
    # items, the years and the year's settings; the rest is the session, the permissions
    # and the header's basket and notifications.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("evaluation:table-year", args=[2025]))

    assert response.status_code == 200
    assert response.content.decode().count('href="/evaluation/items/') == 1 + extra


@pytest.mark.parametrize("orders", [1, 8])
def test_drill_down_runs_a_constant_number_of_queries(
    client, world, evaluator, orders, django_assert_max_num_queries
):
    for _ in range(orders):
        bought(world["product"], 1)
    item = Scorecard.objects.get().items.get()

    with django_assert_max_num_queries(16):
        response = client.get(reverse("evaluation:item-facts", args=[item.pk]))

    assert response.content.decode().count('href="/evaluation/facts/') == orders


def test_drill_down_lists_the_facts_that_add_up_to_the_figure(client, world, evaluator):
    bought(world["product"], 3)
    bought(world["product"], 2)
    item = Scorecard.objects.get().items.get()

    response = client.get(reverse("evaluation:item-facts", args=[item.pk]))

    assert [f.amount for f in response.context["facts"]] == [Decimal("300.00"), Decimal("200.00")]
    assert response.context["total"] == item.value == Decimal("500.00")


def test_an_evaluator_reads_the_order_of_a_fact_but_not_who_bought_it(client, world, evaluator):
    # Given a consumer's settled order behind a purchase fact
    buyer = UserFactory(email="lin.xiaowen@dongxi.example", first_name="晓雯", last_name="林")
    order = bought(world["product"], 3, user=buyer)

    # When the evaluator follows the fact to the order
    response = client.get(reverse("dashboard:order-detail", args=[order.number]))

    # Then they read its lines and the region it was shipped to, not the buyer's identity
    content = response.content.decode()
    assert response.status_code == 200
    assert world["product"].title in content and "浙江省 杭州市" in content
    assert buyer.email not in content and "某路 1 号" not in content
    assert 'name="order_action"' not in content  # no ship, delivery or note form: read only
    note = {"order_action": "save_note", "message": "已核对"}
    assert client.post(
        reverse("dashboard:order-detail", args=[order.number]), note
    ).status_code == (403)


def test_a_fact_leads_to_its_order(client, world, evaluator):
    order = bought(world["product"], 3)
    fact = PurchaseFact.objects.get()

    response = client.get(reverse("evaluation:fact", args=[fact.pk]))

    content = response.content.decode()
    assert reverse("dashboard:order-detail", args=[order.number]) in content
    assert str(order.number) in content and world["product"].title in content


def test_monthly_volume_chart_is_inline_svg(client, world, evaluator):
    bought(world["product"], 3, month=4)

    response = client.get(reverse("evaluation:scorecard", args=[2025, world["pairing"].pk]))

    content = response.content.decode()
    assert "<svg" in content and "4月 ¥300.00" in content
    assert '<script src="http' not in content and "cdn." not in content.lower()


def test_csv_export_escapes_formulas(client, world, evaluator):
    # Given a designated pairing whose unit name looks like a spreadsheet formula
    evil = Pairing.objects.create(
        kind="designated",
        assisting_unit='=HYPERLINK("http://evil.example")',
        west_region=CountyFactory(),
        start_year=2020,
    )
    AgreementFactory(pairing=evil, year=2025)
    bought(world["product"], 1)

    response = client.get(reverse("evaluation:export", args=[2025, "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "排名"
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example") → ' + evil.west_region.name in names


def test_xlsx_export_has_the_table_and_no_formulas(client, world, evaluator):
    from openpyxl import load_workbook

    Pairing.objects.create(
        kind="designated", assisting_unit="=1+1", west_region=CountyFactory(), start_year=2020
    )
    AgreementFactory(pairing=Pairing.objects.get(assisting_unit="=1+1"), year=2025)
    bought(world["product"], 2)

    response = client.get(reverse("evaluation:export", args=[2025, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["排名", "结对关系"]
    assert all(not str(v).startswith("=") for row in values for v in row if v is not None)


def test_pdf_export_is_a_pdf(client, world, evaluator):
    bought(world["product"], 2)

    response = client.get(reverse("evaluation:export", args=[2025, "pdf"]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_evaluator_locks_a_year_from_the_table(client, world, evaluator):
    response = client.post(reverse("evaluation:lock", args=[2025]))

    assert response.status_code == 302
    assert EvaluationYear.objects.get(year=2025).locked_by == evaluator


def test_other_roles_cannot_lock_a_year(client, world):
    client.force_login(UserFactory(roles=[CONSUMER]))

    assert client.post(reverse("evaluation:lock", args=[2025])).status_code == 403
    assert not EvaluationYear.objects.filter(locked_at__isnull=False).exists()


def test_evaluators_cannot_change_transactions(client, world, evaluator):
    # Given a settled order and its fact
    order = bought(world["product"], 2)
    status = order.status

    # When the evaluator tries the order dashboard, the admin and the API
    detail = reverse("dashboard:order-detail", args=[order.number])
    client.post(detail, {"order_action": "change_order_status", "new_status": "已取消"})
    client.post(
        reverse("admin:evaluation_purchasefact_change", args=[PurchaseFact.objects.get().pk]),
        {"amount": "1.00"},
    )
    api = client.post(reverse("api:scorecard-list"), {"total": "100"})

    # Then nothing changed and the role holds no permission to change
    order.refresh_from_db()
    assert order.status == status
    assert PurchaseFact.objects.get().amount == Decimal("200.00")
    assert api.status_code == 403
    for perm in (
        "order.change_order",
        "order.delete_order",
        "order.add_paymentevent",
        "evaluation.change_purchasefact",
        "evaluation.change_scorecard",
    ):
        assert not evaluator.has_perm(perm)


def test_public_summary_shows_aggregates_only(client, world):
    order = bought(world["product"], 3)

    response = client.get(reverse("evaluation:public-summary", args=[2025]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "¥300.00" in content
    assert f">{order.number}<" not in content
