"""Journey: an evaluator opens Zhejiang–Sichuan's 2025 scorecard, clicks the amount-bought
figure, reads the purchase facts that add up to it, and follows one fact to its order."""

import re
from decimal import Decimal

import pytest

from marketplace.users.roles import EVALUATOR
from tests.evaluation.factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_refund,
    product_from,
)
from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = pytest.mark.integration


def yuan(text: str) -> Decimal:
    """¥1,234.50 or -¥100.00 as shown on the page."""
    negative = "-" in text
    value = Decimal(re.sub(r"[^\d.]", "", text))
    return -value if negative else value


def test_evaluator_drills_from_a_figure_to_its_facts_and_an_order(page, china):
    # Given Hangzhou's purchases of Zhaojue's tea and honey in 2025, one tea refunded
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    IndicatorFactory(year=2025, name="采购额")
    tea = product_from(world["zhaojue"], title="昭觉苦荞茶", price=Decimal("100.00"))
    honey = product_from(world["zhaojue"], title="昭觉蜂蜜", price=Decimal("45.50"))
    tea_order = bought(tea, 3, month=4)
    bought(honey, 2, month=9)
    order_refund(order=tea_order, when=at(2025, 10), lines=[(tea_order.lines.get(), 1)])
    evaluator = UserFactory(roles=[EVALUATOR])
    login(page, evaluator, PASSWORD)

    # When the evaluator opens the year's table and the pairing's scorecard
    page.goto("/evaluation/")
    page.click(f"text={world['pairing']}")
    page.wait_for_url(f"**/evaluation/2025/pairings/{world['pairing'].pk}/")
    row = page.locator("tbody tr", has_text="采购额").first
    figure = row.locator("a")
    assert figure.inner_text() == "¥291.00"

    # And clicks the figure: the facts behind it add up to it
    figure.click()
    page.wait_for_url("**/evaluation/items/*/facts/")
    facts = page.locator("tbody tr")
    assert facts.count() == 3
    amounts = [yuan(facts.nth(i).locator("td").nth(6).inner_text()) for i in range(3)]
    assert sorted(amounts) == [Decimal("-100.00"), Decimal("91.00"), Decimal("300.00")]
    assert sum(amounts) == Decimal("291.00")
    assert "评分表数值 ¥291.00 · 下列采购事实金额合计 ¥291.00" in page.inner_text("body")

    # And follows the tea's sale to its fact and on to its order
    sale = facts.filter(has_text="昭觉苦荞茶").filter(has_text="结算")
    sale.locator("td").first.locator("a").click()
    page.wait_for_url("**/evaluation/facts/*/")
    body = page.inner_text("body")
    assert "昭觉苦荞茶" in body and "昭觉县" in body and "¥300.00" in body
    page.click(f"dd a:text-is('{tea_order.number}')")

    # Then the order is shown, read only: its number, its tea line and its total
    page.wait_for_url(f"**/dashboard/orders/{tea_order.number}/")
    body = page.inner_text("body")
    assert str(tea_order.number) in body
    assert "昭觉苦荞茶" in body and "¥300.00" in body
    assert page.locator("button:text-is('发货')").count() == 0
    assert page.js_errors == []
