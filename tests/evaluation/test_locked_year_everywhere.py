"""A locked year is frozen everywhere (invariant 7): the evaluators' screens, exports and
API, the public summary page and API, and the public site (home and county figures,
rankings, the public scorecard summary, thank-you certificates) show the same figures of
a locked year before and after a refund of one of its orders; the refund moves the next
open year by exactly its amount, and locking that year keeps it there. Orders go through
the store's settlement and refund announcements, so the facts, scorecards and income
ledger are written as in production."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text
from rest_framework.authtoken.models import Token

from cms import selectors as cms
from cms.models import ParticipationPage, PublicParticipation, ScorecardSummaryPage
from evaluation.models import Indicator, Scorecard
from evaluation.selectors.purchases import lines_total, settled_lines
from evaluation.services.locking import year_lock
from marketplace.organisations.models import Membership
from marketplace.users.roles import EVALUATOR
from producers.models import BenefitKind
from tests.cms.conftest import county_page_create
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganisationFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)
from .test_locked_year_frozen import _page, every_figure

pytestmark = pytest.mark.django_db

# The public site shows the current year: the year locked here is this one.
YEAR = timezone.localdate().year


@pytest.fixture
def world(home_page):
    world = east_west_world()
    for year in (YEAR, YEAR + 1):
        AgreementFactory(pairing=world["pairing"], year=year)
        IndicatorFactory(year=year, code="bought")
        IndicatorFactory(
            year=year,
            code="households",
            name="带动建档立卡户数",
            measure=Indicator.Measure.HOUSEHOLDS,
            target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
        )
    tea = product_from(world["zhaojue"], price=Decimal("80.00"))
    village = VillageFactory(parent=TownshipFactory(parent=world["zhaojue"]))
    BenefitSchemeFactory(cooperative=tea.cooperative)
    for _ in range(3):
        BenefitLinkFactory(
            cooperative=tea.cooperative,
            household=HouseholdFactory(village=village),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )
    # An organisation of the eastern city, bought for by its member (ranked, certified)
    canteen = OrganisationFactory(home_region=world["hangzhou"], name="杭州市机关食堂")
    buyer = MembershipFactory(organisation=canteen, state=Membership.State.APPROVED).user
    # and a person buying for themselves, who appears on the ranking by nickname.
    person = UserFactory(nickname="茶友小王")
    PublicParticipation.objects.create(user=person, show_in_ranking=True)
    orders = {
        "canteen": order_place(products=[(tea, 3)], user=buyer, organisation=canteen),
        "person": order_place(products=[(tea, 2)], user=person),
    }
    order_settle(order=orders["canteen"], when=at(YEAR, 3, 1))
    order_settle(order=orders["person"], when=at(YEAR, 4, 1))
    pages = {"home": home_page}
    pages["county"] = county_page_create(home=home_page, region=world["zhaojue"])
    for model, slug in ((ParticipationPage, "participation"), (ScorecardSummaryPage, "summary")):
        page = model(title=slug, slug=slug)
        home_page.add_child(instance=page)
        page.save_revision().publish()
        pages[slug] = page
    world.update(
        tea=tea,
        canteen=canteen,
        buyer=buyer,
        person=person,
        orders=orders,
        pages=pages,
        evaluator=UserFactory(roles=[EVALUATOR]),
    )
    return world


def public_site_figures(world, year: int) -> dict:
    """What the public site shows of `year`: its pages (home, county, ranking, public
    scorecard summary), each buyer's certificate (PDF text), and the selectors behind them."""
    anonymous = Client()
    seen = {
        name: _figures_of(anonymous.get(page.url).content) for name, page in world["pages"].items()
    }
    for name in ("buyer", "person"):
        client = Client()
        client.force_login(world[name])
        response = client.get(reverse("cms:certificate", args=[year]))
        assert response.status_code == 200
        # The PDF's text, but for the day it was made.
        seen[f"certificate {name}"] = re.sub(
            r"\d{4}-\d{2}-\d{2}", "", extract_text(io.BytesIO(response.content))
        )
    seen.update(public_site_selectors(world, year))
    return seen


def _figures_of(content: bytes) -> bytes:
    """A page's main content, without what differs per request anyway."""
    main = re.search(rb"<main.*?</main>", content, re.S)
    return _page(main.group(0) if main else content)


