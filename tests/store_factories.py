"""Store-side test data: cooperatives' products with stock and certificates."""

import datetime
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import StockRecordFactory, create_product

from producers.models import Cooperative
from tests.factories import CooperativeFactory, CountyOfficerFactory, PartnerFactory, UserFactory

ProductCertificate = get_model("catalogue", "ProductCertificate")
Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def certified_cooperative(**kwargs) -> Cooperative:
    return CooperativeFactory(state=Cooperative.State.CERTIFIED, **kwargs)


def product_create(
    *,
    cooperative: Cooperative | None = None,
    title: str = "凉山苦荞茶",
    price: Decimal = Decimal("38.00"),
    num_in_stock: int = 20,
    certificate_state: str | None = ProductCertificate.State.CERTIFIED,
    valid_to: datetime.date | None = None,
):
    """A product of `cooperative` (a new certified one by default) with a stock record at its
    partner and, unless certificate_state is None, a certificate in that state valid today."""
    cooperative = cooperative or certified_cooperative()
    product = create_product(title=title, product_class="扶贫产品")
    product.cooperative = cooperative
    product.save()
    return product_stock_and_certificate_add(
        product,
        price=price,
        num_in_stock=num_in_stock,
        certificate_state=certificate_state,
        valid_to=valid_to,
    )


def product_stock_and_certificate_add(
    product,
    *,
    price: Decimal = Decimal("38.00"),
    num_in_stock: int = 20,
    certificate_state: str | None = ProductCertificate.State.CERTIFIED,
    valid_to: datetime.date | None = None,
):
    """A stock record for `product` at its cooperative's partner and, unless
    certificate_state is None, a certificate in that state valid today."""
    cooperative = product.cooperative
    partner = getattr(cooperative, "partner", None) or PartnerFactory(cooperative=cooperative)
    StockRecordFactory(
        product=product,
        partner=partner,
        price_currency="CNY",
        price=price,
        num_in_stock=num_in_stock,
    )
    if certificate_state is not None:
        pending = certificate_state == ProductCertificate.State.PENDING
        today = timezone.localdate()
        ProductCertificate.objects.create(
            product=product,
            state=certificate_state,
            number="" if pending else f"CERT-{product.pk:05d}",
            valid_from=None if pending else today - datetime.timedelta(days=30),
            valid_to=None if pending else (valid_to or today + datetime.timedelta(days=300)),
            households_involved=12,
        )
    return product


def cooperative_staff_create(*, cooperative: Cooperative, roles=()):
    from marketplace.users.roles import COOPERATIVE_STAFF

    user = UserFactory(roles=[COOPERATIVE_STAFF, *roles])
    partner = getattr(cooperative, "partner", None) or PartnerFactory(cooperative=cooperative)
    partner.users.add(user)
    return user


def county_officer_create(*, county):
    from marketplace.users.roles import COUNTY_OFFICER

    return CountyOfficerFactory(user=UserFactory(roles=[COUNTY_OFFICER]), county=county).user


def sales_channel_create(*, code: str = "shanghai-zone", name: str = "上海消费帮扶专区", **kwargs):
    """A sales channel (an eastern partner's campaign zone), active unless told otherwise."""
    SalesChannel = get_model("order", "SalesChannel")
    return SalesChannel.objects.create(code=code, name=name, **kwargs)


def tea_and_honey():
    """Two cooperatives' products: tea at ¥38.00 (5 in stock), honey at ¥66.50 (10)."""
    tea = product_create(
        cooperative=certified_cooperative(),
        title="凉山苦荞茶",
        price=Decimal("38.00"),
        num_in_stock=5,
    )
    honey = product_create(
        cooperative=certified_cooperative(),
        title="昭觉蜂蜜",
        price=Decimal("66.50"),
        num_in_stock=10,
    )
    return tea, honey


def basket_with(user, lines):
    """An open basket of `user` holding [(product, quantity), …]."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product, quantity in lines:
        basket.add_product(product, quantity)
    return basket


def china_country():
    """China as the shipping country. A data migration writes it, but a transactional test
    run earlier flushes the database, and the load test's world is built without migrations."""
    Country = get_model("address", "Country")
    country, _created = Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={
            "iso_3166_1_a3": "CHN",
            "iso_3166_1_numeric": "156",
            "printable_name": "中国",
            "name": "中华人民共和国",
            "display_order": 1,
            "is_shipping_country": True,
        },
    )
    return country
