"""The two producer workspaces: /county/ for county offices, /cooperative/ for cooperatives.
Each area adds its own module here."""

from django.urls import include, path

app_name = "producers"

urlpatterns = [
    path("county/", include("producers.urls.county")),
    path("cooperative/", include("producers.urls.cooperative")),
]
