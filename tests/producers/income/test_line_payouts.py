"""What a buyer reads about one order line: the households' attributed share, how much of
it their cooperative has paid them and when, and what is still owed (overdue after
INCOME_PAYOUT_OVERDUE_DAYS). Shown on the customer's order page and the public trace page,
without naming anyone."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from producers.income.models import Payout
from producers.income.selectors import order_lines_income
from producers.income.services import events_process
from producers.income.services.payouts import payout_record
from tests.factories import UserFactory
from tests.store_factories import cooperative_staff_create

from .conftest import order_create, settlement_record

pytestmark = pytest.mark.django_db
Order = get_model("order", "Order")

# The fixture's ¥76.00 line gives its households ¥34.20: suppliers ¥5.70 and ¥17.10, the
# worker ¥7.60, the dividend holders ¥0.95 and ¥2.85.
SHARES = ("5.70", "17.10", "7.60", "0.95", "2.85")


def _households(world):
    return [*world["suppliers"], world["worker"], *world["holders"]]


def _settled_order(world, *, lines=1, paid_at):
    order = order_create(
        items=[(world["product"], 2, Decimal("38.00"))] * lines,
        when=paid_at - datetime.timedelta(minutes=5),
    )
    events_process(payment_event_ids=[settlement_record(order=order, when=paid_at).pk])
    return order


def _pay(world, household, amount: str, paid_on: datetime.date):
    return payout_record(
        cooperative=world["cooperative"],
        household=household,
        amount=Decimal(amount),
        paid_on=paid_on,
        method=Payout.Method.BANK,
        reference="TX",
        actor=cooperative_staff_create(cooperative=world["cooperative"]),
    )


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_a_line_whose_households_were_paid_nothing_is_owed_in_full_and_overdue(
    linked_cooperative, settings
):
    # Given a line settled on 20 May that gave households ¥34.20, and no payout at all
    settings.INCOME_PAYOUT_OVERDUE_DAYS = 30
    order = _settled_order(linked_cooperative, paid_at=_at(datetime.date(2026, 5, 20)))
    line = order.lines.get()

    # When it is read before and after the 30 days
    early = order_lines_income(lines=[line.pk], on=datetime.date(2026, 6, 18))[line.pk]
    late = order_lines_income(lines=[line.pk], on=datetime.date(2026, 6, 19))[line.pk]

    # Then nothing is paid, all of it is owed, and it is overdue once the 30 days are up
    assert (early["attributed"], early["paid"], early["owed"]) == (
        Decimal("34.20"),
        Decimal("0.00"),
        Decimal("34.20"),
    )
    assert early["last_paid_on"] is None
    assert early["payout_due_on"] == datetime.date(2026, 6, 19)
    assert early["overdue"] == Decimal("0.00")
    assert late["overdue"] == Decimal("34.20")


def test_payouts_settle_a_households_oldest_lines_first(linked_cooperative):
    # Given two lines settled on 20 May and 1 June, the same households in each
    world = linked_cooperative
    first = _settled_order(world, paid_at=_at(datetime.date(2026, 5, 20))).lines.get()
    second = _settled_order(world, paid_at=_at(datetime.date(2026, 6, 1))).lines.get()
    households = _households(world)
    # and every household paid its first line's share on 5 June, except the big supplier,
    # paid ¥10.00 on 3 June and ¥12.10 on 10 June (its ¥17.10, then ¥5.00 more)
    for household, share in zip(households, SHARES, strict=True):
        if household != world["suppliers"][1]:
            _pay(world, household, share, datetime.date(2026, 6, 5))
    _pay(world, world["suppliers"][1], "10.00", datetime.date(2026, 6, 3))
    _pay(world, world["suppliers"][1], "12.10", datetime.date(2026, 6, 10))

    # When the lines are read
    income = order_lines_income(lines=[first.pk, second.pk], on=datetime.date(2026, 6, 12))

    # Then the first line is paid in full, last on 10 June
    assert (income[first.pk]["paid"], income[first.pk]["owed"]) == (
        Decimal("34.20"),
        Decimal("0.00"),
    )
    assert income[first.pk]["last_paid_on"] == datetime.date(2026, 6, 10)
    # and of the second only the big supplier's ¥5.00 is paid, the rest still owed
    assert (income[second.pk]["paid"], income[second.pk]["owed"]) == (
        Decimal("5.00"),
        Decimal("29.20"),
    )
    assert income[second.pk]["last_paid_on"] == datetime.date(2026, 6, 10)
    # and each line's paid and owed add up to what it attributed
    for item in income.values():
        assert item["paid"] + item["owed"] == item["attributed"] == Decimal("34.20")


def test_the_trace_page_says_plainly_that_an_overdue_share_is_not_paid(
    client, linked_cooperative, settings
):
    # Given a line settled 40 days ago whose households have been paid nothing
    settings.INCOME_PAYOUT_OVERDUE_DAYS = 30
    paid_at = timezone.now() - datetime.timedelta(days=40)
    line = _settled_order(linked_cooperative, paid_at=paid_at).lines.get()

    # When an anonymous visitor opens its trace page
    response = client.get(reverse("income:trace", args=[line.trace.code]))

    # Then the ¥34.20 is the households' attributed share, ¥0.00 of it paid, all owed
    # and overdue; it is never called income received
    page = response.content.decode()
    assert "农户所得" not in page
    assert "归属农户的收益" in page and "¥34.20" in page
    assert "合作社已发放" in page and "¥0.00" in page
    assert "合作社尚未向农户发放" in page
    assert "待发放" in page and "已逾期" in page
    due = (timezone.localtime(paid_at).date() + datetime.timedelta(days=30)).isoformat()
    assert due in page
    # and nobody is named
    for household in _households(linked_cooperative):
        assert household.head_name not in page
        assert household.register_number not in page


def test_the_trace_page_shows_what_was_paid_and_when(client, linked_cooperative):
    # Given a line settled 3 days ago whose households were all paid their share yesterday
    world = linked_cooperative
    line = _settled_order(world, paid_at=timezone.now() - datetime.timedelta(days=3)).lines.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for household, share in zip(_households(world), SHARES, strict=True):
        _pay(world, household, share, yesterday)

    page = client.get(reverse("income:trace", args=[line.trace.code])).content.decode()

    assert "¥34.20" in page
    assert yesterday.isoformat() in page
    assert "已全部发放给农户" in page
    assert "已逾期" not in page


@pytest.mark.parametrize("lines", [1, 6])
def test_the_customers_order_page_shows_paid_and_owed_in_a_constant_number_of_queries(
    client, linked_cooperative, django_assert_max_num_queries, settings, lines
):
    # Given a customer's order of several lines settled 40 days ago; one supplier was
    # paid ¥5.70 (its share of the first line) 10 days ago, nobody else anything
    settings.INCOME_PAYOUT_OVERDUE_DAYS = 30
    world = linked_cooperative
    order = _settled_order(world, lines=lines, paid_at=timezone.now() - datetime.timedelta(days=40))
    paid_on = timezone.localdate() - datetime.timedelta(days=10)
    _pay(world, world["suppliers"][0], "5.70", paid_on)
    customer = UserFactory()
    Order.objects.filter(pk=order.pk).update(user=customer)
    client.force_login(customer)
    url = reverse("customer:order", kwargs={"order_number": order.number})

    # When the customer opens the order, then the queries do not grow with its lines
    with django_assert_max_num_queries(26):  # as many for 1 line as for 6
        response = client.get(url)

    # and each line shows the households' share, what was paid (and when), what is owed
    page = response.content.decode()
    assert page.count("归属农户的收益") == lines
    assert page.count("¥34.20") >= lines
    assert "¥5.70" in page and paid_on.isoformat() in page
    assert "¥28.50" in page  # the first line's ¥34.20 less the ¥5.70 paid
    assert page.count("已逾期") == lines
