"""The invoicing pages of an organisation's workspace and of platform finance. They join
the organisation's own pages under the namespace "organisations" in config/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "organisation/<int:pk>/orders/<str:number>/",
        views.OrderDetailView.as_view(),
        name="order",
    ),
    path("organisation/<int:pk>/invoices/", views.InvoicesView.as_view(), name="invoices"),
    path(
        "organisation/<int:pk>/invoices/<str:number>.pdf",
        views.InvoicePdfView.as_view(),
        name="invoice-pdf",
    ),
    path(
        "organisation/finance/invoices/",
        views.FinanceInvoicesView.as_view(),
        name="finance-invoices",
    ),
    path(
        "organisation/finance/invoices/<int:invoice_id>/pay/",
        views.FinancePaymentView.as_view(),
        name="finance-pay",
    ),
    path(
        "organisation/finance/invoices/<int:invoice_id>/stripe/",
        views.FinanceStripeSendView.as_view(),
        name="finance-stripe-send",
    ),
    path(
        "organisation/stripe/webhook/",
        views.StripeInvoiceWebhookView.as_view(),
        name="stripe-invoice-webhook",
    ),
    path(
        "organisation/finance/import/",
        views.FinanceImportView.as_view(),
        name="finance-import",
    ),
]
