"""Under the default language every page a role meets reads in Chinese: no English sentence
from Oscar's or Wagtail's untranslated strings (the project's own catalogue,
locale/zh_Hans, fills and corrects theirs; docs/glossary.md keeps one term per concept)."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from oscar.core.loading import get_model
from wagtail.models import Page

Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")
User = get_user_model()

# Two or more words of Latin letters separated by spaces: a sentence or a label. Codes,
# user names, e-mail addresses, slugs and time zones (joined by . @ - _ /) are not.
SENTENCE = re.compile(r"(?<![\w.@/-])[A-Za-z]{2,}(?: [A-Za-z]{2,})+(?![\w@/-])")
BRANDS = {"Wagtail", "Stripe", "JavaScript", "Alipay", "WeChat Pay", "Apple Pay"}
HIDDEN = ("script", "style", "code", "pre", "svg", "template", "noscript")


class VisibleText(HTMLParser):
    """Text a reader sees: content, placeholders, titles, alt text and button values."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        attributes = dict(attrs)
        for name in ("placeholder", "title", "alt"):
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def english_sentences(html: str, allowed: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for text in parser.texts:
        for match in SENTENCE.findall(text):
            if match not in BRANDS and not any(match in a for a in allowed):
                found.add(match)
    return found


def main_pages(product_url: str) -> dict[str | None, list[str]]:
    coop = User.objects.get(email="coop@dongxi.demo")
    coop_product = Product.objects.filter(stockrecords__partner__users=coop).first()
    coop_order = Order.objects.filter(lines__partner__users=coop).order_by("pk").first()
    page = Page.objects.live().filter(depth=3).first()
    return {
        None: [
            "/",
            "/shop/catalogue/",
            product_url,
            "/shop/search/?q=茶",
            "/shop/basket/",
            "/shop/accounts/login/",
        ],
        "consumer@dongxi.demo": [
            "/shop/accounts/",
            "/shop/accounts/orders/",
            "/shop/accounts/addresses/",
            "/shop/basket/",
        ],
        "buyer@dongxi.demo": ["/organisation/", "/shop/accounts/orders/"],
        "coop@dongxi.demo": [
            "/cooperative/",
            "/shop/dashboard/",
            "/shop/dashboard/catalogue/",
            f"/shop/dashboard/catalogue/products/{coop_product.pk}/",
            "/shop/dashboard/orders/",
            f"/shop/dashboard/orders/{coop_order.number}/",
        ],
        "county@dongxi.demo": ["/county/", "/county/households/"],
        "evaluator@dongxi.demo": ["/evaluation/"],
        "editor@dongxi.demo": [
            "/cms-admin/",
            "/cms-admin/pages/",
            f"/cms-admin/pages/{page.pk}/",
            f"/cms-admin/pages/{page.pk}/edit/",
            "/cms-admin/images/",
        ],
        "admin@dongxi.demo": [
            "/shop/dashboard/offers/",
            "/shop/dashboard/vouchers/",
            "/shop/dashboard/users/",
            "/shop/dashboard/catalogue/categories/",
            "/cms-admin/account/",
        ],
    }


@pytest.mark.django_db
def test_every_roles_main_pages_read_in_chinese(settings, tmp_path):
    # Given the demo world, its people and its pages, under the default language
    settings.DEBUG = True  # the demo world refuses to load otherwise
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo_world", verbosity=0)
    # Content an editor wrote in English (the English copy of the site) is not the UI's.
    allowed = set(
        Page.objects.exclude(locale__language_code="zh-hans").values_list("title", flat=True)
    )
    allowed.add("Root")

    catalogue = Client().get("/shop/catalogue/").content.decode()
    product_url = re.search(r'href="(/shop/catalogue/[^"/]+_\d+/)"', catalogue)[1]

    # When each role opens its main pages
    offenders = {}
    for email, urls in main_pages(product_url).items():
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (email, url, response.status_code)
            found = english_sentences(response.content.decode(), allowed)
            if found:
                offenders[f"{email or 'anonymous'} {url}"] = sorted(found)

    # Then no page shows an English sentence
    assert offenders == {}
