import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.catalogue import services
from marketplace.catalogue.selectors import product_is_for_sale, products_for_sale
from marketplace.catalogue.tasks import certificates_expire_task
from producers.models import AuditEntry, Cooperative
from tests.factories import CountyFactory
from tests.store_factories import (
    cooperative_staff_create,
    county_officer_create,
    product_create,
)

ProductCertificate = get_model("catalogue", "ProductCertificate")
State = ProductCertificate.State
pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _pending(product=None):
    product = product or product_create(certificate_state=None)
    staff = cooperative_staff_create(cooperative=product.cooperative)
    return services.certificate_request(product=product, requester=staff)


def _issue(certificate, officer=None, **overrides):
    officer = officer or county_officer_create(county=certificate.product.cooperative.county)
    values = {
        "number": "513431-2026-001",
        "valid_from": TODAY,
        "valid_to": TODAY + datetime.timedelta(days=365),
        "households_involved": 37,
    }
    values.update(overrides)
    return services.certificate_issue(certificate=certificate, officer=officer, **values)


def test_cooperative_staff_request_a_certificate_for_their_product():
    certificate = _pending()

    assert certificate.state == State.PENDING
    assert certificate.events.get().to_state == State.PENDING
    assert AuditEntry.objects.filter(action="certificate.request").count() == 1


def test_staff_of_another_cooperative_cannot_request_a_certificate():
    product = product_create(certificate_state=None)
    other_staff = cooperative_staff_create(cooperative=product_create().cooperative)

    with pytest.raises(PermissionDenied):
        services.certificate_request(product=product, requester=other_staff)

    assert not product.certificates.exists()


def test_uncertified_cooperative_cannot_request_a_certificate():
    product = product_create(certificate_state=None)
    Cooperative.objects.filter(pk=product.cooperative_id).update(state=Cooperative.State.APPLIED)
    product.cooperative.refresh_from_db()
    staff = cooperative_staff_create(cooperative=product.cooperative)

    with pytest.raises(ValidationError, match="供应商认定"):
        services.certificate_request(product=product, requester=staff)


def test_second_request_while_one_is_pending_is_refused():
    certificate = _pending()
    staff = cooperative_staff_create(cooperative=certificate.product.cooperative)

    with pytest.raises(ValidationError, match="重复申请"):
        services.certificate_request(product=certificate.product, requester=staff)


def test_county_officer_issues_certificate_and_product_goes_on_sale():
    certificate = _pending()
    assert not product_is_for_sale(product=certificate.product)

    certificate = _issue(certificate)

    assert certificate.state == State.CERTIFIED
    assert certificate.issued_by is not None and certificate.issued_at is not None
    assert product_is_for_sale(product=ProductCertificate.objects.get().product)
    assert [e.to_state for e in certificate.events.all()] == [State.PENDING, State.CERTIFIED]


def test_officer_of_another_county_cannot_issue():
    certificate = _pending()
    stranger = county_officer_create(county=CountyFactory())

    with pytest.raises(PermissionDenied):
        _issue(certificate, officer=stranger)

    certificate.refresh_from_db()
    assert certificate.state == State.PENDING


def test_certificate_numbers_are_unique():
    _issue(_pending(), number="DUP-1")

    with pytest.raises(ValidationError):
        _issue(_pending(), number="DUP-1")


@pytest.mark.parametrize(
    "decision",
    [services.certificate_reject, services.certificate_suspend, services.certificate_revoke],
)
def test_negative_decisions_need_a_reason(decision):
    certificate = _pending()
    if decision is not services.certificate_reject:
        certificate = _issue(certificate)
    officer = county_officer_create(county=certificate.product.cooperative.county)

    with pytest.raises(ValidationError, match="理由"):
        decision(certificate=certificate, officer=officer, reason="  ")


def test_suspended_product_leaves_the_store_and_reinstated_returns():
    certificate = _issue(_pending())
    officer = county_officer_create(county=certificate.product.cooperative.county)

    services.certificate_suspend(certificate=certificate, officer=officer, reason="抽检不合格")
    assert not products_for_sale().filter(pk=certificate.product_id).exists()

    services.certificate_reinstate(certificate=certificate, officer=officer)
    assert products_for_sale().filter(pk=certificate.product_id).exists()


def test_revoked_certificate_cannot_be_reinstated():
    certificate = _issue(_pending())
    officer = county_officer_create(county=certificate.product.cooperative.county)
    services.certificate_revoke(certificate=certificate, officer=officer, reason="弄虚作假")

    with pytest.raises(ValidationError):
        services.certificate_reinstate(certificate=certificate, officer=officer)


def test_nightly_task_expires_certificates_past_their_validity():
    expired = product_create(valid_to=TODAY - datetime.timedelta(days=1))
    current = product_create(valid_to=TODAY)

    count = certificates_expire_task.delay().get()

    assert count == 1
    assert expired.certificates.get().state == State.EXPIRED
    assert current.certificates.get().state == State.CERTIFIED
    assert certificates_expire_task.delay().get() == 0  # running again changes nothing


def test_certificate_past_validity_stops_selling_before_the_nightly_run():
    product = product_create(valid_to=TODAY - datetime.timedelta(days=1))

    assert product.certificates.get().state == State.CERTIFIED
    assert not product_is_for_sale(product=product)
    assert not products_for_sale().filter(pk=product.pk).exists()


def test_products_of_a_suspended_cooperative_are_not_for_sale():
    product = product_create()
    Cooperative.objects.filter(pk=product.cooperative_id).update(state=Cooperative.State.SUSPENDED)

    assert not products_for_sale().filter(pk=product.pk).exists()
