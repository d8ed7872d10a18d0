"""Signed-in buyers for page tests: a consumer and an institutional buyer (an organisation's
approved member), signed in through the store's login form, and a catalogue whose products
have an attribute value as well as stock, certificates, origin and households."""

from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.organisations.models import Membership
from marketplace.users.roles import CONSUMER, INSTITUTIONAL_BUYER
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.marketplace.test_query_counts import Catalogue

ProductAttribute = get_model("catalogue", "ProductAttribute")

WRITES = ("INSERT", "UPDATE", "DELETE")


def consumer():
    return UserFactory(roles=[CONSUMER])


def institutional_buyer():
    user = UserFactory(roles=[INSTITUTIONAL_BUYER])
    MembershipFactory(user=user, role=Membership.Role.BUYER, state=Membership.State.APPROVED)
    return user


BUYERS = {"consumer": consumer, "institutional buyer": institutional_buyer}


def sign_in(client, user) -> None:
    """Through the store's login form, as the buyer does."""
    response = client.post(
        reverse("customer:login"),
        {"login-username": user.email, "login-password": PASSWORD, "login_submit": "1"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def basket_add(client, product, quantity: int = 1) -> None:
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


class RichCatalogue(Catalogue):
    """The query-count catalogue, each product with an attribute value shown on its page."""

    def grow_to(self, size: int) -> None:
        first_new = len(self.products)
        super().grow_to(size)
        for product in self.products[first_new:]:
            attribute, _ = ProductAttribute.objects.get_or_create(
                product_class=product.product_class, code="altitude", defaults={"name": "海拔"}
            )
            attribute.save_value(product, "2300米")


def writes_in(queries) -> list[str]:
    """The statements among captured queries that write."""
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
