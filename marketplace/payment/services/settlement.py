"""The one place a payment or a refund is written on an order, whatever the method (card,
bank transfer, Stripe invoice, a refund through Stripe or paid back outside it): an Oscar
Source and its transaction, a PaymentEvent with one PaymentEventQuantity per line carrying
its units and its money (see marketplace/payment/events.py), and one announcement after
the transaction commits. Callers hold their own row locks and check idempotency."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from oscar.core.loading import get_model

from core.money import to_yuan
from marketplace.order.selectors import line_units_value
from marketplace.payment.events import PAID, REFUND, payment_refunded, payment_settled

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
StripeRefund = get_model("payment", "StripeRefund")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")

EVENT_TYPE_NAMES = {PAID: "支付", REFUND: "退款"}


def payment_event_type(*, code: str):
    """The PaymentEventType row of PAID or REFUND (created on first use)."""
    event_type, _created = PaymentEventType.objects.get_or_create(
        code=code, defaults={"name": EVENT_TYPE_NAMES[code]}
    )
    return event_type


def _backdate(event, source, when: datetime.datetime | None) -> None:
    # History (the demo) happened earlier; upper layers read the event's date.
    if when is None:
        return
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    if source is not None:
        Transaction.objects.filter(source=source, reference=event.reference).update(
            date_created=when
        )
    event.date_created = when


def payment_settlement_record(
    *,
    order,
    amount: Decimal,
    reference: str,
    source_type_name: str,
    source_type_id: int | None = None,
    paid_event_type_id: int | None = None,
    lines: Iterable | None = None,
    when: datetime.datetime | None = None,
    sender=None,
    **extra,
):
    """Record that `amount` was paid for `order` (every line, or `lines`): the Source
    debited, the PAID event with each line's units and price after discounts, and
    payment_settled sent once on commit with `extra`. Runs inside the caller's
    transaction. `source_type_id` and `paid_event_type_id`, when the caller read them
    already, are the rows of `source_type_name` and PAID (else looked up here)."""
    amount = to_yuan(amount)
    if source_type_id is None:
        source_type_id = SourceType.objects.get_or_create(name=source_type_name)[0].pk
    if paid_event_type_id is None:
        paid_event_type_id = payment_event_type(code=PAID).pk
    # Debited as it is created (Oscar's Source.debit would write the new row a second time).
    source = Source(
        order=order,
        source_type_id=source_type_id,
        currency=order.currency,
        amount_allocated=amount,
        amount_debited=amount,
        reference=reference,
    )
    source.create_deferred_transaction(
        Transaction.DEBIT, amount, reference=reference, status="succeeded"
    )
    source.save()
    event = PaymentEvent.objects.create(
        order=order, amount=amount, reference=reference, event_type_id=paid_event_type_id
    )
    lines = list(order.lines.order_by("pk") if lines is None else lines)
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(
            event=event,
            line=line,
            quantity=line.quantity,
            amount=line_units_value(line=line, units=line.quantity),
        )
        for line in lines
    )
    _backdate(event, source, when)
    transaction.on_commit(
        lambda: payment_settled.send(
            sender=sender or PaymentEvent, order=order, payment_event=event, **extra
        )
    )
    return event


def refunded_by_line(*, order) -> dict[int, tuple[int, Decimal]]:
    """(units, money) already refunded, by order line id."""
    rows = (
        PaymentEventQuantity.objects.filter(event__order=order, event__event_type__code=REFUND)
        .values("line_id")
        .annotate(units=Sum("quantity"), money=Sum("amount"))
    )
    return {row["line_id"]: (row["units"], row["money"]) for row in rows}


def refund_lines_value(
    *, lines: Mapping[int, object], wanted: Mapping[int, int], done: Mapping
) -> list[tuple[object, int, Decimal]]:
    """(line, units, money) for refunding `wanted` ({line id: units}) given what is
    already refunded (`done`, from refunded_by_line): line_units_value of those units,
    never more than is left of the line, and all that is left with its last unit (a refund
    made in Stripe's dashboard may already have taken part of a line's value)."""
    out = []
    for pk, units in sorted(wanted.items()):
        line = lines[pk]
        units_done, money_done = done.get(pk, (0, Decimal("0.00")))
        left = to_yuan(line.line_price_incl_tax) - money_done
        if units_done + units >= line.quantity:
            money = left
        else:
            money = min(line_units_value(line=line, units=units, already=units_done), left)
        out.append((line, units, max(money, Decimal("0.00"))))
    return out


def refund_amount_split(
    *, lines: Mapping[int, object], amount: Decimal, done: Mapping
) -> list[tuple[object, int, Decimal]]:
    """(line, 0, money) for a refund that names no lines (made in Stripe's dashboard):
    `amount` split over the lines by what is left to refund on each, with cumulative
    rounding in line order so the last line takes the remainder; never more than is left
    (a larger refund also returned shipping, which no line carries)."""
    left = {}
    for pk, line in sorted(lines.items()):
        money_done = done.get(pk, (0, Decimal("0.00")))[1]
        value = to_yuan(line.line_price_incl_tax) - money_done
        if value > 0:
            left[pk] = int(value.scaleb(2))
    total = sum(left.values())
    if not total:
        return []
    amount_fen = min(int(to_yuan(amount).scaleb(2)), total)
    out, cumulative, given = [], 0, 0
    for pk, fen in left.items():
        cumulative += fen
        share = (2 * amount_fen * cumulative + total) // (2 * total)
        out.append((lines[pk], 0, to_yuan(Decimal(share - given).scaleb(-2))))
        given = share
    return [row for row in out if row[2] > 0]


def payment_refund_record(
    *,
    order,
    reference: str,
    lines: list[tuple[object, int, Decimal]],
    amount: Decimal | None = None,
    source=None,
    when: datetime.datetime | None = None,
    sender=None,
    **extra,
):
    """Record a refund of (line, units, money) rows: the REFUND event (its amount is their
    sum, or `amount`, what Stripe returned, when a refund also returned shipping), the
    source's refund, and payment_refunded sent once on commit with
    `lines=[(line, units)]` and `extra`. Runs inside the caller's transaction."""
    rows = [(line, units, to_yuan(money)) for line, units, money in lines if units or money]
    if amount is None:
        amount = sum((money for _line, _units, money in rows), Decimal("0.00"))
    amount = to_yuan(amount)
    event = PaymentEvent.objects.create(
        order=order,
        amount=amount,
        reference=reference,
        event_type=payment_event_type(code=REFUND),
    )
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(event=event, line=line, quantity=units, amount=money)
        for line, units, money in rows
    )
    if source is not None:
        source.refund(amount, reference=reference, status="succeeded")
    _backdate(event, source, when)
    line_quantities = [(line, units) for line, units, _money in rows if units]
    transaction.on_commit(
        lambda: payment_refunded.send(
            sender=sender or PaymentEvent,
            order=order,
            payment_event=event,
            lines=line_quantities,
            **extra,
        )
    )
    return event


