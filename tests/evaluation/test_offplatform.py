"""Off-platform sales (issue 19): the eastern side records a sale made at a counter, pavilion,
fair or canteen; it counts as the pairing's help-sell (帮助销售额) once, and only once the
receiving cooperative confirms it; a correction is a new record and moves the figure
exactly; the evidence is seen only by those involved; the rebuild reproduces the facts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from evaluation.models import (
    EvaluationYear,
    Indicator,
    OffPlatformSale,
    PurchaseFact,
    ScorecardItem,
)
from evaluation.services.offplatform import (
    OffPlatformError,
    offplatform_sale_confirm,
    offplatform_sale_record,
    offplatform_sale_reject,
)
from evaluation.services.rebuild import evaluation_rebuild
from marketplace.users.roles import CONSUMER, EVALUATOR
from producers.income.models import LedgerEntry
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


def test_a_confirmed_sale_enters_no_household_income_ledger(
    world, django_capture_on_commit_callbacks
):
    """Decision 0007: the money counts as help-sell, the households' ledger is not moved
    (a confirmed sale is not linked to the supply lots behind it)."""
    cooperative = world["cooperative"]
    BenefitSchemeFactory(cooperative=cooperative)
    BenefitLinkFactory(
        cooperative=cooperative,
        household=HouseholdFactory(village=cooperative.village, size=3),
        kind=BenefitKind.PRODUCE_SUPPLY,
        supply_share=Decimal("1.00"),
    )
    bought(world["product"], 1, organisation=world["organisation"])
    ledger = LedgerEntry.objects.count()
    assert ledger > 0  # a store sale of the same product reaches the household

    confirm(world, record(world), django_capture_on_commit_callbacks)

    assert help_sell(world) == Decimal("1000.00")
    assert LedgerEntry.objects.count() == ledger


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

    assert f"missing fact off-platform sale={sale.pk} kind=sale" in out.getvalue()
    assert not PurchaseFact.objects.exists()  # a dry run changes nothing
