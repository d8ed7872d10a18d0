"""Journey: a cooperative's staff member ships their part of a paid order that two
cooperatives share, and the customer's order page shows one parcel shipped and the other
still waiting."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from tests.factories import PASSWORD, UserFactory
from tests.marketplace.checkout.conftest import order_paid_by_card, stripe_fake  # noqa: F401
from tests.store_factories import certified_cooperative, cooperative_staff_create, product_create

from .conftest import login

Shipment = get_model("order", "Shipment")

pytestmark = pytest.mark.integration


def test_cooperative_ships_its_lines_and_the_customer_sees_the_parcel(
    page,
    china,
    stripe_fake,  # noqa: F811  the imported fixture
):
    # Given a customer's paid order of two teas from one cooperative and a honey from another
    tea_cooperative = certified_cooperative(legal_name="昭觉县火普村苦荞合作社")
    honey_cooperative = certified_cooperative(legal_name="布拖县蜂蜜合作社")
    tea = product_create(
        cooperative=tea_cooperative, title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5
    )
    honey = product_create(
        cooperative=honey_cooperative, title="布拖蜂蜜", price=Decimal("66.50"), num_in_stock=5
    )
    customer = UserFactory(email="zhang.san@dongxi.example")
    order = order_paid_by_card(stripe_fake, customer, [(tea, 2), (honey, 1)])
    staff = cooperative_staff_create(cooperative=tea_cooperative)

    # When the tea cooperative's staff member opens the order from the store dashboard
    login(page, staff, PASSWORD)
    page.goto("/shop/dashboard/")
    page.click("text=订单履行")
    page.click(".dropdown-menu.show a[href$='/dashboard/orders/']")
    page.click(f"a:text-is('{order.number}')")
    page.wait_for_url(f"**/dashboard/orders/{order.number}/")
    body = page.inner_text("body")
    assert "昭觉苦荞茶" in body and "布拖蜂蜜" not in body

    # And enters the carrier and tracking number for their lines and ships
    page.fill(f"#carrier-{tea_cooperative.pk}", "顺丰速运")
    page.fill(f"#tracking-{tea_cooperative.pk}", "SF1234567890")
    with page.expect_navigation():
        page.click("button:text-is('发货')")

    # Then the dashboard says the parcel is shipped, with its tracking number
    body = page.inner_text("body")
    assert "昭觉县火普村苦荞合作社 的商品已发货。" in body
    row = page.locator("tr", has_text="昭觉县火普村苦荞合作社").last
    assert "已发货" in row.inner_text() and "SF1234567890" in row.inner_text()
    assert page.js_errors == []

    # And the customer, signed in on the same browser, opens the order from their account
    page.context.clear_cookies()
    login(page, customer, PASSWORD)
    page.goto("/shop/accounts/orders/")
    page.click(f"a:text-is('{order.number}')")
    page.wait_for_url(f"**/accounts/orders/{order.number}/")

    # Then the tea cooperative's parcel is shipped with its tracking number, the honey not yet
    shipped = page.locator(f"#shipment-{tea_cooperative.pk}")
    waiting = page.locator(f"#shipment-{honey_cooperative.pk}")
    assert shipped.locator(".badge").inner_text() == "已发货"
    assert "顺丰速运" in shipped.inner_text()
    assert shipped.locator(".tracking-number").inner_text() == "SF1234567890"
    assert waiting.locator(".badge").inner_text() == "待发货"
    assert "合作社尚未发货。" in waiting.inner_text()
    shipment = Shipment.objects.get()
    assert (shipment.cooperative, shipment.shipped_by) == (tea_cooperative, staff)
    assert page.js_errors == []
