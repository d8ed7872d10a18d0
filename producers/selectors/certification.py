"""Reads of supplier certification: the county office's application queue, one cooperative's
documents and decision history, and whether a cooperative may list products."""

from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, When

from ..models import Cooperative, CooperativeDecision, CooperativeDocument, Region

State = Cooperative.State


def _latest_decision_pks():
    """The pk of the latest decision of the same cooperative, for a decision queryset."""
    return Subquery(
        CooperativeDecision.objects.filter(cooperative=OuterRef("cooperative"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )


def cooperative_applications_for_county(
    *, county: Region, state: str | None = None
) -> QuerySet[Cooperative]:
    """The county's cooperatives for the review queue: those waiting for a decision first
    (oldest application first), then the others by name. Each has `latest_decisions` (a list
    of zero or one decision, with its actor), `submitted_at` (when a waiting cooperative
    applied) and its documents prefetched; the query count does not grow with the rows."""
    last_application = (
        CooperativeDecision.objects.filter(
            cooperative=OuterRef("pk"), action=CooperativeDecision.Action.APPLY
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    cooperatives = (
        Cooperative.objects.filter(county=county)
        .select_related("village", "village__parent")
        .annotate(
            waiting=Case(When(state=State.APPLIED, then=0), default=1, output_field=IntegerField()),
            submitted_at=Case(When(state=State.APPLIED, then=Subquery(last_application))),
        )
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=CooperativeDecision.objects.filter(pk=_latest_decision_pks())
                .select_related("actor")
                .order_by(),
                to_attr="latest_decisions",
            ),
            Prefetch("documents", queryset=CooperativeDocument.objects.order_by("kind", "pk")),
        )
        .order_by("waiting", F("submitted_at").asc(nulls_last=True), "legal_name", "pk")
    )
    if state:
        cooperatives = cooperatives.filter(state=state)
    return cooperatives


def cooperative_documents(*, cooperative: Cooperative) -> QuerySet[CooperativeDocument]:
    return cooperative.documents.select_related("uploaded_by").order_by("kind", "uploaded_at", "pk")


def cooperative_history(*, cooperative: Cooperative) -> QuerySet[CooperativeDecision]:
    """Every certification step of the cooperative, oldest first, with who took it."""
    return cooperative.decisions.select_related("actor").order_by("created_at", "pk")


def cooperative_can_list_products(*, cooperative: Cooperative | None) -> bool:
    """Only a certified cooperative lists products (a suspended one does not)."""
    return cooperative is not None and cooperative.state == State.CERTIFIED
