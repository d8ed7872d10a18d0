"""Signed-in readers get the catalogue's pages from a shell shared by all of them
(marketplace.catalogue.reader_pages): each sees their own header, basket, workspaces, wish
lists, messages and CSRF token in it, never another reader's; a page only some may see is
never shared; and views and searches served from the shell are recorded as before."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.catalogue.reader_pages import shell_make
from tests.marketplace.signed_in import (
    RichCatalogue,
    basket_add,
    consumer,
    institutional_buyer,
)
from tests.marketplace.test_signed_in_pages import header_basket
from tests.store_factories import cooperative_staff_create

pytestmark = pytest.mark.django_db

ProductCertificate = get_model("catalogue", "ProductCertificate")
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
    # Given a consumer with one product in the basket who opened a product page
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    product, other, _ = catalogue.products
    first_user = consumer()
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
    assert first_user.email not in html
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
