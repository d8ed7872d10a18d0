"""Off-platform sales, in the evaluation namespace (evaluation/urls.py adds these)."""

from django.urls import path

from .views import offplatform

urlpatterns = [
    path("offplatform/", offplatform.OffPlatformListView.as_view(), name="offplatform-list"),
    path(
        "offplatform/record/",
        offplatform.OffPlatformRecordView.as_view(),
        name="offplatform-record",
    ),
    path(
        "offplatform/inbox/", offplatform.OffPlatformInboxView.as_view(), name="offplatform-inbox"
    ),
    path(
        "offplatform/<int:pk>/",
        offplatform.OffPlatformDetailView.as_view(),
        name="offplatform-detail",
    ),
    path(
        "offplatform/<int:pk>/correct/",
        offplatform.OffPlatformCorrectView.as_view(),
        name="offplatform-correct",
    ),
    path(
        "offplatform/<int:pk>/confirm/",
        offplatform.OffPlatformConfirmView.as_view(),
        name="offplatform-confirm",
    ),
    path(
        "offplatform/<int:pk>/supply/",
        offplatform.OffPlatformSupplyView.as_view(),
        name="offplatform-supply",
    ),
    path(
        "offplatform/<int:pk>/reject/",
        offplatform.OffPlatformRejectView.as_view(),
        name="offplatform-reject",
    ),
    path(
        "offplatform/<int:pk>/evidence/<int:evidence_id>/",
        offplatform.OffPlatformEvidenceView.as_view(),
        name="offplatform-evidence",
    ),
]
