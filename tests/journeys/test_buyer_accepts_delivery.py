"""Journey: an institutional buyer opens their organisation's delivered order in the
organisation workspace and records its acceptance (验收), which issues the invoice."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from marketplace.invoicing.models import Acceptance, Invoice
from marketplace.order.services import shipment_deliver
from marketplace.users.roles import INSTITUTIONAL_BUYER
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import (
    member,
    organisation_order,
    ship_all,
    tea_and_honey,
)

from .conftest import login

Shipment = get_model("order", "Shipment")

pytestmark = pytest.mark.integration


def test_buyer_accepts_a_delivered_organisation_order(page, china):
    # Given an organisation order of two cooperatives, both parcels shipped and delivered
    organisation = OrganisationFactory(name="杭州市西湖区机关事务服务中心")
    buyer = member(organisation, roles=[INSTITUTIONAL_BUYER], last_name="李", first_name="采购")
    tea, honey = tea_and_honey()
    order = organisation_order(organisation, buyer, [(tea, 3), (honey, 2)])
    ship_all(order)
    platform = UserFactory(is_staff=True, is_superuser=True)
    for shipment in Shipment.objects.filter(order=order):
        shipment_deliver(shipment=shipment, actor=platform)

    # When the buyer opens the organisation's orders from their workspace
    login(page, buyer, PASSWORD)
    page.goto("/organisation/")
    page.click("text=杭州市西湖区机关事务服务中心")
    page.click("nav >> text=单位订单")
    page.wait_for_url(f"**/organisation/{organisation.pk}/orders/")
    order_row = page.locator("tr", has_text=order.number)
    assert "待验收" in order_row.inner_text()
    order_row.locator(f"a:text-is('{order.number}')").click()
    page.wait_for_url(f"**/organisation/{organisation.pk}/orders/{order.number}/")
    assert page.inner_text("body").count("已送达") == 2

    # And records that everything arrived in the right quantity and quality
    page.check("input[name=result][value=accept]")
    with page.expect_navigation():
        page.click("button:text-is('记录验收结果')")

    # Then the page confirms it, shows the order accepted and its invoice for ¥247.00
    body = page.inner_text("body")
    assert "验收结果已记录。" in body
    assert "验收合格" in body
    invoice = Invoice.objects.get(order=order)
    assert invoice.amount == Decimal("247.00")
    assert f"已开具发票 {invoice.number}" in body
    assert page.locator("button:text-is('记录验收结果')").count() == 0
    acceptance = Acceptance.objects.get(order=order)
    assert (acceptance.state, acceptance.recorded_by) == (Acceptance.State.ACCEPTED, buyer)

    # And the organisation's order list says so too
    page.click("text=返回单位订单")
    page.wait_for_url(f"**/organisation/{organisation.pk}/orders/")
    order_row = page.locator("tr", has_text=order.number)
    assert "验收合格" in order_row.inner_text()
    assert invoice.number in order_row.inner_text()
    assert page.js_errors == []
