"""Demo order history: paid, shipped, delivered and refunded orders of demo consumers and
buyer units across 2025 and 2026, some through eastern partners' campaign zones.

Payments and refunds are recorded without Stripe through the payment services that record
transfers (order_settle_offline, order_refund_offline), so they are announced exactly like
card payments and the upper layers (income tracing, evaluation) react to them. Idempotent:
orders are numbered deterministically and an existing number is skipped."""

import datetime
import random
import zlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from oscar.core.loading import get_class, get_model

from marketplace.order.placement import order_create_from_basket
from marketplace.order.services import ShipmentError, shipment_create, shipment_deliver
from marketplace.organisations.models import Membership, Organisation
from marketplace.payment.services import order_refund_offline, order_settle_offline
from marketplace.users import roles
from producers.models import Region

from .users import account_load

User = get_user_model()
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
SalesChannel = get_model("order", "SalesChannel")
Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

ORDERS_PER_YEAR = 40
YEARS = (2025, 2026)
CARRIERS = ("顺丰速运", "中国邮政 EMS", "京东物流", "中通快递", "圆通速递")

# code, name, eastern region code. The CMS's campaign zones link to the same codes.
CHANNELS = [
    ("shanghai-zone", "上海消费帮扶专区", "31"),
    ("hangzhou-zone", "杭州消费帮扶专区", "3301"),
]

# email, first name, last name, delivery address (province, city, district, street, postcode)
CONSUMERS = [
    (
        "consumer@dongxi.demo",
        "晓雯",
        "林",
        ("上海市", "上海市", "徐汇区", "漕溪北路 88 号", "200030"),
    ),
    (
        "wang.fang@dongxi.demo",
        "芳",
        "王",
        ("上海市", "上海市", "浦东新区", "世纪大道 100 号", "200120"),
    ),
    ("li.qiang@dongxi.demo", "强", "李", ("浙江省", "杭州市", "西湖区", "文三路 90 号", "310012")),
    ("zhao.min@dongxi.demo", "敏", "赵", ("福建省", "福州市", "鼓楼区", "五四路 158 号", "350003")),
    (
        "chen.jing@dongxi.demo",
        "静",
        "陈",
        ("北京市", "北京市", "海淀区", "中关村大街 27 号", "100080"),
    ),
]
FUZHOU_BUYER = ("buyer.fuzhou@dongxi.demo", "丽", "黄")


def _consumer(email: str, first_name: str, last_name: str, role=roles.CONSUMER) -> User:
    return account_load(email=email, first_name=first_name, last_name=last_name, role=role)


def channels_load() -> list:
    channels = []
    for code, name, region_code in CHANNELS:
        channel, _created = SalesChannel.objects.get_or_create(
            code=code,
            defaults={"name": name, "region": Region.objects.filter(code=region_code).first()},
        )
        channels.append(channel)
    return channels


def _address(user, place) -> dict:
    province, city, district, street, postcode = place
    return {
        "last_name": f"{user.last_name}{user.first_name}",
        "state": province,
        "line4": city,
        "line3": district,
        "line1": street,
        "postcode": postcode,
        "country_id": "CN",
        "phone_number": f"+86139{zlib.crc32(user.email.encode()) % 10**8:08d}",
    }


def _placed_at(rng: random.Random, year: int, now: datetime.datetime) -> datetime.datetime:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(year, 1, 1, 9, tzinfo=tz)
    end = min(datetime.datetime(year, 12, 31, 21, tzinfo=tz), now - datetime.timedelta(hours=6))
    seconds = int((end - start).total_seconds())
    return start + datetime.timedelta(seconds=rng.randrange(seconds))


