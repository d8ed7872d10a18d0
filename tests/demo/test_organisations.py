"""The demo world has institutional buyers to show: members per role, budgets, and a year of
invoiced orders (paid, within term, one overdue, one awaiting acceptance), loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.invoicing.models import Acceptance, BankTransfer, Invoice
from marketplace.organisations.models import Membership, Organisation, ProcurementBudget
from marketplace.organisations.selectors import reserved_share_progress

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


def _load():
    call_command("load_demo_world", stdout=StringIO())


def _snapshot():
    return [
        Invoice.objects.count(),
        BankTransfer.objects.count(),
        Acceptance.objects.count(),
        Membership.objects.count(),
        ProcurementBudget.objects.count(),
        Order.objects.count(),
    ]


def test_demo_institutional_buyers(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    _load()
    today = timezone.localdate()
    hangzhou = Organisation.objects.get(name__startswith="杭州市西湖区")

    roles = set(hangzhou.memberships.filter(state="approved").values_list("role", flat=True))
    assert roles == {"buyer", "approver", "admin"}
    assert hangzhou.memberships.filter(state="requested").exists()
    invoices = Invoice.objects.filter(organisation=hangzhou)
    assert invoices.filter(state="paid").count() >= 8
    assert invoices.filter(state="issued", due_on__lt=today).count() == 1
    assert invoices.filter(state="issued", due_on__gte=today).count() == 1
    assert Order.objects.filter(organisation=hangzhou, acceptance__isnull=True).exists()
    progress = reserved_share_progress(organisation=hangzhou, year=today.year)
    assert progress.target > 0 and progress.purchased > 0

    first = _snapshot()
    _load()
    assert _snapshot() == first
