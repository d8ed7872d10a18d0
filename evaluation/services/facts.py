"""Purchase facts from the store's payment events: one per settled order line, one per
refunded line (negative). The same code decides a fact in the settlement task and in the
rebuild command, so that a rebuild reproduces the facts exactly."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from producers.db import retry_on_serialization_failure
from producers.money import split_by_weights, to_yuan

from ..attribution import Attribution, certified_at
from ..models import EvaluationYear, PurchaseFact
from .errors import YearLocked
from .scoring import scorecards_apply

PaymentEvent = get_model("order", "PaymentEvent")
ProductCertificate = get_model("catalogue", "ProductCertificate")
CertificateEvent = get_model("catalogue", "CertificateEvent")

PAID, REFUND = "paid", "refund"


def payment_events() -> QuerySet:
    """Paid and refund events with everything deciding their facts needs, prefetched."""
    certificates = Prefetch(
        "product__certificates",
        queryset=ProductCertificate.objects.prefetch_related(
            Prefetch("events", queryset=CertificateEvent.objects.order_by("created_at", "pk"))
        ),
    )
    return (
        PaymentEvent.objects.filter(event_type__code__in=(PAID, REFUND))
        .select_related(
            "event_type",
            "order__organisation",
            "order__shipping_address",
            "order__sales_channel__organisation",
        )
        .prefetch_related(
            Prefetch(
                "order__payment_events",
                queryset=PaymentEvent.objects.filter(event_type__code=PAID).order_by(
                    "date_created", "pk"
                ),
                to_attr="paid_events",
            ),
            Prefetch(
                "order__lines",
                queryset=get_model("order", "Line")
                .objects.select_related("product__cooperative", "cooperative")
                .prefetch_related(certificates)
                .order_by("pk"),
            ),
            "line_quantities",
        )
        .order_by("date_created", "pk")
    )


def _month_in(year: int, day: datetime.date) -> int:
    if day.year == year:
        return day.month
    return 12 if day.year > year else 1


def facts_for_event(*, event, attribution: Attribution) -> list[PurchaseFact]:
    """The facts a paid or refund event makes, unsaved. Pure: reads only `event` (loaded by
    payment_events()) and `attribution`."""
    order = event.order
    is_refund = event.event_type.code == REFUND
    lines = {line.pk: line for line in order.lines.all()}
    sale_event = order.paid_events[0] if getattr(order, "paid_events", None) else event
    sold_at = timezone.localtime(sale_event.date_created)
    occurred_at = timezone.localtime(event.date_created)
    natural_year = sold_at.year
    year = attribution.open_year_from(natural_year)

    quantities = [(lines.get(q.line_id), q.quantity) for q in event.line_quantities.all()]
    quantities = [(line, qty) for line, qty in quantities if line is not None]
    if is_refund:
        if quantities:  # refunded units: the event amount split by their value
            weights = [line.unit_price_incl_tax * qty for line, qty in quantities]
        else:  # refunded outside the store: only the amount is known
            quantities = [(line, 0) for line in lines.values()]
            weights = [line.line_price_incl_tax for line in lines.values()]
        if not quantities or not any(weights):
            return []
        amounts = [-part for part in split_by_weights(event.amount, weights)]
        quantities = [(line, -qty) for line, qty in quantities]
    else:
        amounts = [
            to_yuan(line.line_price_incl_tax * Decimal(qty) / Decimal(line.quantity or 1))
            for line, qty in quantities
        ]

    buyer = _buyer(order=order, attribution=attribution)
    channel = order.sales_channel
    channel_region_id = None
    if channel is not None:
        channel_region_id = channel.region_id or (
            channel.organisation.home_region_id if channel.organisation_id else None
        )
    facts = []
    for (line, qty), amount in zip(quantities, amounts, strict=True):
        product = line.product
        cooperative = line.cooperative or (product.cooperative if product else None)
        county = attribution.regions.get(cooperative.county_id) if cooperative else None
        counts, reason = _counts(product=product, cooperative=cooperative, sold_at=sold_at)
        facts.append(
            PurchaseFact(
                payment_event=event,
                line=line,
                order=order,
                kind=PurchaseFact.Kind.REFUND if is_refund else PurchaseFact.Kind.SALE,
                occurred_at=occurred_at,
                sold_at=sold_at,
                natural_year=natural_year,
                product=product,
                cooperative=cooperative,
                origin_county=county,
                origin_deep_poverty=bool(county and county.is_deep_poverty),
                origin_supervision_target=bool(county and county.is_supervision_target),
                origin_exit_year=county.exit_year if county else None,
                channel=channel,
                channel_region_id=channel_region_id,
                bought_pairing=attribution.pairing_for(
                    east_region_id=buyer["buyer_region_id"],
                    organisation_id=order.organisation_id,
                    origin_county_id=county.pk if county else None,
                    year=natural_year,
                ),
                helped_pairing=attribution.pairing_for(
                    east_region_id=channel_region_id,
                    organisation_id=channel.organisation_id if channel else None,
                    origin_county_id=county.pk if county else None,
                    year=natural_year,
                )
                if channel is not None
                else None,
                quantity=qty,
                amount=amount,
                counts=counts,
                excluded_reason=reason,
                **buyer,
            )
        )
    for fact in facts:
        fact_place(fact=fact, year=year)
    return facts


def fact_place(*, fact: PurchaseFact, year: int) -> None:
    """Put a fact in the year it counts in: its own year, or (that year being locked) the
    next open year, as an adjustment with a note."""
    is_refund = fact.kind == PurchaseFact.Kind.REFUND
    fact.year = year
    fact.month = _month_in(year, (fact.occurred_at if is_refund else fact.sold_at).date())
    fact.note = ""
    if year != fact.natural_year:
        template = (
            _("退款时%(locked)s年度已锁定，作为调整计入%(year)s年度")
            if is_refund
            else _("结算时%(locked)s年度已锁定，计入%(year)s年度")
        )
        fact.note = template % {"locked": fact.natural_year, "year": year}


def _buyer(*, order, attribution: Attribution) -> dict:
    if order.organisation_id:
        return {
            "buyer_kind": PurchaseFact.BuyerKind.ORGANISATION,
            "organisation": order.organisation,
            "buyer_region_id": order.organisation.home_region_id,
            "attribution_note": "",
        }
    region_id, note = attribution.shipping_region(order.shipping_address)
    return {
        "buyer_kind": PurchaseFact.BuyerKind.CONSUMER,
        "organisation": None,
        "buyer_region_id": region_id,
        "attribution_note": note,
    }


def _counts(*, product, cooperative, sold_at) -> tuple[bool, str]:
    if product is None:
        return False, _("订单行的产品已删除，无法确认认定状态")
    if cooperative is None:
        return False, _("订单行没有生产合作社")
    if not certified_at(product=product, moment=sold_at):
        return False, _("销售时该产品没有有效的扶贫产品认定")
    return True, ""


@retry_on_serialization_failure
def purchase_facts_record(*, payment_event_id: int) -> list[PurchaseFact]:
    """Write the facts of one paid or refund event, once: a replayed event changes nothing.
    Facts never go into a locked year; they become adjustments of the next open year.
    The scorecards they touch are updated in the same transaction."""
    event = payment_events().filter(pk=payment_event_id).first()
    if event is None:
        return []
    paid = getattr(event.order, "paid_events", None) or [event]
    # The sale year's row must exist for the row lock below to serialise with year_lock.
    EvaluationYear.objects.get_or_create(year=timezone.localtime(paid[0].date_created).year)
    try:
        with transaction.atomic():
            # Serialises with year_lock: a year cannot be locked while its facts are written.
            list(EvaluationYear.objects.select_for_update().order_by("year"))
            existing = list(PurchaseFact.objects.filter(payment_event=event))
            if existing:
                return existing
            facts = facts_for_event(event=event, attribution=Attribution.load())
            facts_write(facts=facts)
            for year in sorted({f.year for f in facts}):
                scorecards_apply(year=year, facts=[f for f in facts if f.year == year])
    except IntegrityError:  # the same event recorded concurrently by another worker
        return list(PurchaseFact.objects.filter(payment_event_id=payment_event_id))
    return facts


def facts_write(*, facts: list[PurchaseFact]) -> None:
    locked = set(
        EvaluationYear.objects.filter(
            year__in={f.year for f in facts}, locked_at__isnull=False
        ).values_list("year", flat=True)
    )
    if locked:
        raise YearLocked(min(locked))
    PurchaseFact.objects.bulk_create(facts)
