"""Purchase facts: one per settled order line and per refund, attributed to the buyer's
region, the channel's eastern partner and the origin county; only certified products
count, and excluded lines keep their reason."""

import datetime
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from evaluation.models import PurchaseFact
from evaluation.services.facts import purchase_facts_record
from tests.factories import OrganisationFactory, PairingFactory, UserFactory
from tests.store_factories import sales_channel_create

from .factories import (
    at,
    bought,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
    region_member,
)

pytestmark = pytest.mark.django_db
ProductCertificate = get_model("catalogue", "ProductCertificate")


@pytest.fixture
def world():
    return east_west_world()


def test_consumer_purchase_of_a_recorded_member_counts_for_the_pairing(world):
    # Given a Liangshan product bought by a Hangzhou organisation's recorded member
    product = product_from(world["zhaojue"])

    # When the order settles
    bought(product, 2, user=region_member(province="浙江省", city="杭州市"))

    # Then one fact counts for Hangzhou and the Zhejiang → Sichuan pairing
    fact = PurchaseFact.objects.get()
    assert fact.buyer_kind == PurchaseFact.BuyerKind.CONSUMER
    assert fact.buyer_region == world["hangzhou"]
    assert fact.bought_pairing == world["pairing"]
    assert fact.amount == Decimal("100.00")
    assert fact.quantity == 2
    assert fact.origin_county == world["zhaojue"]
    assert fact.origin_supervision_target and fact.origin_deep_poverty
    assert fact.counts and fact.excluded_reason == ""


def test_address_names_without_suffixes_still_map_to_regions(world):
    bought(product_from(world["zhaojue"]), user=UserFactory(), province="浙江", city="杭州")

    assert PurchaseFact.objects.get().buyer_region == world["hangzhou"]


def test_unmapped_city_falls_back_to_the_province_with_a_note(world):
    bought(product_from(world["zhaojue"]), user=UserFactory(), province="浙江省", city="不存在市")

    fact = PurchaseFact.objects.get()
    assert fact.buyer_region == world["zhejiang"]
    assert fact.bought_pairing is None  # an address describes; it attributes nothing
    assert "不存在市" in fact.attribution_note


def test_unmapped_province_is_attributed_to_no_pairing_and_says_why(world):
    bought(product_from(world["zhaojue"]), province="火星省", city="某市")

    fact = PurchaseFact.objects.get()
    assert fact.buyer_region is None and fact.bought_pairing is None
    assert fact.attribution_note == "收货地址省份“火星省”无法对应行政区划"
    assert fact.counts  # still a certified purchase: it counts for the county's totals


def test_organisation_purchase_counts_for_its_home_region_not_the_address(world):
    # Given a Hangzhou canteen that ships to an address in another province
    canteen = OrganisationFactory(home_region=world["hangzhou"])

    bought(product_from(world["zhaojue"]), organisation=canteen, province="上海市", city="上海市")

    fact = PurchaseFact.objects.get()
    assert fact.buyer_kind == PurchaseFact.BuyerKind.ORGANISATION
    assert fact.organisation == canteen
    assert fact.buyer_region == world["hangzhou"]
    assert fact.bought_pairing == world["pairing"]


def test_designated_unit_purchase_counts_for_its_designated_pairing(world):
    unit = OrganisationFactory(home_region=world["hangzhou"], name="国家林业和草原局")
    designated = PairingFactory(
        kind="designated",
        east_region=None,
        assisting_unit=unit.name,
        buyer=unit,
        west_region=world["zhaojue"],
        end_year=None,
    )

    bought(product_from(world["zhaojue"]), organisation=unit)

    assert PurchaseFact.objects.get().bought_pairing == designated


def test_sale_through_an_eastern_partners_channel_is_helped_to_sell(world):
    # Given a Shanghai consumer buying through Hangzhou's campaign zone
    zone = sales_channel_create(
        code="hangzhou-zone", name="杭州消费帮扶专区", region=world["hangzhou"]
    )

    bought(product_from(world["zhaojue"]), channel=zone, province="上海市", city="上海市")

    fact = PurchaseFact.objects.get()
    assert fact.channel == zone and fact.channel_region == world["hangzhou"]
    assert fact.helped_pairing == world["pairing"]
    assert fact.bought_pairing is None


