"""A refund appends entries reversing exactly its share; nothing is changed or removed."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from producers.income.models import LedgerEntry, LineMovement
from producers.income.services import events_process

from .conftest import order_create, refund_record, settlement_record

pytestmark = pytest.mark.django_db


def _balances(**filters) -> dict:
    rows = (
        LedgerEntry.objects.filter(**filters)
        .values_list("household_id", "kind")
        .annotate(total=Sum("amount"))
    )
    return {(household, kind): total for household, kind, total in rows}


def test_a_full_refund_returns_every_balance_to_zero(linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    settled_rows = LedgerEntry.objects.count()
    line = order.lines.get()

    events_process(payment_event_ids=[refund_record(order=order, lines=[(line, 2)]).pk])

    assert set(_balances().values()) == {Decimal("0.00")}
    # appended, not changed: one reversing entry per settled entry
    assert LedgerEntry.objects.count() == 2 * settled_rows


def test_a_partial_refund_reverses_its_quantity_share(linked_cooperative):
    # Given 2 units settled (see the allocation tests for the split)
    world = linked_cooperative
    order = order_create(items=[(world["product"], 2, Decimal("38.00"))])
    settled = settlement_record(order=order)
    events_process(payment_event_ids=[settled.pk])
    line = order.lines.get()

    # When one unit is refunded
    refund = refund_record(order=order, lines=[(line, 1)])
    events_process(payment_event_ids=[refund.pk])

    # Then half of each entry is reversed, to the fen
    reversed_ = _balances(payment_event=refund)
    assert sum(reversed_.values()) == Decimal("-38.00")
    assert reversed_[(world["worker"].pk, "wage_labour")] == Decimal("-3.80")
    assert reversed_[(None, "cooperative_retained")] == Decimal("-20.90")
    assert LineMovement.objects.get(payment_event=refund).gross == Decimal("38.00")


def test_an_amount_only_refund_reverses_pro_rata_across_lines(linked_cooperative):
    # Given an order of two lines (¥76.00 and ¥24.00) of the same cooperative
    world = linked_cooperative
    order = order_create(
        items=[(world["product"], 2, Decimal("38.00")), (world["product"], 1, Decimal("24.00"))]
    )
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    big, small = order.lines.order_by("pk")

    # When ¥10.00 is refunded from Stripe's dashboard (no quantities)
    refund = refund_record(order=order, amount=Decimal("10.00"))
    events_process(payment_event_ids=[refund.pk])

    # Then it is reversed 76:24 across the lines, exactly to the fen
    moved = dict(LineMovement.objects.filter(payment_event=refund).values_list("line", "gross"))
    assert moved == {big.pk: Decimal("7.60"), small.pk: Decimal("2.40")}
    assert LedgerEntry.objects.filter(payment_event=refund).aggregate(t=Sum("amount"))[
        "t"
    ] == Decimal("-10.00")


def test_a_refund_processed_before_its_settlement_waits_for_it(linked_cooperative):
    # Given a settlement whose task has not run yet, and a refund of one unit
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    settled = settlement_record(order=order)
    refund = refund_record(order=order, lines=[(order.lines.get(), 1)])

    # When the refund task runs first
    events_process(payment_event_ids=[refund.pk])

    # Then the settlement was recorded first and the refund reversed half of it
    assert LedgerEntry.objects.filter(payment_event=settled).exists()
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == Decimal("38.00")

    # and the settlement's own task later changes nothing
    assert events_process(payment_event_ids=[settled.pk]) == 0


def test_a_replayed_refund_changes_nothing(linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    refund = refund_record(order=order, lines=[(order.lines.get(), 1)])
    events_process(payment_event_ids=[refund.pk])
    rows = LedgerEntry.objects.count()

    assert events_process(payment_event_ids=[refund.pk]) == 0
    assert LedgerEntry.objects.count() == rows
