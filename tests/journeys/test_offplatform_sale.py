"""Journey: a Hangzhou unit's admin records a sale made at a trade fair off the platform,
with its contract; the Zhaojue cooperative confirms it from its workspace; an evaluator
finds it in Zhejiang–Sichuan's 2025 help-sell figure and drills down to the record."""

from decimal import Decimal

import pytest

from evaluation.models import Indicator, OffPlatformSale
from marketplace.users.roles import EVALUATOR
from tests.evaluation.factories import (
    AgreementFactory,
    IndicatorFactory,
    east_west_world,
    product_from,
)
from tests.evaluation.offplatform_helpers import PDF, organisation_admin
from tests.factories import PASSWORD, UserFactory
from tests.store_factories import cooperative_staff_create

from .conftest import login

pytestmark = pytest.mark.integration


def test_the_east_records_the_cooperative_confirms_the_evaluator_drills_to_it(page, china):
    # Given Zhejiang helping Sichuan, with a 2025 help-sell target
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_helped=Decimal("5000.00"))
    IndicatorFactory(
        year=2025,
        name="帮助销售额",
        measure=Indicator.Measure.AMOUNT_HELPED,
        target_source=Indicator.TargetSource.AGREEMENT_HELPED,
    )
    tea = product_from(world["zhaojue"], title="昭觉苦荞茶")
    cooperative = tea.cooperative
    organisation, recorder = organisation_admin(home_region=world["hangzhou"], name="杭州市机关")
    staff = cooperative_staff_create(cooperative=cooperative)
    evaluator = UserFactory(roles=[EVALUATOR])

    # When the unit's admin records the fair's sale with its contract
    login(page, recorder, PASSWORD)
    page.goto("/evaluation/offplatform/")
    page.click("text=登记一笔线下销售")
    page.select_option("#id_organisation", str(organisation.pk))
    page.select_option("#id_cooperative", str(cooperative.pk))
    page.select_option("#id_channel_kind", OffPlatformSale.ChannelKind.FAIR)
    page.fill("#id_channel_name", "杭州东西部协作展销会")
    page.fill("#id_sold_on", "2025-06-15")
    page.fill("#id_amount", "1280.00")
    page.select_option("#id_product_1", str(tea.pk))
    page.fill("#id_quantity_1", "32")
    page.set_input_files(
        "#id_evidence", {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("button:text-is('提交，等待合作社确认')")
    page.wait_for_url("**/evaluation/offplatform/*/")
    assert "待合作社确认" in page.inner_text("body")
    sale = OffPlatformSale.objects.get()

    # And the cooperative opens it from its workspace menu and confirms it
    page.context.clear_cookies()
    login(page, staff, PASSWORD)
    page.goto("/cooperative/")
    page.click("text=线下销售确认")
    page.click(f"a:text-is('#{sale.pk}')")
    page.click("button:text-is('确认属实')")
    page.wait_for_url(f"**/evaluation/offplatform/{sale.pk}/")
    assert "已确认" in page.inner_text("body")

    # Then the evaluator sees it in the pairing's help-sell figure, once, and drills to it
    page.context.clear_cookies()
    login(page, evaluator, PASSWORD)
    page.goto(f"/evaluation/2025/pairings/{world['pairing'].pk}/")
    figure = page.locator("tbody tr", has_text="帮助销售额").first.locator("a")
    assert figure.inner_text() == "¥1,280.00"
    figure.click()
    page.wait_for_url("**/evaluation/items/*/facts/")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "线下销售" in rows.first.inner_text() and "¥1,280.00" in rows.first.inner_text()
    rows.first.locator(f"a:has-text('#{sale.pk}')").click()
    page.wait_for_url(f"**/evaluation/offplatform/{sale.pk}/")
    body = page.inner_text("body")
    assert "杭州东西部协作展销会" in body and "¥1,280.00" in body and "昭觉苦荞茶" in body
    with page.expect_download() as download:
        page.click("text=证明材料 1")
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.js_errors == []
