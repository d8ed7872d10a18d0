"""The buyer's acceptance (验收) of an organisation order, and the invoice it issues."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.organisations.access import can_buy
from marketplace.payment.events import PAID

from ..models import Acceptance, Invoice

Shipment = get_model("order", "Shipment")
PaymentEvent = get_model("order", "PaymentEvent")


class AcceptanceError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def _invoice_number(*, year: int) -> str:
    """DX-2026-00042: the year and a sequence within it."""
    prefix = f"DX-{year}-"
    last = Invoice.objects.filter(number__startswith=prefix).order_by("-number").first()
    sequence = int(last.number.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def invoice_issue(*, order, on: datetime.date | None = None) -> Invoice:
    """The invoice of an accepted order: its total, due after the payment term. Two orders
    accepted at the same moment may pick the same number: the unique constraint refuses
    the second, which takes the next one."""
    on = on or timezone.localdate()
    attempts_left = 5
    while True:
        attempts_left -= 1
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    number=_invoice_number(year=on.year),
                    order=order,
                    organisation_id=order.organisation_id,
                    amount=order.total_incl_tax,
                    issued_on=on,
                    due_on=on + datetime.timedelta(days=settings.INVOICE_PAYMENT_DAYS),
                )
        except IntegrityError:
            if not attempts_left or Invoice.objects.filter(order=order).exists():
                raise


def order_fully_shipped(order) -> bool:
    """Every cooperative of the order has shipped its parcel (each ships separately)."""
    cooperatives = set(order.lines.values_list("cooperative_id", flat=True))
    shipped = set(
        Shipment.objects.filter(order=order)
        .exclude(state=Shipment.State.PENDING)
        .values_list("cooperative_id", flat=True)
    )
    return cooperatives <= shipped


def order_any_shipped(order) -> bool:
    """At least one parcel is on its way: only then is there anything to accept or dispute."""
    return Shipment.objects.filter(order=order).exclude(state=Shipment.State.PENDING).exists()


@retry_on_serialization_failure
def acceptance_record(
    *, order, user, accepted: bool, reason: str = "", on: datetime.date | None = None
) -> Acceptance:
    """A buying member of the order's organisation records acceptance: everything received
    in the right quantity and quality (the invoice is issued), or a dispute with a reason
    (no invoice; acceptance can be recorded later once it is resolved)."""
    if order.organisation_id is None or not can_buy(user=user, organisation=order.organisation):
        raise PermissionDenied
    reason = reason.strip()
    if not order_any_shipped(order):
        raise AcceptanceError(_("合作社尚未发货，收到商品后才能记录验收结果。"))
    if not accepted and not reason:
        raise AcceptanceError(_("请说明异议原因（如缺货、破损、质量问题）。"))
    Order = type(order)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        acceptance = Acceptance.objects.filter(order=order).first()
        if acceptance is not None and acceptance.state == Acceptance.State.ACCEPTED:
            raise AcceptanceError(_("该订单已验收，发票已开具。"))
        acceptance = acceptance or Acceptance(order=order)
        acceptance.state = Acceptance.State.ACCEPTED if accepted else Acceptance.State.DISPUTED
        acceptance.reason = "" if accepted else reason
        acceptance.recorded_by = user
        acceptance.recorded_at = timezone.now()
        if accepted and not order_fully_shipped(order):
            raise AcceptanceError(_("还有合作社尚未发货，收到全部商品后再验收。"))
        acceptance.save()
        # An order already paid (by card, or a transfer recorded before invoicing) is not
        # invoiced again.
        already_paid = PaymentEvent.objects.filter(order=order, event_type__code=PAID).exists()
        if accepted and not already_paid:
            invoice_issue(order=order, on=on)
    return acceptance
