"""Off-platform sales (issue 19): the eastern side records a sale made at a counter, pavilion,
fair or canteen; it counts as the pairing's help-sell (帮助销售额) once, and only once the
receiving cooperative confirms it; a correction is a new record and moves the figure
exactly; the evidence is seen only by those involved; the rebuild reproduces the facts."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from config.ops.restore import restore_check
from evaluation.models import (
    EvaluationYear,
    Indicator,
    OffPlatformSale,
    PurchaseFact,
    ScorecardItem,
)
from evaluation.services.locking import year_lock
from evaluation.services.offplatform import (
    OffPlatformError,
    offplatform_sale_confirm,
    offplatform_sale_record,
    offplatform_sale_reject,
    offplatform_supply_record,
)
from evaluation.services.rebuild import evaluation_rebuild
from marketplace.users.roles import CONSUMER, EVALUATOR
from producers.income.models import LedgerEntry, OutsideSale, SupplyLot
from producers.income.services.outside import outside_sales_reverse
from producers.income.services.rebuild import ledger_rebuild_compare
from producers.income.services.supply import supply_lot_record
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CountyFactory,
    HouseholdFactory,
    UserFactory,
)
from tests.store_factories import cooperative_staff_create, county_officer_create

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    bought,
    east_west_world,
    product_from,
)
from .offplatform_helpers import organisation_admin, pdf

pytestmark = pytest.mark.django_db
SOLD_ON = datetime.date(2025, 6, 15)


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_helped=Decimal("5000.00"))
    world["helped"] = IndicatorFactory(
        name="帮助销售额",
        measure=Indicator.Measure.AMOUNT_HELPED,
        target_source=Indicator.TargetSource.AGREEMENT_HELPED,
    )
    world["product"] = product_from(world["zhaojue"])
    world["cooperative"] = world["product"].cooperative
    world["organisation"], world["recorder"] = organisation_admin(home_region=world["hangzhou"])
    world["staff"] = cooperative_staff_create(cooperative=world["cooperative"])
    return world


def record(world, *, amount="1000.00", corrects=None, **kwargs):
    return offplatform_sale_record(
        actor=world["recorder"],
        organisation=world["organisation"],
        cooperative=world["cooperative"],
        channel_kind=kwargs.pop("channel_kind", OffPlatformSale.ChannelKind.COUNTER),
        sold_on=kwargs.pop("sold_on", SOLD_ON),
        amount=amount,
        lines=kwargs.pop("lines", [(world["product"], 40)]),
        evidence=kwargs.pop("evidence", [pdf()]),
        corrects=corrects,
        **kwargs,
    )


def confirm(world, sale, capture):
    with capture(execute=True):
        return offplatform_sale_confirm(sale=sale, actor=world["staff"])


def help_sell(world) -> Decimal:
    item = ScorecardItem.objects.filter(
        scorecard__pairing=world["pairing"], scorecard__year=2025, indicator=world["helped"]
    ).first()
    return item.value if item else Decimal("0")


def facts_sum(world) -> Decimal:
    facts = PurchaseFact.objects.filter(helped_pairing=world["pairing"], year=2025, counts=True)
    return sum((f.amount for f in facts), Decimal("0"))


# --- counting ---------------------------------------------------------------------------------


def test_a_confirmed_sale_counts_once_as_the_pairings_help_sell(
    world, django_capture_on_commit_callbacks
):
    sale = record(world)
    assert not PurchaseFact.objects.exists()  # recorded, not yet counted

    confirm(world, sale, django_capture_on_commit_callbacks)

    [fact] = PurchaseFact.objects.all()
    assert fact.offplatform_sale_id == sale.pk and fact.order_id is None
    assert fact.helped_pairing == world["pairing"] and fact.bought_pairing is None
    assert fact.origin_county == world["zhaojue"]  # the county report counts by origin
    assert (fact.amount, fact.quantity, fact.counts) == (Decimal("1000.00"), 40, True)
    assert help_sell(world) == Decimal("1000.00")


def test_unconfirmed_and_rejected_sales_never_count(world, django_capture_on_commit_callbacks):
    record(world, amount="300.00")  # left pending
    rejected = record(world, amount="700.00")

    offplatform_sale_reject(sale=rejected, actor=world["staff"], reason="当天没有这笔销售")

    rejected.refresh_from_db()
    assert rejected.state == OffPlatformSale.State.REJECTED
    assert rejected.reject_reason == "当天没有这笔销售"
    assert not PurchaseFact.objects.exists()
    report = evaluation_rebuild()
    assert report.created == [] and not PurchaseFact.objects.exists()
    assert help_sell(world) == Decimal("0")


def test_a_rejection_needs_a_reason_and_a_decided_sale_cannot_be_decided_again(
    world, django_capture_on_commit_callbacks
):
    sale = record(world)

    with pytest.raises(OffPlatformError):
        offplatform_sale_reject(sale=sale, actor=world["staff"], reason="  ")
    sale.refresh_from_db()
    assert sale.state == OffPlatformSale.State.PENDING

    confirm(world, sale, django_capture_on_commit_callbacks)
    with pytest.raises(OffPlatformError):
        offplatform_sale_reject(sale=sale, actor=world["staff"], reason="弄错了")
    with pytest.raises(OffPlatformError):
        confirm(world, sale, django_capture_on_commit_callbacks)
    assert PurchaseFact.objects.count() == 1


def test_a_correction_moves_the_figure_exactly(world, django_capture_on_commit_callbacks):
    original = record(world, amount="1000.00")
    confirm(world, original, django_capture_on_commit_callbacks)

    correction = record(world, amount="850.55", corrects=original)
    assert help_sell(world) == Decimal("1000.00")  # a pending correction changes nothing

    confirm(world, correction, django_capture_on_commit_callbacks)

    original.refresh_from_db()
    assert original.state == OffPlatformSale.State.SUPERSEDED
    assert original.amount == Decimal("1000.00")  # never edited
    assert help_sell(world) == facts_sum(world) == Decimal("850.55")
    reversal = PurchaseFact.objects.get(offplatform_sale=original, kind=PurchaseFact.Kind.REFUND)
    assert reversal.amount == Decimal("-1000.00")


def test_a_correction_to_zero_withdraws_the_sale(world, django_capture_on_commit_callbacks):
    original = record(world, amount="420.00")
    confirm(world, original, django_capture_on_commit_callbacks)

    confirm(world, record(world, amount="0", corrects=original), django_capture_on_commit_callbacks)

    assert help_sell(world) == facts_sum(world) == Decimal("0.00")


def test_only_a_confirmed_record_can_be_corrected_once_at_a_time(
    world, django_capture_on_commit_callbacks
):
    pending = record(world)
    with pytest.raises(OffPlatformError):
        record(world, corrects=pending)
    confirm(world, pending, django_capture_on_commit_callbacks)
    record(world, amount="900.00", corrects=pending)
    with pytest.raises(OffPlatformError):
        record(world, amount="800.00", corrects=pending)


def test_a_sale_in_a_locked_year_counts_in_the_next_open_year(
    world, django_capture_on_commit_callbacks
):
    EvaluationYear.objects.create(year=2025, locked_at=timezone.now())
    sale = record(world)

    confirm(world, sale, django_capture_on_commit_callbacks)

    [fact] = PurchaseFact.objects.all()
    assert (fact.natural_year, fact.year) == (2025, 2026) and "2025" in fact.note


def test_the_rebuild_reproduces_off_platform_facts(world, django_capture_on_commit_callbacks):
    original = record(world, amount="1000.00")
    confirm(world, original, django_capture_on_commit_callbacks)
    confirm(
        world, record(world, amount="640.00", corrects=original), django_capture_on_commit_callbacks
    )
    stored = sorted(
        PurchaseFact.objects.values_list(
            "offplatform_sale_id", "kind", *PurchaseFact.COMPUTED_FIELDS
        )
    )

    assert evaluation_rebuild(dry_run=True).differences == 0

    PurchaseFact.objects.all().delete()
    report = evaluation_rebuild()
    assert len(report.created) == 3
    rebuilt = sorted(
        PurchaseFact.objects.values_list(
            "offplatform_sale_id", "kind", *PurchaseFact.COMPUTED_FIELDS
        )
    )
    assert rebuilt == stored
    assert help_sell(world) == Decimal("640.00")


def test_a_years_rebuild_reproduces_the_off_platform_facts_of_that_year_only(
    world, django_capture_on_commit_callbacks
):
    # Given a sale of SOLD_ON's year corrected, and one of the next year, their facts lost
    original = record(world, amount="1000.00")
    confirm(world, original, django_capture_on_commit_callbacks)
    confirm(
        world, record(world, amount="640.00", corrects=original), django_capture_on_commit_callbacks
    )
    later = SOLD_ON.replace(year=SOLD_ON.year + 1)
    confirm(world, record(world, amount="50.00", sold_on=later), django_capture_on_commit_callbacks)
    PurchaseFact.objects.all().delete()

    # When SOLD_ON's year alone is rebuilt
    report = evaluation_rebuild(year=SOLD_ON.year)

    # Then that year's three facts are back, and the next year's sale is left to its year
    assert len(report.created) == 3
    assert set(PurchaseFact.objects.values_list("year", flat=True)) == {SOLD_ON.year}
    assert help_sell(world) == Decimal("640.00")
    assert len(evaluation_rebuild(year=later.year).created) == 1


def test_a_years_rebuild_makes_a_lost_reversal_of_a_locked_years_sale_again(
    world, django_capture_on_commit_callbacks
):
    # Given a sale of locked SOLD_ON's year corrected after the lock: the reversal of the
    # original and the correction count in the next year, the original stays where it is
    original = record(world, amount="1000.00")
    confirm(world, original, django_capture_on_commit_callbacks)
    year_lock(year=SOLD_ON.year, evaluator=UserFactory(roles=[EVALUATOR]))
    correction = record(world, amount="640.00", corrects=original)
    confirm(world, correction, django_capture_on_commit_callbacks)
    after = SOLD_ON.year + 1
    facts = sorted(PurchaseFact.objects.values_list("offplatform_sale_id", "kind", "year"))
    assert facts == sorted(
        [(original.pk, "sale", SOLD_ON.year), (original.pk, "refund", after)]
        + [(correction.pk, "sale", after)]
    )
    # ...and the reversal lost
    PurchaseFact.objects.filter(offplatform_sale=original, kind="refund").delete()

    # When the next year alone is rebuilt
    report = evaluation_rebuild(year=after)

    # Then the reversal is back in it, and the original's sale is not made a second time
    assert report.created == [("offplatform", original.pk, "refund")]
    assert sorted(PurchaseFact.objects.values_list("offplatform_sale_id", "kind", "year")) == facts


def test_a_years_rebuild_deletes_its_copy_of_an_earlier_years_off_platform_fact(
    world, django_capture_on_commit_callbacks
):
    # Given a confirmed sale of SOLD_ON's year whose fact is stored again in the next year
    sale = record(world, amount="1000.00")
    confirm(world, sale, django_capture_on_commit_callbacks)
    fact = PurchaseFact.objects.get(offplatform_sale=sale)
    fact.pk, fact.year = None, SOLD_ON.year + 1
    fact.save()

    # When the next year alone is rebuilt
    report = evaluation_rebuild(year=SOLD_ON.year + 1)

    # Then its copy is gone, reported as a second copy, and the sale has one fact again
    assert report.twins == [(("offplatform", sale.pk, "sale"), SOLD_ON.year + 1)]
    assert not report.misplaced and not report.updated
    assert list(PurchaseFact.objects.values_list("year", flat=True)) == [SOLD_ON.year]
    assert evaluation_rebuild(dry_run=True).differences == 0


def test_a_fact_has_exactly_one_source_the_database_says_so(
    world, django_capture_on_commit_callbacks
):
    """Invariant 2: a fact comes from a store payment event or from a confirmed
    off-platform record, never both and never neither (a CHECK in the database)."""
    sale = record(world)
    confirm(world, sale, django_capture_on_commit_callbacks)
    bought(world["product"], 1, organisation=world["organisation"])
    offplatform = PurchaseFact.objects.get(offplatform_sale=sale)
    store = PurchaseFact.objects.get(offplatform_sale__isnull=True)
    assert store.payment_event_id and store.line_id and store.order_id

    for fact, change in (
        (store, {"offplatform_sale": sale}),  # both
        (offplatform, {"offplatform_sale": None}),  # neither
        (
            offplatform,
            {
                "payment_event": store.payment_event_id,
                "line": store.line_id,
                "order": store.order_id,
            },
        ),  # both
    ):
        with pytest.raises(IntegrityError, match="fact_has_exactly_one_source"):
            with transaction.atomic():
                PurchaseFact.objects.filter(pk=fact.pk).update(**change)


# --- the household income ledger: the supply lots behind a confirmed sale ---------------------


@pytest.fixture
def households(world):
    """The cooperative's scheme (30% produce, 10% wages, 5% dividends), two produce
    suppliers (registered shares 1 and 1), a dividend holder; and a household of another
    cooperative."""
    cooperative = world["cooperative"]
    BenefitSchemeFactory(cooperative=cooperative)
    a, b, holder = (HouseholdFactory(village=cooperative.village, size=3) for _ in range(3))
    for supplier in (a, b):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=supplier,
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )
    BenefitLinkFactory(
        cooperative=cooperative,
        household=holder,
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("1000.00"),
    )
    other = product_from(world["zhaojue"], title="别家的蜂蜜").cooperative
    outsider = HouseholdFactory(village=other.village)
    BenefitLinkFactory(
        cooperative=other,
        household=outsider,
        kind=BenefitKind.PRODUCE_SUPPLY,
        supply_share=Decimal("1.00"),
    )
    return {"a": a, "b": b, "holder": holder, "outsider": outsider, "other": other}


def supply_of(sale, *rows) -> dict:
    """{sale line: [(household, quantity)]} for a one-product sale."""
    [line] = sale.lines.all()
    return {line.pk: [(household, Decimal(quantity)) for household, quantity in rows]}


def income(**scope) -> dict:
    """{(household id, kind, scheme id): amount} of the ledger entries in `scope`."""
    out = {}
    for household, kind, scheme, amount in LedgerEntry.objects.filter(**scope).values_list(
        "household_id", "kind", "scheme_id", "amount"
    ):
        out[(household, kind, scheme)] = out.get((household, kind, scheme), 0) + amount
    return out


def household_total(household, **scope) -> Decimal:
    return sum(
        LedgerEntry.objects.filter(household=household, **scope).values_list("amount", flat=True),
        Decimal("0.00"),
    )


def test_a_sale_with_its_lots_recorded_enters_each_suppliers_ledger_once_split_like_a_store_sale(
    world, households, django_capture_on_commit_callbacks
):
    a, b = households["a"], households["b"]
    sale = record(world, amount="1000.00", lines=[(world["product"], 40)])
    confirm(world, sale, django_capture_on_commit_callbacks)

    offplatform_supply_record(
        sale=sale, actor=world["staff"], supply=supply_of(sale, (a, 10), (b, 30))
    )

    offplatform = income(outside_sale__isnull=False)
    assert sum(offplatform.values()) == Decimal("1000.00")  # no platform fee: not sold by it
    for supplier in (a, b):
        assert (
            LedgerEntry.objects.filter(
                household=supplier, outside_sale__isnull=False, kind=BenefitKind.PRODUCE_SUPPLY
            ).count()
            == 1
        )
    # A store sale of the same money, that day, from a lot with the same quantities.
    supply_lot_record(
        cooperative=world["cooperative"],
        product=world["product"],
        supplied_on=SOLD_ON,
        items=[(a, Decimal(10)), (b, Decimal(30))],
        actor=world["staff"],
    )
    order = bought(world["product"], 20, organisation=world["organisation"])  # 20 × ¥50.00
    assert income(line__order=order) == offplatform
    produce = {k[0]: v for k, v in offplatform.items() if k[1] == BenefitKind.PRODUCE_SUPPLY}
    assert produce == {a.pk: Decimal("75.00"), b.pk: Decimal("225.00")}  # 30% by 10 : 30
    assert household_total(households["holder"], outside_sale__isnull=False) == Decimal("50.00")

    with pytest.raises(OffPlatformError, match="已经登记过"):  # twice: booked once
        offplatform_supply_record(sale=sale, actor=world["staff"], supply=supply_of(sale, (a, 40)))
    assert income(outside_sale__isnull=False) == offplatform


def test_a_platform_fee_is_not_taken_from_money_the_platform_did_not_sell(
    world, households, settings, django_capture_on_commit_callbacks
):
    settings.INCOME_PLATFORM_FEE_RATE = "0.05"
    a, b = households["a"], households["b"]
    sale = record(world, amount="1000.00", lines=[(world["product"], 40)])
    confirm(world, sale, django_capture_on_commit_callbacks)
    offplatform_supply_record(
        sale=sale, actor=world["staff"], supply=supply_of(sale, (a, 10), (b, 30))
    )

    order = bought(world["product"], 20, organisation=world["organisation"])

    assert sum(income(outside_sale__isnull=False).values()) == Decimal("1000.00")
    assert sum(income(line__order=order).values()) == Decimal("950.00")
    # The sale's own lot splits the sale only: the store sale keeps the registered shares.
    store = income(line__order=order, kind=BenefitKind.PRODUCE_SUPPLY)
    assert sorted(store.values()) == [Decimal("142.50"), Decimal("142.50")]


def test_no_lots_or_no_confirmation_means_no_ledger_rows(
    world, households, django_capture_on_commit_callbacks
):
    a = households["a"]
    pending = record(world, amount="300.00")
    rejected = record(world, amount="700.00")
    offplatform_sale_reject(sale=rejected, actor=world["staff"], reason="当天没有这笔销售")
    confirmed = record(world, amount="500.00")
    confirm(world, confirmed, django_capture_on_commit_callbacks)

    assert not LedgerEntry.objects.exists()  # confirmed, but no lots recorded yet
    for sale in (pending, rejected):
        with pytest.raises(OffPlatformError, match="已确认"):
            offplatform_supply_record(
                sale=sale, actor=world["staff"], supply=supply_of(sale, (a, 40))
            )
    assert not LedgerEntry.objects.exists()
    assert not SupplyLot.objects.exists()
    assert ledger_rebuild_compare().differences == []


def test_a_correction_moves_the_household_income_exactly(
    world, households, django_capture_on_commit_callbacks
):
    a, b, holder = households["a"], households["b"], households["holder"]
    original = record(world, amount="1000.00", lines=[(world["product"], 40)])
    confirm(world, original, django_capture_on_commit_callbacks)
    offplatform_supply_record(
        sale=original, actor=world["staff"], supply=supply_of(original, (a, 10), (b, 30))
    )
    before = {h: household_total(h) for h in (a, b, holder)}
    assert before[b] > before[a] > 0 and before[holder] == Decimal("50.00")

    correction = record(world, amount="600.00", corrects=original, lines=[(world["product"], 24)])
    assert {h: household_total(h) for h in (a, b, holder)} == before  # pending: nothing moves
    confirm(world, correction, django_capture_on_commit_callbacks)

    # The corrected sale's income is taken back to the fen, on the day of the correction.
    assert {h: household_total(h) for h in (a, b, holder)} == {a: 0, b: 0, holder: 0}
    reversal = LedgerEntry.objects.filter(amount__lt=0)
    assert {e.booked_on for e in reversal} == {timezone.localdate()}
    with pytest.raises(OffPlatformError):  # the superseded record takes no more lots
        offplatform_supply_record(
            sale=original, actor=world["staff"], supply=supply_of(original, (a, 40))
        )

    offplatform_supply_record(
        sale=correction, actor=world["staff"], supply=supply_of(correction, (a, 24))
    )

    # Now exactly the correction's money: ¥600.00 × 30% to the one supplier, 5% to the holder.
    assert household_total(a) == Decimal("180.00")
    assert household_total(b) == Decimal("0.00")
    assert household_total(holder) == Decimal("30.00")
    assert sum(income(outside_sale__isnull=False).values()) == Decimal("600.00")
    assert outside_sales_reverse(reference=f"offplatform-sale:{original.pk}", on=SOLD_ON) == 0


def test_the_income_rebuild_reproduces_off_platform_rows_and_finds_a_stray_one(
    world, households, django_capture_on_commit_callbacks
):
    a, b = households["a"], households["b"]
    original = record(world, amount="1000.00", lines=[(world["product"], 40)])
    confirm(world, original, django_capture_on_commit_callbacks)
    offplatform_supply_record(
        sale=original, actor=world["staff"], supply=supply_of(original, (a, 10), (b, 30))
    )
    correction = record(world, amount="777.77", corrects=original, lines=[(world["product"], 3)])
    confirm(world, correction, django_capture_on_commit_callbacks)
    offplatform_supply_record(
        sale=correction, actor=world["staff"], supply=supply_of(correction, (a, 1), (b, 2))
    )
    bought(world["product"], 2, organisation=world["organisation"])

    report = ledger_rebuild_compare()
    assert report.differences == [] and report.outside_sales == 2
    out = io.StringIO()
    call_command("income_rebuild", stdout=out)
    assert "零差异" in out.getvalue()
    assert restore_check().differences == []

    sale = OutsideSale.objects.get(reference=f"offplatform-sale:{correction.pk}")
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                household=a,
                cooperative=world["cooperative"],
                outside_sale=sale,
                kind=BenefitKind.PRODUCE_SUPPLY,
                amount=Decimal("0.01"),
                booked_on=SOLD_ON,
                created_at=timezone.now(),
            )
        ]
    )
    [difference] = ledger_rebuild_compare().differences
    assert (
        difference.outside_sale_id == sale.pk
        and difference.stored - difference.expected == Decimal("0.01")
    )
    assert any(f"线下销售 {sale.pk}" in line for line in restore_check().differences)


def test_a_ledger_row_has_exactly_one_source_the_database_says_so(
    world, households, django_capture_on_commit_callbacks
):
    sale = record(world, lines=[(world["product"], 40)])
    confirm(world, sale, django_capture_on_commit_callbacks)
    offplatform_supply_record(
        sale=sale, actor=world["staff"], supply=supply_of(sale, (households["a"], 40))
    )
    bought(world["product"], 1, organisation=world["organisation"])
    store = LedgerEntry.objects.filter(line__isnull=False).first()
    outside = OutsideSale.objects.get()

    for change in (
        {
            "line_id": store.line_id,
            "payment_event_id": store.payment_event_id,
            "outside_sale": outside,
        },
        {"line_id": None, "payment_event_id": None, "outside_sale": None},
        {"line_id": store.line_id, "payment_event_id": None, "outside_sale": outside},
    ):
        with pytest.raises(IntegrityError, match="ledger_entry_has_exactly_one_source"):
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(
                    [
                        LedgerEntry(
                            household=households["a"],
                            cooperative=world["cooperative"],
                            kind=BenefitKind.PRODUCE_SUPPLY,
                            amount=Decimal("1.00"),
                            booked_on=SOLD_ON,
                            created_at=timezone.now(),
                            **change,
                        )
                    ]
                )
    with pytest.raises(IntegrityError, match="one_outside_sale_per_product"):
        with transaction.atomic():
            OutsideSale.objects.create(
                cooperative=world["cooperative"],
                product=world["product"],
                quantity=1,
                amount=Decimal("1.00"),
                sold_on=SOLD_ON,
                reference=outside.reference,
                created_at=timezone.now(),
            )


def supply_post(sale, rows) -> dict:
    [line] = sale.lines.all()
    data = {}
    for n, (household, quantity) in enumerate(rows, start=1):
        data[f"household_{line.pk}_{n}"] = household.pk
        data[f"quantity_{line.pk}_{n}"] = quantity
    return data


def test_the_cooperative_records_the_lots_on_its_page_and_the_household_page_marks_the_income(
    client, world, households, django_capture_on_commit_callbacks
):
    a = households["a"]
    sale = record(world, amount="1000.00", lines=[(world["product"], 40)])
    confirm(world, sale, django_capture_on_commit_callbacks)
    client.force_login(world["staff"])
    detail = reverse("evaluation:offplatform-detail", args=[sale.pk])
    url = reverse("evaluation:offplatform-supply", args=[sale.pk])
    assert url in client.get(detail).content.decode()

    response = client.post(url, supply_post(sale, [(a, "40")]))

    assert response.status_code == 302 and response.url == detail
    assert "收购批次已登记" in client.get(detail).content.decode()
    page = client.get(reverse("income:cooperative-statement", args=[a.pk])).content.decode()
    assert "线下销售" in page and world["product"].title in page
    assert "¥300.00" in page  # 30% of ¥1,000.00, the one supplier's
    csv = client.get(reverse("income:cooperative-statement", args=[a.pk]), {"format": "csv"})
    assert "线下销售" in csv.content.decode("utf-8-sig")
    officer = county_officer_create(county=world["zhaojue"])
    client.force_login(officer)
    county_page = client.get(reverse("income:county-statement", args=[a.pk])).content.decode()
    assert "线下销售" in county_page


def test_another_cooperatives_staff_get_404_on_the_lot_form(client, world, households):
    sale = record(world, lines=[(world["product"], 40)])
    offplatform_sale_confirm(sale=sale, actor=world["staff"])
    client.force_login(cooperative_staff_create(cooperative=households["other"]))
    url = reverse("evaluation:offplatform-supply", args=[sale.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, supply_post(sale, [(households["a"], "40")])).status_code == 404
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("outsider", "40")], "不是本合作社的农户"),
        ([("holder", "40")], "产品收购联结"),  # linked, but not a supplier
        ([("a", "10"), ("b", "20")], "应等于销售数量40"),
        ([("a", "0"), ("b", "40")], "必须大于0"),
        ([("a", "-5"), ("b", "45")], "必须大于0"),
        ([("a", "20"), ("a", "20")], "同一农户"),
    ],
)
def test_bad_lots_on_the_form_say_why_and_change_nothing(
    client, world, households, rows, message, django_capture_on_commit_callbacks
):
    sale = record(world, lines=[(world["product"], 40)])
    confirm(world, sale, django_capture_on_commit_callbacks)
    client.force_login(world["staff"])

    response = client.post(
        reverse("evaluation:offplatform-supply", args=[sale.pk]),
        supply_post(sale, [(households[name], quantity) for name, quantity in rows]),
    )

    assert response.status_code == 200
    assert re.search(message, response.content.decode())
    assert not LedgerEntry.objects.exists()
    assert not SupplyLot.objects.exists() and not OutsideSale.objects.exists()


# --- bad input: a clear message, nothing recorded -----------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "12.345"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"sold_on": datetime.date.today() + datetime.timedelta(days=2)},
        {
            "evidence": [
                SimpleUploadedFile("合同.pdf", b"MZ not a pdf", content_type="application/pdf")
            ]
        },
        {"evidence": []},
        {"lines": []},
    ],
)
def test_bad_input_records_nothing(world, change):
    with pytest.raises(OffPlatformError) as error:
        record(world, **change)

    assert error.value.messages
    assert not OffPlatformSale.objects.exists()


def test_another_cooperatives_product_is_refused(world):
    other = product_from(world["zhaojue"], title="别家的蜂蜜")

    with pytest.raises(OffPlatformError, match="不是该合作社的产品"):
        record(world, lines=[(other, 3)])


def test_a_sale_no_pairing_joins_is_refused(world):
    unpaired = product_from(CountyFactory(name="别的县"))
    cooperative_staff_create(cooperative=unpaired.cooperative)

    with pytest.raises(OffPlatformError, match="没有结对关系"):
        offplatform_sale_record(
            actor=world["recorder"],
            organisation=world["organisation"],
            cooperative=unpaired.cooperative,
            channel_kind="fair",
            sold_on=SOLD_ON,
            amount="10.00",
            lines=[(unpaired, 1)],
            evidence=[pdf()],
        )


def test_only_the_organisations_admin_records_and_only_the_cooperative_confirms(world):
    _organisation, other_admin = organisation_admin()
    with pytest.raises(PermissionDenied):
        offplatform_sale_record(
            actor=other_admin,
            organisation=world["organisation"],
            cooperative=world["cooperative"],
            channel_kind="fair",
            sold_on=SOLD_ON,
            amount="10.00",
            lines=[(world["product"], 1)],
            evidence=[pdf()],
        )
    sale = record(world)
    for actor in (world["recorder"], county_officer_create(county=world["zhaojue"])):
        with pytest.raises(PermissionDenied):
            offplatform_sale_confirm(sale=sale, actor=actor)


def test_the_county_office_confirms_for_a_cooperative_without_staff(
    world, django_capture_on_commit_callbacks
):
    product = product_from(world["zhaojue"], title="无人值守合作社的核桃")
    sale = offplatform_sale_record(
        actor=world["recorder"],
        organisation=world["organisation"],
        cooperative=product.cooperative,
        channel_kind="canteen",
        sold_on=SOLD_ON,
        amount="260.00",
        lines=[(product, 20)],
        evidence=[pdf()],
    )
    officer = county_officer_create(county=world["zhaojue"])

    with django_capture_on_commit_callbacks(execute=True):
        offplatform_sale_confirm(sale=sale, actor=officer)

    assert help_sell(world) == Decimal("260.00")


# --- pages ---------------------------------------------------------------------------------------


def test_the_east_records_through_the_form_and_the_cooperative_confirms_on_its_page(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["recorder"])
    response = client.post(
        reverse("evaluation:offplatform-record"),
        {
            "organisation": world["organisation"].pk,
            "cooperative": world["cooperative"].pk,
            "channel_kind": "pavilion",
            "channel_name": "杭州消费帮扶馆",
            "sold_on": "2025-06-15",
            "amount": "1,234.50",
            "product_1": world["product"].pk,
            "quantity_1": "12",
            "evidence": pdf(),
        },
    )
    sale = OffPlatformSale.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluation:offplatform-detail", args=[sale.pk])
    assert sale.amount == Decimal("1234.50") and sale.state == OffPlatformSale.State.PENDING

    client.force_login(world["staff"])
    inbox = client.get(reverse("evaluation:offplatform-inbox"))
    assert reverse("evaluation:offplatform-detail", args=[sale.pk]) in inbox.content.decode()
    assert client.get(reverse("evaluation:offplatform-confirm", args=[sale.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluation:offplatform-confirm", args=[sale.pk]))

    sale.refresh_from_db()
    assert sale.state == OffPlatformSale.State.CONFIRMED
    assert help_sell(world) == Decimal("1234.50")


def test_a_bad_form_says_why_and_records_nothing(client, world):
    client.force_login(world["recorder"])
    response = client.post(
        reverse("evaluation:offplatform-record"),
        {
            "organisation": world["organisation"].pk,
            "cooperative": world["cooperative"].pk,
            "channel_kind": "fair",
            "sold_on": "2025-06-15",
            "amount": "100.001",
            "product_1": world["product"].pk,
            "quantity_1": "1",
            "evidence": pdf(),
        },
    )

    assert response.status_code == 200
    assert "两位小数" in response.content.decode()
    assert not OffPlatformSale.objects.exists()


def test_the_help_sell_drill_down_shows_the_sale_once_marked_off_platform(
    client, world, django_capture_on_commit_callbacks
):
    sale = record(world, amount="1000.00")
    confirm(world, sale, django_capture_on_commit_callbacks)
    item = ScorecardItem.objects.get(scorecard__pairing=world["pairing"], indicator=world["helped"])
    client.force_login(UserFactory(roles=[EVALUATOR]))

    page = client.get(reverse("evaluation:item-facts", args=[item.pk])).content.decode()

    detail = reverse("evaluation:offplatform-detail", args=[sale.pk])
    assert page.count(detail) == 1 and "线下销售" in page
    fact = PurchaseFact.objects.get()
    fact_page = client.get(reverse("evaluation:fact", args=[fact.pk]))
    assert fact_page.status_code == 200 and detail in fact_page.content.decode()
    assert client.get(detail).status_code == 200


def test_the_evidence_reaches_only_those_involved(client, world):
    sale = record(world)
    evidence = sale.evidence.get()
    url = reverse("evaluation:offplatform-evidence", args=[sale.pk, evidence.pk])
    allowed = [
        world["recorder"],
        world["staff"],
        county_officer_create(county=world["zhaojue"]),
        UserFactory(roles=[EVALUATOR]),
    ]
    other_product = product_from(CountyFactory(name="别的县"))
    refused = [
        organisation_admin()[1],
        cooperative_staff_create(cooperative=other_product.cooperative),
        county_officer_create(county=other_product.cooperative.county),
        UserFactory(roles=[CONSUMER]),
    ]

    for user in allowed:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in refused:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert (
            client.get(reverse("evaluation:offplatform-detail", args=[sale.pk])).status_code == 404
        )


def test_another_cooperative_cannot_confirm_or_reject(client, world):
    sale = record(world)
    other = product_from(world["zhaojue"], title="别家的蜂蜜")
    client.force_login(cooperative_staff_create(cooperative=other.cooperative))

    assert client.post(reverse("evaluation:offplatform-confirm", args=[sale.pk])).status_code == 404
    assert (
        client.post(reverse("evaluation:offplatform-reject", args=[sale.pk]), {"reason": "x"})
    ).status_code == 404
    client.force_login(UserFactory(roles=[EVALUATOR]))  # sees it, does not decide it
    assert client.post(reverse("evaluation:offplatform-confirm", args=[sale.pk])).status_code == 403
    sale.refresh_from_db()
    assert sale.state == OffPlatformSale.State.PENDING


def test_the_cooperative_rejects_with_its_reason_on_the_page(client, world):
    sale = record(world)
    client.force_login(world["staff"])

    client.post(reverse("evaluation:offplatform-reject", args=[sale.pk]), {"reason": ""})
    sale.refresh_from_db()
    assert sale.state == OffPlatformSale.State.PENDING
    client.post(reverse("evaluation:offplatform-reject", args=[sale.pk]), {"reason": "金额不符"})

    client.force_login(world["recorder"])
    page = client.get(reverse("evaluation:offplatform-detail", args=[sale.pk])).content.decode()
    assert "金额不符" in page


def test_the_admin_lists_off_platform_sales_and_their_facts_read_only(
    client, world, django_capture_on_commit_callbacks
):
    sale = record(world)
    confirm(world, sale, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for name in ("offplatformsale", "purchasefact"):
        response = client.get(reverse(f"admin:evaluation_{name}_changelist"))
        assert response.status_code == 200
    assert client.get(reverse("admin:evaluation_offplatformsale_add")).status_code == 403


def test_the_east_corrects_a_confirmed_sale_through_its_page(
    client, world, django_capture_on_commit_callbacks
):
    original = record(world, amount="1000.00")
    confirm(world, original, django_capture_on_commit_callbacks)
    client.force_login(world["recorder"])
    detail = client.get(reverse("evaluation:offplatform-detail", args=[original.pk]))
    assert reverse("evaluation:offplatform-correct", args=[original.pk]) in detail.content.decode()

    response = client.post(
        reverse("evaluation:offplatform-correct", args=[original.pk]),
        {
            "organisation": world["organisation"].pk,
            "channel_kind": "counter",
            "sold_on": "2025-06-15",
            "amount": "990.00",
            "product_1": world["product"].pk,
            "quantity_1": "39",
            "evidence": pdf("更正后的发票.pdf"),
        },
    )

    correction = OffPlatformSale.objects.get(corrects=original)
    assert response.status_code == 302 and correction.cooperative == world["cooperative"]
    assert help_sell(world) == Decimal("1000.00")  # until the cooperative confirms
    confirm(world, correction, django_capture_on_commit_callbacks)
    assert help_sell(world) == Decimal("990.00")


@pytest.mark.parametrize("sales", [1, 6])
def test_the_drill_down_of_off_platform_facts_runs_a_constant_number_of_queries(
    client, world, sales, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(sales):
        confirm(world, record(world, amount="10.00"), django_capture_on_commit_callbacks)
    item = ScorecardItem.objects.get(scorecard__pairing=world["pairing"], indicator=world["helped"])
    client.force_login(UserFactory(roles=[EVALUATOR]))

    with django_assert_max_num_queries(16):
        response = client.get(reverse("evaluation:item-facts", args=[item.pk]))

    assert response.content.decode().count('href="/evaluation/offplatform/') == sales


def test_the_rebuild_command_names_a_missing_off_platform_fact(
    world, django_capture_on_commit_callbacks
):
    sale = record(world)
    confirm(world, sale, django_capture_on_commit_callbacks)
    PurchaseFact.objects.all().delete()
    out = io.StringIO()

    call_command("evaluation_rebuild", "--dry-run", stdout=out)

    assert f"缺少采购事实：线下销售 {sale.pk} sale" in out.getvalue()
    assert not PurchaseFact.objects.exists()  # a dry run changes nothing
