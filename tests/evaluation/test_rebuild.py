"""The rebuild command reproduces facts and scorecards exactly from the payment events,
reports every difference, and never writes a locked year."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from evaluation.models import PurchaseFact, Scorecard
from evaluation.services.locking import year_lock
from evaluation.services.rebuild import NO_SOURCE, RebuildReport, evaluation_rebuild
from marketplace.users.roles import EVALUATOR
from tests.factories import CountyFactory, OrganisationFactory, TownshipFactory, UserFactory
from tests.store_factories import sales_channel_create

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)

pytestmark = pytest.mark.django_db


def facts_state():
    return sorted(
        tuple(
            str(getattr(f, name))
            for name in ("payment_event_id", "line_id", *PurchaseFact.COMPUTED_FIELDS)
        )
        for f in PurchaseFact.objects.all()
    )


def scorecards_state():
    return sorted(
        (
            c.pairing_id,
            c.year,
            c.total,
            c.grade,
            c.rank,
            tuple(sorted((i.indicator_id, i.value, i.target, i.score) for i in c.items.all())),
        )
        for c in Scorecard.objects.all()
    )


@pytest.fixture
def history():
    """Two years of sales and refunds, with 2025 locked and a refund after the lock."""
    world = east_west_world()
    for year in (2025, 2026):
        AgreementFactory(pairing=world["pairing"], year=year)
        IndicatorFactory(year=year, priority_extra_weight=Decimal("0.20"))
    zone = sales_channel_create(region=world["hangzhou"])
    canteen = OrganisationFactory(home_region=world["hangzhou"])
    tea = product_from(world["zhaojue"], price=Decimal("19.90"))
    uncertified = product_from(world["zhaojue"], state=None)
    order = order_place(products=[(tea, 4), (uncertified, 1)], organisation=canteen)
    order_settle(order=order, when=at(2025, 3, 1))
    bought(tea, 2, year=2025, channel=zone)
    bought(tea, 1, year=2025, province="火星省")
    year_lock(year=2025, evaluator=UserFactory(roles=[EVALUATOR]))
    order_refund(order=order, when=at(2026, 1, 3), lines=[(order.lines.first(), 1)])
    bought(tea, 7, year=2026)
    order_refund(order=order, when=at(2026, 2, 3), amount=Decimal("5.00"))
    return world


def test_rebuild_reproduces_facts_and_scorecards_exactly(history):
    facts, cards = facts_state(), scorecards_state()
    # Given the open year's facts and scorecards lost
    PurchaseFact.objects.filter(year=2026).delete()
    Scorecard.objects.filter(year=2026).delete()

    # When the rebuild runs
    out = StringIO()
    call_command("evaluation_rebuild", stdout=out)

    # Then everything is back exactly as the tasks made it
    assert facts_state() == facts
    assert scorecards_state() == cards
    assert "缺少 4 条" in out.getvalue()


def test_rebuild_of_untouched_facts_finds_no_difference(history):
    report = evaluation_rebuild()

    assert report.differences == 0
    assert report.facts_checked == PurchaseFact.objects.count()


def test_rebuild_reports_and_repairs_a_tampered_fact_in_an_open_year(history):
    fact = PurchaseFact.objects.filter(year=2026, kind="sale").get()
    PurchaseFact.objects.filter(pk=fact.pk).update(amount=Decimal("1.00"))
    out = StringIO()

    call_command("evaluation_rebuild", stdout=out)

    said = f"订单行 {fact.line_id}：amount 存储 Decimal('1.00')，重算 Decimal('139.30')"
    assert said in out.getvalue()
    fact.refresh_from_db()
    assert fact.amount == Decimal("139.30")


def test_rebuild_never_writes_a_locked_year(history):
    locked = PurchaseFact.objects.filter(year=2025, kind="sale").first()
    PurchaseFact.objects.filter(pk=locked.pk).update(amount=Decimal("1.00"))
    cards_2025 = [s for s in scorecards_state() if s[1] == 2025]

    report = evaluation_rebuild()

    locked.refresh_from_db()
    assert locked.amount == Decimal("1.00")
    assert report.locked_differences == [((locked.payment_event_id, locked.line_id), "amount")]
    assert [s for s in scorecards_state() if s[1] == 2025] == cards_2025


def test_dry_run_changes_nothing(history):
    PurchaseFact.objects.filter(year=2026).delete()

    report = evaluation_rebuild(dry_run=True)

    assert len(report.created) == 4
    assert not PurchaseFact.objects.filter(year=2026).exists()


def test_rebuild_deletes_a_fact_whose_payment_event_line_is_gone(history):
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    fact = PurchaseFact.objects.filter(year=2026, kind="sale").get()
    PaymentEventQuantity.objects.filter(event=fact.payment_event_id, line=fact.line_id).delete()

    report = evaluation_rebuild()

    assert report.deleted == [(fact.payment_event_id, fact.line_id)]
    assert not PurchaseFact.objects.filter(pk=fact.pk).exists()


def test_a_years_rebuild_repairs_that_year_and_leaves_the_other_years_alone(history):
    # Given a 2026 sale fact tampered with, the 2026 adjustment of a refunded 2025 sale
    # lost, and a locked 2025 fact tampered with too
    facts = facts_state()
    sale = PurchaseFact.objects.filter(year=2026, kind="sale").get()
    PurchaseFact.objects.filter(pk=sale.pk).update(amount=Decimal("1.00"))
    lost = PurchaseFact.objects.get(year=2026, occurred_at=at(2026, 1, 3))
    PurchaseFact.objects.filter(pk=lost.pk).delete()
    locked = PurchaseFact.objects.filter(year=2025, kind="sale").first()
    PurchaseFact.objects.filter(pk=locked.pk).update(amount=Decimal("2.00"))
    out = StringIO()

    # When 2026 alone is rebuilt
    call_command("evaluation_rebuild", "--year", "2026", stdout=out)

    # Then 2026's sale is repaired and its adjustment made again; the refunded order's
    # sale, which stays in locked 2025, is not made again in 2026, and 2025 goes unreported
    assert "2026 年度：已核对采购事实" in out.getvalue()
    assert "缺少 1 条，不同 1 条" in out.getvalue()
    assert "已锁定年度的差异 0 处" in out.getvalue()
    PurchaseFact.objects.filter(pk=locked.pk).update(amount=locked.amount)
    assert facts_state() == facts


def a_2025_sale_fact_stored_in_2026():
    """The fact of a 2025 sale, stored in 2026 (2025 and 2026 both open), and its key."""
    world = east_west_world()
    tea = product_from(world["zhaojue"], price=Decimal("19.90"))
    event = bought(tea, 2, year=2025).payment_events.get()
    fact = PurchaseFact.objects.get(payment_event=event)
    PurchaseFact.objects.filter(pk=fact.pk).update(year=2026)
    return fact, (event.pk, fact.line_id)


def test_a_years_rebuild_reports_a_fact_stored_in_another_year_and_moves_nothing():
    # Given 2025 and 2026 both open, and a 2025 sale's fact stored in 2026
    _fact, key = a_2025_sale_fact_stored_in_2026()

    # When each year alone is rebuilt, neither makes a second fact nor moves this one
    in_2025, in_2026 = (evaluation_rebuild(year=year) for year in (2025, 2026))

    assert in_2025.misplaced == in_2026.misplaced == [(key, 2026, 2025)]
    assert not in_2025.created and not in_2026.updated
    assert list(PurchaseFact.objects.values_list("year", flat=True)) == [2026]
    assert "应计入 2025 年度（按年度重建不移动，请运行完整重建）" in in_2025.described()[0]
    out = StringIO()
    call_command("evaluation_rebuild", "--year", "2026", stdout=out)
    assert "1 条采购事实存放的年度与所计年度不符，按年度重建未移动" in out.getvalue()
    assert "均已更正" not in out.getvalue()
    # ...which the whole rebuild does
    assert evaluation_rebuild().updated == [(key, "year", 2026, 2025)]
    assert list(PurchaseFact.objects.values_list("year", flat=True)) == [2025]


def test_a_years_rebuild_reports_each_other_year_a_fact_is_stored_in():
    # Given a 2025 sale's fact stored in 2026 and again in 2027, not in 2025
    fact, key = a_2025_sale_fact_stored_in_2026()
    fact.pk, fact.year = None, 2027
    fact.save()

    # When 2025 alone is rebuilt
    report = evaluation_rebuild(year=2025)

    # Then both misplaced rows are reported, none is made in 2025, and nothing moves
    assert report.misplaced == [(key, 2026, 2025), (key, 2027, 2025)]
    assert not report.created
    assert sorted(PurchaseFact.objects.values_list("year", flat=True)) == [2026, 2027]


def test_the_rebuild_deletes_a_fact_stored_a_second_time_in_another_year(history):
    # Given the 2026 sale's fact stored again in 2027 (each year's unique key includes the
    # year), and a locked 2025 fact stored again in 2026: each counted twice
    facts = facts_state()
    sale = PurchaseFact.objects.get(year=2026, kind="sale")
    locked = PurchaseFact.objects.filter(year=2025, kind="sale").first()
    for fact, year in ((sale, 2027), (locked, 2026)):
        fact.pk, fact.year = None, year
        fact.save()

    report = evaluation_rebuild()

    # Then both further rows are gone, the fact of the locked year kept, and each reported
    assert sorted(report.twins) == sorted(
        [
            ((sale.payment_event_id, sale.line_id), 2027),
            ((locked.payment_event_id, locked.line_id), 2026),
        ]
    )
    assert facts_state() == facts
    assert "重复存储，多出的一条在 2027 年度" in "".join(report.described())


def test_a_years_rebuild_deletes_its_copy_of_a_fact_an_earlier_year_holds(history):
    # Given the 2026 sale's fact stored again in 2027, and a locked 2025 fact stored again
    # in 2026: each counted twice, the copy in the later, open year
    facts, cards = facts_state(), scorecards_state()
    sale = PurchaseFact.objects.get(year=2026, kind="sale")
    locked = PurchaseFact.objects.filter(year=2025, kind="sale").first()
    for fact, year in ((sale, 2027), (locked, 2026)):
        fact.pk, fact.year = None, year
        fact.save()

    # When each of the later years alone is rebuilt
    in_2026, in_2027 = (evaluation_rebuild(year=year) for year in (2026, 2027))

    # Then each deletes its own copy and says it was a second copy, not a misplaced fact,
    # as the whole rebuild would; the facts and 2026's scorecards are as before
    assert in_2026.twins == [((locked.payment_event_id, locked.line_id), 2026)]
    assert in_2027.twins == [((sale.payment_event_id, sale.line_id), 2027)]
    assert not in_2026.misplaced and not in_2027.misplaced
    assert not in_2026.deleted and not in_2027.deleted
    assert facts_state() == facts
    assert scorecards_state() == cards
    assert "重复存储，多出的一条在 2026 年度" in "".join(in_2026.described())
    assert evaluation_rebuild().differences == 0


def test_a_years_rebuild_makes_a_lost_fact_of_that_years_own_sales(history):
    own = PurchaseFact.objects.filter(year=2026, natural_year=2026).get()
    facts = facts_state()
    PurchaseFact.objects.filter(pk=own.pk).delete()

    report = evaluation_rebuild(year=2026)

    assert report.created == [(own.payment_event_id, own.line_id)]
    assert facts_state() == facts


def test_a_years_rebuild_compares_the_adjustments_of_locked_years_it_holds(history):
    # Given a refund of a 2025 sale made after 2025 was locked: an adjustment in 2026
    adjustment = PurchaseFact.objects.get(year=2026, occurred_at=at(2026, 1, 3))
    assert adjustment.natural_year == 2025
    PurchaseFact.objects.filter(pk=adjustment.pk).update(quantity=-9)

    report = evaluation_rebuild(year=2026)

    adjustment.refresh_from_db()
    assert report.updated == [
        ((adjustment.payment_event_id, adjustment.line_id), "quantity", -9, -1)
    ]
    assert adjustment.quantity == -1


def test_each_years_rebuild_of_untouched_history_finds_nothing_and_checks_each_fact_once(
    history,
):
    facts, cards = facts_state(), scorecards_state()

    reports = [evaluation_rebuild(year=year) for year in (2025, 2026)]

    assert [r.differences for r in reports] == [0, 0]
    assert [r.facts_checked for r in reports] == [
        PurchaseFact.objects.filter(year=year).count() for year in (2025, 2026)
    ]
    assert facts_state() == facts and scorecards_state() == cards


def test_a_years_rebuild_a_chunk_of_one_order_at_a_time_makes_back_its_facts(history, monkeypatch):
    # Given 2026's facts and scorecards lost, and chunks of one order (the next decided
    # while the last one's facts are copied in)
    from evaluation.services import rebuild

    facts, cards = facts_state(), scorecards_state()
    PurchaseFact.objects.filter(year=2026).delete()
    Scorecard.objects.filter(year=2026).delete()
    monkeypatch.setattr(rebuild, "CHUNK", 1)

    # When 2026 is rebuilt alone
    report = evaluation_rebuild(year=2026)

    # Then its facts are back exactly, the adjustments of the refunded 2025 order among
    # them, and not that order's sale, which stays in locked 2025
    assert len(report.created) == 4
    assert facts_state() == facts
    assert scorecards_state() == cards


def test_a_locked_years_rebuild_reports_and_writes_nothing(history):
    locked = PurchaseFact.objects.filter(year=2025, kind="sale").first()
    PurchaseFact.objects.filter(pk=locked.pk).update(amount=Decimal("1.00"))
    cards = scorecards_state()

    report = evaluation_rebuild(year=2025)

    assert report.locked_differences == [((locked.payment_event_id, locked.line_id), "amount")]
    assert PurchaseFact.objects.get(pk=locked.pk).amount == Decimal("1.00")
    assert not report.created and not report.updated and not report.deleted
    assert scorecards_state() == cards


def test_rebuild_decides_unusual_lines_as_the_settlement_did():
    """Lines without their own cooperative or whose product is gone, a unit in a township,
    a unit's own channel, a second payment, a refund of several lines: rebuilt exactly."""
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025)
    IndicatorFactory(year=2025)
    township = TownshipFactory(parent=CountyFactory(parent=world["hangzhou"], side="east"))
    unit = OrganisationFactory(home_region=township)
    channel = sales_channel_create(organisation=OrganisationFactory(home_region=world["hangzhou"]))
    tea = product_from(world["zhaojue"], price=Decimal("19.90"))
    honey = product_from(world["zhaojue"], title="蜂蜜", price=Decimal("33.30"))
    order = order_place(products=[(tea, 3), (honey, 2)], organisation=unit, channel=channel)
    tea_line, honey_line = order.lines.order_by("pk")
    Line = get_model("order", "Line")
    Line.objects.filter(pk=tea_line.pk).update(cooperative=None)
    Line.objects.filter(pk=honey_line.pk).update(product=None)  # the product went since
    order_settle(order=order, when=at(2025, 3, 1))
    order_settle(order=order, when=at(2025, 3, 2))  # paid twice: the first payment sold it
    order_refund(order=order, when=at(2025, 4, 1), lines=[(tea_line, 1), (honey_line, 1)])
    bought(honey, 1, year=2025, province=None)  # no shipping address
    facts = facts_state()
    tea_fact = PurchaseFact.objects.filter(line=tea_line, kind="sale").first()
    assert tea_fact.cooperative_id == tea.cooperative_id
    assert tea_fact.buyer_region == township and tea_fact.bought_pairing == world["pairing"]
    # a Zhejiang unit in a Zhejiang channel: its purchase, not also help-sell (decision 5)
    assert tea_fact.helped_pairing is None

    PurchaseFact.objects.all().delete()
    report = evaluation_rebuild()

    honey_facts = PurchaseFact.objects.filter(line=honey_line)
    assert report.facts_checked == len(facts) == 7
    assert {(f.product_id, f.counts) for f in honey_facts} == {(None, False)}
    assert all(f.sold_at == at(2025, 3, 1) for f in PurchaseFact.objects.filter(order=order))
    assert facts_state() == facts


