"""Addresses as Chinese users write them: the address an order was paid for goes to the
customer's address book and the next checkout offers it; the preview and the thank-you page
read province → city → district → street; a mainland mobile number is required."""

import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from marketplace.payment.services import order_place_for_payment, payment_start
from tests.factories import UserFactory
from tests.marketplace.checkout.addresses import CHINESE_ADDRESS

from .conftest import ADDRESS, basket_with, start_payment

OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
UserAddress = get_model("address", "UserAddress")

pytestmark = pytest.mark.django_db


def paid(stripe_fake, user, product, *, address=ADDRESS):
    """An order of one `product` shipped to `address`, paid and placed."""
    basket = basket_with(user, [(product, 1)])
    attempt = payment_start(
        basket=basket,
        user=user,
        order_number=OrderNumberGenerator().order_number(basket),
        amount=basket.total_incl_tax,
        shipping_address=address,
        shipping_method_code="free-shipping",
    )
    stripe_fake.succeed(attempt.payment_intent_id)
    return order_place_for_payment(payment_intent_id=attempt.payment_intent_id)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def in_order(text: str, *parts: str) -> bool:
    positions = [text.find(part) for part in parts]
    return -1 not in positions and positions == sorted(positions)


def test_a_paid_order_keeps_its_address_in_the_address_book(
    stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives

    paid(stripe_fake, customer, tea)

    saved = UserAddress.objects.get(user=customer)
    assert (saved.last_name, saved.state, saved.line4, saved.line3, saved.line1) == (
        "张三",
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路 90 号 3 幢 201 室",
    )
    assert saved.postcode == "310012"
    assert str(saved.phone_number) == "+8613800138000"
    assert saved.is_default_for_shipping
    assert saved.num_orders_as_shipping_address == 1


def test_the_same_address_again_is_one_entry_used_twice(stripe_fake, customer, two_cooperatives):
    tea, honey = two_cooperatives

    paid(stripe_fake, customer, tea)
    paid(stripe_fake, customer, honey, address={**ADDRESS, "phone_number": "+8613900001111"})

    saved = UserAddress.objects.get(user=customer)
    assert saved.num_orders_as_shipping_address == 2
    assert str(saved.phone_number) == "+8613900001111"  # the latest number used


def test_a_second_address_is_added_and_the_first_stays_the_default(
    stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives

    paid(stripe_fake, customer, tea)
    paid(stripe_fake, customer, honey, address={**ADDRESS, "line1": "文二路 8 号"})

    addresses = UserAddress.objects.filter(user=customer)
    assert addresses.count() == 2
    assert addresses.get(is_default_for_shipping=True).line1 == "文三路 90 号 3 幢 201 室"


def test_an_unpaid_checkout_saves_no_address(stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    start_payment(customer, basket_with(customer, [(tea, 1)]))

    assert not UserAddress.objects.filter(user=customer).exists()


def test_the_next_checkout_offers_the_saved_address_in_chinese_order(
    client, stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    paid(stripe_fake, customer, tea)
    client.force_login(customer)
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})

    page = client.get(reverse("checkout:shipping-address"))

    saved = UserAddress.objects.get(user=customer)
    html = page.content.decode()
    assert f'name="address_id" value="{saved.pk}"' in html
    offered = text_of(html[html.index("address-zh") : html.index(f'value="{saved.pk}"')])
    assert in_order(offered, "张三", "138 0013 8000", "浙江省", "杭州市", "西湖区", "文三路 90 号")

    # Choosing it leads to the preview, which shows it the same way
    chosen = client.post(
        reverse("checkout:shipping-address"),
        {"action": "ship_to", "address_id": saved.pk},
        follow=True,
    )
    assert chosen.resolver_match.url_name == "preview"
    preview = chosen.content.decode()
    shown = text_of(preview[preview.index('id="preview-shipping-address"') :])
    assert in_order(shown, "张三", "浙江省", "杭州市", "西湖区", "文三路 90 号", "310012")


def test_another_customers_saved_address_is_not_found(
    client, stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    paid(stripe_fake, customer, tea)
    theirs = UserAddress.objects.get(user=customer)
    intruder = UserFactory()
    client.force_login(intruder)
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})

    page = client.get(reverse("checkout:shipping-address")).content.decode()
    answer = client.post(
        reverse("checkout:shipping-address"), {"action": "ship_to", "address_id": theirs.pk}
    )

    assert "文三路" not in page
    assert answer.status_code == 404


def test_the_preview_reads_a_new_address_province_first(client, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(customer)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 1})

    response = client.post(reverse("checkout:shipping-address"), CHINESE_ADDRESS, follow=True)

    assert response.resolver_match.url_name == "preview"
    html = response.content.decode()
    shown = text_of(html[html.index('id="preview-shipping-address"') :])
    assert in_order(shown, "张三", "138 0013 8000", "浙江省", "杭州市", "西湖区", "文三路 90 号")


