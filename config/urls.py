from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("django-admin/", admin.site.urls),
    # Read-only evaluation API for provincial systems, with its OpenAPI schema at /api/schema/.
    path("api/", include("evaluation.api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Chinese pages have no prefix, English pages live under /en/. The store has its own
# prefix so that Oscar's home redirect never takes "/"; Wagtail serves everything else.
urlpatterns += i18n_patterns(
    # Inside the language prefix, so that switching from /en/… resolves the page in English.
    path("i18n/", include("django.conf.urls.i18n")),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("", include("marketplace.catalogue.certification.urls")),
    path("", include("producers.urls")),
    path("", include("producers.income.urls")),
    path("", include("marketplace.organisations.urls")),
    path("", include("cms.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
