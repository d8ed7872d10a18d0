"""Off-platform sales: recorded by the eastern side, confirmed or rejected by the receiving
cooperative (or its county office, when the cooperative has no staff on the platform),
corrected by a new record. Only confirmed sales become purchase facts, through the same
attribution rule as store sales (decision 0005: help-sell of the pairing joining the
organiser's region, or unit, to the cooperative's county) and the same placement in the
next open year when the sale's year is locked.

The facts of a sale are decided by one pure function (`offplatform_facts_for`) that the
confirmation task and the rebuild share, so that a rebuild reproduces them exactly.

A confirmed sale enters the household income ledger once the cooperative records the supply
lots behind it (`offplatform_supply_record`): the income app books each product's part of
the money under the opaque reference `offplatform_reference(sale)`, split by the same rules
as a store sale, and reverses it when a confirmed correction supersedes the sale."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.money import split_by_weights
from core.transactions import retry_on_serialization_failure
from marketplace.organisations.models import Membership, Organisation
from producers.access import officer_county
from producers.income.services.outside import (
    outside_sale_book,
    outside_sale_booked,
    outside_sales_reverse,
)
from producers.income.services.supply import supply_items_check
from producers.models import Cooperative, Region
from producers.services.audit import audit_record
from producers.services.certification import DOCUMENT_SIGNATURES, document_max_bytes
from producers.validators import validate_image_upload

from ..attribution import Attribution, certified_at
from ..models import (
    EvaluationYear,
    OffPlatformEvidence,
    OffPlatformSale,
    OffPlatformSaleLine,
    PurchaseFact,
)
from .facts import CONSUMER_BUYER, REFUND_KIND, SALE_KIND, Catalogue, facts_write
from .scoring import scorecards_refresh, years_for_update

Product = get_model("catalogue", "Product")
State = OffPlatformSale.State
MAX_LINES = 20
MAX_EVIDENCE = 10


class OffPlatformError(ValidationError):
    """Input or a state that does not allow the step; nothing was changed."""


# --- who may do what ---------------------------------------------------------------------------


def is_recorder_for(*, user, organisation: Organisation) -> bool:
    """An approved admin of an organisation of the eastern side records its sales."""
    return (
        user.is_authenticated
        and organisation.home_region.side == Region.Side.EAST
        and Membership.objects.filter(
            organisation=organisation,
            user=user,
            state=Membership.State.APPROVED,
            role=Membership.Role.ADMIN,
        ).exists()
    )


def cooperative_has_staff(*, cooperative: Cooperative) -> bool:
    return Cooperative.objects.filter(pk=cooperative.pk, partner__users__isnull=False).exists()


def is_decider_for(*, user, sale: OffPlatformSale) -> bool:
    """The receiving cooperative's staff confirm; for a cooperative without staff on the
    platform, an officer of its county office does."""
    if not user.is_authenticated:
        return False
    cooperative = sale.cooperative
    if Cooperative.objects.filter(pk=cooperative.pk, partner__users=user).exists():
        return user.has_perm("producers.view_cooperative")
    county = officer_county(user)
    return (
        county is not None
        and county.pk == cooperative.county_id
        and not cooperative_has_staff(cooperative=cooperative)
    )


def can_view(*, user, sale: OffPlatformSale) -> bool:
    """Who sees a record and downloads its evidence: the recording organisation's admins,
    the cooperative's staff, the officers of the cooperative's county, evaluators."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_perm("evaluation.view_scorecard"):
        return True
    if is_recorder_for(user=user, organisation=sale.organisation):
        return True
    if Cooperative.objects.filter(pk=sale.cooperative_id, partner__users=user).exists():
        return True
    county = officer_county(user)
    return county is not None and county.pk == sale.cooperative.county_id


# --- input -------------------------------------------------------------------------------------


