from django.urls import path

from . import urls_offplatform
from .views import county, monitoring, screens

app_name = "evaluation"

urlpatterns = [
    path("", screens.PairingTableView.as_view(), name="table"),
    path("<int:year>/", screens.PairingTableView.as_view(), name="table-year"),
    path("<int:year>/lock/", screens.LockYearView.as_view(), name="lock"),
    path("<int:year>/export.<str:fmt>", screens.ExportView.as_view(), name="export"),
    path("<int:year>/monitoring/", monitoring.MonitoringView.as_view(), name="monitoring"),
    path(
        "<int:year>/monitoring/slack/<int:pairing_id>/",
        monitoring.SlackFollowUpView.as_view(),
        name="slack-follow-up",
    ),
    path(
        "<int:year>/pairings/<int:pairing_id>/",
        screens.ScorecardView.as_view(),
        name="scorecard",
    ),
    path("items/<int:item_id>/facts/", screens.ItemFactsView.as_view(), name="item-facts"),
    path("facts/<int:fact_id>/", screens.FactView.as_view(), name="fact"),
    path("public/<int:year>/", screens.PublicSummaryView.as_view(), name="public-summary"),
    path("county/", county.CountyReportIndexView.as_view(), name="county-reports"),
    path(
        "county/<int:county_id>/<int:year>/",
        county.CountyReportView.as_view(),
        name="county-report",
    ),
    path(
        "county/<int:county_id>/<int:year>/export.<str:fmt>",
        county.CountyReportExportView.as_view(),
        name="county-report-export",
    ),
]

# Off-platform sales: recorded by the eastern side, confirmed by the cooperative.
urlpatterns += urls_offplatform.urlpatterns
