"""What buyers, the CMS and evaluation read back from the ledger."""

from decimal import Decimal

import pytest
from django.db.models import F, Value
from oscar.core.loading import get_model

from producers.income.selectors import (
    attributed_total,
    households_reached,
    households_reached_by_group,
    order_lines_trace,
)
from producers.income.services import events_process

from .conftest import order_create, refund_record, settlement_record

pytestmark = pytest.mark.django_db
Line = get_model("order", "Line")


def _settled_order(world, qty=2):
    order = order_create(items=[(world["product"], qty, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    return order


def test_households_reached_counts_distinct_households_of_the_lines(linked_cooperative):
    # Given two settled orders of the same cooperative (5 households benefit from each)
    first = _settled_order(linked_cooperative)
    second = _settled_order(linked_cooperative)

    # Then the households are counted once, whether lines come as a queryset or as ids
    lines = Line.objects.filter(order__in=[first, second])
    assert households_reached(order_lines=lines) == 5
    assert households_reached(order_lines=list(lines.values_list("pk", flat=True))) == 5
    assert households_reached(order_lines=[]) == 0


def test_households_reached_by_group_counts_each_group_as_households_reached_would(
    linked_cooperative, django_assert_num_queries
):
    # Given two settled orders of the same cooperative, and a third one refunded in full
    first, second, third = (_settled_order(linked_cooperative) for _ in range(3))
    line = third.lines.get()
    events_process(payment_event_ids=[refund_record(order=third, lines=[(line, 2)]).pk])

    def group(key, *orders):
        # No ordering: SQLite refuses it inside a UNION.
        return (
            Line.objects.filter(order__in=orders)
            .order_by()
            .values(group_key=Value(key), line_key=F("pk"))
        )

    # When lines are grouped: both live orders (one of them listed twice), the refunded
    # one, and a group sharing a line with the first
    groups = {1: (first, second, first), 2: (third,), 3: (second,)}
    line_groups = group(1, first, second).union(
        group(1, first), group(2, third), group(3, second), all=True
    )
    with django_assert_num_queries(1):
        reached = households_reached_by_group(line_groups=line_groups)

    # Then each group counts as households_reached counts its lines; a group reaching no
    # one is left out
    assert reached == {1: 5, 3: 5}
    for key, orders in groups.items():
        lines = Line.objects.filter(order__in=orders)
        assert reached.get(key, 0) == households_reached(order_lines=lines)


def test_attributed_total_is_what_households_got_not_the_cooperative(linked_cooperative):
    order = _settled_order(linked_cooperative)

    # 76.00 less the cooperative's 41.80
    assert attributed_total(order_lines=order.lines.all()) == Decimal("34.20")


def test_a_fully_refunded_line_reaches_no_one(linked_cooperative):
    order = _settled_order(linked_cooperative)
    line = order.lines.get()
    events_process(payment_event_ids=[refund_record(order=order, lines=[(line, 2)]).pk])

    assert households_reached(order_lines=[line.pk]) == 0
    assert attributed_total(order_lines=[line.pk]) == Decimal("0.00")


@pytest.mark.parametrize("orders", [1, 6])
def test_order_lines_trace_takes_three_queries_for_any_number_of_lines(
    linked_cooperative, django_assert_num_queries, orders
):
    # Given several settled lines
    for _ in range(orders):
        _settled_order(linked_cooperative)
    lines = Line.objects.all()

    # When they are traced, then three queries serve them all (lines, ledger, payouts)
    with django_assert_num_queries(3):
        trace = order_lines_trace(lines=lines)

    cooperative = linked_cooperative["cooperative"]
    assert len(trace) == orders
    for item in trace.values():
        assert item["county"] == cooperative.county
        assert item["cooperative"] == cooperative
        assert item["households_reached"] == 5
        assert item["attributed"] == Decimal("34.20")
        assert (item["paid"], item["owed"]) == (Decimal("0.00"), Decimal("34.20"))
        assert len(item["trace_code"]) == 20
