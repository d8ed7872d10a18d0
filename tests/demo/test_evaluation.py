"""The demo world shows evaluation at work: two years of scorecards whose grades differ,
a slack flag after exit, and facts that a rebuild reproduces exactly."""

from io import StringIO

import pytest
from django.core.management import call_command

from evaluation.models import Agreement, Indicator, Scorecard, ScorecardItem
from evaluation.selectors import slack_flags
from evaluation.services.rebuild import evaluation_rebuild

pytestmark = pytest.mark.django_db


def test_demo_world_yields_two_years_of_graded_scorecards_and_a_slack_flag(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path

    # When the demo world loads and its settlements are announced after commit
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_world", stdout=StringIO())

    # Then every pairing has a scorecard in 2025 and 2026, with several grades each year
    for year in (2025, 2026):
        cards = Scorecard.objects.filter(year=year)
        assert cards.count() == Agreement.objects.filter(year=year).count() == 8
        assert len(set(cards.values_list("grade", flat=True))) >= 2
        assert Indicator.objects.filter(year=year).count() == 5
        # People driven: whole people, at least one per household driven (decision 0006)
        driven = {
            (item.scorecard_id, item.indicator.measure): item.value
            for item in ScorecardItem.objects.filter(
                scorecard__year=year, indicator__measure__in=["households", "people"]
            ).select_related("indicator")
        }
        people = [v for (_c, m), v in driven.items() if m == "people"]
        assert any(people) and all(v == v.to_integral_value() for v in people)
        for (card, measure), value in driven.items():
            if measure == "households":
                assert driven[(card, "people")] >= value
    assert any(row["flagged"] for row in slack_flags(year=2026))
    assert evaluation_rebuild(dry_run=True).differences == 0