def test_rebuild_chunk_by_chunk_reads_regions_before_the_previous_chunk_is_copied(monkeypatch):
    # Given an order, then one from a unit in a township (a region read on first use)
    from evaluation.services import rebuild

    world = east_west_world()
    township = TownshipFactory(parent=CountyFactory(parent=world["hangzhou"], side="east"))
    tea = product_from(world["zhaojue"], price=Decimal("19.90"))
    bought(tea, 2, year=2025)
    order = order_place(products=[(tea, 1)], organisation=OrganisationFactory(home_region=township))
    order_settle(order=order, when=at(2025, 3, 1))
    facts = facts_state()
    PurchaseFact.objects.all().delete()

    # When the rebuild takes one order per chunk: the second is decided while the first
    # chunk's facts are being copied in
    monkeypatch.setattr(rebuild, "CHUNK", 1)
    report = evaluation_rebuild()

    # Then it ran through and made the same facts, the township unit's included
    assert len(report.created) == len(facts) == 2
    assert facts_state() == facts
    assert PurchaseFact.objects.get(order=order).buyer_region == township


def test_the_report_lists_some_of_each_kind_of_difference_and_counts_the_rest():
    report = RebuildReport(
        created=[(1, n) for n in range(3)],
        locked_differences=[((2, 1), NO_SOURCE)],
        scorecards_changed=[(9, 2026)],
    )

    lines = report.described(show=1)

    assert lines == [
        "缺少采购事实：支付事件 1 订单行 0",
        "已锁定年度：采购事实 支付事件 2 订单行 1 已没有对应的来源（未删除）",
        "考核表 结对 9 2026 年度与重算结果不同",
        "另有 2 处差异未列出",
    ]
