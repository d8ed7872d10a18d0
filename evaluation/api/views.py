"""Read-only evaluation API for provincial systems (token auth). Nothing here writes."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..models import Scorecard
from .serializers import (
    ErrorSerializer,
    PublicSummarySerializer,
    PurchaseFactSerializer,
    ScorecardSerializer,
)

# The refusals a client must expect, documented so that the schema describes every answer.
REFUSED = {
    401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown one"),
    403: OpenApiResponse(ErrorSerializer, description="The token's user may not read scorecards"),
    404: OpenApiResponse(ErrorSerializer, description="No such scorecard, item or page"),
}


def _path_number(name: str, description: str) -> OpenApiParameter:
    # The URL converter (<int:…>) takes digits only: a negative number is not an address.
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 0}, OpenApiParameter.PATH, description=description
    )


class CanViewScorecards(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and request.method in permissions.SAFE_METHODS
            and user.has_perm("evaluation.view_scorecard")
        )


@extend_schema(
    parameters=[OpenApiParameter("year", int, description="Evaluation year")],
    responses={200: ScorecardSerializer, **REFUSED},
)
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ScorecardSerializer
    permission_classes = [CanViewScorecards]

    def get_queryset(self):
        year = self.request.query_params.get("year")
        if year and year.isdecimal() and year.isascii():
            return selectors.scorecards_for_year(year=int(year))
        return (
            Scorecard.objects.select_related("pairing__east_region", "pairing__west_region")
            .prefetch_related("items__indicator")
            .order_by("-year", "rank")
        )


@extend_schema(
    parameters=[_path_number("item_id", "Scorecard item")],
    responses={200: PurchaseFactSerializer(many=True), **REFUSED},
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

    @extend_schema(
        parameters=[_path_number("year", "Evaluation year")],
        responses={
            200: PublicSummarySerializer,
            404: OpenApiResponse(description="Not a year (the path takes digits only)"),
        },
    )
    def get(self, request, year: int):
        return Response(PublicSummarySerializer(selectors.public_summary(year=year)).data)
