from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from marketplace.invoicing import urls as invoicing_urls
from marketplace.organisations import urls as organisation_urls
from producers.income import organisation_urls as income_organisation_urls

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
    # An organisation's workspace, one namespace: its own pages, its invoices (the store's
    # invoicing builds on organisations) and its purchase statement (income tracing, which
    # reads the ledger).
    path(
        "",
        include(
            (
                organisation_urls.urlpatterns
                + invoicing_urls.urlpatterns
                + income_organisation_urls.urlpatterns,
                organisation_urls.app_name,
            )
        ),
    ),
    path("", include("cms.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
