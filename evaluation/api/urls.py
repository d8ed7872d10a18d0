from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("evaluation/scorecards", views.ScorecardViewSet, basename="scorecard")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "evaluation/items/<int:item_id>/facts/",
        views.ItemFactsView.as_view(),
        name="item-facts",
    ),
    path(
        "evaluation/summary/<int:year>/",
        views.PublicSummaryView.as_view(),
        name="public-summary",
    ),
    path("", include(router.urls)),
]
