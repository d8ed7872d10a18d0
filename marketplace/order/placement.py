"""From a basket to an order, for every way of paying: a card payment (the order is placed
when Stripe reports success, the units having been held on the pay page), an organisation's
purchase paid by transfer against an invoice (placed at once, or on approval, with its units
allocated in the same transaction), and the demo's history.

Stock is allocated in one place, `stock_allocate`: one conditional UPDATE per stock record
(StockRecord.allocate), never read-then-written, records in primary-key order."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_class, get_model

from marketplace.catalogue.selectors import basket_lines_load

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
OscarOrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Repository = get_class("shipping.repository", "Repository")
Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")


class OrderCreator(OscarOrderCreator):
    def place_order(
        self,
        basket,
        total,
        shipping_method,
        shipping_charge,
        user=None,
        shipping_address=None,
        billing_address=None,
        order_number=None,
        status=None,
        request=None,
        surcharges=None,
        **kwargs,
    ):
        """Oscar's place_order, but an order number already taken is found by the order's
        INSERT (the number is unique in the table) instead of a query before it: the same
        ValueError, with nothing written. The rest is Oscar's, step for step."""
        self.lines_created = []
        if basket.is_empty:
            raise ValueError(_("Empty baskets cannot be submitted"))
        if not order_number:
            order_number = OrderNumberGenerator().order_number(basket)
        if not status and hasattr(settings, "OSCAR_INITIAL_ORDER_STATUS"):
            status = settings.OSCAR_INITIAL_ORDER_STATUS
        try:
            with transaction.atomic():
                kwargs["surcharges"] = surcharges
                order = self.create_order_model(
                    user,
                    basket,
                    shipping_address,
                    shipping_method,
                    shipping_charge,
                    billing_address,
                    total,
                    order_number,
                    status,
                    request,
                    **kwargs,
                )
                self._order_contents_create(order, basket, user, shipping_method)
        except IntegrityError as exc:
            # Rolled back to before the order; the enclosing transaction goes on.
            if Order._default_manager.filter(number=order_number).exists():
                raise ValueError(
                    _("There is already an order with number %s") % order_number
                ) from exc
            raise
        order_placed.send(sender=self, order=order, user=user)
        # The lines just written, in primary-key order: recording the payment takes them
        # instead of reading them back.
        order.placed_lines = sorted(self.lines_created, key=lambda line: line.pk)
        return order

    def _order_contents_create(self, order, basket, user, shipping_method):
        # Oscar's place_order after the order's row: vouchers, discounts, lines, stock.
        for voucher in basket.vouchers.select_for_update():
            if not voucher.is_active():  # basket ignores inactive vouchers
                basket.vouchers.remove(voucher)
            else:
                available_to_user, msg = voucher.is_available_to_user(user=user)
                if not available_to_user:
                    raise ValueError(msg)
        for application in basket.offer_applications:
            application["message"] = application["offer"].apply_deferred_benefit(
                basket, order, application
            )
            if application["result"].affects_shipping:
                shipping_discount = shipping_method.discount(basket)
                if shipping_discount <= Decimal("0.00"):
                    continue  # Oscar skips zero shipping discounts
                application["discount"] = shipping_discount
            self.create_discount_model(order, application)
            self.record_discount(application)
        for voucher in basket.vouchers.all():
            self.record_voucher_usage(order, voucher, user)
        # In basket order, so that the lines' keys keep the order the customer saw.
        for line in basket.all_lines():
            self.create_line_models(order, line)
        # Oscar's stock step, in stock-record order (update_stock_records: none here).
        for line in sorted(basket.all_lines(), key=lambda line: line.stockrecord_id):
            self.update_stock_records(line)

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        # Every line keeps its own cooperative (a basket mixes several).
        fields = dict(extra_line_fields or {})
        fields["cooperative_id"] = basket_line.stockrecord.partner.cooperative_id
        line = super().create_line_models(order, basket_line, fields)
        self.lines_created.append(line)
        return line

    def update_stock_records(self, line):
        # Oscar allocates here, unconditionally; the units were allocated before, by
        # stock_allocate (on the pay page for a card, just before this for an organisation).
        pass


