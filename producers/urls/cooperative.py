from django.urls import path

from ..views import benefits, certification, households, workspace

urlpatterns = [
    path("", workspace.CooperativeHomeView.as_view(), name="cooperative-home"),
]

urlpatterns += [
    path(
        "households/",
        households.CooperativeHouseholdListView.as_view(),
        name="cooperative-households",
    ),
    path(
        "households/<int:pk>/",
        households.CooperativeHouseholdDetailView.as_view(),
        name="cooperative-household-detail",
    ),
    path("benefits/links/", benefits.BenefitLinkListView.as_view(), name="cooperative-links"),
    path(
        "benefits/links/new/",
        benefits.BenefitLinkCreateView.as_view(),
        name="cooperative-link-create",
    ),
    path(
        "benefits/links/import/",
        benefits.BenefitLinkImportView.as_view(),
        name="cooperative-link-import",
    ),
    path(
        "benefits/links/import/template.csv",
        benefits.BenefitLinkImportTemplateView.as_view(),
        name="cooperative-link-import-template",
    ),
    path(
        "benefits/links/<int:pk>/",
        benefits.BenefitLinkDetailView.as_view(),
        name="cooperative-link-detail",
    ),
    path(
        "benefits/links/<int:pk>/end/",
        benefits.BenefitLinkEndView.as_view(),
        name="cooperative-link-end",
    ),
    path(
        "benefits/links/<int:pk>/wages/new/",
        benefits.WageRecordCreateView.as_view(),
        name="cooperative-wage-create",
    ),
    path("benefits/schemes/", benefits.BenefitSchemeListView.as_view(), name="cooperative-schemes"),
    path(
        "benefits/schemes/new/",
        benefits.BenefitSchemeCreateView.as_view(),
        name="cooperative-scheme-create",
    ),
    path(
        "benefits/schemes/<int:pk>/",
        benefits.BenefitSchemeDetailView.as_view(),
        name="cooperative-scheme-detail",
    ),
]

urlpatterns += [
    path(
        "certification/",
        certification.CooperativeCertificationView.as_view(),
        name="cooperative-certification",
    ),
    path(
        "certification/documents/",
        certification.CooperativeDocumentUploadView.as_view(),
        name="cooperative-certification-upload",
    ),
    path(
        "certification/documents/<int:pk>/",
        certification.CooperativeDocumentDownloadView.as_view(),
        name="cooperative-certification-document",
    ),
    path(
        "certification/apply/",
        certification.CooperativeApplyView.as_view(),
        name="cooperative-certification-apply",
    ),
]
