"""Signed-in readers get the catalogue's pages from a shell shared by all of them
(marketplace.catalogue.reader_pages): each sees their own header, basket, workspaces, wish
lists, messages and CSRF token in it, never another reader's; a page only some may see is
never shared; and views and searches served from the shell are recorded as before."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from marketplace.catalogue.caching import catalogue_version
from marketplace.catalogue.product_page import _facts_key
from marketplace.catalogue.reader_pages import shell_make
from tests.factories import UserFactory
from tests.marketplace.signed_in import (
    RichCatalogue,
    basket_add,
    consumer,
    institutional_buyer,
)
from tests.marketplace.test_signed_in_pages import header_basket
from tests.store_factories import cooperative_staff_create

pytestmark = pytest.mark.django_db

Category = get_model("catalogue", "Category")
ProductCertificate = get_model("catalogue", "ProductCertificate")
ProductReview = get_model("reviews", "ProductReview")
UserProductView = get_model("analytics", "UserProductView")
UserSearch = get_model("analytics", "UserSearch")
WishList = get_model("wishlists", "WishList")
PAGE_TEMPLATES = {"oscar/catalogue/detail.html", "oscar/catalogue/browse.html"}


def from_shell(response) -> bool:
    """Served from the shared shell: the page's own template was not rendered."""
    return not PAGE_TEMPLATES & {t.name for t in response.templates}


def reader(user, **kwargs) -> Client:
    """A signed-in reader (without the sign-in's welcome message waiting)."""
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_second_reader_gets_the_shared_page_with_only_their_own_parts():
    # Given a consumer with one product in the basket and a wish list holding the product,
    # who opened its page
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    product, other, _ = catalogue.products
    first_user = consumer()
    WishList.objects.create(owner=first_user, name="年货清单").add(product)
    first = reader(first_user)
    basket_add(first, product)
    first.get(product.get_absolute_url())  # the message of the addition
    first_page = first.get(product.get_absolute_url())
    assert not from_shell(first_page)

    # When an institutional buyer with three items and a wish list holding the product opens it
    buyer = institutional_buyer()
    WishList.objects.create(owner=buyer, name="食堂采购").add(product)
    second = reader(buyer)
    basket_add(second, other, quantity=3)
    second.get(other.get_absolute_url())  # the message of the addition
    page = second.get(product.get_absolute_url())

    # Then it comes from the shell, with the buyer's basket, workspace and wish list, and
    # nothing of the consumer's
    assert page.status_code == 200
    assert from_shell(page)
    html = page.content.decode()
    assert header_basket(first_page.content.decode()) == ("1", "¥38.00")
    assert header_basket(html) == ("3", "¥114.00")
    assert 'id="workspace-organisation"' in html
    assert 'id="workspace-organisation"' not in first_page.content.decode()
    assert "食堂采购" in html
    assert "年货清单" in first_page.content.decode() and "年货清单" not in html
    assert "¥38.00" in html  # the shared body: price, attribute
    assert "2300米" in html


def test_the_shell_page_carries_the_readers_own_token_for_adding_to_the_basket():
    # Given a product page a first reader had rendered
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    reader(consumer()).get(product.get_absolute_url())

    # When a second reader, whose forms are checked for CSRF, adds it from the shell page
    client = reader(consumer(), enforce_csrf_checks=True)
    page = client.get(product.get_absolute_url())
    assert from_shell(page)
    action, token = re.search(
        r'<form id="add_to_basket_form" action="([^"]+)" method="post"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page.content.decode(),
    ).groups()
    added = client.post(action, {"quantity": 1, "csrfmiddlewaretoken": token})

    # Then the basket takes it
    assert added.status_code == 302
    assert header_basket(client.get(product.get_absolute_url()).content.decode())[0] == "1"


def test_a_reader_with_a_message_waiting_sees_it_and_the_next_reader_does_not():
    # Given a product page in the shell cache
    catalogue = RichCatalogue()
    catalogue.grow_to(2)
    product, other = catalogue.products
    reader(consumer()).get(product.get_absolute_url())

    # When a reader adds a product to the basket and lands on the page
    client = reader(consumer())
    basket_add(client, other)
    with_message = client.get(product.get_absolute_url())

    # Then the page shows the message, rendered for them; the next page is the shell again
    assert not from_shell(with_message)
    assert "alert-success" in with_message.content.decode()
    again = client.get(product.get_absolute_url())
    assert from_shell(again)
    assert "alert-success" not in again.content.decode()
    assert (
        "alert-success" not in reader(consumer()).get(product.get_absolute_url()).content.decode()
    )


def test_a_product_page_only_its_cooperative_may_see_is_never_shared():
    # Given a product whose certificate is suspended, opened by its cooperative's staff
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    product.certificates.update(state=ProductCertificate.State.SUSPENDED)
    staff = Client()
    staff.force_login(cooperative_staff_create(cooperative=product.cooperative))
    assert staff.get(product.get_absolute_url()).status_code == 200
    assert staff.get(product.get_absolute_url()).status_code == 200

    # When a signed-in consumer opens the same address, it is not found
    assert reader(consumer()).get(product.get_absolute_url()).status_code == 404


