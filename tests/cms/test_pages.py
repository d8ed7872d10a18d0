"""Every page type of the demo site renders in Chinese and in English, and the shared
language switch leads from a page to its translation."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page

from cms import models as cms_models
from tests.factories import CountyFactory

from .conftest import county_page_create

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    cms_models.HomePage,
    cms_models.SectionPage,
    cms_models.NewsIndexPage,
    cms_models.NewsArticlePage,
    cms_models.PolicyPage,
    cms_models.CountyPage,
    cms_models.CooperativeStoryPage,
    cms_models.CampaignZonePage,
    cms_models.ScorecardSummaryPage,
    cms_models.ParticipationPage,
]


@pytest.fixture
def demo_world(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo_world", stdout=StringIO())


def test_every_demo_page_renders_in_both_languages(client, demo_world):
    # Given the demo site tree
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    pages = Page.objects.live().filter(depth__gt=1).specific()

    # Then every page type is there in both languages, translated, and each page renders
    for model in PAGE_TYPES:
        for locale in (zh, en):
            assert model.objects.live().filter(locale=locale).exists(), (model, locale)
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert html.escape(page.title) in response.content.decode()
        if page.locale == zh:
            translation = page.get_translation(en)
            assert translation.live
            assert translation.title != page.title or page.title.isascii()


def test_english_county_page_shows_english_text_and_live_products(client, demo_world):
    page = cms_models.CountyPage.objects.get(locale__language_code="en", region__code="513431")

    response = client.get(page.url)

    content = response.content.decode()
    assert page.url.startswith("/en/")
    assert "Zhaojue County" in content
    assert "lies in Liangshan" in content
    assert response.context["county_products"], "the county's certified products are listed"


def test_policy_page_offers_its_document_for_download(client, demo_world):
    page = cms_models.PolicyPage.objects.filter(locale__language_code="zh-hans").first()
    document = page.documents[0].value["document"]

    response = client.get(page.url)

    assert document.url in response.content.decode()
    download = client.get(document.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def _switch(client, url: str, language: str):
    """Use the language switch in the header of the page at `url`, as a browser would."""
    page = client.get(url).content.decode()
    form = re.search(r'<form[^>]*language-switch"[^>]*action="([^"]+)"', page)
    next_url = re.search(r'<input name="next" type="hidden" value="([^"]+)"', page)
    return client.post(form.group(1), {"language": language, "next": next_url.group(1)})


def test_language_switch_leads_from_a_page_to_its_translation(client, home_page):
    # Given a county page and its English translation under the same slug
    page = county_page_create(home=home_page, region=CountyFactory(), title="昭觉县")

    # When a visitor on the Chinese page chooses English in the shared header
    response = _switch(client, page.url, "en")

    # Then they land on the English page
    assert response.url == f"/en{page.url}"
    english = client.get(response.url)
    assert english.context["page"].locale.language_code == "en"
    assert "昭觉县 (en)" in english.content.decode()

    # And from there back to the Chinese page
    assert _switch(client, response.url, "zh-hans").url == page.url
