"""Chinese at the root, English under /en/: the home page and the store share one header."""

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

LANGUAGES = [("zh-hans", "/"), ("en", "/en/")]


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def main_nav(response) -> str:
    """The site navigation list of the shared header."""
    return re.search(r'<ul class="navbar-nav mr-auto">.*?</ul>', response.content.decode(), re.S)[0]


def footer(response) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', response.content.decode(), re.S)[
        0
    ]


def product_url(product, language: str) -> str:
    with translation.override(language):
        return product.get_absolute_url()


@pytest.mark.parametrize(("language", "url"), LANGUAGES)
def test_home_page_renders_in_its_language(client, home_page, language, url):
    # Given the site tree with a home page in each language
    # When the home page is opened at the language's URL
    response = client.get(url)

    # Then it renders, marked up in that language
    assert response.status_code == 200
    assert html_lang(response) == language


@pytest.mark.parametrize(
    ("url", "title"), [("/", "买东西，帮西部"), ("/en/", "Buy from the West, help the West")]
)
def test_home_page_shows_the_translation_of_its_language(client, home_page, url, title):
    response = client.get(url)

    assert f'<h1 class="home-hero__title">{title}</h1>' in response.content.decode()


@pytest.mark.parametrize(("language", "url"), LANGUAGES)
def test_home_page_carries_the_shared_header(client, home_page, language, url):
    response = client.get(url)

    content = response.content.decode()
    assert '<span class="site-brand__mark">东西</span>' in content
    assert f'action="{url}i18n/setlang/"' in content


@pytest.mark.parametrize(("url", "store_link"), [("/", "商城"), ("/en/", "Store")])
def test_header_links_to_the_store_in_the_page_language(client, home_page, url, store_link):
    response = client.get(url)

    assert re.search(rf'href="{url}shop/catalogue/">{store_link}</a>', main_nav(response))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_product_page_renders_in_each_language(client, product_for_sale, language):
    # Given a product on sale
    url = product_url(product_for_sale, language)

    # When its page is opened in the language
    response = client.get(url)

    # Then it renders in that language with the product on it
    assert response.status_code == 200
    assert html_lang(response) == language
    assert "凉山苦荞茶" in response.content.decode()


def test_english_product_page_lives_under_the_english_prefix(product_for_sale):
    assert product_url(product_for_sale, "en") == "/en" + product_url(product_for_sale, "zh-hans")


@pytest.mark.parametrize(("language", "home_url"), LANGUAGES)
def test_product_page_and_home_page_share_header_and_footer(
    client, home_page, product_for_sale, language, home_url
):
    # Given the home page and a product page in the same language
    home = client.get(home_url)
    product = client.get(product_url(product_for_sale, language))

    # Then both render and carry the same navigation and the same footer
    assert (home.status_code, product.status_code) == (200, 200)
    assert main_nav(product) == main_nav(home)
    assert footer(product) == footer(home)
    assert f'action="{home_url}i18n/setlang/"' in product.content.decode()


@pytest.mark.parametrize(("language", "home_url"), LANGUAGES)
def test_catalogue_and_home_page_share_header_and_footer(client, home_page, language, home_url):
    # Given the store's catalogue and the home page in the same language
    catalogue = client.get(home_url + "shop/catalogue/")
    home = client.get(home_url)

    assert catalogue.status_code == 200
    assert main_nav(catalogue) == main_nav(home)
    assert footer(catalogue) == footer(home)


def test_language_switch_leads_to_the_same_page_in_english(client, home_page):
    # Given a visitor on the Chinese store page
    # When they switch to English from it
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/shop/catalogue/"})

    # Then they land on the English store page
    assert response.status_code == 302
    assert response["Location"] == "/en/shop/catalogue/"


def test_language_switch_leads_from_an_english_page_to_the_same_page_in_chinese(client, home_page):
    # Given a visitor who chose English
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # When they switch back to Chinese from the English store page (whose form posts to the
    # English switch URL)
    response = client.post(
        "/en/i18n/setlang/", {"language": "zh-hans", "next": "/en/shop/catalogue/"}
    )

    # Then they land on the Chinese store page
    assert response.status_code == 302
    assert response["Location"] == "/shop/catalogue/"
