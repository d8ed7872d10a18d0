from django.urls import path

from ..views import workspace

urlpatterns = [
    path("", workspace.CooperativeHomeView.as_view(), name="cooperative-home"),
]
