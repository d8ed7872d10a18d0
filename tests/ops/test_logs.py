"""Operators' logs: one line per request and per task, with timing and the order or payment
ids, and no personal data. A checkout, a household edit and a payout are captured whole and
scanned for the register numbers, names, phones, addresses and emails that went through."""

import logging
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from producers.income.services import events_process
from tests.marketplace.checkout.conftest import stripe_fake, tea_and_honey  # noqa: F401
from tests.producers.income.conftest import (  # noqa: F401  fixture
    linked_cooperative,
    order_create,
    settlement_record,
)
from tests.producers.test_household_views import (  # noqa: F401  fixtures
    county,
    household,
    household_post_data,
    officer,
    officer_client,
    url,
    village,
)
from tests.store_factories import cooperative_staff_create

PaymentAttempt = get_model("payment", "PaymentAttempt")
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

ADDRESS = {
    "last_name": "欧阳娜娜",
    "state": "上海市",
    "line4": "上海市",
    "line3": "徐汇区",
    "line1": "漕溪北路 88 号",
    "postcode": "200030",
    "phone_number": "13800138000",
}
NEW_HEAD, NEW_PHONE, NEW_NUMBER = "阿牛依火", "13912345678", "5134311000010777"


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _lines(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def _all_text(caplog) -> str:
    # Every record, formatted with its arguments and any traceback, as a handler would write.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return "\n".join(handler.format(record) for record in caplog.records)


def _assert_no_personal_data(text: str, values: list[str]) -> None:
    leaked = [value for value in values if value and value in text]
    assert leaked == []


def test_a_checkout_logs_each_request_and_task_with_ids_and_no_personal_data(
    client,
    stripe_fake,  # noqa: F811
    logs,
    django_capture_on_commit_callbacks,
):
    from tests.factories import UserFactory

    tea, honey = tea_and_honey()
    customer = UserFactory(first_name="娜娜", last_name="欧阳", email="nana@dongxi.example")
    client.force_login(customer)
    logs.clear()  # the test's own setup (factory_boy logs what it builds) is not the site's

    # A whole checkout: basket, address, preview, pay page, Stripe's success, the return
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 2})
        client.post(reverse("checkout:shipping-address"), ADDRESS, follow=True)
        client.post(reverse("checkout:preview"), {"action": "place_order"})
        client.get(reverse("checkout:stripe-pay"))
        attempt = PaymentAttempt.objects.get()
        stripe_fake.succeed(attempt.payment_intent_id)
        client.get(reverse("checkout:stripe-return"), {"payment_intent": attempt.payment_intent_id})
    order = Order.objects.get()

    requests_logged = _lines(logs, "dongxi.request")
    tasks_logged = _lines(logs, "dongxi.task")
    # One line per request, each with its status and time
    assert len(requests_logged) >= 6
    assert all(re.search(r" status=\d{3} .* ms=\d+$", line) for line in requests_logged)
    (returned,) = [line for line in requests_logged if "view=checkout:stripe-return" in line]
    assert f"payment_intent={attempt.payment_intent_id}" in returned
    assert f"order_id={order.pk}" in returned
    # One line per task the settlement ran, each with the ids it was given and its time
    assert any(
        "task=producers.income.tasks.settlement_allocate_task" in line
        and "state=SUCCESS" in line
        and re.search(r" ms=\d+$", line)
        for line in tasks_logged
    ), tasks_logged
    _assert_no_personal_data(
        _all_text(logs),
        ["欧阳", "娜娜", "13800138000", "漕溪北路", "200030", "nana@dongxi.example"],
    )


def test_a_household_edit_logs_no_register_number_name_or_phone(
    officer_client,  # noqa: F811
    household,  # noqa: F811
    village,  # noqa: F811
    logs,
):
    response = officer_client.post(
        url("county-household-edit", household.pk),
        household_post_data(
            village, register_number=NEW_NUMBER, head_name=NEW_HEAD, phone=NEW_PHONE
        ),
    )
    assert response.status_code == 302
    officer_client.get(url("county-household-detail", household.pk))

    (edit,) = [line for line in _lines(logs, "dongxi.request") if "household-edit" in line]
    assert f"pk={household.pk}" in edit and "status=302" in edit
    _assert_no_personal_data(
        _all_text(logs),
        ["5134311000010123", NEW_NUMBER, "吉克阿呷", NEW_HEAD, NEW_PHONE],
    )


def test_a_payout_logs_no_household_name_register_number_or_phone(
    client,
    linked_cooperative,  # noqa: F811
    logs,
):
    sale = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=sale).pk])
    worker = linked_cooperative["worker"]
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))
    logs.clear()

    response = client.post(
        reverse("income:cooperative-payout-create"),
        {
            "household": worker.pk,
            "amount": "7.60",
            "paid_on": "2026-06-01",
            "method": "cash",
            "reference": "",
        },
    )
    assert response.status_code == 302
    client.get(reverse("income:cooperative-balances"))

    assert any("cooperative-payout-create" in line for line in _lines(logs, "dongxi.request"))
    _assert_no_personal_data(
        _all_text(logs),
        [worker.register_number, worker.head_name, worker.phone],
    )