def evaluators_extra(year: int, evaluator) -> dict:
    """What every_figure leaves out: the PDF export's text and the API's drill-downs."""
    client = Client()
    client.force_login(evaluator)
    token = Token.objects.get_or_create(user=evaluator)[0]
    api = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    pdf = client.get(reverse("evaluation:export", args=[year, "pdf"]))
    assert pdf.status_code == 200
    seen = {"pdf": re.sub(r"\d{4}-\d{2}-\d{2}[ T\d:]*", "", extract_text(io.BytesIO(pdf.content)))}
    for card in Scorecard.objects.filter(year=year).prefetch_related("items"):
        for item in card.items.all():
            response = client.get(reverse("api:item-facts", args=[item.pk]), **api)
            assert response.status_code == 200
            seen[f"api item {item.pk}"] = response.json()
    return seen


def test_a_refund_after_the_lock_moves_no_figure_of_the_locked_year_anywhere(world):
    evaluator = world["evaluator"]
    # Given a year of two settled orders (five boxes of tea, ¥400.00, three households)
    site_open = public_site_figures(world, YEAR)
    assert site_open["headline"] == cms.Figures(amount=Decimal("400.00"), households=3)
    assert [row.amount for row in site_open["organisations"]] == [Decimal("240.00")]
    assert [row.name for row in site_open["individuals"]] == ["茶友小王"]
    assert site_open["canteen certificate"].households == 3

    # When the year is locked, nothing the public site shows of it changes by the lock
    year_lock(year=YEAR, evaluator=evaluator)
    before = public_site_figures(world, YEAR)
    assert before == site_open
    before_evaluation = {**every_figure(YEAR, evaluator), **evaluators_extra(YEAR, evaluator)}

    # and when one box of the organisation's order is refunded after the lock
    canteen_order = world["orders"]["canteen"]
    order_refund(order=canteen_order, when=timezone.now(), lines=[(canteen_order.lines.get(), 1)])
    # (the store's own figures of the year did move: the lock's stored ones are read)
    assert lines_total(settled_lines(year=YEAR)) == Decimal("320.00")

    # Then every public and private figure of the locked year is as it was
    after = public_site_figures(world, YEAR)
    for name in before:
        assert after[name] == before[name], name
    after_evaluation = {**every_figure(YEAR, evaluator), **evaluators_extra(YEAR, evaluator)}
    assert after_evaluation.keys() == before_evaluation.keys()
    for name in before_evaluation:
        assert after_evaluation[name] == before_evaluation[name], name

    # and the refund moved the next open year by exactly its amount, in the evaluation
    summary = Client().get(reverse("api:public-summary", args=[YEAR + 1])).json()
    assert summary["amount"] == "-80.00"
    card = Scorecard.objects.get(year=YEAR + 1, pairing=world["pairing"])
    assert card.items.get(indicator__code="bought").value == Decimal("-80.00")
    # on the public site too
    following = public_site_selectors(world, YEAR + 1)
    assert following["headline"] == cms.Figures(amount=Decimal("-80.00"), households=0)
    assert following["county"].amount == Decimal("-80.00")
    assert following["canteen certificate"].amount == Decimal("-80.00")
    assert following["person certificate"].amount == Decimal("0.00")
    assert following["pairing"] == (
        world["pairing"].pk,
        {YEAR + 1: Decimal("-80.00")},
        {YEAR + 1: Decimal("-80.00")},
    )
    assert following["organisations"] == []  # nothing bought

    # and locking that year in turn changes none of its figures, the refund included
    year_lock(year=YEAR + 1, evaluator=evaluator)
    assert public_site_selectors(world, YEAR + 1) == following


def public_site_selectors(world, year: int) -> dict:
    pairing = next(
        row for row in cms.pairing_purchases(years=[year]) if row.pairing == world["pairing"]
    )
    return {
        "headline": cms.headline_figures(year=year),
        "county": cms.county_figures(county=world["zhaojue"], year=year),
        "organisations": cms.organisation_ranking(year=year),
        "individuals": cms.individual_ranking(year=year),
        "canteen certificate": cms.buyer_certificate(
            user=world["buyer"], year=year, organisation=world["canteen"]
        ),
        "person certificate": cms.buyer_certificate(user=world["person"], year=year),
        "pairing": (pairing.pairing.pk, pairing.by_year, pairing.from_east_by_year),
    }