def stock_allocate(*, basket) -> list[tuple]:
    """Allocate every basket line's units; returns (stock record, units) pairs. Stock records
    are taken in primary-key order (concurrent checkouts cannot deadlock), each by the
    conditional UPDATE that raises partner.models.SoldOut (stock is never sold twice,
    invariant 5); the caller's transaction then rolls back the units already allocated."""
    quantities: dict[int, int] = defaultdict(int)
    stockrecords = {}
    for line in basket_lines_load(basket=basket, images=False):
        quantities[line.stockrecord_id] += line.quantity
        stockrecord = stockrecords.setdefault(line.stockrecord_id, line.stockrecord)
        if stockrecord.product_id == line.product_id:
            # Loaded with the line: its class (whether stock is tracked) and the stock
            # records the product alerts read after the allocation, without asking again.
            stockrecord.product = line.product
    allocated = []
    for stockrecord_id in sorted(quantities):
        stockrecord = stockrecords[stockrecord_id]
        stockrecord.allocate(quantities[stockrecord_id])
        allocated.append((stockrecord, quantities[stockrecord_id]))
    return allocated


def basket_prepare(*, basket, user):
    """Prices and offers as `user` sees them (a basket loaded outside a request has none)."""
    basket.strategy = Selector().strategy(user=user)
    # Every line's product, class, cooperative, partner and certificate at once, before
    # offers, shipping and the strategy read them line by line; the vouchers once for the
    # offers and the order's voucher usage (Oscar asks twice; it still locks them).
    basket_lines_load(basket=basket, images=False)  # no page shows them
    if basket.id is not None:
        prefetch_related_objects([basket], "vouchers")
    Applicator().apply(basket, user, None)
    return basket


def shipping_method_for(*, basket, user, shipping_address, code: str):
    """The shipping method chosen in checkout. Shipping per cooperative plugs in here
    through the shipping app's Repository (Oscar's default: free shipping)."""
    methods = Repository().get_shipping_methods(
        basket=basket, user=user, shipping_addr=shipping_address
    )
    for method in methods:
        if method.code == code:
            return method
    return methods[0]


ADDRESS_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "line1",
    "line2",
    "line3",
    "line4",
    "state",
    "postcode",
    "country_id",
    "phone_number",
    "notes",
)


def address_as_dict(address) -> dict:
    """An unsaved shipping address as JSON, kept on the payment attempt or purchase request
    until the order is placed (order_totals rebuilds it)."""
    if address is None:
        return {}
    return {field: str(getattr(address, field) or "") for field in ADDRESS_FIELDS}


@dataclass(frozen=True)
class OrderTotals:
    address: object  # an unsaved ShippingAddress, or None
    method: object
    charge: object
    total: object  # Oscar's Price: incl_tax is what the buyer pays

    @property
    def amount(self) -> Decimal:
        return self.total.incl_tax


def order_totals(*, basket, user, shipping_address: dict, shipping_method_code: str):
    """The shipping and the total of a prepared basket (basket_prepare)."""
    address = ShippingAddress(**shipping_address) if shipping_address else None
    method = shipping_method_for(
        basket=basket, user=user, shipping_address=address, code=shipping_method_code
    )
    charge = method.calculate(basket)
    return OrderTotals(
        address=address,
        method=method,
        charge=charge,
        total=OrderTotalCalculator().calculate(basket, charge),
    )


def order_create_from_basket(
    *,
    basket,
    user,
    shipping_address: dict,
    shipping_method_code: str,
    order_number: str,
    allocate_stock: bool = False,
    totals_check: Callable[..., None] | None = None,
    **order_fields,
):
    """Turn `basket` into an order (number, totals, shipping, lines with their cooperative)
    and submit the basket. With `allocate_stock` the units are allocated here (raises
    SoldOut); without, they were allocated before (a card payment's hold) or not at all (the
    demo's history). `totals_check(basket=…, totals=…)` sees the totals before anything is
    written, and may raise. `order_fields` are the marketplace's own order fields. Call it
    inside a transaction."""
    basket_prepare(basket=basket, user=user)
    if allocate_stock:
        stock_allocate(basket=basket)
    totals = order_totals(
        basket=basket,
        user=user,
        shipping_address=shipping_address,
        shipping_method_code=shipping_method_code,
    )
    if totals_check is not None:
        totals_check(basket=basket, totals=totals)
    if totals.address is not None:
        totals.address.save()
    order = OrderCreator().place_order(
        basket=basket,
        total=totals.total,
        shipping_method=totals.method,
        shipping_charge=totals.charge,
        user=user,
        shipping_address=totals.address,
        order_number=str(order_number),
        **order_fields,
    )
    basket.submit()
    return order
