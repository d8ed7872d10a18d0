"""Product reviews (Oscar's reviews app): a signed-in customer writes one from the product
page, platform staff approve it in the dashboard, and the product page shows it; anonymous
visitors cannot write one."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import PASSWORD, UserFactory
from tests.store_factories import product_create

ProductReview = get_model("reviews", "ProductReview")
pytestmark = pytest.mark.django_db

REVIEW = {"title": "茶香浓郁", "score": "5", "body": "苦荞茶很香，家里老人很喜欢，还会再买。"}


@pytest.fixture
def tea():
    return product_create(title="凉山苦荞茶")


def add_url(product) -> str:
    return reverse(
        "catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk}
    )


def test_a_signed_in_customer_gets_the_review_form_with_the_product(client, tea):
    client.login(email=UserFactory().email, password=PASSWORD)

    response = client.get(add_url(tea))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="add_review_form"' in page
    assert "凉山苦荞茶" in page
    assert 'id="product-origin-households"' in page


def test_a_review_is_shown_on_the_product_page_once_staff_approve_it(client, tea):
    customer = UserFactory()
    client.login(email=customer.email, password=PASSWORD)

    response = client.post(add_url(tea), REVIEW)

    assert response.status_code == 302
    review = ProductReview.objects.get(product=tea)
    assert review.user == customer
    assert review.status == ProductReview.FOR_MODERATION
    assert "茶香浓郁" not in client.get(tea.get_absolute_url()).content.decode()

    review.status = ProductReview.APPROVED
    review.save()

    assert "茶香浓郁" in client.get(tea.get_absolute_url()).content.decode()


def test_an_anonymous_visitor_cannot_write_a_review(client, tea):
    response = client.post(add_url(tea), REVIEW)

    assert response.status_code == 302
    assert not ProductReview.objects.exists()


def test_the_reviews_page_lists_the_approved_reviews(client, tea):
    """/shop/catalogue/<slug>_<id>/reviews/ was once a server error."""
    for title, status in (
        ("茶香浓郁", ProductReview.APPROVED),
        ("待审核的评价", ProductReview.FOR_MODERATION),
    ):
        ProductReview.objects.create(
            product=tea,
            user=UserFactory(),
            title=title,
            score=5,
            body=REVIEW["body"],
            status=status,
        )
    url = reverse("catalogue:reviews-list", kwargs={"product_slug": tea.slug, "product_pk": tea.pk})

    response = client.get(url)

    assert url.endswith(f"/catalogue/{tea.slug}_{tea.pk}/reviews/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "茶香浓郁" in page
    assert "待审核的评价" not in page
    assert "凉山苦荞茶" in page
