"""Payouts and reconciliation: attributed, paid, owed; overdue flagged to the county office;
statements with CSV export; each cooperative and county office sees only its own."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from producers.income.balances import household_balances
from producers.income.csv_export import cell
from producers.income.models import Payout
from producers.income.services import events_process
from producers.income.services.payouts import payout_record
from tests.factories import PDF_BYTES, CountyFactory
from tests.store_factories import (
    certified_cooperative,
    cooperative_staff_create,
    county_officer_create,
)

from .conftest import household_in, order_create, settlement_record

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 1)


@pytest.fixture
def settled(linked_cooperative):
    """The fixture cooperative's 2 × ¥38.00 sale settled on 20 May 2026."""
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    return linked_cooperative


def _pay(world, household, amount, **kwargs):
    return payout_record(
        cooperative=world["cooperative"],
        household=household,
        amount=Decimal(amount),
        paid_on=kwargs.pop("paid_on", datetime.date(2026, 6, 1)),
        method=Payout.Method.BANK,
        reference=kwargs.pop("reference", "TX-1"),
        actor=cooperative_staff_create(cooperative=world["cooperative"]),
        **kwargs,
    )


def _row(rows, household):
    (row,) = [r for r in rows if r["household"] == household]
    return row


def test_a_household_balance_is_attributed_less_paid(settled):
    # Given a supplier attributed ¥17.10 who was paid ¥10.00
    supplier = settled["suppliers"][1]
    _pay(settled, supplier, "10.00")

    row = _row(household_balances(cooperative=settled["cooperative"], on=TODAY), supplier)

    assert (row["attributed"], row["paid"], row["owed"]) == (
        Decimal("17.10"),
        Decimal("10.00"),
        Decimal("7.10"),
    )


def test_income_unpaid_after_the_configured_days_is_overdue(settled, settings):
    # Given income booked on 20 May, 30 days allowed, and a partial payout
    settings.INCOME_PAYOUT_OVERDUE_DAYS = 30
    supplier = settled["suppliers"][1]
    _pay(settled, supplier, "10.00")

    # When 19 June (30 days later) has not passed, nothing is overdue; after it, the rest is
    early = _row(
        household_balances(county=supplier.county, on=datetime.date(2026, 6, 18)), supplier
    )
    late = _row(household_balances(county=supplier.county, on=datetime.date(2026, 6, 20)), supplier)

    assert early["overdue"] == Decimal("0.00")
    assert late["overdue"] == Decimal("7.10")


def test_a_cooperative_cannot_pay_a_household_it_has_no_link_with(settled):
    stranger = household_in(certified_cooperative())

    with pytest.raises(PermissionDenied):
        _pay(settled, stranger, "5.00")
    assert not Payout.objects.exists()


@pytest.mark.parametrize(
    ("amount", "paid_on", "field"),
    [("0.00", datetime.date(2026, 6, 1), "amount"), ("5.00", datetime.date(2099, 1, 1), "paid_on")],
)
def test_a_bad_payout_is_refused_with_a_message(settled, amount, paid_on, field):
    with pytest.raises(ValidationError) as error:
        _pay(settled, settled["worker"], amount, paid_on=paid_on)
    assert field in error.value.message_dict
    assert not Payout.objects.exists()


def test_a_receipt_is_checked_by_its_content(settled):
    fake = SimpleUploadedFile("receipt.pdf", b"<script>alert(1)</script>", "application/pdf")
    with pytest.raises(ValidationError) as error:
        _pay(settled, settled["worker"], "5.00", receipt=fake)
    assert "receipt" in error.value.message_dict

    real = SimpleUploadedFile("scan.exe", PDF_BYTES, "application/octet-stream")
    payout = _pay(settled, settled["worker"], "5.00", receipt=real)
    assert payout.receipt.name.endswith(".pdf")


def test_csv_cells_that_would_run_as_formulas_are_quoted():
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("+1") == "'+1"
    assert cell("-1+1") == "'-1+1"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("合作社") == "合作社"
    assert cell(Decimal("-3.80")) == "-3.80"  # amounts stay numbers


