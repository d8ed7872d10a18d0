"""Each PaymentEventQuantity carries the money its event moves for its line, after
discounts (see marketplace/payment/events.py).

Existing rows are filled in with the store's rule (marketplace.order.selectors.
line_units_value, copied here as a migration must not import code that may change): units
k+1 … k+n of a line are worth round(price × (k+n) / quantity) − round(price × k /
quantity), to the fen, half up, so that every split of a line adds up to its price.
Refunds made in Stripe's dashboard (events without quantities) get one amount-only row per
line, split by what was left to refund on each line, the last line taking the remainder.

Migration 0027's hand-written CHECK (and SQLite triggers) give way to a normal
CheckConstraint, which Django keeps on SQLite's table rebuilds too."""

from decimal import Decimal

from django.db import migrations, models

TABLE = "order_paymenteventquantity"
OLD = "payment_event_quantity_positive"


def _value_fen(price_fen: int, quantity: int, units: int) -> int:
    if units >= quantity:
        return price_fen
    return (2 * price_fen * units + quantity) // (2 * quantity)


def _units_fen(line, units: int, already: int) -> int:
    price_fen = int(line.line_price_incl_tax.scaleb(2))
    return _value_fen(price_fen, line.quantity, already + units) - _value_fen(
        price_fen, line.quantity, already
    )


def _split_fen(total: int, weights: list[int]) -> list[int]:
    # Cumulative rounding in line order, as marketplace.payment.services.settlement.
    # refund_amount_split: the last line takes the remainder.
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    parts, cumulative, given = [], 0, 0
    for weight in weights:
        cumulative += weight
        share = (2 * total * cumulative + weight_sum) // (2 * weight_sum)
        parts.append(share - given)
        given = share
    return parts


def old_check_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {OLD}")
    elif vendor == "sqlite":
        for operation in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD}_{operation}")


def old_check_restore(apps, schema_editor):
    """Undone: before this migration a refund made in Stripe's dashboard had no rows (the
    backfill above makes them again from the event's amount), and 0027's CHECK held."""
    PaymentEventQuantity = apps.get_model("order", "PaymentEventQuantity")
    PaymentEventQuantity.objects.filter(quantity=0).delete()
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {OLD} CHECK (quantity > 0)")
    elif vendor == "sqlite":
        for operation in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {OLD}_{operation.lower()} BEFORE {operation} ON {TABLE} "
                f"WHEN NEW.quantity <= 0 BEGIN "
                f"SELECT RAISE(ABORT, 'CHECK constraint failed: {OLD}'); END"
            )


def backfill(apps, schema_editor):
    PaymentEvent = apps.get_model("order", "PaymentEvent")
    PaymentEventQuantity = apps.get_model("order", "PaymentEventQuantity")
    Line = apps.get_model("order", "Line")
    order_ids = (
        PaymentEvent.objects.values_list("order_id", flat=True).distinct().order_by("order_id")
    )
    for order_id in order_ids.iterator():
        lines = {line.pk: line for line in Line.objects.filter(order_id=order_id)}
        refunded_units = dict.fromkeys(lines, 0)
        refunded_fen = dict.fromkeys(lines, 0)
        events = PaymentEvent.objects.filter(order_id=order_id).select_related("event_type")
        for event in events.order_by("date_created", "pk"):
            rows = list(PaymentEventQuantity.objects.filter(event=event).order_by("line_id"))
            is_refund = event.event_type.code == "refund"
            if not rows and is_refund:
                price = {pk: int(line.line_price_incl_tax.scaleb(2)) for pk, line in lines.items()}
                left = {pk: price[pk] - refunded_fen[pk] for pk in sorted(lines)}
                left = {pk: fen for pk, fen in left.items() if fen > 0} or {
                    pk: price[pk] for pk in sorted(lines)
                }
                parts = _split_fen(int(event.amount.scaleb(2)), list(left.values()))
                PaymentEventQuantity.objects.bulk_create(
                    PaymentEventQuantity(
                        event=event, line_id=pk, quantity=0, amount=Decimal(fen).scaleb(-2)
                    )
                    for pk, fen in zip(left, parts, strict=True)
                    if fen > 0
                )
                for pk, fen in zip(left, parts, strict=True):
                    refunded_fen[pk] += fen
                continue
            for row in rows:
                line = lines[row.line_id]
                already = refunded_units[row.line_id] if is_refund else 0
                fen = _units_fen(line, row.quantity, already)
                if is_refund:
                    refunded_units[row.line_id] += row.quantity
                    refunded_fen[row.line_id] += fen
                row.amount = Decimal(fen).scaleb(-2)
                row.save(update_fields=["amount"])
    # (No schema editor when a test calls the backfill on its own.)
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # The amount-only rows' foreign keys are checked at commit (deferred): a table with
        # pending checks cannot be altered, and the next operation alters it.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("order", "0028_payment_event_amount_positive"),
    ]

    operations = [
        migrations.RunPython(old_check_drop, old_check_restore, elidable=False),
        migrations.AddField(
            model_name="paymenteventquantity",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                help_text="该笔支付或退款中本行的金额（折后）。",
                max_digits=12,
                verbose_name="金额",
                null=True,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="paymenteventquantity",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                help_text="该笔支付或退款中本行的金额（折后）。",
                max_digits=12,
                verbose_name="金额",
            ),
        ),
        migrations.AddConstraint(
            model_name="paymenteventquantity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount__gte", 0),
                    ("quantity__gte", 0),
                    models.Q(("quantity__gt", 0), ("amount__gt", 0), _connector="OR"),
                ),
                name="payment_event_quantity_moves_something",
                violation_error_message="支付或退款的订单行必须有数量或金额。",
            ),
        ),
    ]
