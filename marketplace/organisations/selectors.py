"""Reads for the organisation workspace: members, orders, settled purchases and the
reserved-share progress. Each prefetches what its page renders."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payment.events import PAID, REFUND

from .models import Membership, Organisation, ProcurementBudget, PurchaseRequest

Order = get_model("order", "Order")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def organisation_members(*, organisation: Organisation):
    return organisation.memberships.select_related("user").order_by("state", "role", "user__email")


def memberships_of(*, user):
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_orders(*, organisation: Organisation):
    return (
        Order.objects.filter(organisation=organisation)
        .select_related("user", "acceptance", "invoice")
        .order_by("-date_placed")
    )


def purchase_requests_pending(*, organisation: Organisation):
    return (
        PurchaseRequest.objects.filter(
            organisation=organisation, state=PurchaseRequest.State.PENDING
        )
        .select_related("buyer")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class SettledLine:
    """One order line's settled quantity and amount, with where it came from."""

    line: object
    quantity: int
    amount: Decimal
    settled_at: datetime.datetime


def settled_lines(
    *, organisation: Organisation, start: datetime.date, end: datetime.date
) -> list[SettledLine]:
    """The organisation's order lines settled (a "paid" PaymentEvent, card or invoice) from
    `start` to `end` inclusive, in local dates; refunds in the period count negative, so
    the totals are what the organisation finally bought. Each line's amount is the one its
    payment event carries (after discounts), never recomputed from prices."""
    quantities = (
        PaymentEventQuantity.objects.filter(
            event__event_type__code__in=(PAID, REFUND),
            event__order__organisation=organisation,
            event__date_created__gte=_day_start(start),
            event__date_created__lt=_day_start(end + datetime.timedelta(days=1)),
        )
        .select_related(
            "event__event_type",
            "line__order",
            "line__product",
            "line__cooperative__county",
        )
        .order_by("event__date_created", "line_id")
    )
    return [
        SettledLine(
            line=quantity.line,
            quantity=sign * quantity.quantity,
            amount=sign * quantity.amount,
            settled_at=quantity.event.date_created,
        )
        for quantity in quantities
        for sign in ((-1 if quantity.event.event_type.code == REFUND else 1),)
    ]


@dataclass(frozen=True)
class MonthBar:
    month: int
    amount: Decimal
    cumulative: Decimal
    # Geometry of the server-rendered SVG chart (no JavaScript, no CDN).
    x: int
    height: int
    y: int
    target_y: int


@dataclass(frozen=True)
class ReservedShareProgress:
    year: int
    budget: ProcurementBudget | None
    target: Decimal
    purchased: Decimal
    months: list[MonthBar]

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return int(self.purchased * 100 / self.target)

    @property
    def remaining(self) -> Decimal:
        return max(self.target - self.purchased, Decimal("0.00"))


CHART_HEIGHT = 160
CHART_BAR_STEP = 40
# Room above the plot for the target's label, drawn just above its line: a target at the
# top of the scale would otherwise put the label outside the viewBox.
CHART_TOP = 24


def reserved_share_progress(*, organisation: Organisation, year: int) -> ReservedShareProgress:
    """The year's target (budget × reserved share), purchases settled so far, and the
    cumulative purchases by month against the target."""
    budget = organisation.budgets.filter(year=year).first()
    target = budget.target if budget else Decimal("0.00")
    by_month = [Decimal("0.00")] * 12
    for settled in settled_lines(
        organisation=organisation,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
    ):
        by_month[timezone.localtime(settled.settled_at).month - 1] += settled.amount
    total = sum(by_month, Decimal("0.00"))
    scale = max(target, total, Decimal("1"))
    months, cumulative = [], Decimal("0.00")
    for index, amount in enumerate(by_month):
        cumulative += amount
        height = int(cumulative * CHART_HEIGHT / scale)
        months.append(
            MonthBar(
                month=index + 1,
                amount=amount,
                cumulative=cumulative,
                x=index * CHART_BAR_STEP + 30,
                height=height,
                y=CHART_TOP + CHART_HEIGHT - height,
                target_y=CHART_TOP + CHART_HEIGHT - int(target * CHART_HEIGHT / scale),
            )
        )
    return ReservedShareProgress(
        year=year, budget=budget, target=target, purchased=total, months=months
    )
