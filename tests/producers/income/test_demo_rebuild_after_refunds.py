"""On the demo world, after discounted orders are refunded unit by unit and in part by an
amount that names no lines, the income ledger and the purchase facts still equal their
rebuilds from the payment events: both rebuild commands report zero difference."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    ConditionFactory,
    RangeFactory,
)

from marketplace.order.placement import order_create_from_basket
from marketplace.payment.events import PAID
from marketplace.payment.services import order_refund_offline, order_settle_offline
from marketplace.payment.services.settlement import (
    payment_refund_record,
    refund_amount_split,
    refunded_by_line,
)
from tests.factories import UserFactory
from tests.store_factories import basket_with

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")

ADDRESS = {
    "first_name": "",
    "last_name": "陈建国",
    "line1": "文三路 90 号",
    "line4": "杭州市",
    "state": "浙江省",
    "postcode": "310012",
    "country_id": "CN",
    "phone_number": "+8613800138000",
}


def _offers():
    everything = RangeFactory(includes_all_products=True)
    for name, kind, value, priority in (
        ("九折", Benefit.PERCENTAGE, 10, 2),
        ("立减三元", Benefit.FIXED, Decimal("3.33"), 1),
    ):
        ConditionalOfferFactory(
            name=name,
            priority=priority,
            exclusive=False,
            condition=ConditionFactory(range=everything, type=Condition.COUNT, value=1),
            benefit=BenefitFactory(range=everything, type=kind, value=value),
        )


def _discounted_order(user, number: str):
    """An order of two cooperatives' demo products with both offers applied, paid by
    transfer."""
    products, cooperatives = [], set()
    for product in Product.objects.filter(
        cooperative__isnull=False, stockrecords__isnull=False
    ).order_by("pk"):
        if product.cooperative_id not in cooperatives:
            cooperatives.add(product.cooperative_id)
            products.append(product)
        if len(products) == 2:
            break
    order = order_create_from_basket(
        basket=basket_with(user, [(products[0], 3), (products[1], 2)]),
        user=user,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
        order_number=number,
    )
    assert order.total_incl_tax < order.total_before_discounts_incl_tax
    order_settle_offline(order=order, reference=f"T-{number}")
    return order


def test_rebuilds_report_zero_difference_on_the_demo_world_after_refunds(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_world", stdout=StringIO())
    staff = UserFactory(is_staff=True, is_superuser=True)
    _offers()
    with django_capture_on_commit_callbacks(execute=True):
        discounted = _discounted_order(UserFactory(), "DXREFUND1")

    # When its units are refunded one by one, an amount naming no lines is paid back, and
    # units of demo orders paid earlier are refunded too
    first, second = discounted.lines.order_by("pk")
    steps = [{first: 1}, {second: 1}, {first: 1}, None, {first: 1}, {second: 1}]
    for number, wanted in enumerate(steps, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            if wanted is None:
                lines = {line.pk: line for line in discounted.lines.all()}
                rows = refund_amount_split(
                    lines=lines, amount=Decimal("4.44"), done=refunded_by_line(order=discounted)
                )
                payment_refund_record(order=discounted, reference=f"re_dash_{number}", lines=rows)
            else:
                order_refund_offline(
                    order=discounted, lines_quantities=wanted, reference=f"R-{number}", actor=staff
                )
    history = Order.objects.filter(payment_events__event_type__code=PAID).exclude(pk=discounted.pk)
    for number, order in enumerate(history.order_by("-pk")[:3]):
        line = order.lines.order_by("pk").first()
        with django_capture_on_commit_callbacks(execute=True):
            order_refund_offline(
                order=order, lines_quantities={line: 1}, reference=f"H-{number}", actor=staff
            )

    # Then the ledger and the facts equal their rebuilds
    income = StringIO()
    call_command("income_rebuild", stdout=income)
    assert "差异 0 处。" in income.getvalue()
    facts = StringIO()
    call_command("evaluation_rebuild", "--dry-run", stdout=facts)
    assert "采购事实与考核表按原样重现：零差异。" in facts.getvalue()
    assert "已核对采购事实 0 条" not in facts.getvalue()
