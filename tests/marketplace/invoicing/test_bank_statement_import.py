"""Bank statement import: matched rows (invoice number in the memo, exact amount) settle;
unmatched, partial and duplicate rows are listed and change nothing; a malformed file
imports nothing; the same file imported twice changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.invoicing.models import BankStatementImport, BankTransfer, Invoice
from marketplace.invoicing.services import bank_statement_import, invoice_payment_record
from marketplace.payment.events import payment_settled
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
HEADER = "交易日期,交易流水号,付款人户名,金额,附言\n"


@pytest.fixture
def finance():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def invoices():
    """Three issued invoices of ¥38.00, ¥66.50 and ¥104.50."""
    organisation = OrganisationFactory(name="杭州市西湖区机关食堂")
    buyer = member(organisation)
    tea, honey = tea_and_honey()
    return (
        invoiced_order(organisation, buyer, [(tea, 1)]),
        invoiced_order(organisation, buyer, [(honey, 1)]),
        invoiced_order(organisation, buyer, [(tea, 1), (honey, 1)]),
    )


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, order, payment_event, **kwargs):
        received.append(order.pk)

    payment_settled.connect(receiver, weak=False)
    yield received
    payment_settled.disconnect(receiver)


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("statement.csv", text.encode(encoding), content_type="text/csv")


def statement(invoices) -> str:
    tea, honey, both = invoices
    return HEADER + (
        f"2026-03-02,B001,西湖区机关食堂,38.00,货款 {tea.number}\n"  # matched
        f"2026-03-02,B002,西湖区机关食堂,60.00,{honey.number}\n"  # partial
        "2026-03-03,B003,某某公司,500.00,货款\n"  # unmatched: no invoice number
        f"2026-03-03,B004,西湖区机关食堂,38.00,{tea.number} 重复付款\n"  # duplicate: paid above
        f"2026-03-04,B005,西湖区机关食堂,104.50,{both.number.replace('-', '')}\n"  # matched
        "2026-03-04,B005,西湖区机关食堂,104.50,重复行\n"  # duplicate reference
        "2026-03-05,B006,某某公司,20.00,DX-2026-99999\n"  # unmatched: unknown invoice
    )


def outcomes(result):
    return [(row["line"], row["outcome"]) for row in result.rows]


def test_each_row_is_matched_partial_unmatched_or_duplicate(
    invoices, finance, announcements, django_capture_on_commit_callbacks
):
    tea, honey, both = invoices

    with django_capture_on_commit_callbacks(execute=True):
        result = bank_statement_import(actor=finance, file=csv_file(statement(invoices)))

    assert outcomes(result) == [
        (2, "matched"),
        (3, "partial"),
        (4, "unmatched"),
        (5, "duplicate"),
        (6, "matched"),
        (7, "duplicate"),
        (8, "unmatched"),
    ]
    states = {i.number: i.state for i in Invoice.objects.all()}
    assert states == {tea.number: "paid", honey.number: "issued", both.number: "paid"}
    assert "¥60.00" in result.rows[1]["reason"]
    assert sorted(announcements) == sorted([tea.order_id, both.order_id])
    assert set(BankTransfer.objects.values_list("bank_reference", flat=True)) == {"B001", "B005"}


def test_the_same_file_imported_twice_changes_nothing(
    invoices, finance, announcements, django_capture_on_commit_callbacks
):
    text = statement(invoices)
    with django_capture_on_commit_callbacks(execute=True):
        first = bank_statement_import(actor=finance, file=csv_file(text))
        second = bank_statement_import(actor=finance, file=csv_file(text))

    assert second.already_imported
    assert second.rows == first.rows
    assert PaymentEvent.objects.count() == 2
    assert BankTransfer.objects.count() == 2
    assert BankStatementImport.objects.count() == 1
    assert len(announcements) == 2


def test_an_overlapping_statement_counts_known_transfers_as_duplicates(invoices, finance):
    tea, _honey, _both = invoices
    bank_statement_import(
        actor=finance, file=csv_file(HEADER + f"2026-03-02,B001,食堂,38.00,{tea.number}\n")
    )

    result = bank_statement_import(
        actor=finance,
        file=csv_file(
            HEADER + f"2026-03-02,B001,食堂,38.00,{tea.number}\n2026-03-09,B100,x,1.00,无\n"
        ),
    )

    assert outcomes(result) == [(2, "duplicate"), (3, "unmatched")]
    assert PaymentEvent.objects.count() == 1


def test_a_transfer_recorded_by_hand_is_a_duplicate_in_the_statement(invoices, finance):
    tea, _honey, _both = invoices
    invoice_payment_record(
        invoice=tea,
        actor=finance,
        amount="38.00",
        bank_reference="B001",
        booked_on=datetime.date(2026, 3, 2),
    )

    result = bank_statement_import(
        actor=finance, file=csv_file(HEADER + f"2026-03-02,B001,食堂,38.00,{tea.number}\n")
    )

    assert outcomes(result) == [(2, "duplicate")]


def test_an_overpayment_is_listed_not_settled(invoices, finance):
    tea, _honey, _both = invoices

    result = bank_statement_import(
        actor=finance, file=csv_file(HEADER + f"2026-03-02,B001,食堂,40.00,{tea.number}\n")
    )

    assert outcomes(result) == [(2, "unmatched")]
    tea.refresh_from_db()
    assert tea.state == Invoice.State.ISSUED


def test_a_malformed_file_reports_every_bad_row_and_imports_nothing(invoices, finance):
    tea, honey, _both = invoices
    text = HEADER + (
        f"2026-03-02,B001,食堂,38.00,{tea.number}\n"
        f"2026-13-02,B002,食堂,66.50,{honey.number}\n"
        "2026-03-03,,食堂,10.00,x\n"
        "2026-03-03,B004,食堂,十元,x\n"
    )

    result = bank_statement_import(actor=finance, file=csv_file(text))

    assert [error.line for error in result.errors] == [3, 4, 5]
    assert not result.rows
    assert not PaymentEvent.objects.exists()
    assert not BankStatementImport.objects.exists()


def test_a_gbk_statement_with_bank_style_headers_is_read(invoices, finance):
    tea, _honey, _both = invoices
    text = (
        "记账日期,流水号,对方户名,贷方金额,摘要\n"
        + f'2026/03/02,B001,西湖区机关食堂,"1,038.00",{tea.number}\n'
    )

    result = bank_statement_import(actor=finance, file=csv_file(text, encoding="gbk"))

    assert result.rows[0]["amount"] == str(Decimal("1038.00"))
    assert outcomes(result) == [(2, "unmatched")]


def test_only_finance_imports_statements(invoices):
    with pytest.raises(PermissionDenied):
        bank_statement_import(actor=member(invoices[0].organisation), file=csv_file(HEADER))


def test_import_page_lists_each_row(client, invoices, finance):
    client.login(email=finance.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:finance-import"), {"file": csv_file(statement(invoices))}
    )

    page = response.content.decode()
    assert "部分付款" in page
    assert "未匹配" in page
    assert "重复" in page
    assert "已匹配并结算" in page
