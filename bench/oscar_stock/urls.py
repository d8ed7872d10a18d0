"""Oscar's URLs at the root and Django's i18n URLs, as "Building your own shop" includes them
(Oscar's layout has a language selector)."""

from django.apps import apps
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
