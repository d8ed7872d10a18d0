from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.models import Page

from cms.models import HomePage
from demo.users import DEMO_USERS
from evaluation.models import Pairing
from marketplace.organisations.models import Membership, Organisation
from marketplace.users.roles import ROLES
from producers.models import Cooperative, CountyOfficer, Household, Region

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")
SalesChannel = get_model("order", "SalesChannel")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
User = get_user_model()

COUNTED = [
    User,
    Region,
    Cooperative,
    CountyOfficer,
    Household,
    Partner,
    Product,
    ProductImage,
    Category,
    StockRecord,
    Organisation,
    Membership,
    Pairing,
    Page,
    Order,
    Shipment,
    SalesChannel,
    PaymentEvent,
    Source,
]


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("load_demo_world", stdout=out, **kwargs)
    return out.getvalue()


def _snapshot() -> dict:
    counts = {model._meta.label: model.objects.count() for model in COUNTED}
    stock = list(StockRecord.objects.order_by("pk").values_list("pk", "num_in_stock", "price"))
    return {"counts": counts, "stock": stock}


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    return settings


@pytest.mark.django_db
def test_second_run_of_demo_command_creates_no_duplicates(demo_settings):
    # Given a loaded demo world
    _load()
    first = _snapshot()

    # When the command runs again
    output = _load()

    # Then nothing was added or changed
    assert _snapshot() == first
    assert "0 new households" in output


@pytest.mark.django_db
def test_demo_world_has_what_every_screen_needs(demo_settings):
    _load()

    west_counties = Region.objects.filter(level=Region.Level.COUNTY, side=Region.Side.WEST)
    assert west_counties.count() >= 8
    assert west_counties.filter(is_deep_poverty=True).exists()
    assert west_counties.filter(is_supervision_target=True).exists()
    assert west_counties.filter(exit_year__lt=2020).exists()
    assert Pairing.objects.count() >= 4
    assert Pairing.objects.filter(kind=Pairing.Kind.DESIGNATED).exists()
    assert Cooperative.objects.count() >= 12
    assert Cooperative.objects.filter(state=Cooperative.State.CERTIFIED).exists()
    assert Cooperative.objects.exclude(state=Cooperative.State.CERTIFIED).exists()
    assert Product.objects.count() >= 40
    assert not Product.objects.filter(images__isnull=True).exists()
    assert not Product.objects.filter(stockrecords__isnull=True).exists()
    assert Household.objects.count() >= 200
    assert Organisation.objects.count() >= 2
    assert HomePage.objects.filter(locale__language_code="zh-hans").count() == 1
    assert HomePage.objects.filter(locale__language_code="en").count() == 1


@pytest.mark.django_db
def test_demo_world_has_an_order_history_over_two_years(
    demo_settings, django_capture_on_commit_callbacks
):
    # Given the demo world, announced payments counted as they happen
    from marketplace.payment.events import payment_refunded, payment_settled

    announced = []

    def receiver(sender, payment_event, **kwargs):
        announced.append(payment_event.pk)

    payment_settled.connect(receiver)
    payment_refunded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _load()
    finally:
        payment_settled.disconnect(receiver)
        payment_refunded.disconnect(receiver)

    # Then consumers' and buyer units' orders of 2025 and 2026 are paid, shipped, refunded
    history = Order.objects.filter(number__startswith="DX")
    assert {order.date_placed.year for order in history} == {2025, 2026}
    assert history.filter(organisation__isnull=False).exists()
    assert history.filter(organisation__isnull=True, user__isnull=False).exists()
    assert set(history.values_list("sales_channel__code", flat=True)) >= {
        "shanghai-zone",
        "hangzhou-zone",
        None,
    }
    assert not history.exclude(payment_events__event_type__code="paid").exists()
    assert Shipment.objects.filter(order__in=history, state="delivered").exists()
    assert Shipment.objects.filter(order__in=history, state="shipped").exists()
    assert PaymentEvent.objects.filter(order__in=history, event_type__code="refund").exists()
    # and every payment and refund was announced once, like a card payment's
    events = PaymentEvent.objects.filter(order__in=history)
    assert sorted(pk for pk in announced if events.filter(pk=pk).exists()) == sorted(
        events.values_list("pk", flat=True)
    )
    # and the income ledger, purchase facts and scorecards equal their rebuild from the orders
    income, evaluation = StringIO(), StringIO()
    call_command("income_rebuild", stdout=income)
    call_command("evaluation_rebuild", "--dry-run", stdout=evaluation)
    assert "零差异" in income.getvalue()
    assert "采购事实与考核表按原样重现：零差异。" in evaluation.getvalue()


@pytest.mark.django_db
def test_demo_world_has_the_documented_login_of_every_role(demo_settings):
    _load()

    for email, *_names, role, _staff in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.groups.filter(name=role.code).exists()
        assert user.check_password("dongxi-demo")
    assert {role for *_rest, role, _staff in DEMO_USERS} == set(ROLES)
    # The demo consumer signs in with its mobile number too.
    client = Client()
    client.post(
        reverse("customer:login"),
        {"login-username": "139 0000 0001", "login-password": "dongxi-demo", "login_submit": "1"},
    )
    assert client.session["_auth_user_id"] == str(User.objects.get(mobile="13900000001").pk)


@pytest.mark.django_db
def test_demo_partner_of_every_cooperative_and_staff_attached(demo_settings):
    _load()

    assert Partner.objects.filter(cooperative__isnull=False).count() == Cooperative.objects.count()
    coop_user = User.objects.get(email="coop@dongxi.demo")
    assert list(coop_user.partners.values_list("cooperative__legal_name", flat=True)) == [
        "昭觉县火普村种养殖农民专业合作社"
    ]
    assert CountyOfficer.objects.get(user__email="county@dongxi.demo").county.name == "昭觉县"


@pytest.mark.django_db
def test_demo_command_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        _load()

    assert not User.objects.filter(email__endswith="@dongxi.demo").exists()
