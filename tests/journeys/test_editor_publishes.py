"""Journey: an editor writes Zhejiang's campaign zone page in the CMS admin and submits it;
a moderator approves it, which publishes it; the public site then shows the zone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale, Page

from cms.models import CampaignZonePage
from cms.workflows import moderation_workflow_sync
from demo.site import site_tree_load
from marketplace.users.roles import EDITOR, MODERATOR
from marketplace.users.services import roles_sync
from tests.evaluation.factories import east_west_world, product_from
from tests.factories import PASSWORD, UserFactory
from tests.store_factories import sales_channel_create

pytestmark = pytest.mark.integration


def cms_site_tree():
    """The home page under Wagtail's root, with the role groups' page permissions and the
    moderation workflow: the flush after a journey removes the root that migrations made."""
    if Page.get_first_root_node() is None:
        locale, _created = Locale.objects.get_or_create(language_code="zh-hans")
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = site_tree_load()
    roles_sync()
    moderation_workflow_sync()
    return home


def cms_login(page, user) -> None:
    """Sign in through the CMS admin's own login form."""
    page.goto("/cms-admin/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/cms-admin/")


def test_editor_writes_a_campaign_zone_and_a_moderator_publishes_it(page):
    # Given the site's home page, Zhejiang's sales channel, a Zhaojue tea that Zhejiang's
    # pairing brings into the zone, an editor and a moderator
    home = cms_site_tree()
    world = east_west_world()
    product_from(world["zhaojue"], title="昭觉苦荞茶", price=Decimal("38.00"))
    sales_channel_create(code="zhejiang-zone", name="浙江消费帮扶专区", region=world["zhejiang"])
    editor = UserFactory(roles=[EDITOR], email="editor@dongxi.example")
    moderator = UserFactory(roles=[MODERATOR], email="moderator@dongxi.example")

    # When the editor adds a campaign zone page under the home page
    cms_login(page, editor)
    page.goto(f"/cms-admin/pages/{home.pk}/")
    page.click(f"a[href$='/pages/{home.pk}/add_subpage/']")
    page.click("a[href*='/add/cms/campaignzonepage/']")
    page.fill("#id_title", "浙江消费帮扶专区")
    page.select_option("#id_channel", label="浙江消费帮扶专区")
    page.locator("#id_intro").locator("xpath=..").locator("[contenteditable=true]").click()
    page.keyboard.type("浙江结对帮扶四川凉山，买专区产品，助农增收。")
    # The rich-text editor copies its content into the form field a moment later.
    expect(page.locator("#id_intro")).to_have_value(re.compile("助农增收"))
    promote_tab = page.locator("[role=tabpanel]:has(#id_slug)").get_attribute("id")
    page.click(f"a[role=tab][href='#{promote_tab}']")
    page.fill("#id_slug", "zhejiang-zone")

    # And submits it for moderation
    page.click(".w-dropdown-button .w-dropdown__toggle")
    page.click("button[name=action-submit]")
    page.wait_for_url(f"**/cms-admin/pages/{home.pk}/")

    # Then the page waits for review and the public site does not show it yet
    assert "审核中" in page.locator("tr", has_text="浙江消费帮扶专区").inner_text()
    zone = CampaignZonePage.objects.get(slug="zhejiang-zone")
    assert not zone.live
    assert page.context.request.get("/zhejiang-zone/").status == 404

    # When the moderator approves it from their dashboard
    page.context.clear_cookies()
    cms_login(page, moderator)
    review = page.locator("tr", has_text="浙江消费帮扶专区")
    review.locator(".w-dropdown__toggle").click()
    approve = review.locator(f"button[data-workflow-action-url*='/{zone.pk}/approve/']")
    with page.expect_navigation():
        approve.and_(page.locator(":not([data-launch-modal])")).click()

    # Then the page is live in the CMS's page list
    page.goto(f"/cms-admin/pages/{home.pk}/")
    status = page.locator("tr", has_text="浙江消费帮扶专区").inner_text()
    assert "在用" in status and "审核中" not in status

    # And a visitor to the public site sees the zone with its channel and the paired tea
    page.context.clear_cookies()
    page.goto("/zhejiang-zone/")
    assert page.locator("h1").first.inner_text() == "浙江消费帮扶专区"
    body = page.inner_text("body")
    assert "浙江结对帮扶四川凉山，买专区产品，助农增收。" in body
    assert "本专区的订单计入“浙江消费帮扶专区”渠道" in body
    assert "昭觉县" in body and "昭觉苦荞茶" in body
    zone.refresh_from_db()
    assert zone.live and zone.get_parent().specific == home
    assert page.js_errors == []
