"""Income tracing pages: the public trace page, and the income areas of the cooperative
and county office workspaces."""

from django.urls import path

from .views import cooperative, county, monitoring, packing, public

app_name = "income"

urlpatterns = [
    path("trace/<str:code>/", public.TraceView.as_view(), name="trace"),
]

urlpatterns += [
    path(
        "cooperative/income/orders/<str:number>/packing-slip/",
        packing.PackingSlipView.as_view(),
        name="packing-slip",
    ),
    path("cooperative/income/", cooperative.BalanceListView.as_view(), name="cooperative-balances"),
    path(
        "cooperative/income/households/<int:pk>/",
        cooperative.StatementView.as_view(),
        name="cooperative-statement",
    ),
    path(
        "cooperative/income/payouts/",
        cooperative.PayoutListView.as_view(),
        name="cooperative-payouts",
    ),
    path(
        "cooperative/income/payouts/<int:pk>/receipt/",
        cooperative.PayoutReceiptView.as_view(),
        name="cooperative-payout-receipt",
    ),
    path(
        "cooperative/income/payouts/new/",
        cooperative.PayoutCreateView.as_view(),
        name="cooperative-payout-create",
    ),
    path(
        "cooperative/income/supply-lots/",
        cooperative.SupplyLotListView.as_view(),
        name="cooperative-supply-lots",
    ),
    path(
        "cooperative/income/supply-lots/new/",
        cooperative.SupplyLotCreateView.as_view(),
        name="cooperative-supply-lot-create",
    ),
]

urlpatterns += [
    path("county/income/", county.CountyBalanceListView.as_view(), name="county-balances"),
    path(
        "county/income/households/<int:pk>/",
        county.CountyStatementView.as_view(),
        name="county-statement",
    ),
    path("county/income/warnings/", county.WarningListView.as_view(), name="county-warnings"),
    path(
        "county/income/warnings/<int:pk>/",
        county.WarningDetailView.as_view(),
        name="county-warning",
    ),
    path(
        "county/income/warnings/<int:pk>/follow-up/",
        county.WarningFollowUpView.as_view(),
        name="county-warning-follow-up",
    ),
    path(
        "county/income/households/<int:pk>/other-income/",
        county.OtherIncomeView.as_view(),
        name="county-other-income",
    ),
    path(
        "county/income/other-income/<int:pk>/void/",
        county.OtherIncomeVoidView.as_view(),
        name="county-other-income-void",
    ),
]

# Platform staff: the monitoring lines against return to poverty.
urlpatterns += [
    path(
        "platform/monitoring-lines/",
        monitoring.MonitoringLineListView.as_view(),
        name="monitoring-lines",
    ),
    path(
        "platform/monitoring-lines/<int:pk>/",
        monitoring.MonitoringLineHistoryView.as_view(),
        name="monitoring-line",
    ),
]
