from django.urls import path

from ..views import certification, households, workspace

urlpatterns = [
    path("", workspace.CountyHomeView.as_view(), name="county-home"),
]

urlpatterns += [
    path("households/", households.HouseholdListView.as_view(), name="county-households"),
    path(
        "households/new/", households.HouseholdCreateView.as_view(), name="county-household-create"
    ),
    path("households/find/", households.HouseholdFindView.as_view(), name="county-household-find"),
    path(
        "households/import/",
        households.HouseholdImportView.as_view(),
        name="county-household-import",
    ),
    path(
        "households/import/template.csv",
        households.HouseholdImportTemplateView.as_view(),
        name="county-household-import-template",
    ),
    path(
        "households/<int:pk>/",
        households.HouseholdDetailView.as_view(),
        name="county-household-detail",
    ),
    path(
        "households/<int:pk>/edit/",
        households.HouseholdUpdateView.as_view(),
        name="county-household-edit",
    ),
    path(
        "households/<int:pk>/reveal/",
        households.HouseholdRevealView.as_view(),
        name="county-household-reveal",
    ),
]

urlpatterns += [
    path(
        "cooperatives/",
        certification.CountyApplicationListView.as_view(),
        name="county-cooperatives",
    ),
    path(
        "cooperatives/<int:pk>/",
        certification.CountyCooperativeDetailView.as_view(),
        name="county-cooperative-detail",
    ),
    path(
        "cooperatives/<int:pk>/review/",
        certification.CountyCooperativeReviewView.as_view(),
        name="county-cooperative-review",
    ),
    path(
        "cooperatives/<int:pk>/documents/<int:document_pk>/",
        certification.CountyDocumentDownloadView.as_view(),
        name="county-cooperative-document",
    ),
]
