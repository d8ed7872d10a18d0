"""我的个人信息 (PIPL): a person downloads their own data, and deletes their account. The
deletion anonymises the person; orders, payments, the income ledger and the purchase facts
stay exactly as they were (the rebuilds find nothing to change)."""

import datetime
import json
from decimal import Decimal

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from cms.models import PublicParticipation
from cms.selectors import individual_ranking
from evaluation.models import PurchaseFact
from evaluation.services.rebuild import evaluation_rebuild
from marketplace.organisations.models import Membership
from marketplace.payment.models import PaymentAttempt
from marketplace.users.roles import CONSUMER, COOPERATIVE_STAFF
from producers.income.models import LedgerEntry
from producers.income.services.rebuild import ledger_rebuild_compare
from producers.models import AuditEntry, BenefitKind
from tests.evaluation.factories import at, east_west_world, order_place, order_settle, product_from
from tests.factories import (
    PASSWORD,
    BenefitLinkFactory,
    BenefitSchemeFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganisationFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import china_country

pytestmark = pytest.mark.django_db

User = get_user_model()
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")
Basket = get_model("basket", "Basket")

# What identifies the person in the world below: none of it may remain after deletion.
PERSONAL = (
    "lin.xiaowen@example.cn",
    "晓雯",
    "林",
    "茶香小林",
    "13987654321",
    "+8613987654321",
    "西湖区文三路 90 号 3 幢",
    "林晓雯",
    "lin.guest@example.cn",
)


def _address_book_entry(user):
    return UserAddress.objects.create(
        user=user,
        first_name="",
        last_name="林晓雯",
        state="浙江省",
        line4="杭州市",
        line3="西湖区",
        line1="西湖区文三路 90 号 3 幢",
        postcode="310012",
        phone_number="+8613987654321",
        country=china_country(),
    )


@pytest.fixture
def consumer_world():
    """A consumer (a recorded member of a Hangzhou canteen) who bought tea from a
    cooperative with a benefit scheme: settled, so the ledger and the facts hold it."""
    world = east_west_world()
    tea = product_from(world["zhaojue"], price=Decimal("38.00"))
    cooperative = tea.cooperative
    BenefitSchemeFactory(cooperative=cooperative)
    for share in ("1.00", "3.00"):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=HouseholdFactory(
                village=VillageFactory(parent=TownshipFactory(parent=cooperative.county))
            ),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
    person = UserFactory(
        email="lin.xiaowen@example.cn",
        first_name="晓雯",
        last_name="林",
        nickname="茶香小林",
        roles=[CONSUMER],
    )
    if "mobile" in {f.name for f in User._meta.get_fields()}:
        User.objects.filter(pk=person.pk).update(mobile="13987654321")
        person.refresh_from_db()
    canteen = OrganisationFactory(home_region=world["hangzhou"], name="杭州市第一中学食堂")
    MembershipFactory(
        organisation=canteen,
        user=person,
        state=Membership.State.APPROVED,
        decided_at=at(2025, 1, 1),
    )
    order = order_place(products=[(tea, 3)], user=person)
    ShippingAddress.objects.filter(pk=order.shipping_address_id).update(
        first_name="晓雯",
        last_name="林",
        line1="西湖区文三路 90 号 3 幢",
        phone_number="+8613987654321",
    )
    billing = BillingAddress.objects.create(
        first_name="晓雯",
        last_name="林",
        line1="西湖区文三路 90 号 3 幢",
        line4="杭州市",
        state="浙江省",
        country=china_country(),
    )
    Order.objects.filter(pk=order.pk).update(
        billing_address=billing, guest_email="lin.guest@example.cn"
    )
    order_settle(order=order, when=at(timezone.localdate().year, 3, 1))
    _address_book_entry(person)
    PublicParticipation.objects.create(user=person, show_in_ranking=True)
    return {**world, "person": person, "order": order, "tea": tea, "canteen": canteen}


def _money_state():
    return (
        LedgerEntry.objects.aggregate(total=Sum("amount"))["total"],
        LedgerEntry.objects.count(),
        PurchaseFact.objects.aggregate(total=Sum("amount"))["total"],
        PurchaseFact.objects.count(),
        sorted(Order.objects.values_list("number", "total_incl_tax", "user_id")),
    )


def _client_for(client, user):
    client.force_login(user)
    return client


# --- download -----------------------------------------------------------------------------


def test_download_holds_my_profile_addresses_orders_and_memberships(client, consumer_world):
    person, order = consumer_world["person"], consumer_world["order"]

    response = _client_for(client, person).get(reverse("customer:personal-data-download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "lin.xiaowen@example.cn"
    assert data["profile"]["full_name"] == "林晓雯"
    assert data["profile"]["nickname"] == "茶香小林"
    assert data["profile"]["show_in_ranking"] is True
    assert [a["line1"] for a in data["addresses"]] == ["西湖区文三路 90 号 3 幢"]
    [exported] = data["orders"]
    assert exported["number"] == str(order.number)
    assert exported["total_incl_tax"] == "114.00"
    assert exported["shipping_address"]["state"] == "浙江省"
    assert exported["lines"][0]["quantity"] == 3
    assert [p["amount"] for p in exported["payments"]] == ["114.00"]
    assert data["memberships"][0]["organisation"] == "杭州市第一中学食堂"


def test_download_never_holds_another_persons_data(client, consumer_world):
    other = UserFactory(email="other.buyer@example.cn", first_name="大伟", last_name="赵")
    their_order = order_place(products=[(consumer_world["tea"], 1)], user=other)
    UserAddress.objects.create(
        user=other,
        last_name="赵大伟",
        state="浙江省",
        line4="杭州市",
        line1="滨江区江南大道 1 号",
        postcode="310051",
        country=china_country(),
    )
    MembershipFactory(user=other, organisation=OrganisationFactory(name="宁波港务集团"))

    response = _client_for(client, consumer_world["person"]).get(
        reverse("customer:personal-data-download")
    )

    body = response.content.decode()
    for theirs in ("other.buyer@example.cn", "赵", "滨江区江南大道", "宁波港务"):
        assert theirs not in body
    assert [order["number"] for order in json.loads(body)["orders"]] == [
        str(consumer_world["order"].number)
    ]
    assert str(their_order.number) != str(consumer_world["order"].number)


def test_my_data_page_offers_the_download_and_the_deletion(client, consumer_world):
    response = _client_for(client, consumer_world["person"]).get(reverse("customer:personal-data"))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("customer:personal-data-download") in page
    assert reverse("customer:profile-delete") in page


def test_my_data_pages_need_signing_in(client):
    for name in ("customer:personal-data", "customer:personal-data-download"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- deletion -----------------------------------------------------------------------------


def test_deleting_my_account_anonymises_me_and_keeps_the_money_records(client, consumer_world):
    person, order = consumer_world["person"], consumer_world["order"]
    year = timezone.localdate().year
    assert [row.name for row in individual_ranking(year=year)] == ["茶香小林"]
    assert ledger_rebuild_compare().differences == []
    assert LedgerEntry.objects.exists()
    assert PurchaseFact.objects.exists()
    before = _money_state()

    response = _client_for(client, person).post(
        reverse("customer:profile-delete"), {"password": PASSWORD}
    )

    assert response.status_code == 302
    # Signed out, and can never sign in again
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert not person.is_active and not person.has_usable_password()
    assert not client.login(username="lin.xiaowen@example.cn", password=PASSWORD)
    # Money, ledger and facts unchanged, and the rebuilds find nothing to change
    assert _money_state() == before
    assert ledger_rebuild_compare().differences == []
    report = evaluation_rebuild(dry_run=True)
    assert report.differences == 0 and not report.created
    # Out of the public ranking
    assert individual_ranking(year=year) == []
    assert not PublicParticipation.objects.get(user=person).show_in_ranking
    # The address book is gone; no personal string remains in the user's rows
    assert not UserAddress.objects.filter(user=person).exists()
    order = Order.objects.select_related("shipping_address", "billing_address").get(pk=order.pk)
    rows = [
        *User.objects.filter(pk=person.pk).values().get().values(),
        *ShippingAddress.objects.filter(pk=order.shipping_address_id).values().get().values(),
        *BillingAddress.objects.filter(pk=order.billing_address_id).values().get().values(),
        *Order.objects.filter(pk=order.pk).values().get().values(),
    ]
    text = " ".join(str(value) for value in rows)
    for personal in PERSONAL:
        assert personal not in text
    # The region the purchase counted for is still readable
    assert (order.shipping_address.state, order.shipping_address.line4) == ("浙江省", "杭州市")
    # One audit entry, without the personal data
    entry = AuditEntry.objects.get(action="user.account_delete", target_id=str(person.pk))
    for personal in PERSONAL:
        assert personal not in json.dumps(entry.detail, ensure_ascii=False)


def test_a_wrong_password_deletes_nothing(client, consumer_world):
    person = consumer_world["person"]

    response = _client_for(client, person).post(
        reverse("customer:profile-delete"), {"password": "not-my-password"}
    )

    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    person.refresh_from_db()
    assert person.is_active and person.email == "lin.xiaowen@example.cn"
    assert UserAddress.objects.filter(user=person).exists()


@pytest.mark.parametrize(
    ("language", "asked", "wrong"),
    [("zh-hans", "确认注销", "删除"), ("en", "delete my account", "delete")],
)
def test_without_a_password_the_phrase_to_type_is_in_my_language(
    client, consumer_world, language, asked, wrong
):
    """A person who signed up with a mobile number has no password: they type the phrase
    the page asks for, in the page's language; anything else deletes nothing."""
    from django.utils import translation

    person = consumer_world["person"]
    person.set_unusable_password()
    person.save(update_fields=["password"])
    with translation.override(language):
        url = reverse("customer:profile-delete")
    browser = _client_for(client, person)

    page = browser.get(url).content.decode()
    assert asked in page
    refused = browser.post(url, {"phrase": wrong})
    assert refused.status_code == 200 and asked in refused.content.decode()
    person.refresh_from_db()
    assert person.is_active

    browser.post(url, {"phrase": asked.upper() if language == "en" else asked})
    person.refresh_from_db()
    assert not person.is_active


def test_deletion_is_refused_while_an_order_awaits_payment(client, consumer_world):
    person = consumer_world["person"]
    PaymentAttempt.objects.create(
        basket=Basket.objects.create(owner=person),
        user=person,
        order_number="100777",
        amount=Decimal("38.00"),
        expires_at=timezone.now() + datetime.timedelta(minutes=15),
    )
    client = _client_for(client, person)

    page = client.get(reverse("customer:profile-delete")).content.decode()
    response = client.post(reverse("customer:profile-delete"), {"password": PASSWORD})

    assert "订单 100777 正在等待支付" in page
    assert "订单 100777 正在等待支付" in response.content.decode()
    person.refresh_from_db()
    assert person.is_active and person.email == "lin.xiaowen@example.cn"


def test_the_last_admin_of_an_organisation_is_refused_until_another_admin_exists(
    client, consumer_world
):
    person, canteen = consumer_world["person"], consumer_world["canteen"]
    Membership.objects.filter(user=person).update(role=Membership.Role.ADMIN)
    client = _client_for(client, person)

    refused = client.post(reverse("customer:profile-delete"), {"password": PASSWORD})

    assert "唯一的单位管理员" in refused.content.decode()
    person.refresh_from_db()
    assert person.is_active

    MembershipFactory(
        organisation=canteen, role=Membership.Role.ADMIN, state=Membership.State.APPROVED
    )
    client.post(reverse("customer:profile-delete"), {"password": PASSWORD})
    person.refresh_from_db()
    assert not person.is_active


def test_staff_accounts_cannot_delete_themselves(client):
    staff = UserFactory(roles=[COOPERATIVE_STAFF])

    response = _client_for(client, staff).post(
        reverse("customer:profile-delete"), {"password": PASSWORD}
    )

    assert "不能自行注销" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def _text_columns(model):
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]


def test_after_deletion_no_table_and_no_order_export_holds_my_personal_data(client, consumer_world):
    # Given the person, and what identifies them somewhere before deletion
    person = consumer_world["person"]
    distinctive = [p for p in PERSONAL if len(p) > 1]
    # who signed in by e-mail once after a wrong password, and by number (django-axes logs both)
    for username, password in [
        ("lin.xiaowen@example.cn", "wrong password"),
        ("lin.xiaowen@example.cn", PASSWORD),
        ("13987654321", PASSWORD),
    ]:
        client.post(
            reverse("customer:login"),
            {"login-username": username, "login-password": password, "login_submit": "1"},
            REMOTE_ADDR="203.0.113.7",
        )
    assert AccessLog.objects.exists()
    _client_for(client, person).post(reverse("customer:profile-delete"), {"password": PASSWORD})

    # Then every text column of every table is free of it (encrypted columns read decrypted)
    found = []
    for model in apps.get_models():
        columns = _text_columns(model)
        if not columns or model._meta.proxy or not model._meta.managed:
            continue
        for row in model._default_manager.values_list(*columns).iterator():
            text = " ".join(str(value) for value in row if value is not None)
            found += [(model._meta.label, p) for p in distinctive if p in text]
    assert found == []
    # And so is the staff's order export, which lists the order still
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    export = client.get(reverse("dashboard:order-list"), {"response_format": "csv"})
    exported = export.content.decode("utf-8-sig")
    assert str(consumer_world["order"].number) in exported
    assert not [p for p in distinctive if p in exported]
