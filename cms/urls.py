from django.urls import path

from . import views

app_name = "cms"

urlpatterns = [
    path("thanks/certificate/<int:year>/", views.CertificateView.as_view(), name="certificate"),
    path(
        "thanks/ranking-consent/",
        views.ParticipationUpdateView.as_view(),
        name="participation-update",
    ),
]
