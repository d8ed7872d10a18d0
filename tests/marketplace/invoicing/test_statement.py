"""The purchase statement's totals equal the sum of the organisation's settled order lines
in the period; it downloads as PDF and XLSX, and the XLSX never runs a formula."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from marketplace.invoicing.services import invoice_payment_record
from marketplace.payment.services import order_refund_offline
from producers.income.purchase_statement_documents import (
    spreadsheet_safe,
    statement_pdf,
    statement_xlsx,
)
from producers.income.purchase_statements import purchase_statement
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import (
    invoiced_order,
    member,
    organisation_order,
    tea_and_honey,
)

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
Line = get_model("order", "Line")

YEAR = timezone.localdate().year
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


def settle(invoice, reference):
    invoice_payment_record(
        invoice=invoice,
        actor=UserFactory(is_superuser=True),
        amount=invoice.amount,
        bank_reference=reference,
        booked_on=timezone.localdate(),
    )


@pytest.fixture
def purchases():
    """Organisation A: two settled invoices this year, one settled last year, one invoiced
    but unpaid, one order not yet accepted; organisation B: one settled invoice."""
    a, b = OrganisationFactory(name="杭州市机关食堂"), OrganisationFactory()
    buyer_a, buyer_b = member(a), member(b)
    tea, honey = tea_and_honey()
    settle(invoiced_order(a, buyer_a, [(tea, 2), (honey, 1)]), "R1")
    settle(invoiced_order(a, buyer_a, [(honey, 3)]), "R2")
    last_year = invoiced_order(a, buyer_a, [(tea, 1)])
    settle(last_year, "R3")
    PaymentEvent.objects.filter(order=last_year.order).update(
        date_created=timezone.make_aware(datetime.datetime(YEAR - 1, 12, 30, 10))
    )
    invoiced_order(a, buyer_a, [(tea, 1)])
    organisation_order(a, buyer_a, [(honey, 1)])
    settle(invoiced_order(b, buyer_b, [(honey, 2)]), "R4")
    return a, tea, honey


def settled_line_total(organisation) -> Decimal:
    """Independently of the statement: order lines of the organisation whose order has a
    "paid" event this year."""
    return Line.objects.filter(
        order__organisation=organisation,
        order__payment_events__event_type__code="paid",
        order__payment_events__date_created__year=YEAR,
    ).aggregate(total=Sum("line_price_incl_tax"))["total"]


def test_statement_total_equals_the_settled_order_lines(purchases):
    organisation, tea, honey = purchases

    statement = purchase_statement(organisation=organisation, start=START, end=END)

    assert statement.total == settled_line_total(organisation) == Decimal("342.00")
    assert statement.orders == 2
    assert statement.cooperatives == 2
    assert sum(entry.amount for entry in statement.counties) == statement.total
    assert {entry.county for entry in statement.counties} == {
        tea.cooperative.county.name,
        honey.cooperative.county.name,
    }


def test_a_refund_in_the_period_is_taken_off_the_statement(purchases):
    # Given two of the three honeys of a settled invoice refunded this year
    organisation, _tea, honey = purchases
    order = (
        Line.objects.filter(order__organisation=organisation, product=honey, quantity=3).get().order
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    order_refund_offline(
        order=order,
        lines_quantities={order.lines.get(): 2},
        reference="RF-1",
        actor=staff,
    )

    statement = purchase_statement(organisation=organisation, start=START, end=END)

    # Then the statement holds what the organisation finally bought: ¥342.00 − 2 × ¥66.50
    assert statement.total == Decimal("209.00")
    assert sum(entry.amount for entry in statement.counties) == statement.total
    assert [(s.quantity, s.amount) for s in statement.lines if s.amount < 0] == [
        (-2, Decimal("-133.00"))
    ]


def test_statement_of_last_year_holds_only_last_years_settlement(purchases):
    organisation, _tea, _honey = purchases

    statement = purchase_statement(
        organisation=organisation,
        start=datetime.date(YEAR - 1, 1, 1),
        end=datetime.date(YEAR - 1, 12, 31),
    )

    assert statement.total == Decimal("38.00")
    assert statement.orders == 1


def test_statement_xlsx_totals_and_lines(purchases):
    organisation, _tea, _honey = purchases
    statement = purchase_statement(organisation=organisation, start=START, end=END)

    workbook = load_workbook(io.BytesIO(statement_xlsx(statement=statement)))

    summary = {row[0]: row[1] for row in workbook["汇总"].iter_rows(values_only=True) if row[0]}
    assert Decimal(str(summary["采购金额合计（元）"])) == Decimal("342.00")
    details = list(workbook["明细"].iter_rows(values_only=True))[1:]
    assert sum(Decimal(str(row[6])) for row in details) == Decimal("342.00")
    assert len(details) == 3


def test_xlsx_cells_that_look_like_formulas_are_written_as_text(purchases):
    organisation, tea, _honey = purchases
    organisation.name = '=HYPERLINK("http://evil.example","点我")'
    organisation.save()
    statement = purchase_statement(organisation=organisation, start=START, end=END)

    workbook = load_workbook(io.BytesIO(statement_xlsx(statement=statement)))

    name_cell = workbook["汇总"]["B1"]
    assert name_cell.data_type == "s"
    assert name_cell.value.startswith("'=")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_spreadsheet_safe_escapes_formula_prefixes(text):
    assert spreadsheet_safe(text) == "'" + text


def test_statement_pdf_shows_the_total_in_chinese(purchases, cid_font):
    organisation, _tea, _honey = purchases
    statement = purchase_statement(organisation=organisation, start=START, end=END)

    text = pdf_text(statement_pdf(statement=statement))

    assert "消费帮扶采购情况说明" in text
    assert "杭州市机关食堂" in text
    assert "¥342.00" in text


def test_statement_downloads(client, purchases):
    organisation, _tea, _honey = purchases
    buyer = organisation.memberships.first().user
    client.login(email=buyer.email, password=PASSWORD)
    query = f"?start={START.isoformat()}&end={END.isoformat()}"

    pdf = client.get(
        reverse("organisations:statement-export", kwargs={"pk": organisation.pk, "format": "pdf"})
        + query
    )
    xlsx = client.get(
        reverse("organisations:statement-export", kwargs={"pk": organisation.pk, "format": "xlsx"})
        + query
    )
    page = client.get(reverse("organisations:statement", kwargs={"pk": organisation.pk}) + query)

    assert pdf["Content-Type"] == "application/pdf"
    assert xlsx.content[:2] == b"PK"
    assert page.context["statement"].total == Decimal("342.00")
    assert (
        client.get(
            reverse(
                "organisations:statement-export", kwargs={"pk": organisation.pk, "format": "csv"}
            )
        ).status_code
        == 404
    )
