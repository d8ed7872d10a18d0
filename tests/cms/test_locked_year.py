"""The public site's figures of a locked evaluation year are the ones its lock stored
(invariant 7); who may be named on a ranking is still asked when it is shown."""

from decimal import Decimal

import pytest
from django.utils import timezone

from cms import selectors
from cms.models import PublicParticipation
from evaluation.models.facts import LockedFigure
from evaluation.services.locking import year_lock
from marketplace.users.roles import EVALUATOR
from tests.factories import UserFactory
from tests.store_factories import product_create

from .conftest import refund

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def tea_drinker(settle):
    """A person on the ranking by nickname, who bought two boxes of tea (¥76.00)."""
    person = UserFactory(nickname="茶友小李")
    PublicParticipation.objects.create(user=person, show_in_ranking=True)
    order = settle(items=[(product_create(price=Decimal("38.00")), 2)], user=person)
    return {"person": person, "order": order}


def test_a_person_who_withdraws_consent_leaves_even_a_locked_years_ranking(
    tea_drinker, django_capture_on_commit_callbacks
):
    # Given a locked year in which a person who consented bought ¥76.00
    year_lock(year=YEAR, evaluator=UserFactory(roles=[EVALUATOR]))
    order = tea_drinker["order"]
    with django_capture_on_commit_callbacks(execute=True):
        refund(order=order, lines=[(order.lines.get(), 1)])
    assert [(r.name, r.amount) for r in selectors.individual_ranking(year=YEAR)] == [
        ("茶友小李", Decimal("76.00"))
    ]

    # When they withdraw their consent, they are no longer named
    PublicParticipation.objects.filter(user=tea_drinker["person"]).update(show_in_ranking=False)
    assert selectors.individual_ranking(year=YEAR) == []

    # and their certificate of the year still says what they bought by the lock
    certificate = selectors.buyer_certificate(user=tea_drinker["person"], year=YEAR)
    assert certificate.amount == Decimal("76.00")


def test_a_year_locked_before_locks_stored_figures_is_read_as_it_is(
    tea_drinker, django_capture_on_commit_callbacks
):
    # Given a year locked by an earlier version, which stored no public figures
    year_lock(year=YEAR, evaluator=UserFactory(roles=[EVALUATOR]))
    LockedFigure.objects.filter(year=YEAR).delete()

    # When one of its orders is refunded
    order = tea_drinker["order"]
    with django_capture_on_commit_callbacks(execute=True):
        refund(order=order, lines=[(order.lines.get(), 1)])

    # Then its figures are read from the store, the refund included, and the next year
    # takes no adjustment for it (which would count the refund twice)
    assert selectors.headline_figures(year=YEAR).amount == Decimal("38.00")
    assert selectors.headline_figures(year=YEAR + 1).amount == Decimal("0.00")
