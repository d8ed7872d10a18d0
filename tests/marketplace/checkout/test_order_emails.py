"""The customer's confirmation email, sent by Celery once the order is placed, in the
language they checked out in (Chinese when it is not known)."""

import pytest
from django.core import mail
from oscar.core.loading import get_model

from marketplace.payment.services import order_place_for_payment

from .conftest import basket_with, start_payment

PaymentAttempt = get_model("payment", "PaymentAttempt")

pytestmark = pytest.mark.django_db


def _pay(stripe_fake, customer, products, *, language=""):
    attempt = start_payment(customer, basket_with(customer, products))
    PaymentAttempt.objects.filter(pk=attempt.pk).update(language=language)
    stripe_fake.succeed(attempt.payment_intent_id)
    return attempt


def test_confirmation_email_lists_lines_and_cooperatives_in_chinese(
    stripe_fake, customer, two_cooperatives, django_capture_on_commit_callbacks
):
    # Given a paid PaymentIntent for tea and honey of two cooperatives
    tea, honey = two_cooperatives
    attempt = _pay(stripe_fake, customer, [(tea, 2), (honey, 1)])

    # When the order is placed (twice: the return and the webhook)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        order_place_for_payment(payment_intent_id=attempt.payment_intent_id)

    # Then one email, in Chinese, with every line, its cooperative and the total
    (email,) = mail.outbox
    assert email.to == [customer.email]
    assert email.subject == f"东西：订单 {order.number} 已支付"
    assert "凉山苦荞茶 × 2  ¥76.00" in email.body
    assert tea.cooperative.legal_name in email.body
    assert honey.cooperative.legal_name in email.body
    assert "合计：¥142.50" in email.body
    assert f"/shop/accounts/orders/{order.number}/" in email.body
    assert "/en/" not in email.body


def test_confirmation_email_follows_the_customers_language(
    stripe_fake, customer, two_cooperatives, django_capture_on_commit_callbacks
):
    tea, _honey = two_cooperatives
    attempt = _pay(stripe_fake, customer, [(tea, 1)], language="en")

    with django_capture_on_commit_callbacks(execute=True):
        order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)

    (email,) = mail.outbox
    assert f"/en/shop/accounts/orders/{order.number}/" in email.body


def test_no_email_before_the_transaction_commits(stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    attempt = _pay(stripe_fake, customer, [(tea, 1)])

    order_place_for_payment(payment_intent_id=attempt.payment_intent_id)

    assert mail.outbox == []