def test_a_municipality_is_not_named_twice(client, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(customer)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 1})
    shanghai = {**CHINESE_ADDRESS, "state": "上海市", "line4": "上海市", "line3": "徐汇区"}

    response = client.post(reverse("checkout:shipping-address"), shanghai, follow=True)

    html = response.content.decode()
    shown = text_of(html[html.index('id="preview-shipping-address"') :])
    assert "上海市 徐汇区" in shown and "上海市 上海市" not in shown


@pytest.mark.parametrize("number", ["12345678901", "+85291234567", "1380013800"])
def test_a_number_that_is_not_a_mainland_mobile_is_refused(
    client, customer, two_cooperatives, number
):
    tea, _honey = two_cooperatives
    client.force_login(customer)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 1})

    response = client.post(
        reverse("checkout:shipping-address"), {**CHINESE_ADDRESS, "phone_number": number}
    )

    assert response.status_code == 200
    assert "请输入 11 位中国大陆手机号码。" in response.content.decode()


def test_a_saved_address_is_edited_in_the_chinese_layout(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    paid(stripe_fake, customer, tea)
    saved = UserAddress.objects.get(user=customer)
    client.force_login(customer)

    form = client.get(reverse("checkout:user-address-update", kwargs={"pk": saved.pk}))

    assert list(form.context["form"].fields)[:4] == ["last_name", "state", "line4", "line3"]
    assert "first_name" not in form.context["form"].fields


def test_the_account_address_book_lists_the_saved_address_province_first(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    paid(stripe_fake, customer, tea)
    client.force_login(customer)

    html = client.get(reverse("customer:address-list")).content.decode()

    listed = text_of(html[html.index("address-zh") :])
    assert in_order(listed, "张三", "138 0013 8000", "浙江省", "杭州市", "西湖区", "文三路 90 号")


def test_the_account_address_book_adds_and_edits_in_the_chinese_layout(client, customer):
    # Given a customer in 我的账户 → 地址簿
    client.force_login(customer)

    # When they open the new-address form and save a Chinese address from it
    form = client.get(reverse("customer:address-create")).context["form"]
    saved = client.post(reverse("customer:address-create"), CHINESE_ADDRESS)

    # Then the form asks province first, with no Western first-name box, and the address is
    # kept in the book; editing it offers the same layout
    assert list(form.fields)[:4] == ["last_name", "state", "line4", "line3"]
    assert "first_name" not in form.fields
    assert saved.status_code == 302
    address = UserAddress.objects.get(user=customer)
    assert (address.state, address.line4, address.line3) == ("浙江省", "杭州市", "西湖区")
    edit = client.get(reverse("customer:address-detail", kwargs={"pk": address.pk}))
    assert list(edit.context["form"].fields)[:4] == ["last_name", "state", "line4", "line3"]


def test_the_account_address_book_refuses_a_number_that_is_not_a_mainland_mobile(client, customer):
    client.force_login(customer)

    response = client.post(
        reverse("customer:address-create"), {**CHINESE_ADDRESS, "phone_number": "12345"}
    )

    assert response.status_code == 200
    assert "请输入 11 位中国大陆手机号码。" in response.content.decode()
    assert not UserAddress.objects.filter(user=customer).exists()
