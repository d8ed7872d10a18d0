from django.urls import path

from marketplace.invoicing import views as invoicing
from marketplace.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisation/", views.HomeView.as_view(), name="home"),
    path("organisation/checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("organisation/basket/upload/", views.BasketUploadView.as_view(), name="basket-upload"),
    path("organisation/<int:pk>/", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/<int:pk>/budget/", views.BudgetView.as_view(), name="budget"),
    path("organisation/<int:pk>/members/", views.MembersView.as_view(), name="members"),
    path(
        "organisation/<int:pk>/members/<int:membership_id>/decide/",
        views.MembershipDecideView.as_view(),
        name="membership-decide",
    ),
    path("organisation/<int:pk>/requests/", views.RequestsView.as_view(), name="requests"),
    path(
        "organisation/<int:pk>/requests/<int:request_id>/decide/",
        views.RequestDecideView.as_view(),
        name="request-decide",
    ),
    path("organisation/<int:pk>/orders/", views.OrdersView.as_view(), name="orders"),
    path(
        "organisation/<int:pk>/orders/<str:number>/",
        invoicing.OrderDetailView.as_view(),
        name="order",
    ),
    path("organisation/<int:pk>/invoices/", invoicing.InvoicesView.as_view(), name="invoices"),
    path(
        "organisation/<int:pk>/invoices/<str:number>.pdf",
        invoicing.InvoicePdfView.as_view(),
        name="invoice-pdf",
    ),
    path("organisation/<int:pk>/statement/", invoicing.StatementView.as_view(), name="statement"),
    path(
        "organisation/<int:pk>/statement.<slug:format>",
        invoicing.StatementView.as_view(),
        name="statement-export",
    ),
    path(
        "organisation/finance/invoices/",
        invoicing.FinanceInvoicesView.as_view(),
        name="finance-invoices",
    ),
    path(
        "organisation/finance/invoices/<int:invoice_id>/pay/",
        invoicing.FinancePaymentView.as_view(),
        name="finance-pay",
    ),
    path(
        "organisation/finance/invoices/<int:invoice_id>/stripe/",
        invoicing.FinanceStripeSendView.as_view(),
        name="finance-stripe-send",
    ),
    path(
        "organisation/stripe/webhook/",
        invoicing.StripeInvoiceWebhookView.as_view(),
        name="stripe-invoice-webhook",
    ),
    path(
        "organisation/finance/import/",
        invoicing.FinanceImportView.as_view(),
        name="finance-import",
    ),
]
