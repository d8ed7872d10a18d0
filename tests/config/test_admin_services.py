"""The Django admin never changes what a workflow owns: those fields are read-only there
(the services that change them check who may, write the audit record and keep caches,
ledger and facts in step), and records only services write are read-only as a whole."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from evaluation.models import Agreement, EvaluationYear, Indicator
from marketplace.users.models import User

OUR_APPS = ("producers", "marketplace.", "evaluation", "cms")

# Written only by services: shown in the admin, never added, changed or deleted there.
SERVICE_WRITTEN = {
    "producers.Household",
    "producers.BenefitLink",
    "producers.BenefitScheme",
    "producers.WageRecord",
    "producers.CooperativeDocument",
    "producers.CooperativeDecision",
    "producers.AuditEntry",
    "evaluation.OffPlatformSale",
    "evaluation.PurchaseFact",
    "evaluation.Scorecard",
    "invoicing.Invoice",
    "invoicing.Acceptance",
    "invoicing.BankTransfer",
    "invoicing.BankStatementImport",
    "organisations.PurchaseRequest",
    "order.Line",
    "order.LinePrice",
    "order.PaymentEvent",
    "order.PaymentEventQuantity",
    "order.ShippingEvent",
    "order.OrderStatusChange",
    "payment.Source",
    "payment.Transaction",
}

# Editable models whose workflow fields the admin only shows.
WORKFLOW_FIELDS = {
    "producers.Cooperative": {"state"},
    "basket.Basket": {"status"},
    "evaluation.EvaluationYear": {"locked_at", "locked_by"},
    "organisations.Membership": {"state", "decided_by", "decided_at"},
    "order.Order": {"status", "total_incl_tax", "organisation", "sales_channel"},
    "partner.StockRecord": {"num_allocated"},
    "customer.ProductAlert": {"status"},
    "users.User": {"registration_pending"},
}

# A field of one of these names on a model of ours that the admin shows is a workflow's,
# but for an address's "state" (its province).
WORKFLOW_NAMES = {"state", "status", "locked_at", "num_allocated", "registration_pending"}
ADDRESSES = {"order.BillingAddress", "order.ShippingAddress"}


def _request():
    request = RequestFactory().get("/admin/")
    request.user = User(email="root@example.com", is_active=True, is_staff=True, is_superuser=True)
    return request


def _ours(model) -> bool:
    return model._meta.app_config.name.startswith(OUR_APPS)


def _shown():
    """(model, admin) for every registered admin of our apps and each of its inlines."""
    request = _request()
    for model, model_admin in admin.site._registry.items():
        if not _ours(model):
            continue
        yield model, model_admin
        for inline in model_admin.get_inline_instances(request):
            yield inline.model, inline


def _editable(model_admin, obj) -> set[str]:
    """The fields its change form lets one type into."""
    request = _request()
    if not model_admin.has_change_permission(request, obj):
        return set()
    if isinstance(model_admin, admin.options.InlineModelAdmin):
        form = model_admin.get_formset(request, obj).form
    else:
        form = model_admin.get_form(request, obj, change=True)
    return set(form.base_fields)


@pytest.mark.parametrize(
    "model_admin",
    [a for m, a in _shown() if m._meta.label in SERVICE_WRITTEN],
    ids=lambda a: a.model._meta.label,
)
def test_records_only_services_write_cannot_be_added_changed_or_deleted(model_admin):
    request, obj = _request(), model_admin.model()
    inline = isinstance(model_admin, admin.options.InlineModelAdmin)
    assert not model_admin.has_add_permission(*((request, obj) if inline else (request,)))
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)


@pytest.mark.django_db  # the evaluation year's admin asks whether the year is locked
@pytest.mark.parametrize(
    "model_admin",
    [a for m, a in _shown() if m._meta.label in WORKFLOW_FIELDS],
    ids=lambda a: a.model._meta.label,
)
def test_workflow_fields_are_read_only(model_admin):
    obj = model_admin.model()
    workflow = WORKFLOW_FIELDS[model_admin.model._meta.label]
    assert workflow <= set(model_admin.get_readonly_fields(_request(), obj))
    assert not workflow & _editable(model_admin, obj)


def test_every_admin_showing_a_workflow_field_is_listed_here():
    """A new admin (or inline) of a model with a state or status must say how it keeps the
    workflow's field out of reach: added to one of the lists above, with its read-only."""
    unlisted = {
        model._meta.label
        for model, _ in _shown()
        if {f.name for f in model._meta.fields} & WORKFLOW_NAMES
        and model._meta.label not in SERVICE_WRITTEN | set(WORKFLOW_FIELDS) | ADDRESSES
    }
    assert not unlisted
    shown = {model._meta.label for model, _ in _shown()}
    assert SERVICE_WRITTEN | set(WORKFLOW_FIELDS) <= shown


@pytest.mark.django_db
@pytest.mark.parametrize("model", [EvaluationYear, Agreement, Indicator])
def test_a_locked_years_rows_cannot_be_changed_or_deleted(model):
    EvaluationYear.objects.create(year=2025, locked_at=timezone.now())
    EvaluationYear.objects.create(year=2026)
    model_admin = admin.site._registry[model]
    locked, open_ = model(year=2025), model(year=2026)

    assert _editable(model_admin, locked) == set()
    assert not model_admin.has_delete_permission(_request(), locked)
    assert "year" in _editable(model_admin, open_)
    assert model_admin.has_delete_permission(_request(), open_)


@pytest.mark.django_db
def test_an_agreement_cannot_be_added_to_a_locked_year():
    EvaluationYear.objects.create(year=2025, locked_at=timezone.now())
    form_class = admin.site._registry[Agreement].get_form(_request(), None, change=False)
    form = form_class(data={"year": 2025})

    assert not form.is_valid()
    assert "该年度已锁定，不能再修改。" in form.non_field_errors()
