"""Read-only evaluation API for provincial systems (token auth). Nothing here writes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..models import Scorecard
from .serializers import PublicSummarySerializer, PurchaseFactSerializer, ScorecardSerializer


class CanViewScorecards(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and request.method in permissions.SAFE_METHODS
            and user.has_perm("evaluation.view_scorecard")
        )


@extend_schema(parameters=[OpenApiParameter("year", int, description="Evaluation year")])
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ScorecardSerializer
    permission_classes = [CanViewScorecards]

    def get_queryset(self):
        year = self.request.query_params.get("year")
        if year and year.isdigit():
            return selectors.scorecards_for_year(year=int(year))
        return (
            Scorecard.objects.select_related("pairing__east_region", "pairing__west_region")
            .prefetch_related("items__indicator")
            .order_by("-year", "rank")
        )


class ItemFactsView(generics.ListAPIView):
    """The purchase facts behind one scorecard figure; their `weighted` amounts add up to it."""

    serializer_class = PurchaseFactSerializer
    permission_classes = [CanViewScorecards]

    def get_queryset(self):
        item = selectors.scorecard_item_get(item_id=self.kwargs["item_id"])
        return selectors.scorecard_item_facts(item=item)


class PublicSummaryView(APIView):
    """Aggregates only, for the public site."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(responses=PublicSummarySerializer)
    def get(self, request, year: int):
        return Response(PublicSummarySerializer(selectors.public_summary(year=year)).data)