def _buyers(organisations: list[Organisation]) -> list[tuple]:
    """(user, address, organisation or None) for every demo buyer."""
    buyers = [(_consumer(*who), place, None) for *who, place in CONSUMERS]
    # Staff of the demo units who also buy for themselves: a recorded tie, so their own
    # purchases count as their unit's side's (docs/decisions/0005); the other consumers'
    # count only where they buy through a campaign zone.
    for (user, _place, _none), organisation in zip(buyers[2:4], organisations, strict=False):
        Membership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={"role": Membership.Role.BUYER, "state": Membership.State.APPROVED},
        )
    unit_buyer = User.objects.get(email="buyer@dongxi.demo")
    buyers.append(
        (unit_buyer, ("浙江省", "杭州市", "西湖区", "保俶路 2 号", "310007"), organisations[0])
    )
    if len(organisations) > 1:
        fuzhou = _consumer(*FUZHOU_BUYER, role=roles.INSTITUTIONAL_BUYER)
        Membership.objects.get_or_create(
            organisation=organisations[1],
            user=fuzhou,
            defaults={"role": Membership.Role.BUYER, "state": Membership.State.APPROVED},
        )
        buyers.append(
            (fuzhou, ("福建省", "福州市", "鼓楼区", "八一七北路 68 号", "350001"), organisations[1])
        )
    return buyers


def _products_for_sale() -> list:
    return list(
        Product.objects.filter(certificates__state="certified", stockrecords__isnull=False)
        .select_related("cooperative")
        .distinct()
        .order_by("upc")
    )


@transaction.atomic
def demo_orders_load(*, organisations: list[Organisation], admin) -> int:
    """ORDERS_PER_YEAR orders in each of 2025 and 2026; returns how many were created."""
    products = _products_for_sale()
    if not products:
        return 0
    channels = channels_load()
    buyers = _buyers(organisations)
    now = datetime.datetime.now(tz=ZoneInfo(settings.TIME_ZONE))
    created = 0
    for year in YEARS:
        for index in range(ORDERS_PER_YEAR):
            number = f"DX{year}{index + 1:04d}"
            if Order.objects.filter(number=number).exists():
                continue
            rng = random.Random(number)  # noqa: S311  demo data, not security
            _order_history_create(
                number=number,
                rng=rng,
                placed_at=_placed_at(rng, year, now),
                buyer=buyers[index % len(buyers)],
                channel=channels[index % 2] if index % 3 == 0 else None,
                products=products,
                admin=admin,
                now=now,
            )
            created += 1
    return created


def _order_history_create(*, number, rng, placed_at, buyer, channel, products, admin, now):
    user, place, organisation = buyer
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in rng.sample(products, rng.randint(1, 3)):
        basket.add_product(product, rng.randint(1, 10 if organisation else 3))
    order = order_create_from_basket(
        basket=basket,
        user=user,
        shipping_address=_address(user, place),
        shipping_method_code="free-shipping",
        order_number=number,
        date_placed=placed_at,
        sales_channel=channel,
        organisation=organisation,
    )
    order_settle_offline(
        order=order,
        reference=f"DEMO-PAY-{number}",
        source_name="对公转账" if organisation else "演示支付",
        settled_at=placed_at + datetime.timedelta(minutes=rng.randint(1, 30)),
    )
    lines = list(order.lines.select_related("cooperative__partner").order_by("pk"))
    refund_early = rng.random() < 0.05
    if refund_early:
        _refund(order=order, line=lines[0], admin=admin, at=placed_at + datetime.timedelta(hours=5))
    if now - placed_at > datetime.timedelta(days=3):
        for cooperative in {line.cooperative for line in lines if line.cooperative}:
            staff = cooperative.partner.users.order_by("pk").first() or admin
            shipped_at = placed_at + datetime.timedelta(hours=rng.randint(12, 60))
            try:
                shipment = shipment_create(
                    order=order,
                    cooperative=cooperative,
                    carrier=rng.choice(CARRIERS),
                    tracking_number=f"DX{rng.randrange(10**11, 10**12)}",
                    actor=staff,
                    shipped_at=shipped_at,
                    notify=False,
                )
            except ShipmentError:  # everything of this cooperative was refunded
                continue
            if now - shipped_at > datetime.timedelta(days=4) and rng.random() < 0.85:
                shipment_deliver(
                    shipment=shipment,
                    actor=staff,
                    delivered_at=shipped_at + datetime.timedelta(days=rng.randint(2, 4)),
                )
    if not refund_early and rng.random() < 0.08:
        _refund(order=order, line=lines[-1], admin=admin, at=placed_at + datetime.timedelta(days=7))
    return order


def _refund(*, order, line, admin, at):
    order_refund_offline(
        order=order,
        lines_quantities={line: 1},
        reference=f"DEMO-REFUND-{order.number}-{line.pk}",
        actor=admin,
        refunded_at=at,
    )
