"""Settlements put each line's amount on the ledger through the cooperative's scheme."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from marketplace.payment.events import payment_settled
from producers.income.models import (
    AppendOnlyError,
    LedgerEntry,
    LineTrace,
    ProcessedEvent,
    SupplyLot,
    SupplyLotItem,
)
from producers.income.services import events_process
from tests.factories import BenefitSchemeFactory

from .conftest import order_create, settlement_record

pytestmark = pytest.mark.django_db


def _amounts(**filters) -> dict:
    rows = (
        LedgerEntry.objects.filter(**filters)
        .values_list("household_id", "kind")
        .annotate(total=Sum("amount"))
    )
    return {(household, kind): total for household, kind, total in rows}


def _settle(world, qty=2, price=Decimal("38.00")):
    order = order_create(items=[(world["product"], qty, price)])
    event = settlement_record(order=order)
    events_process(payment_event_ids=[event.pk])
    return order, event


def test_settlement_splits_each_kind_among_its_households(linked_cooperative):
    # Given a cooperative whose scheme gives 30% to suppliers, 10% to wages, 5% to dividends
    world = linked_cooperative
    small, large = world["suppliers"]
    holder_small, holder_large = world["holders"]

    # When an order of 2 × ¥38.00 settles
    _settle(world)

    # Then each household gets its share of its kind, and the rest stays with the cooperative
    assert _amounts() == {
        (small.pk, "produce_supply"): Decimal("5.70"),
        (large.pk, "produce_supply"): Decimal("17.10"),
        (world["worker"].pk, "wage_labour"): Decimal("7.60"),
        (holder_small.pk, "dividend"): Decimal("0.95"),
        (holder_large.pk, "dividend"): Decimal("2.85"),
        (None, "cooperative_retained"): Decimal("41.80"),
    }


def test_the_entries_of_a_line_add_up_to_its_settled_amount(linked_cooperative):
    order, _event = _settle(linked_cooperative, qty=3, price=Decimal("33.33"))

    line = order.lines.get()
    total = LedgerEntry.objects.filter(line=line).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("99.99")
    assert all(e.scheme_id == linked_cooperative["scheme"].pk for e in LedgerEntry.objects.all())


def test_a_supply_lot_splits_produce_by_supplied_quantities(linked_cooperative):
    # Given a lot of the product bought before the sale from one registered supplier and
    # one other household, 1 kg and 4 kg
    world = linked_cooperative
    small, large = world["suppliers"]
    other = world["holders"][0]
    lot = SupplyLot.objects.create(
        cooperative=world["cooperative"],
        product=world["product"],
        supplied_on=datetime.date(2026, 5, 1),
    )
    SupplyLotItem.objects.create(lot=lot, household=small, quantity=Decimal("1"))
    SupplyLotItem.objects.create(lot=lot, household=other, quantity=Decimal("4"))

    # When the sale settles
    _settle(world)

    # Then the produce part (22.80) goes by the lot's quantities, not by registered shares
    produce = _amounts(kind="produce_supply")
    assert produce == {
        (small.pk, "produce_supply"): Decimal("4.56"),
        (other.pk, "produce_supply"): Decimal("18.24"),
    }
    assert (large.pk, "produce_supply") not in produce


def test_a_lot_bought_after_the_sale_is_not_used(linked_cooperative):
    world = linked_cooperative
    lot = SupplyLot.objects.create(
        cooperative=world["cooperative"],
        product=world["product"],
        supplied_on=datetime.date(2026, 6, 1),
    )
    SupplyLotItem.objects.create(lot=lot, household=world["holders"][0], quantity=Decimal("9"))

    _settle(world)

    small, large = world["suppliers"]
    assert set(_amounts(kind="produce_supply")) == {
        (small.pk, "produce_supply"),
        (large.pk, "produce_supply"),
    }


def test_the_scheme_in_force_on_the_payment_date_applies(linked_cooperative):
    # Given a later scheme version (all to the cooperative) from after the payment date
    world = linked_cooperative
    BenefitSchemeFactory(
        cooperative=world["cooperative"],
        effective_from=datetime.date(2026, 6, 1),
        produce_share=Decimal("0"),
        wage_share=Decimal("0"),
        dividend_share=Decimal("0"),
    )

    # When an order paid on 20 May settles
    _settle(world)

    # Then the version in force on 20 May is used
    assert set(LedgerEntry.objects.values_list("scheme_id", flat=True)) == {world["scheme"].pk}
    assert _amounts()[(None, "cooperative_retained")] == Decimal("41.80")


def test_without_a_scheme_the_whole_amount_stays_with_the_cooperative(linked_cooperative):
    world = linked_cooperative
    world["scheme"].effective_from = datetime.date(2027, 1, 1)
    world["scheme"].save()

    _settle(world)

    assert _amounts() == {(None, "cooperative_retained"): Decimal("76.00")}


def test_a_kind_without_households_stays_with_the_cooperative(linked_cooperative):
    # Given the worker's only work was recorded more than a year before the sale
    world = linked_cooperative
    world["worker"].benefit_links.get().wage_records.update(
        period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 12, 31)
    )

    _settle(world)

    # Then the wage part (7.60) is retained by the cooperative
    assert _amounts(kind="wage_labour") == {}
    assert _amounts()[(None, "cooperative_retained")] == Decimal("49.40")


def test_the_platform_fee_is_taken_before_allocation(linked_cooperative, settings):
    settings.INCOME_PLATFORM_FEE_RATE = "0.05"

    order, event = _settle(linked_cooperative)

    # 76.00 less 3.80 fee = 72.20 allocated, with the fee rate kept on the processed event
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == Decimal("72.20")
    assert ProcessedEvent.objects.get(payment_event=event).fee_rate == Decimal("0.0500")


def test_a_replayed_settlement_changes_nothing(linked_cooperative):
    order, event = _settle(linked_cooperative)
    before = list(LedgerEntry.objects.values_list("pk", "household_id", "kind", "amount"))

    # When the same payment event is processed again (a replayed webhook / task)
    processed = events_process(payment_event_ids=[event.pk])

    # Then nothing is recorded the second time
    assert processed == 0
    assert list(LedgerEntry.objects.values_list("pk", "household_id", "kind", "amount")) == before


def test_each_settled_line_gets_one_trace_code(linked_cooperative):
    order, event = _settle(linked_cooperative)
    events_process(payment_event_ids=[event.pk])

    (trace,) = LineTrace.objects.filter(line__order=order)
    assert len(trace.code) == 20


def test_ledger_entries_are_never_updated_or_deleted(linked_cooperative):
    _settle(linked_cooperative)
    entry = LedgerEntry.objects.first()

    entry.amount = Decimal("999.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("0"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount != Decimal("999.00")


def test_the_settlement_announcement_allocates_after_commit(
    linked_cooperative, django_capture_on_commit_callbacks
):
    # Given a settled order the store announces
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    event = settlement_record(order=order)

    # When the announcement is sent inside the store's transaction
    with django_capture_on_commit_callbacks(execute=True):
        payment_settled.send(sender=None, order=order, payment_event=event)
        assert not LedgerEntry.objects.exists()  # nothing before the commit

    # Then the (eager) task has allocated it once
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == Decimal("76.00")
    assert ProcessedEvent.objects.filter(payment_event=event).count() == 1
