"""The page benchmark's signed-in rows: the accounts it makes and its sign-in through the
store's login form over HTTP, against a live server (the benchmark itself is the lead's)."""

import urllib.request

import pytest
from django.urls import reverse

from bench import pages
from marketplace.organisations.models import Membership
from tests.store_factories import product_create


@pytest.mark.django_db(transaction=True)
def test_the_bench_signs_in_a_consumer_and_an_institutional_buyer_with_baskets(live_server):
    # Given products for sale and the benchmark's accounts, made twice (idempotent)
    product_create(title="凉山苦荞茶")
    product_create(title="昭觉马铃薯")
    pages.signed_in_users_ensure()
    pages.signed_in_users_ensure()

    for kind, email in pages.SIGNED_IN.items():
        # When the benchmark signs the buyer in through the login form, as wrk then is
        assert pages.LOGIN_PATH == reverse("customer:login")
        cookie = pages.login_cookie(live_server.url, email, pages.SIGNED_IN_PASSWORD)
        request = urllib.request.Request(  # noqa: S310  the test's own server
            live_server.url + reverse("catalogue:index"), headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            html = response.read().decode()

        # Then the catalogue is theirs: signed in, two products in the basket
        assert 'id="logout_link"' in html, kind
        assert 'id="site-basket-count">2<' in html, kind
        assert ('id="workspace-organisation"' in html) == (kind == "institutional buyer")

    assert Membership.objects.filter(
        user__email=pages.SIGNED_IN["institutional buyer"], state=Membership.State.APPROVED
    ).exists()
