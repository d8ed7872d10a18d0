"""What each indicator measures, as SQL expressions over purchase facts. Scorecards and
drill-downs both use these, so that a figure always equals the sum of its facts."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, Value, When

from .models import Indicator, PurchaseFact

MONEY = DecimalField(max_digits=16, decimal_places=4)

PRIORITY = Q(origin_deep_poverty=True) | Q(origin_supervision_target=True)


def role_field(indicator: Indicator) -> str:
    """The fact column that ties a fact to the pairing this indicator is about."""
    if indicator.measure == Indicator.Measure.AMOUNT_HELPED:
        return "helped_pairing"
    return "bought_pairing"


def scope(indicator: Indicator) -> Q:
    """Facts an indicator counts (within one pairing's role column and year)."""
    q = Q(counts=True)
    if indicator.filter == Indicator.Filter.DEEP_POVERTY:
        q &= Q(origin_deep_poverty=True)
    elif indicator.filter == Indicator.Filter.SUPERVISION_TARGET:
        q &= Q(origin_supervision_target=True)
    elif indicator.filter == Indicator.Filter.EXITED:
        q &= Q(origin_exit_year__lt=indicator.year)
    if indicator.measure == Indicator.Measure.CERTIFIED_PRODUCTS:
        q &= Q(kind=PurchaseFact.Kind.SALE)
    return q


def weighted_amount(indicator: Indicator):
    """A fact's amount as the indicator counts it: priority-county purchases weigh more."""
    extra = indicator.priority_extra_weight or Decimal("0")
    if not extra:
        return F("amount")
    factor = Value(Decimal("1") + extra, output_field=MONEY)
    return Case(
        When(PRIORITY, then=F("amount") * factor),
        default=F("amount"),
        output_field=MONEY,
    )


# The same rules in Python, for adding a few new facts to a scorecard without a query.
def in_scope(indicator: Indicator, fact: PurchaseFact) -> bool:
    if not fact.counts:
        return False
    if indicator.filter == Indicator.Filter.DEEP_POVERTY and not fact.origin_deep_poverty:
        return False
    if (
        indicator.filter == Indicator.Filter.SUPERVISION_TARGET
        and not fact.origin_supervision_target
    ):
        return False
    if indicator.filter == Indicator.Filter.EXITED and not (
        fact.origin_exit_year is not None and fact.origin_exit_year < indicator.year
    ):
        return False
    if indicator.measure == Indicator.Measure.CERTIFIED_PRODUCTS:
        return fact.kind == PurchaseFact.Kind.SALE
    return True


def weighted(indicator: Indicator, fact: PurchaseFact) -> Decimal:
    extra = indicator.priority_extra_weight or Decimal("0")
    if extra and (fact.origin_deep_poverty or fact.origin_supervision_target):
        return fact.amount * (Decimal("1") + extra)
    return fact.amount
