"""The buyer records acceptance after every cooperative has shipped: accepted issues the
invoice (number, amount, due date, the platform's bank account); a dispute needs a reason
and issues nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from marketplace.invoicing.documents import invoice_pdf
from marketplace.invoicing.models import Acceptance, Invoice
from marketplace.invoicing.services import AcceptanceError, acceptance_record
from marketplace.organisations.models import Membership
from marketplace.payment.services import order_settle_offline
from tests.factories import PASSWORD, OrganisationFactory
from tests.marketplace.organisations.builders import (
    member,
    organisation_order,
    ship_all,
    tea_and_honey,
)

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_order():
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, honey = tea_and_honey()
    order = organisation_order(organisation, buyer, [(tea, 2), (honey, 1)])
    ship_all(order)
    return order


def test_acceptance_issues_the_invoice_due_after_the_payment_term(shipped_order, settings):
    settings.INVOICE_PAYMENT_DAYS = 30

    acceptance = acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)

    invoice = Invoice.objects.get(order=shipped_order)
    today = timezone.localdate()
    assert acceptance.state == Acceptance.State.ACCEPTED
    assert invoice.amount == Decimal("142.50")
    assert invoice.organisation == shipped_order.organisation
    assert invoice.number == f"DX-{today.year}-00001"
    assert invoice.due_on == today + datetime.timedelta(days=30)
    assert invoice.state == Invoice.State.ISSUED


def test_invoice_numbers_follow_each_other(shipped_order):
    acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)
    tea, _honey = tea_and_honey()
    second = organisation_order(shipped_order.organisation, shipped_order.user, [(tea, 1)])
    ship_all(second)

    acceptance_record(order=second, user=shipped_order.user, accepted=True)

    assert Invoice.objects.get(order=second).number.endswith("-00002")


def test_a_dispute_needs_a_reason_and_issues_no_invoice(shipped_order):
    with pytest.raises(AcceptanceError):
        acceptance_record(order=shipped_order, user=shipped_order.user, accepted=False, reason="")

    acceptance = acceptance_record(
        order=shipped_order, user=shipped_order.user, accepted=False, reason="蜂蜜瓶破损两瓶"
    )

    assert acceptance.state == Acceptance.State.DISPUTED
    assert acceptance.reason == "蜂蜜瓶破损两瓶"
    assert not Invoice.objects.exists()


def test_a_resolved_dispute_is_followed_by_acceptance(shipped_order):
    acceptance_record(
        order=shipped_order, user=shipped_order.user, accepted=False, reason="少发一盒"
    )

    acceptance = acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)

    assert acceptance.state == Acceptance.State.ACCEPTED
    assert acceptance.reason == ""
    assert Invoice.objects.filter(order=shipped_order).count() == 1


def test_an_accepted_order_cannot_be_accepted_again(shipped_order):
    acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)

    with pytest.raises(AcceptanceError):
        acceptance_record(order=shipped_order, user=shipped_order.user, accepted=False, reason="x")

    assert Invoice.objects.count() == 1
    assert shipped_order.acceptance.state == Acceptance.State.ACCEPTED


def test_acceptance_waits_until_every_cooperative_has_shipped():
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, honey = tea_and_honey()
    order = organisation_order(organisation, buyer, [(tea, 1), (honey, 1)])

    with pytest.raises(AcceptanceError):
        acceptance_record(order=order, user=buyer, accepted=True)

    assert not Invoice.objects.exists()
    assert not Acceptance.objects.exists()


def test_only_members_of_the_organisation_record_acceptance(shipped_order):
    with pytest.raises(PermissionDenied):
        acceptance_record(
            order=shipped_order,
            user=member(OrganisationFactory(), Membership.Role.ADMIN),
            accepted=True,
        )

    assert not Invoice.objects.exists()


def test_acceptance_from_the_order_page(client, shipped_order):
    client.login(email=shipped_order.user.email, password=PASSWORD)
    url = reverse(
        "organisations:order",
        kwargs={"pk": shipped_order.organisation_id, "number": shipped_order.number},
    )

    response = client.post(url, {"result": "accept"})

    assert response.status_code == 302
    assert "下载发票PDF" in client.get(url).content.decode()


def test_invoice_pdf_has_chinese_text_and_the_bank_account(shipped_order, settings, cid_font):
    acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)
    invoice = Invoice.objects.get()

    content = invoice_pdf(invoice=invoice)

    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        invoice.number,
        "付款通知书",
        settings.PLATFORM_BANK_ACCOUNT["name"],
        "¥142.50",
    ):
        assert expected in text


def test_an_order_already_paid_is_accepted_without_an_invoice(shipped_order):
    order_settle_offline(order=shipped_order, reference="PAID-BEFORE", source_name="对公转账")

    acceptance = acceptance_record(order=shipped_order, user=shipped_order.user, accepted=True)

    assert acceptance.state == Acceptance.State.ACCEPTED
    assert not Invoice.objects.exists()


def _order_url(order):
    return reverse(
        "organisations:order", kwargs={"pk": order.organisation_id, "number": order.number}
    )


def test_the_acceptance_form_is_offered_only_once_something_shipped(client):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, _honey = tea_and_honey()
    order = organisation_order(organisation, buyer, [(tea, 1)])
    client.login(email=buyer.email, password=PASSWORD)

    before = client.get(_order_url(order)).content.decode()
    refused = client.post(_order_url(order), {"result": "dispute", "reason": "还没收到"})

    assert 'name="result"' not in before
    assert "合作社发货后即可在此记录验收结果。" in before
    assert refused.status_code == 200
    assert "合作社尚未发货，收到商品后才能记录验收结果。" in refused.content.decode()
    assert not Acceptance.objects.exists()

    ship_all(order)
    after = client.get(_order_url(order)).content.decode()

    assert 'name="result"' in after


def test_the_acceptance_radios_sit_beside_their_labels(client, shipped_order):
    """Each radio is a small form-check input with its own label, not a form-control (a
    huge circle), and the dispute label is not inside the textarea."""
    client.login(email=shipped_order.user.email, password=PASSWORD)

    page = client.get(_order_url(shipped_order)).content.decode()

    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*>", page)
    assert len(radios) == 2
    assert all('class="form-check-input"' in radio for radio in radios)
    assert all("form-control" not in radio for radio in radios)
    for radio in radios:
        radio_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert re.search(rf'<label class="form-check-label" for="{radio_id}">', page)
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert textarea.strip() == ""
    assert ">有异议</label>" in page


def test_a_dispute_keeps_the_reason_in_the_textarea_when_refused(client, shipped_order):
    client.login(email=shipped_order.user.email, password=PASSWORD)

    response = client.post(_order_url(shipped_order), {"result": "dispute", "reason": ""})

    page = response.content.decode()
    assert "请说明异议原因" in page
    assert 'value="dispute" checked' in page