def test_purchase_from_a_county_outside_the_pairing_counts_for_no_pairing(world):
    elsewhere = PairingFactory().west_region  # a western county of another province
    bought(product_from(elsewhere))

    assert PurchaseFact.objects.get().bought_pairing is None


def test_pairing_counts_only_in_its_valid_years(world):
    world["pairing"].end_year = 2024
    world["pairing"].save()

    bought(product_from(world["zhaojue"]), year=2025)

    assert PurchaseFact.objects.get().bought_pairing is None


def test_product_without_a_valid_certificate_at_the_time_of_sale_is_excluded(world):
    # Given a product whose certificate started only in 2026
    product = product_from(world["zhaojue"], valid_from=datetime.date(2026, 1, 1))

    bought(product, year=2025)
    bought(product, year=2026)

    sold_2025, sold_2026 = PurchaseFact.objects.order_by("occurred_at")
    assert not sold_2025.counts
    assert sold_2025.excluded_reason == "销售时该产品没有有效的扶贫产品认定"
    assert sold_2026.counts


def test_certificate_revoked_after_the_sale_still_counts_the_sale(world):
    # Given a product certified when sold, whose certificate is revoked later
    product = product_from(world["zhaojue"])
    certificate = product.certificates.get()
    CertificateEvent = get_model("catalogue", "CertificateEvent")
    CertificateEvent.objects.create(certificate=certificate, from_state="", to_state="certified")
    revoked = CertificateEvent.objects.create(
        certificate=certificate, from_state="certified", to_state="revoked"
    )
    CertificateEvent.objects.filter(pk=revoked.pk).update(created_at=at(2025, 9, 1))
    certificate.state = ProductCertificate.State.REVOKED
    certificate.save()

    bought(product, year=2025, month=6)
    bought(product, year=2025, month=10)

    before, after = PurchaseFact.objects.order_by("occurred_at")
    assert before.counts
    assert not after.counts


def test_pending_certificate_is_excluded(world):
    bought(product_from(world["zhaojue"], state=ProductCertificate.State.SUSPENDED))

    fact = PurchaseFact.objects.get()
    assert not fact.counts and fact.excluded_reason


def test_replayed_settlement_writes_nothing_more(world):
    order = bought(product_from(world["zhaojue"]))
    event = order.payment_events.get()

    purchase_facts_record(payment_event_id=event.pk)
    purchase_facts_record(payment_event_id=event.pk)

    assert PurchaseFact.objects.count() == 1


def test_refund_of_units_is_a_negative_fact_for_the_same_line(world):
    order = order_place(products=[(product_from(world["zhaojue"]), 3)])
    order_settle(order=order, when=at(2025, 6, 1))
    line = order.lines.get()

    order_refund(order=order, when=at(2025, 7, 1), lines=[(line, 1)])

    refund = PurchaseFact.objects.get(kind=PurchaseFact.Kind.REFUND)
    assert refund.line == line
    assert refund.amount == Decimal("-50.00") and refund.quantity == -1
    assert refund.year == 2025 and refund.counts
    assert refund.bought_pairing == world["pairing"]


def test_amount_only_refund_is_split_across_lines_exactly(world):
    tea = product_from(world["zhaojue"], price=Decimal("30.00"))
    honey = product_from(world["zhaojue"], title="蜂蜜", price=Decimal("70.00"))
    order = order_place(products=[(tea, 1), (honey, 1)])
    order_settle(order=order, when=at(2025, 6, 1))

    order_refund(order=order, when=at(2025, 7, 1), amount=Decimal("10.01"))

    parts = PurchaseFact.objects.filter(kind="refund").order_by("line_id")
    assert [p.amount for p in parts] == [Decimal("-3.00"), Decimal("-7.01")]
    assert sum(p.amount for p in parts) == Decimal("-10.01")
