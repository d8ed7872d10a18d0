from django.urls import path

from . import urls_offplatform
from .views import monitoring, screens

app_name = "evaluation"

urlpatterns = [
    path("", screens.PairingTableView.as_view(), name="table"),
    path("<int:year>/", screens.PairingTableView.as_view(), name="table-year"),
    path("<int:year>/lock/", screens.LockYearView.as_view(), name="lock"),
    path("<int:year>/export.<str:fmt>", screens.ExportView.as_view(), name="export"),
    path("<int:year>/monitoring/", monitoring.MonitoringView.as_view(), name="monitoring"),
    path(
        "<int:year>/pairings/<int:pairing_id>/",
        screens.ScorecardView.as_view(),
        name="scorecard",
    ),
    path("items/<int:item_id>/facts/", screens.ItemFactsView.as_view(), name="item-facts"),
    path("facts/<int:fact_id>/", screens.FactView.as_view(), name="fact"),
    path("public/<int:year>/", screens.PublicSummaryView.as_view(), name="public-summary"),
]

# Off-platform sales: recorded by the eastern side, confirmed by the cooperative.
urlpatterns += urls_offplatform.urlpatterns