def stripe_refund_apply(*, refund, order) -> None:
    """Record a StripeRefund that Stripe reports succeeded on its order, once (the caller
    holds the attempt's row lock): the lines and amounts it was asked for, or, for one made
    in Stripe's dashboard, its amount split over the lines (refund_amount_split)."""
    if refund.is_applied or refund.state != StripeRefund.State.SUCCEEDED:
        return
    lines = {line.pk: line for line in order.lines.all()}
    wanted = {int(pk): qty for pk, qty in refund.lines.items() if int(pk) in lines}
    if wanted and refund.line_amounts:
        rows = [
            (lines[pk], qty, Decimal(refund.line_amounts[str(pk)]))
            for pk, qty in sorted(wanted.items())
        ]
    elif wanted:
        rows = refund_lines_value(lines=lines, wanted=wanted, done=refunded_by_line(order=order))
    else:
        rows = refund_amount_split(
            lines=lines, amount=refund.amount, done=refunded_by_line(order=order)
        )
    source = order.sources.filter(reference=refund.attempt.payment_intent_id).first()
    refund.payment_event = payment_refund_record(
        order=order,
        reference=refund.stripe_refund_id,
        lines=rows,
        amount=refund.amount,
        source=source,
        sender=StripeRefund,
        refund=refund,
    )
    refund.save(update_fields=["payment_event", "updated_at"])


def stripe_refunds_apply_pending(*, attempt, order) -> None:
    """Refunds Stripe reported succeeded before the order existed, applied now that it
    does."""
    for refund in attempt.refunds.filter(
        payment_event=None, state=StripeRefund.State.SUCCEEDED
    ).order_by("pk"):
        stripe_refund_apply(refund=refund, order=order)