def test_the_cooperative_statement_lists_income_and_payouts_and_exports_csv(client, settled):
    supplier = settled["suppliers"][1]
    _pay(settled, supplier, "10.00", reference="=CMD()")
    client.force_login(cooperative_staff_create(cooperative=settled["cooperative"]))
    url = reverse("income:cooperative-statement", args=[supplier.pk])

    page = client.get(url).content.decode()
    assert "¥17.10" in page and "¥10.00" in page and "¥7.10" in page
    assert supplier.register_number not in page  # masked

    export = client.get(url, {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    assert "17.10" in text and "'=CMD()" in text


def test_a_cooperative_cannot_see_another_cooperatives_household(client, settled):
    other = certified_cooperative()
    client.force_login(cooperative_staff_create(cooperative=other))

    url = reverse("income:cooperative-statement", args=[settled["suppliers"][0].pk])
    assert client.get(url).status_code == 404
    balances = client.get(reverse("income:cooperative-balances")).content.decode()
    assert "¥17.10" not in balances


def test_a_county_officer_sees_overdue_income_of_their_county_only(client, settled, settings):
    settings.INCOME_PAYOUT_OVERDUE_DAYS = 0
    supplier = settled["suppliers"][1]
    officer = county_officer_create(county=supplier.county)
    client.force_login(officer)

    response = client.get(reverse("income:county-balances"), {"overdue": "1"})
    assert response.status_code == 200
    assert "¥17.10" in response.content.decode()
    statement = client.get(reverse("income:county-statement", args=[supplier.pk]))
    assert statement.status_code == 200

    client.force_login(county_officer_create(county=CountyFactory()))
    assert client.get(reverse("income:county-statement", args=[supplier.pk])).status_code == 404
    assert "¥17.10" not in client.get(reverse("income:county-balances")).content.decode()


@pytest.mark.parametrize(
    "name", ["income:cooperative-balances", "income:cooperative-payouts", "income:county-balances"]
)
def test_workspace_pages_refuse_a_plain_customer(client, db, name):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 403


def test_a_cooperative_records_a_payout_through_its_workspace(client, settled):
    staff = cooperative_staff_create(cooperative=settled["cooperative"])
    client.force_login(staff)
    worker = settled["worker"]

    response = client.post(
        reverse("income:cooperative-payout-create"),
        {
            "household": worker.pk,
            "amount": "7.60",
            "paid_on": "2026-06-01",
            "method": "cash",
            "reference": "",
        },
    )

    assert response.status_code == 302
    assert Payout.objects.get().household == worker


@pytest.mark.parametrize("orders", [1, 6])
def test_the_balances_page_takes_a_constant_number_of_queries(
    client, linked_cooperative, django_assert_max_num_queries, orders
):
    for _ in range(orders):
        order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
        events_process(payment_event_ids=[settlement_record(order=order).pk])
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))

    with django_assert_max_num_queries(17):  # session, user, permissions, then 4 reads
        response = client.get(reverse("income:cooperative-balances"))
    assert response.status_code == 200


def test_a_receipt_is_private_and_only_its_cooperative_downloads_it(
    client, settled, settings, tmp_path
):
    # Given a payout whose receipt names the household it paid
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    receipt = SimpleUploadedFile("收据.pdf", PDF_BYTES, "application/pdf")
    payout = _pay(settled, settled["worker"], "5.00", receipt=receipt)

    # Then the file lies in private storage and has no public URL
    assert (settings.PRIVATE_MEDIA_ROOT / payout.receipt.name).is_file()
    assert not (settings.MEDIA_ROOT / payout.receipt.name).exists()
    with pytest.raises(ValueError):
        _ = payout.receipt.url

    # And the paying cooperative's staff download it from the payouts page, uncached
    url = reverse("income:cooperative-payout-receipt", args=[payout.pk])
    client.force_login(cooperative_staff_create(cooperative=settled["cooperative"]))
    assert url in client.get(reverse("income:cooperative-payouts")).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "no-cache" in response["Cache-Control"]

    # But another cooperative's staff get nothing
    client.force_login(cooperative_staff_create(cooperative=certified_cooperative()))
    assert client.get(url).status_code == 404
