from django.urls import path

from ..views import workspace

urlpatterns = [
    path("", workspace.CountyHomeView.as_view(), name="county-home"),
]
