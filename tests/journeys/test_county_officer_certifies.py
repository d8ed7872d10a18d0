"""Journey: a county officer certifies a cooperative's product as a poverty-alleviation
product, and the store then sells it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import PASSWORD, CountyFactory, TownshipFactory, VillageFactory
from tests.store_factories import certified_cooperative, county_officer_create, product_create

from .conftest import login

ProductCertificate = get_model("catalogue", "ProductCertificate")

pytestmark = pytest.mark.integration


def test_county_officer_certifies_a_requested_product(page):
    # Given a pending request from a cooperative of Zhaojue county, and the county's officer
    zhaojue = CountyFactory(name="昭觉县", code="513431")
    village = VillageFactory(parent=TownshipFactory(parent=zhaojue), name="火普村")
    cooperative = certified_cooperative(village=village, legal_name="昭觉县火普村苦荞合作社")
    product = product_create(
        cooperative=cooperative,
        title="昭觉苦荞茶",
        certificate_state=ProductCertificate.State.PENDING,
    )
    officer = county_officer_create(county=zhaojue)
    login(page, officer, PASSWORD)

    # When the officer opens the pending requests and the tea's request
    page.goto(reverse("catalogue-certification:county-list") + "?state=pending")
    page.click("text=昭觉苦荞茶")
    assert "昭觉县火普村苦荞合作社" in page.inner_text("body")

    # And certifies it for a year, for the 36 households it involves
    today = timezone.localdate()
    form = page.locator("#certificate-issue-form")
    form.locator("[name=number]").fill("ZJ-2026-0042")
    form.locator("[name=valid_from]").fill(today.isoformat())
    form.locator("[name=valid_to]").fill((today + datetime.timedelta(days=365)).isoformat())
    form.locator("[name=households_involved]").fill("36")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # Then the page confirms the decision and the certificate is in force
    assert "已保存认定决定。" in page.inner_text("body")
    certificate = ProductCertificate.objects.get(product=product)
    assert certificate.state == ProductCertificate.State.CERTIFIED
    assert certificate.number == "ZJ-2026-0042"
    assert certificate.issued_by == officer
    assert certificate.households_involved == 36
    assert page.js_errors == []