def test_views_and_searches_served_from_the_shell_are_recorded(
    django_capture_on_commit_callbacks,
):
    # Given a product page and a search a first reader had rendered
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    search = reverse("search:search") + "?q=苦荞"
    first = reader(consumer())
    first.get(product.get_absolute_url())
    first.get(search)

    # When another reader opens both from the shell
    user = consumer()
    client = reader(user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(product.get_absolute_url())
        results = client.get(search)

    # Then the view and the search are recorded, and the product joins their history
    assert from_shell(page)
    assert not {"oscar/search/results.html"} & {t.name for t in results.templates}
    assert UserProductView.objects.filter(user=user, product=product).count() == 1
    assert list(UserSearch.objects.filter(user=user).values_list("query", flat=True)) == ["苦荞"]
    assert str(product.pk) in page.cookies["oscar_history"].value


def test_the_shell_is_not_kept_when_the_readers_address_is_left_in_it():
    page = (
        "<header><!--reader:header--><a>wang@example.com</a><!--/reader:header--></header>"
        "<main>{}</main>"
    )
    assert shell_make(page.format("苦荞茶"), email="wang@example.com") is not None
    assert shell_make(page.format("写给 Wang@Example.com"), email="wang@example.com") is None
    assert shell_make("<main>没有页头</main>", email="wang@example.com") is None
    assert shell_make(page.format("<!--reader:other-->x<!--/reader:other-->"), email="") is None


def test_a_staff_readers_edit_link_stays_out_of_the_next_readers_page():
    # Given a product page a member of staff opened first, with its edit link
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    staff_page = reader(UserFactory(is_staff=True)).get(product.get_absolute_url())
    edit = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    assert edit in staff_page.content.decode()

    # When a consumer opens it from the shell, the link is not there
    page = reader(consumer()).get(product.get_absolute_url())
    assert from_shell(page)
    assert edit not in page.content.decode()


def test_a_hidden_category_a_member_of_staff_opened_is_still_not_found_for_a_consumer():
    # Given a category hidden from the public, which staff may still open
    catalogue = RichCatalogue()
    catalogue.grow_to(2)
    category = catalogue.categories[-1]
    Category.objects.filter(pk=category.pk).update(is_public=False)
    category.refresh_from_db()
    assert reader(UserFactory(is_staff=True)).get(category.get_absolute_url()).status_code == 200

    # When a consumer opens its address, it is not found
    assert reader(consumer()).get(category.get_absolute_url()).status_code == 404


def test_a_product_page_whose_facts_left_the_cache_is_rendered_again_with_the_readers_parts(
    django_capture_on_commit_callbacks,
):
    # Given a product page in the shell cache whose facts (a cache entry of their own) were
    # evicted
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    reader(consumer()).get(product.get_absolute_url())
    with translation.override("zh-hans"):
        cache.delete(_facts_key(version=catalogue_version(), product_id=product.pk))

    # When a reader opens it
    user = consumer()
    with django_capture_on_commit_callbacks(execute=True):
        page = reader(user).get(product.get_absolute_url())

    # Then the view renders it, with their wish-list form, and counts the view
    html = page.content.decode()
    assert "\x00" not in html
    assert 'id="add_to_wishlist_form"' in html
    assert UserProductView.objects.filter(user=user, product=product).count() == 1


def test_where_the_first_reader_came_from_is_not_in_the_shared_page():
    # Given a product page a first reader opened from their search
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    search = "http://testserver" + reverse("search:search") + "?q=给妈妈的生日礼物"
    reader(consumer()).get(product.get_absolute_url(), HTTP_REFERER=search)

    # When the next reader opens it, the first one's search is nowhere in it
    page = reader(consumer()).get(product.get_absolute_url())
    assert from_shell(page)
    assert "生日礼物" not in page.content.decode()


def test_a_reviews_author_sees_no_line_of_their_own_in_others_pages():
    # Given a product with a review whose author opened its page first
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    author = consumer()
    ProductReview.objects.create(
        product=product,
        user=author,
        title="茶香浓郁",
        score=5,
        body="很香",
        status=ProductReview.APPROVED,
    )
    authors_page = reader(author).get(product.get_absolute_url()).content.decode()

    # When another reader opens it from the shell
    page = reader(consumer()).get(product.get_absolute_url())
    html = page.content.decode()

    # Then the review reads the same for both, and only the other reader may write one
    assert from_shell(page)
    assert "茶香浓郁" in html

    def review(page: str) -> str:  # each reader's own CSRF token left out
        found = re.search(r'<article class="review">.*?</article>', page, re.DOTALL).group(0)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", found)

    assert review(html) == review(authors_page)
    assert "vote_agree" in html
    assert "Reviewed by" not in html  # in Chinese, as Oscar's own line is
    assert 'id="write_review"' in html
    assert 'id="write_review"' not in authors_page


def test_a_shell_in_one_language_is_not_served_in_the_other():
    # Given the catalogue list a first reader opened in English
    RichCatalogue().grow_to(1)
    english = reader(consumer())
    english.cookies.load({"django_language": "en"})
    assert english.get(reverse("catalogue:index")).status_code == 200

    # When a reader reading Chinese opens it, they get it in Chinese
    page = reader(consumer()).get(reverse("catalogue:index"))
    assert page["Content-Language"] == "zh-hans"
    assert "购物车" in page.content.decode()
