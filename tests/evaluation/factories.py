"""Settled and refunded orders as the store records them (PaymentEvent rows with line
quantities, announced once on commit), plus agreements and indicators."""

import datetime
from decimal import Decimal

import factory
from django.db import transaction
from django.test import TestCase
from factory.django import DjangoModelFactory
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from evaluation.models import Agreement, Indicator
from marketplace.order.selectors import line_units_value
from marketplace.payment.events import PAID, REFUND, payment_refunded, payment_settled
from marketplace.payment.services.settlement import refund_amount_split, refunded_by_line
from producers.models import Region
from tests.factories import CityFactory, CountyFactory, PairingFactory, ProvinceFactory

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(year: int, month: int = 6, day: int = 15) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=TZ)


def _announce(signal, **kwargs) -> None:
    """Send the announcement the way the store does (after commit) and run what the
    receivers enqueue, as an eager Celery would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        transaction.on_commit(lambda: signal.send(sender=None, **kwargs))


def _event_type(code: str):
    return PaymentEventType.objects.get_or_create(code=code, defaults={"name": code})[0]


def order_place(
    *,
    products: list,
    user=None,
    organisation=None,
    channel=None,
    province: str | None = "浙江省",
    city: str = "杭州市",
):
    """An order for (product, quantity) pairs, shipped to province/city (no address when
    province is None), for an organisation or a consumer, through a channel. Without
    either, the consumer is a recorded member of an organisation of that eastern city
    (`region_member`), since an address alone attributes a purchase to no one."""
    if user is None and organisation is None and province is not None:
        user = region_member(province=province, city=city)
    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in products:
        basket.add_product(product, quantity)
    address = None
    if province is not None:
        country, _ = Country.objects.get_or_create(
            iso_3166_1_a2="CN", defaults={"name": "中国", "printable_name": "中国"}
        )
        address = ShippingAddress.objects.create(
            last_name="张三",
            state=province,
            line4=city,
            line3="某区",
            line1="某路 1 号",
            postcode="310000",
            country=country,
        )
    order = create_order(
        basket=basket,
        user=user,
        shipping_address=address,
        organisation=organisation,
        sales_channel=channel,
    )
    for line in order.lines.all():
        line.cooperative = line.product.cooperative
        line.save(update_fields=["cooperative"])
    return order


def region_member(*, province: str, city: str):
    """An approved member of the test organisation of the eastern city (else province)
    named so (created once), or None if no such eastern province is recorded."""
    from marketplace.organisations.models import Membership
    from tests.factories import MembershipFactory, OrganisationFactory

    eastern = Region.objects.filter(side=Region.Side.EAST)
    region = eastern.filter(name=province, level=Region.Level.PROVINCE).first()
    if region is None:
        return None
    region = eastern.filter(name=city, parent=region).first() or region
    email = f"member-{region.pk}@dongxi.example"
    tie = Membership.objects.filter(organisation__home_region=region, user__email=email).first()
    if tie is None:
        tie = MembershipFactory(
            organisation=OrganisationFactory(home_region=region, name=f"{region.name}测试单位"),
            user__email=email,
            state=Membership.State.APPROVED,
        )
    return tie.user


def order_settle(*, order, when: datetime.datetime):
    """The store settles the order: a "paid" event with every line, announced once."""
    event = PaymentEvent.objects.create(
        order=order, amount=order.total_incl_tax, event_type=_event_type(PAID)
    )
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(
            event=event, line=line, quantity=line.quantity, amount=line.line_price_incl_tax
        )
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    event.refresh_from_db()
    _announce(payment_settled, order=order, payment_event=event)
    return event


def order_refund(*, order, when: datetime.datetime, lines=None, amount: Decimal | None = None):
    """A refund of (line, quantity) pairs, or of `amount` only (made outside the store)."""
    if lines:
        amount = sum((line.unit_price_incl_tax * qty for line, qty in lines), Decimal("0"))
    event = PaymentEvent.objects.create(order=order, amount=amount, event_type=_event_type(REFUND))
    done = refunded_by_line(order=order)
    for line, qty in lines or ():
        amount = line_units_value(line=line, units=qty, already=done.get(line.pk, (0, 0))[0])
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=qty, amount=amount)
    if not lines:  # made in Stripe's dashboard: split over the lines as the store does
        every = {line.pk: line for line in order.lines.all()}
        for line, qty, money in refund_amount_split(lines=every, amount=amount, done=done):
            PaymentEventQuantity.objects.create(event=event, line=line, quantity=qty, amount=money)
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    event.refresh_from_db()
    _announce(payment_refunded, order=order, payment_event=event)
    return event


def bought(product, quantity: int = 1, *, year: int = 2025, month: int = 6, day: int = 15, **kw):
    """Place and settle an order of one product."""
    order = order_place(products=[(product, quantity)], **kw)
    order_settle(order=order, when=at(year, month, day))
    return order


def east_west_world():
    """Zhejiang (Hangzhou) helping Sichuan (Liangshan: Zhaojue, a supervision target)."""
    zhejiang = ProvinceFactory(name="浙江省", side=Region.Side.EAST, code="33")
    hangzhou = CityFactory(name="杭州市", parent=zhejiang, side=Region.Side.EAST, code="3301")
    sichuan = ProvinceFactory(name="四川省", side=Region.Side.WEST, code="51")
    liangshan = CityFactory(name="凉山彝族自治州", parent=sichuan, code="5134")
    zhaojue = CountyFactory(
        name="昭觉县",
        parent=liangshan,
        code="513431",
        is_poor_county=True,
        is_deep_poverty=True,
        is_supervision_target=True,
        exit_year=2020,
    )
    pairing = PairingFactory(
        east_region=zhejiang, west_region=sichuan, start_year=2016, end_year=None
    )
    return {
        "zhejiang": zhejiang,
        "hangzhou": hangzhou,
        "sichuan": sichuan,
        "liangshan": liangshan,
        "zhaojue": zhaojue,
        "pairing": pairing,
    }


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    pairing = factory.SubFactory(PairingFactory, end_year=None)
    year = 2025
    target_bought = Decimal("1000.00")
    target_helped = Decimal("500.00")
    target_households = 10
    target_certified_products = 2


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    year = 2025
    code = factory.Sequence(lambda n: f"ind{n}")
    name = "采购额"
    measure = Indicator.Measure.AMOUNT_BOUGHT
    target_source = Indicator.TargetSource.AGREEMENT_BOUGHT
    weight = Decimal("1")


def product_from(county, *, title: str = "昭觉苦荞茶", price: Decimal = Decimal("50.00"), **cert):
    """A certified cooperative's product from `county`, certified for 2024–2027 unless
    told otherwise (cert: state, valid_from, valid_to; state=None for no certificate)."""
    from tests.factories import TownshipFactory, VillageFactory
    from tests.store_factories import certified_cooperative, product_create

    ProductCertificate = get_model("catalogue", "ProductCertificate")
    cooperative = certified_cooperative(
        village=VillageFactory(parent=TownshipFactory(parent=county))
    )
    product = product_create(
        cooperative=cooperative,
        title=title,
        price=price,
        num_in_stock=10_000,
        certificate_state=None,
    )
    state = cert.get("state", ProductCertificate.State.CERTIFIED)
    if state is not None:
        ProductCertificate.objects.create(
            product=product,
            state=state,
            number=f"T-{product.pk:05d}",
            valid_from=cert.get("valid_from", datetime.date(2024, 1, 1)),
            valid_to=cert.get("valid_to", datetime.date(2027, 12, 31)),
        )
    return product
