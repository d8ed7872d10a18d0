from rest_framework import serializers

from ..models import PurchaseFact, Scorecard, ScorecardItem


class ScorecardItemSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.name")
    measure = serializers.CharField(source="indicator.measure")
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2)
    # value: for money, the plain sum of the facts (yuan); weighted_value: what the score
    # reads, priority counties' amounts times (1 + priority_extra_weight).
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
    households_reached = serializers.IntegerField()
    grades = serializers.ListField(child=serializers.DictField())
    pairings = serializers.ListField(child=serializers.DictField())


class ErrorSerializer(serializers.Serializer):
    """What the API answers when it refuses a request (401, 403, 404, 405)."""

    detail = serializers.CharField()
