from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Indicator, PurchaseFact, Scorecard, ScorecardItem


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "string",
                "format": "decimal",
                "description": "Money in yuan (measure amount_bought or amount_helped)",
            },
            {
                "type": "integer",
                "description": "A count (measure households, people or certified_products)",
            },
        ]
    }
)
class FigureField(serializers.DecimalField):
    """A scorecard item's figure: a decimal string for money, a whole number for a count
    (ScorecardItemSerializer.to_representation makes counts integers)."""


# The figures of a count item given as whole numbers.
COUNT_FIGURES = ("value", "weighted_value", "target")


class ScorecardItemSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.name")
    measure = serializers.CharField(source="indicator.measure")
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2)
    # value: for money, the plain sum of the facts (yuan); weighted_value: what the score
    # reads, priority counties' amounts times (1 + priority_extra_weight). For a count
    # (households, people, certified products: measure not a money measure) value,
    # weighted_value and target are integers, not "4.0000": counts are never weighted
    # (priority_extra_weight applies to money only), so weighted_value equals value, and a
    # count's target is a number of households, people or products. A fixed target typed
    # with a fraction stays a decimal string rather than be rounded. score is always a
    # decimal string: it is a weighted score, not a count.
    value = FigureField(max_digits=18, decimal_places=4, read_only=True)
    weighted_value = FigureField(max_digits=18, decimal_places=4, read_only=True)
    target = FigureField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    priority_extra_weight = serializers.DecimalField(
        source="indicator.priority_extra_weight", max_digits=4, decimal_places=2
    )

    class Meta:
        model = ScorecardItem
        fields = [
            "id",
            "indicator_code",
            "indicator_name",
            "measure",
            "weight",
            "value",
            "priority_extra_weight",
            "weighted_value",
            "target",
            "score",
        ]

    def to_representation(self, item):
        data = super().to_representation(item)
        if item.indicator.measure not in Indicator.MONEY_MEASURES:
            for name in COUNT_FIGURES:
                figure = getattr(item, name)
                if figure is not None and figure == figure.to_integral_value():
                    data[name] = int(figure)
        return data


class ScorecardSerializer(serializers.ModelSerializer):
    pairing = serializers.CharField(source="pairing.__str__")
    pairing_id = serializers.IntegerField()
    kind = serializers.CharField(source="pairing.kind")
    grade_label = serializers.CharField(source="get_grade_display")
    items = ScorecardItemSerializer(many=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "year",
            "pairing_id",
            "pairing",
            "kind",
            "total",
            "grade",
            "grade_label",
            "rank",
            "computed_at",
            "items",
        ]


class PurchaseFactSerializer(serializers.ModelSerializer):
    # None for a fact of an off-platform sale, which names its record instead.
    order_number = serializers.CharField(source="order.number", allow_null=True, default=None)
    weighted = serializers.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        model = PurchaseFact
        fields = [
            "id",
            "order_number",
            "offplatform_sale_id",
            "kind",
            "occurred_at",
            "sold_at",
            "year",
            "natural_year",
            "note",
            "product_id",
            "cooperative_id",
            "origin_county_id",
            "origin_deep_poverty",
            "origin_supervision_target",
            "buyer_kind",
            "organisation_id",
            "buyer_region_id",
            "attribution_note",
            "channel_id",
            "bought_pairing_id",
            "helped_pairing_id",
            "quantity",
            "amount",
            "weighted",
            "counts",
            "excluded_reason",
        ]


class PublicSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    is_final = serializers.BooleanField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    priority_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    counties = serializers.IntegerField()
    cooperatives = serializers.IntegerField()
    orders = serializers.IntegerField()
    # Decision 0006: households whose income from the year's counted sales (all pairings
    # together, each household once) reaches income_minimum, and their registered members.
    # None for a year locked before these figures were stored.
    income_minimum = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Yuan a household must get in the year to count as driven (带动收入门槛)",
    )
    households_driven = serializers.IntegerField(
        allow_null=True,
        help_text="Households driven (带动建档立卡户数): income at least income_minimum",
    )
    people_driven = serializers.IntegerField(
        allow_null=True,
        help_text="People driven (带动贫困人口): registered members of the households driven",
    )
    households_reached = serializers.IntegerField(
        help_text="Households whose net income from the year's counted sales is above zero, "
        "whatever the minimum: not the households driven"
    )
    grades = serializers.ListField(child=serializers.DictField())
    pairings = serializers.ListField(child=serializers.DictField())


class ErrorSerializer(serializers.Serializer):
    """What the API answers when it refuses a request (401, 403, 404, 405)."""

    detail = serializers.CharField()
