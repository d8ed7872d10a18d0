"""The income layer's pages in an organisation's workspace. They join the store's
organisation pages under one namespace, "organisations", in config/urls.py: the store
does not import this layer, and the workspace's links stay the same."""

from django.urls import path

from .views.organisation import PurchaseStatementView

urlpatterns = [
    path("organisation/<int:pk>/statement/", PurchaseStatementView.as_view(), name="statement"),
    path(
        "organisation/<int:pk>/statement.<slug:format>",
        PurchaseStatementView.as_view(),
        name="statement-export",
    ),
]