def _amount(value, *, allow_zero: bool) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise OffPlatformError({"amount": _("请输入金额（元），例如 1280.00。")})
    if amount.as_tuple().exponent < -2:
        raise OffPlatformError({"amount": _("金额最多精确到分（两位小数）。")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise OffPlatformError({"amount": _("金额必须大于零。")})
    if amount >= Decimal("10000000000"):
        raise OffPlatformError({"amount": _("金额过大。")})
    return amount.quantize(Decimal("0.01"))


def evidence_extension(file) -> str:
    """The extension for an evidence file by its content (PDF, PNG or JPEG) and size."""
    limit = document_max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise OffPlatformError(
            {"evidence": _("文件太大：最大允许%(limit)s。") % {"limit": filesizeformat(limit)}}
        )
    if not size:
        raise OffPlatformError({"evidence": _("文件是空的。")})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            if extension != "pdf":
                try:
                    validate_image_upload(file)
                except ValidationError as error:
                    raise OffPlatformError({"evidence": error.messages}) from error
            return extension
    raise OffPlatformError(
        {"evidence": _("只能上传PDF、PNG或JPEG格式的文件；该文件的内容不是这几种格式。")}
    )


def _lines(*, cooperative: Cooperative, lines) -> list[tuple[object, int]]:
    clean, seen = [], set()
    for product, quantity in lines:
        if product is None:
            continue
        if product.cooperative_id != cooperative.pk:
            raise OffPlatformError(
                {"lines": _("产品“%(title)s”不是该合作社的产品。") % {"title": product.title}}
            )
        if product.pk in seen:
            raise OffPlatformError(
                {"lines": _("产品“%(title)s”重复填写。") % {"title": product.title}}
            )
        try:
            quantity = int(quantity)
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1 or quantity > 10_000_000:
            raise OffPlatformError({"lines": _("每种产品的数量必须是正整数。")})
        seen.add(product.pk)
        clean.append((product, quantity))
    if not clean:
        raise OffPlatformError({"lines": _("请至少填写一种产品及其数量。")})
    if len(clean) > MAX_LINES:
        raise OffPlatformError({"lines": _("一条记录最多%(n)s种产品。") % {"n": MAX_LINES}})
    return clean


def _sold_on(sold_on: datetime.date) -> datetime.date:
    if not isinstance(sold_on, datetime.date):
        raise OffPlatformError({"sold_on": _("请输入销售日期。")})
    if sold_on > timezone.localdate():
        raise OffPlatformError({"sold_on": _("销售日期不能晚于今天。")})
    if sold_on.year < 2015:
        raise OffPlatformError({"sold_on": _("销售日期过早。")})
    return sold_on


def helped_pairing_id(
    *, organisation: Organisation, cooperative: Cooperative, sold_on: datetime.date
) -> int | None:
    """The pairing the sale would count for as help-sell (decision 0005), if any."""
    attribution = Attribution.load(
        years={}, region_ids={organisation.home_region_id, cooperative.county_id}
    )
    county = attribution.county(cooperative.county_id) if cooperative.county_id else None
    _bought, helped = attribution.sale_pairings(
        purchaser_region_id=None,
        purchaser_organisation_id=None,
        channel_region_id=organisation.home_region_id,
        channel_organisation_id=organisation.pk,
        origin_county_id=county.id if county else None,
        year=sold_on.year,
    )
    return helped.pk if helped else None


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def offplatform_sale_record(
    *,
    actor,
    organisation: Organisation,
    cooperative: Cooperative,
    channel_kind: str,
    sold_on: datetime.date,
    amount,
    lines,
    evidence: list[File],
    channel_name: str = "",
    note: str = "",
    corrects: OffPlatformSale | None = None,
) -> OffPlatformSale:
    """Record a sale the organisation organised off the platform; it waits for the
    cooperative's confirmation. `lines`: (product, quantity) pairs of the cooperative's
    products; `evidence`: at least one PDF/PNG/JPEG. With `corrects`, a correction of that
    confirmed record (same organisation and cooperative), which replaces it once confirmed."""
    if not is_recorder_for(user=actor, organisation=organisation):
        raise PermissionDenied
    if corrects is not None:
        corrects = OffPlatformSale.objects.select_for_update().get(pk=corrects.pk)
        if corrects.organisation_id != organisation.pk:
            raise PermissionDenied
        if corrects.state != State.CONFIRMED:
            raise OffPlatformError(_("只能更正已确认且未被更正的记录。"))
        if corrects.corrections.exclude(state=State.REJECTED).exists():
            raise OffPlatformError(_("该记录已有一条待确认的更正。"))
        cooperative = corrects.cooperative
    if channel_kind not in OffPlatformSale.ChannelKind.values:
        raise OffPlatformError({"channel_kind": _("请选择渠道类型。")})
    amount = _amount(amount, allow_zero=corrects is not None)
    sold_on = _sold_on(sold_on)
    clean_lines = _lines(cooperative=cooperative, lines=lines)
    evidence = [f for f in evidence or [] if f]
    if not evidence:
        raise OffPlatformError({"evidence": _("请上传至少一份证明材料（合同、发票或送货单）。")})
    if len(evidence) > MAX_EVIDENCE:
        raise OffPlatformError({"evidence": _("证明材料最多%(n)s份。") % {"n": MAX_EVIDENCE}})
    extensions = [evidence_extension(f) for f in evidence]
    if (
        helped_pairing_id(organisation=organisation, cooperative=cooperative, sold_on=sold_on)
        is None
    ):
        raise OffPlatformError(
            _(
                "销售当年本单位所在地区与该合作社所在县没有结对关系，"
                "这笔销售不能计入任何结对的帮助销售额。"
            )
        )
    sale = OffPlatformSale(
        organisation=organisation,
        cooperative=cooperative,
        channel_kind=channel_kind,
        channel_name=(channel_name or "").strip()[:128],
        sold_on=sold_on,
        amount=amount,
        note=(note or "").strip()[:500],
        corrects=corrects,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            sale.save()
    except IntegrityError as exc:  # a concurrent correction of the same record
        raise OffPlatformError(_("该记录已有一条待确认的更正。")) from exc
    OffPlatformSaleLine.objects.bulk_create(
        [OffPlatformSaleLine(sale=sale, product=p, quantity=q) for p, q in clean_lines]
    )
    for file, extension in zip(evidence, extensions, strict=True):
        item = OffPlatformEvidence(sale=sale, uploaded_by=actor, title="")
        item.file.save(f"evidence.{extension}", file, save=False)
        item.save()
    audit_record(
        actor=actor,
        action="offplatform.record",
        target=cooperative,
        sale=sale.pk,
        amount=str(amount),
        corrects=corrects.pk if corrects else None,
    )
    return sale


def _decidable(*, sale: OffPlatformSale, actor) -> OffPlatformSale:
    if not is_decider_for(user=actor, sale=sale):
        raise PermissionDenied
    sale = OffPlatformSale.objects.select_for_update().get(pk=sale.pk)
    if sale.state != State.PENDING:
        raise OffPlatformError(_("该记录已经处理过了。"))
    return sale


@retry_on_serialization_failure
@transaction.atomic
def offplatform_sale_confirm(*, sale: OffPlatformSale, actor) -> OffPlatformSale:
    """The cooperative confirms the sale: it counts from now on. A confirmed correction
    supersedes the record it corrects. The facts and scorecards follow in the task."""
    from .. import tasks

    sale = _decidable(sale=sale, actor=actor)
    now = timezone.now()
    if sale.corrects_id is not None:
        original = OffPlatformSale.objects.select_for_update().get(pk=sale.corrects_id)
        if original.state != State.CONFIRMED:
            raise OffPlatformError(_("被更正的记录已不再有效，无法确认这条更正。"))
        original.state = State.SUPERSEDED
        original.superseded_at = now
        original.save(update_fields=["state", "superseded_at"])
        # The households' income from the corrected record is taken back now; the
        # correction's is booked once its lots are recorded.
        outside_sales_reverse(
            reference=offplatform_reference(sale=original), on=timezone.localdate(now)
        )
    sale.state = State.CONFIRMED
    sale.decided_by = actor
    sale.decided_at = now
    sale.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=actor, action="offplatform.confirm", target=sale.cooperative, sale=sale.pk)
    tasks.offplatform_facts_task.delay_on_commit(sale.pk)
    return sale


@transaction.atomic
def offplatform_sale_reject(*, sale: OffPlatformSale, actor, reason: str) -> OffPlatformSale:
    """The cooperative says the sale did not happen as recorded, and why; it never counts."""
    reason = (reason or "").strip()
    if not reason:
        raise OffPlatformError({"reason": _("请填写拒绝原因。")})
    if len(reason) > 500:
        raise OffPlatformError({"reason": _("拒绝原因最多500个字。")})
    sale = _decidable(sale=sale, actor=actor)
    sale.state = State.REJECTED
    sale.decided_by = actor
    sale.decided_at = timezone.now()
    sale.reject_reason = reason
    sale.save(update_fields=["state", "decided_by", "decided_at", "reject_reason"])
    audit_record(actor=actor, action="offplatform.reject", target=sale.cooperative, sale=sale.pk)
    return sale


# --- supply lots: the household income ledger ------------------------------------------------


def offplatform_reference(*, sale: OffPlatformSale) -> str:
    """The key under which the income ledger books the sale (opaque to it)."""
    return f"offplatform-sale:{sale.pk}"


def supply_recorded(*, sale: OffPlatformSale) -> bool:
    """Whether the sale's supply lots are recorded (its money is on the ledger)."""
    return outside_sale_booked(reference=offplatform_reference(sale=sale))


def can_record_supply(*, user, sale: OffPlatformSale) -> bool:
    """Whoever confirms a sale records its lots: a confirmed sale, with money, once."""
    return (
        sale.state == State.CONFIRMED
        and sale.amount > 0
        and is_decider_for(user=user, sale=sale)
        and not supply_recorded(sale=sale)
    )


@transaction.atomic
def offplatform_supply_record(*, sale: OffPlatformSale, actor, supply: dict) -> OffPlatformSale:
    """The cooperative records, for each product of a confirmed sale, which of its households
    supplied how much of it (`supply`: {sale line id: [(household, quantity)]}, the
    quantities adding up to the line's). The sale's money, split between its products by
    quantity, then enters those households' income ledger by the cooperative's benefit
    scheme, as a store sale would (no platform fee). All lines at once, once."""
    if not is_decider_for(user=actor, sale=sale):
        raise PermissionDenied
    sale = OffPlatformSale.objects.select_for_update().get(pk=sale.pk)
    if sale.state != State.CONFIRMED:
        raise OffPlatformError(_("只有已确认且未被更正的记录才能登记收购批次。"))
    if sale.amount <= 0:
        raise OffPlatformError(_("这条记录的金额为零，没有收益可分配。"))
    reference = offplatform_reference(sale=sale)
    if outside_sale_booked(reference=reference):
        raise OffPlatformError(_("这笔销售的收购批次已经登记过了。"))
    lines = list(sale.lines.select_related("product").order_by("pk"))
    checked = []
    for line in lines:
        items = [(household, quantity) for household, quantity in supply.get(line.pk) or ()]
        title = line.product.title
        if not items:
            raise OffPlatformError(
                _("请填写“%(title)s”由哪些农户供货、各多少。") % {"title": title}
            )
        if any(quantity is None or quantity <= 0 for _h, quantity in items):
            raise OffPlatformError(_("收购数量必须大于0。"))
        total = sum((quantity for _h, quantity in items), Decimal(0))
        if total != line.quantity:
            raise OffPlatformError(
                _("“%(title)s”各户供货数量之和为%(total)s，应等于销售数量%(quantity)s。")
                % {
                    "title": title,
                    "total": format(total.normalize(), "f"),
                    "quantity": line.quantity,
                }
            )
        supply_items_check(cooperative=sale.cooperative, items=items)
        checked.append((line, items))
    amounts = split_by_weights(sale.amount, [line.quantity for line in lines])
    for (line, items), amount in zip(checked, amounts, strict=True):
        outside_sale_book(
            cooperative=sale.cooperative,
            product=line.product,
            quantity=line.quantity,
            amount=amount,
            sold_on=sale.sold_on,
            reference=reference,
            supply=items,
            actor=actor,
        )
    audit_record(
        actor=actor,
        action="offplatform.supply",
        target=sale.cooperative,
        sale=sale.pk,
        households=len({h.pk for _line, items in checked for h, _q in items}),
    )
    return sale


# --- facts -------------------------------------------------------------------------------------


@dataclass(slots=True)
class SaleInfo:
    """What deciding a sale's facts reads."""

    id: int
    state: str
    organisation_id: int
    organisation_region_id: int
    cooperative_id: int
    county_id: int | None
    channel_label: str
    sold_on: datetime.date
    amount: Decimal
    decided_at: datetime.datetime | None
    superseded_at: datetime.datetime | None
    lines: list[tuple[int, int]]  # (product id, quantity)


def offplatform_sales_load(*, ids=None, catalogue: Catalogue) -> list[SaleInfo]:
    """The confirmed (and superseded) sales, or those of `ids` among them, with their lines;
    their products' certificates go into `catalogue`. Three queries."""
    sales = OffPlatformSale.objects.filter(state__in=OffPlatformSale.CONFIRMED_STATES)
    if ids is not None:
        sales = sales.filter(pk__in=ids)
    infos = {}
    for row in sales.order_by("pk").values_list(
        "id",
        "state",
        "organisation_id",
        "organisation__home_region_id",
        "cooperative_id",
        "cooperative__county_id",
        "channel_kind",
        "sold_on",
        "amount",
        "decided_at",
        "superseded_at",
    ):
        pk, state, org, region, coop, county, kind, sold_on, amount, decided, superseded = row
        label = OffPlatformSale.ChannelKind(kind).label
        infos[pk] = SaleInfo(
            pk, state, org, region, coop, county, str(label), sold_on, amount, decided,
            superseded, [],
        )  # fmt: skip
    for sale_id, product_id, quantity in (
        OffPlatformSaleLine.objects.filter(sale_id__in=list(infos))
        .order_by("sale_id", "pk")
        .values_list("sale_id", "product_id", "quantity")
    ):
        infos[sale_id].lines.append((product_id, quantity))
    catalogue.load(
        product_ids={p for info in infos.values() for p, _q in info.lines},
        cooperative_ids={info.cooperative_id for info in infos.values()},
    )
    return list(infos.values())


def offplatform_facts_for(
    *, sale: SaleInfo, attribution: Attribution, catalogue: Catalogue
) -> list[dict]:
    """The facts a confirmed sale makes: its sale fact, and for a superseded one also the
    reversal the correction brought. Pure: reads `sale`, `attribution` and `catalogue`."""
    if sale.state not in OffPlatformSale.CONFIRMED_STATES:
        return []
    tz = attribution.timezone
    sold_at = datetime.datetime.combine(sale.sold_on, datetime.time(12, 0), tzinfo=tz)
    natural_year = sale.sold_on.year
    county = attribution.county(sale.county_id) if sale.county_id else None
    origin_county_id = county.id if county else None
    _bought, helped = attribution.sale_pairings(
        purchaser_region_id=None,
        purchaser_organisation_id=None,
        channel_region_id=sale.organisation_region_id,
        channel_organisation_id=sale.organisation_id,
        origin_county_id=origin_county_id,
        year=natural_year,
    )
    products = {p for p, _q in sale.lines}
    quantity = sum(q for _p, q in sale.lines)
    counts, reason = True, ""
    for product_id in sorted(products):
        info = catalogue.products.get(product_id)
        if info is None or not certified_at(certificates=info.certificates, moment=sold_at):
            counts, reason = False, _("销售时该产品没有有效的扶贫产品认定")
            break
    base = {
        "payment_event_id": None,
        "line_id": None,
        "order_id": None,
        "offplatform_sale_id": sale.id,
        "sold_at": sold_at,
        "natural_year": natural_year,
        # One product: it is the fact's; several: the record lists them.
        "product_id": next(iter(products)) if len(products) == 1 else None,
        "cooperative_id": sale.cooperative_id,
        "origin_county_id": origin_county_id,
        "origin_deep_poverty": bool(county and county.is_deep_poverty),
        "origin_supervision_target": bool(county and county.is_supervision_target),
        "origin_exit_year": county.exit_year if county else None,
        "buyer_kind": CONSUMER_BUYER,
        "organisation_id": None,
        "buyer_region_id": sale.organisation_region_id,
        "attribution_note": _("线下销售（%(channel)s），由东部单位组织")
        % {"channel": sale.channel_label},
        "channel_id": None,
        "channel_region_id": sale.organisation_region_id,
        "bought_pairing_id": None,
        "helped_pairing_id": helped.id if helped else None,
        "counts": counts,
        "excluded_reason": reason,
    }
    facts = [
        {
            **base,
            "kind": SALE_KIND,
            "occurred_at": (sale.decided_at or sold_at).astimezone(tz),
            "quantity": quantity,
            "amount": sale.amount,
        }
    ]
    if sale.state == State.SUPERSEDED:
        facts.append(
            {
                **base,
                "kind": REFUND_KIND,
                "occurred_at": (sale.superseded_at or sale.decided_at or sold_at).astimezone(tz),
                "quantity": -quantity,
                "amount": -sale.amount,
            }
        )
    for fact in facts:
        offplatform_fact_place(fact=fact, year=attribution.open_year_from(natural_year))
    return facts


def offplatform_fact_place(*, fact: dict, year: int) -> None:
    """Put a fact in the year it counts in: the sale's year or, that year being locked,
    the next open one, with a note (as refunds are)."""
    is_reversal = fact["kind"] == REFUND_KIND
    day = (fact["occurred_at"] if is_reversal else fact["sold_at"]).date()
    fact["year"] = year
    fact["month"] = day.month if day.year == year else (12 if day.year > year else 1)
    fact["note"] = _("线下销售更正冲销") if is_reversal else ""
    if year != fact["natural_year"]:
        fact["note"] = _("确认时%(locked)s年度已锁定，计入%(year)s年度") % {
            "locked": fact["natural_year"],
            "year": year,
        }


@retry_on_serialization_failure
def offplatform_facts_record(*, sale_id: int) -> list[PurchaseFact]:
    """Write the facts of a confirmed sale, and the reversal of the record it corrects,
    once: facts already written are left alone (a retried task changes nothing). The
    scorecards of the pairings they touch are refreshed in the same transaction."""
    sale = OffPlatformSale.objects.filter(pk=sale_id).values("state", "corrects_id").first()
    if sale is None or sale["state"] not in OffPlatformSale.CONFIRMED_STATES:
        return []
    ids = [sale_id] + ([sale["corrects_id"]] if sale["corrects_id"] else [])
    with transaction.atomic():
        years = years_for_update()
        catalogue = Catalogue()
        sales = offplatform_sales_load(ids=ids, catalogue=catalogue)
        for year in {s.sold_on.year for s in sales} - years.keys():
            EvaluationYear.objects.get_or_create(year=year)
        years = years_for_update()
        attribution = Attribution.load(
            years=years,
            region_ids={s.county_id for s in sales} | {s.organisation_region_id for s in sales},
        )
        written = set(
            PurchaseFact.objects.filter(offplatform_sale_id__in=ids).values_list(
                "offplatform_sale_id", "kind"
            )
        )
        facts = [
            PurchaseFact(**fact)
            for info in sales
            for fact in offplatform_facts_for(
                sale=info, attribution=attribution, catalogue=catalogue
            )
            if (fact["offplatform_sale_id"], fact["kind"]) not in written
        ]
        facts_write(facts=facts, years=years)
        for year in sorted({f.year for f in facts}):
            touched = {
                p
                for f in facts
                if f.year == year
                for p in (f.helped_pairing_id, f.bought_pairing_id)
            } - {None}
            if touched:
                scorecards_refresh(year=year, pairing_ids=sorted(touched))
    return facts
