from django.urls import path

from marketplace.organisations import views

# The namespace "organisations" is the whole organisation workspace: these pages, and the
# ones invoicing and income tracing add to it in config/urls.py (they build on this app,
# so it cannot include them).
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
]
