from django.urls import path

from . import views

app_name = "catalogue-certification"

urlpatterns = [
    path("county/certificates/", views.CountyCertificateListView.as_view(), name="county-list"),
    path(
        "county/certificates/<int:pk>/",
        views.CountyCertificateDetailView.as_view(),
        name="county-detail",
    ),
    path(
        "county/certificates/<int:pk>/<slug:decision>/",
        views.CountyCertificateDecisionView.as_view(),
        name="county-decide",
    ),
    path(
        "cooperative/products/",
        views.CooperativeProductListView.as_view(),
        name="cooperative-products",
    ),
    path(
        "cooperative/products/<int:product_pk>/request-certificate/",
        views.CooperativeCertificateRequestView.as_view(),
        name="cooperative-request",
    ),
]
