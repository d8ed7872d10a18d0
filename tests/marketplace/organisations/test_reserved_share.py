"""The reserved share (预留份额): the year's target is the canteen food budget times the
share; the dashboard shows what was settled so far and the progress by month."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.invoicing.services import invoice_payment_record
from marketplace.organisations.models import Membership, ProcurementBudget
from marketplace.organisations.selectors import reserved_share_progress
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

from .builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
YEAR = timezone.localdate().year


def settled_in(organisation, buyer, lines, *, month: int, reference: str):
    invoice = invoiced_order(organisation, buyer, lines)
    invoice_payment_record(
        invoice=invoice,
        actor=UserFactory(is_superuser=True),
        amount=invoice.amount,
        bank_reference=reference,
        booked_on=timezone.localdate(),
    )
    PaymentEvent.objects.filter(order=invoice.order).update(
        date_created=timezone.make_aware(datetime.datetime(YEAR, month, 15, 10))
    )
    return invoice


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    ProcurementBudget.objects.create(
        organisation=organisation,
        year=YEAR,
        canteen_food_budget=Decimal("20000.00"),
        reserved_share=Decimal("0.150"),
    )
    return organisation


def test_target_is_the_budget_times_the_reserved_share(organisation):
    progress = reserved_share_progress(organisation=organisation, year=YEAR)

    assert progress.target == Decimal("3000.00")
    assert progress.purchased == Decimal("0.00")


def test_new_budget_defaults_to_a_ten_percent_share():
    budget = ProcurementBudget(
        organisation=OrganisationFactory(), year=YEAR, canteen_food_budget=Decimal("1000.00")
    )

    assert budget.reserved_share == Decimal("0.100")
    assert budget.target == Decimal("100.00")


def test_progress_counts_settled_purchases_by_month_cumulatively(organisation):
    buyer = member(organisation)
    tea, honey = tea_and_honey()
    settled_in(organisation, buyer, [(tea, 2)], month=2, reference="R1")  # ¥76.00
    settled_in(organisation, buyer, [(honey, 2)], month=5, reference="R2")  # ¥133.00
    invoiced_order(organisation, buyer, [(tea, 1)])  # invoiced, not paid: not counted

    progress = reserved_share_progress(organisation=organisation, year=YEAR)

    assert progress.purchased == Decimal("209.00")
    assert progress.months[1].amount == Decimal("76.00")
    assert progress.months[4].cumulative == Decimal("209.00")
    assert progress.months[11].cumulative == Decimal("209.00")
    assert progress.percent == 6  # 209 of 3000
    assert progress.months[4].height > progress.months[1].height > 0


def test_dashboard_shows_target_purchased_and_the_chart(client, organisation):
    buyer = member(organisation)
    tea, _honey = tea_and_honey()
    settled_in(organisation, buyer, [(tea, 1)], month=3, reference="R1")
    client.login(email=buyer.email, password=PASSWORD)

    page = client.get(reverse("organisations:dashboard", kwargs={"pk": organisation.pk}))

    html = page.content.decode()
    assert "¥3,000.00" in html
    assert "¥38.00" in html
    assert "<svg" in html and "<rect" in html


def test_organisation_admin_records_the_budget(client):
    organisation = OrganisationFactory()
    admin = member(organisation, Membership.Role.ADMIN)
    client.login(email=admin.email, password=PASSWORD)

    client.post(
        reverse("organisations:budget", kwargs={"pk": organisation.pk}),
        {"year": YEAR, "canteen_food_budget": "50000", "reserved_share": "0.12"},
    )
    client.post(
        reverse("organisations:budget", kwargs={"pk": organisation.pk}),
        {"year": YEAR, "canteen_food_budget": "60000", "reserved_share": "0.12"},
    )

    budget = ProcurementBudget.objects.get(organisation=organisation)
    assert budget.target == Decimal("7200.00")


def test_a_share_above_one_is_refused(client):
    organisation = OrganisationFactory()
    admin = member(organisation, Membership.Role.ADMIN)
    client.login(email=admin.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:budget", kwargs={"pk": organisation.pk}),
        {"year": YEAR, "canteen_food_budget": "50000", "reserved_share": "1.5"},
    )

    assert response.status_code == 200
    assert not ProcurementBudget.objects.exists()


def test_a_budget_for_a_year_in_non_ascii_digits_is_refused(client):
    organisation = OrganisationFactory()
    admin = member(organisation, Membership.Role.ADMIN)
    client.login(email=admin.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:budget", kwargs={"pk": organisation.pk}),
        {"year": "²", "canteen_food_budget": "50000", "reserved_share": "0.12"},
    )

    assert response.status_code == 200
    assert not ProcurementBudget.objects.exists()


def test_the_target_label_is_inside_the_chart(client, organisation):
    """With purchases below the target, the target line sits at the top of the scale: its
    label, drawn above the line, must still be inside the viewBox, not cut off."""
    buyer = member(organisation)
    tea, _honey = tea_and_honey()
    settled_in(organisation, buyer, [(tea, 1)], month=3, reference="R1")
    client.login(email=buyer.email, password=PASSWORD)

    html = client.get(
        reverse("organisations:dashboard", kwargs={"pk": organisation.pk})
    ).content.decode()

    min_x, min_y, width, height = map(
        float, re.search(r'<svg[^>]*viewBox="([^"]+)"', html).group(1).split()
    )
    label = re.search(
        r'<text x="(\d+)" y="(-?\d+)" font-size="(\d+)"[^>]*>(目标[^<]*)</text>', html
    )
    x, y, size = (float(label.group(n)) for n in (1, 2, 3))
    text = label.group(4).strip()
    assert "¥3,000.00" in text
    assert y - size >= min_y  # the glyphs' top, above the baseline
    assert y <= min_y + height
    assert x >= min_x and x + len(text) * size <= min_x + width
