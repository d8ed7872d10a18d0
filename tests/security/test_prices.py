"""Negative prices: a stock record at ¥-20.00 in a basket with another cooperative's ¥29.90
honey made a ¥9.90 order, wrote negative household income for the first cooperative and
a full ¥29.90 for the second, and the purchase facts' CHECK failure was taken for a
replayed event, so the whole order vanished from evaluation. Every step now refuses."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from oscar.apps.partner.prices import FixedPrice
from oscar.core.loading import get_class, get_model
from oscar.test.factories import ProductClassFactory

from evaluation.models import PurchaseFact
from evaluation.services import facts as facts_service
from evaluation.services.facts import purchase_facts_record
from marketplace.organisations.services import (
    OrganisationCheckoutError,
    organisation_checkout_submit,
)
from marketplace.partner.strategy import Marketplace
from marketplace.payment import gateway
from marketplace.payment.services.checkout import CheckoutPriceInvalid
from producers.income.models import LedgerEntry
from producers.income.services.engine import (
    SETTLEMENT,
    EventInfo,
    LedgerState,
    LineInfo,
    NegativeLineAmount,
    event_process,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.marketplace.checkout.conftest import start_payment
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.marketplace.organisations.builders import ADDRESS, member
from tests.store_factories import basket_with, cooperative_staff_create, product_create

pytestmark = pytest.mark.django_db

StockRecordForm = get_class("dashboard.catalogue.forms", "StockRecordForm")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentAttempt = get_model("payment", "PaymentAttempt")


# --- (1) the store dashboard refuses the price -------------------------------------------


def _stock_form(user, partner, price: str):
    return StockRecordForm(
        ProductClassFactory(track_stock=True),
        user,
        data={
            "partner": partner.pk,
            "partner_sku": "SKU-1",
            "price_currency": "CNY",
            "price": price,
            "num_in_stock": "10",
        },
    )


@pytest.mark.parametrize("price", ["-20.00", "0", "0.00"])
def test_dashboard_refuses_a_stock_record_price_of_zero_or_below(price):
    product = product_create()
    staff = cooperative_staff_create(cooperative=product.cooperative)
    form = _stock_form(staff, product.cooperative.partner, price)
    form.instance.product = product

    assert not form.is_valid()
    assert "价格必须大于0元" in str(form.errors["price"])


def test_dashboard_refuses_an_absurd_stock_record_price():
    product = product_create()
    staff = cooperative_staff_create(cooperative=product.cooperative)
    form = _stock_form(staff, product.cooperative.partner, "2990000.00")
    form.instance.product = product

    assert not form.is_valid()
    assert "价格不能高于" in str(form.errors["price"])


def test_dashboard_accepts_a_price_above_zero():
    product = product_create()
    staff = cooperative_staff_create(cooperative=product.cooperative)
    form = _stock_form(staff, product.cooperative.partner, "29.90")
    form.instance.product = product

    assert form.is_valid(), form.errors


# --- (2) the database refuses it, whatever writes the row ---------------------------------


@pytest.mark.parametrize("price", [Decimal("-20.00"), Decimal("0.00")])
def test_database_refuses_a_stock_record_price_of_zero_or_below(price):
    record = product_create().stockrecords.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(price=price)

    record.refresh_from_db()
    assert record.price == Decimal("38.00")


@pytest.fixture
def placed_order():
    from tests.evaluation.factories import order_place

    return order_place(products=[(product_create(price=Decimal("29.90")), 1)])


@pytest.mark.parametrize(
    "field", ["line_price_incl_tax", "line_price_excl_tax", "unit_price_incl_tax"]
)
def test_database_refuses_a_negative_order_line_price(placed_order, field):
    line = placed_order.lines.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).update(**{field: Decimal("-20.00")})


def test_database_refuses_an_order_line_of_no_units(placed_order):
    line = placed_order.lines.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).update(quantity=0)


def test_database_refuses_a_negative_order_total(placed_order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=placed_order.pk).update(total_incl_tax=Decimal("-10.10"))


def test_database_refuses_a_payment_event_of_no_units(placed_order):
    event = PaymentEvent.objects.create(
        order=placed_order,
        amount=placed_order.total_incl_tax,
        event_type=PaymentEventType.objects.get_or_create(code="paid", name="paid")[0],
    )
    line = placed_order.lines.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=0, amount=0)


@pytest.mark.parametrize("amount", [Decimal("-20.00"), Decimal("0.00")])
def test_database_refuses_a_payment_event_of_nothing_or_less(placed_order, amount):
    paid = PaymentEventType.objects.get_or_create(code="paid", name="paid")[0]

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentEvent.objects.create(order=placed_order, amount=amount, event_type=paid)


@pytest.fixture
def money_rows(placed_order):
    """One valid row of every other model that carries an amount of money."""
    Invoice = get_model("invoicing", "Invoice")
    BankTransfer = get_model("invoicing", "BankTransfer")
    PurchaseRequest = get_model("organisations", "PurchaseRequest")
    StripeRefund = get_model("payment", "StripeRefund")
    today = datetime.date(2026, 3, 2)
    organisation = OrganisationFactory()
    attempt = PaymentAttempt.objects.create(
        basket=placed_order.basket,
        order_number="PA-1",
        amount=Decimal("29.90"),
        expires_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    invoice = Invoice.objects.create(
        number="FP-1",
        order=placed_order,
        organisation=organisation,
        amount=Decimal("29.90"),
        issued_on=today,
        due_on=today,
    )
    return {
        "payment attempt": attempt,
        "stripe refund": StripeRefund.objects.create(
            stripe_refund_id="re_1", attempt=attempt, amount=Decimal("1.00")
        ),
        "invoice": invoice,
        "bank transfer": BankTransfer.objects.create(
            invoice=invoice,
            bank_reference="B-1",
            amount=Decimal("29.90"),
            booked_on=today,
            source="manual",
        ),
        "purchase request": PurchaseRequest.objects.create(
            organisation=organisation,
            buyer=UserFactory(),
            basket=placed_order.basket,
            order_number="PR-1",
            amount=Decimal("29.90"),
            shipping_method_code="free",
        ),
    }


@pytest.mark.parametrize(
    "kind", ["payment attempt", "stripe refund", "invoice", "bank transfer", "purchase request"]
)
@pytest.mark.parametrize("amount", [Decimal("-20.00"), Decimal("0.00")])
def test_database_refuses_any_other_amount_of_nothing_or_less(money_rows, kind, amount):
    row = money_rows[kind]

    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(amount=amount)

    row.refresh_from_db()
    assert row.amount > 0


# --- (3) a basket with a line at a negative price cannot be paid --------------------------


@pytest.fixture
def negative_line(monkeypatch):
    """Honey at ¥29.90 and a product whose price comes out at ¥-20.00 (as a stock record
    saved at that price did before the database refused one): the basket totals ¥9.90."""
    bad = product_create(title="火普村土豆", price=Decimal("20.00"))
    honey = product_create(title="昭觉蜂蜜", price=Decimal("29.90"))
    bad_record = bad.stockrecords.get()
    pricing_policy = Marketplace.pricing_policy

    def priced(self, product, stockrecord):
        if stockrecord is not None and stockrecord.pk == bad_record.pk:
            return FixedPrice(currency="CNY", excl_tax=Decimal("-20.00"), tax=Decimal("0.00"))
        return pricing_policy(self, product, stockrecord)

    monkeypatch.setattr(Marketplace, "pricing_policy", priced)
    return bad, honey


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


def test_a_basket_with_a_negative_line_cannot_be_paid(stripe_fake, negative_line):
    customer = UserFactory()
    bad, honey = negative_line
    basket = basket_with(customer, [(bad, 1), (honey, 1)])
    assert basket.total_incl_tax == Decimal("9.90")

    with pytest.raises(CheckoutPriceInvalid):
        start_payment(customer, basket)

    assert not stripe_fake.calls_to("POST", "/v1/payment_intents")
    assert not PaymentAttempt.objects.exists()
    assert not Order.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not StockRecord.objects.filter(num_allocated__gt=0).exists()


def test_an_organisation_cannot_order_a_basket_with_a_negative_line(negative_line):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    bad, honey = negative_line

    with pytest.raises(OrganisationCheckoutError) as refused:
        organisation_checkout_submit(
            basket=basket_with(buyer, [(bad, 1), (honey, 1)]),
            user=buyer,
            organisation=organisation,
            shipping_address=ADDRESS,
            shipping_method_code="free-shipping",
        )

    assert "价格无效" in str(refused.value.message)
    assert not Order.objects.exists()
    assert not StockRecord.objects.filter(num_allocated__gt=0).exists()


# --- the income ledger never allocates a negative line ------------------------------------


class _NoScheme:
    def for_line(self, line, day):
        return None, {}


def test_ledger_refuses_a_settlement_naming_a_negative_line():
    day = datetime.date(2026, 6, 1)
    lines = {
        1: LineInfo(
            id=1, order_id=7, cooperative_id=1, product_id=1, quantity=1, price=Decimal("-20.00")
        ),
        2: LineInfo(
            id=2, order_id=7, cooperative_id=2, product_id=2, quantity=1, price=Decimal("29.90")
        ),
    }
    event = EventInfo(
        id=9,
        order_id=7,
        kind=SETTLEMENT,
        amount=Decimal("9.90"),
        day=day,
        quantities=((1, 1, Decimal("-20.00")), (2, 1, Decimal("29.90"))),
    )

    with pytest.raises(NegativeLineAmount):
        event_process(
            event=event,
            lines=lines,
            book=LedgerState(),
            fee_rate=Decimal("0"),
            benefits=_NoScheme(),
        )


# --- (4) a refused fact is a fault, not a replay -------------------------------------------


def _paid_event(order):
    """A paid event of `order` with every line, not yet announced (no facts written)."""
    event = PaymentEvent.objects.create(
        order=order,
        amount=order.total_incl_tax,
        event_type=PaymentEventType.objects.get_or_create(code="paid", name="paid")[0],
    )
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(
            event=event, line=line, quantity=line.quantity, amount=line.line_price_incl_tax
        )
    return event


def test_a_fact_the_database_refuses_is_not_taken_for_a_replay(placed_order, monkeypatch):
    # Given a settlement whose fact the database refuses (a sale with a negative amount
    # breaks fact_sign_matches_kind, as the ¥-20.00 line's fact did)
    event = _paid_event(placed_order)
    facts_for_event = facts_service.facts_for_event

    def refused_facts(**kwargs):
        facts = facts_for_event(**kwargs)
        for fact in facts:
            fact["amount"] = -fact["amount"]
        return facts

    monkeypatch.setattr(facts_service, "facts_for_event", refused_facts)

    # When its facts are written, the error reaches the task (which fails, visibly)
    with pytest.raises(IntegrityError):
        purchase_facts_record(payment_event_id=event.pk)
    assert not PurchaseFact.objects.exists()

    # And once the cause is gone, a retry writes the order's facts: nothing was dropped
    monkeypatch.setattr(facts_service, "facts_for_event", facts_for_event)
    written = purchase_facts_record(payment_event_id=event.pk)
    assert [fact.amount for fact in written] == [Decimal("29.90")]


def test_a_replayed_event_still_writes_nothing_more(placed_order):
    event = _paid_event(placed_order)
    first = purchase_facts_record(payment_event_id=event.pk)

    again = purchase_facts_record(payment_event_id=event.pk)

    assert [fact.pk for fact in again] == [fact.pk for fact in first]
    assert PurchaseFact.objects.count() == 1


# --- other amounts that enter by hand ------------------------------------------------------


@pytest.mark.parametrize("amount", ["-142.50", "0"])
def test_platform_finance_cannot_record_a_transfer_of_nothing_or_less(amount):
    from marketplace.invoicing.forms import PaymentRecordForm

    form = PaymentRecordForm(
        data={"amount": amount, "bank_reference": "B-1", "booked_on": "2026-06-01"}
    )

    assert not form.is_valid()
    assert "到账金额必须大于0元" in str(form.errors["amount"])


def test_a_refused_bank_transfer_is_not_reported_as_recorded_before(monkeypatch):
    # Given an invoice, and a database that refuses the transfer for another reason than
    # its bank reference being taken
    from marketplace.invoicing.models import BankTransfer
    from marketplace.invoicing.services import invoice_payment_record
    from tests.marketplace.organisations.builders import invoiced_order, tea_and_honey

    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()
    invoice = invoiced_order(organisation, member(organisation), [(tea, 2), (honey, 1)])

    def refused(**kwargs):
        raise IntegrityError("CHECK constraint failed: bank_transfer_amount")

    monkeypatch.setattr(BankTransfer.objects, "create", refused)

    # When finance records it, the fault goes up as it is (not "已登记过")
    with pytest.raises(IntegrityError):
        invoice_payment_record(
            invoice=invoice,
            actor=UserFactory(is_staff=True, is_superuser=True),
            amount="142.50",
            bank_reference="ICBC20260302001",
            booked_on=datetime.date(2026, 3, 2),
        )
    invoice.refresh_from_db()
    assert not invoice.is_paid


# --- Oscar's bulk price action -------------------------------------------------------------

SetProductPriceForm = get_class("dashboard.catalogue.forms", "SetProductPriceForm")
Product = get_model("catalogue", "Product")


def _bulk_price_form(user, product, **values):
    data = {
        "selected_products": [product.pk],
        "partners": [product.cooperative.partner.pk],
        **{name: str(value) for name, value in values.items()},
    }
    return SetProductPriceForm(
        data=data, products_queryset=Product.objects.filter(pk=product.pk), user=user
    )


@pytest.mark.parametrize(
    "values",
    [
        {"new_price": "0"},
        {"increase_by_amount": "-38.00"},
        {"increase_by_amount": "-100"},
        {"increase_by_percentage": "-100"},
    ],
)
def test_bulk_price_action_cannot_set_a_price_of_zero_or_below(values):
    # Given a cooperative's product at ¥38.00
    product = product_create(price=Decimal("38.00"))
    staff = cooperative_staff_create(cooperative=product.cooperative)

    # When its staff ask the bulk action for a price that ends at zero or below
    form = _bulk_price_form(staff, product, **values)

    # Then the form says why and nothing is written
    assert not form.is_valid()
    assert "价格必须大于0元" in str(form.errors)
    assert StockRecord.objects.get(product=product).price == Decimal("38.00")


def test_bulk_price_action_accepts_a_lower_price_above_zero():
    product = product_create(price=Decimal("38.00"))
    staff = cooperative_staff_create(cooperative=product.cooperative)

    form = _bulk_price_form(staff, product, increase_by_amount="-8.00")

    assert form.is_valid(), form.errors
