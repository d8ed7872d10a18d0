"""Bulk basket: a CSV of SKU (the cooperative's partner SKU or the product's UPC) and
quantity. Every bad row is reported with its line number (the header is line 1) and a
file with any bad row adds nothing. UTF-8 (with or without BOM) and GBK are accepted."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

# The producers' CSV reader already handles encodings, headers and row numbering the way
# every import on the platform reports them; its helpers are reused, not copied.
from producers.services.imports import (
    Column,
    ImportResult,
    RowError,
    _integer,
    _Invalid,
    _read_rows,
    _read_text,
)

StockRecord = get_model("partner", "StockRecord")

BASKET_COLUMNS = (
    Column("sku", "商品编码", ("SKU", "货号", "商品条码", "UPC", "partner_sku")),
    Column("quantity", "数量", ("采购数量", "qty")),
)
MAX_QUANTITY = 9999


def _stockrecords_by_sku(skus: set[str]) -> dict[str, object]:
    found = {}
    records = StockRecord.objects.select_related("product", "partner").filter(
        Q(partner_sku__in=skus) | Q(product__upc__in=skus)
    )
    for record in records:
        for key in (record.partner_sku, record.product.upc):
            if key in skus:
                found.setdefault(key, record)
    return found


def basket_lines_import(*, basket, file) -> ImportResult:
    """Add every row's product and quantity to `basket` (whose strategy is set), or nothing."""
    result = ImportResult()
    rows = _read_rows(_read_text(file), BASKET_COLUMNS, result)
    if rows is None:
        return result
    records = _stockrecords_by_sku({row.values.get("sku", "") for row in rows})
    wanted: dict[int, int] = defaultdict(int)
    for line in basket.all_lines():
        wanted[line.product_id] += line.quantity
    additions = []
    for row in rows:
        sku = row.values.get("sku", "")
        try:
            quantity = _integer(
                row.values.get("quantity", ""), _("数量"), minimum=1, maximum=MAX_QUANTITY
            )
        except _Invalid as exc:
            result.errors.append(RowError(row.line, str(exc)))
            quantity = None
        if not sku:
            result.errors.append(RowError(row.line, _("商品编码不能为空。")))
            continue
        record = records.get(sku)
        if record is None:
            result.errors.append(RowError(row.line, _("找不到商品编码“%(sku)s”。") % {"sku": sku}))
            continue
        if quantity is None:
            continue
        product = record.product
        wanted[product.pk] += quantity
        info = basket.strategy.fetch_for_product(product)
        permitted, reason = info.availability.is_purchase_permitted(wanted[product.pk])
        if not permitted:
            result.errors.append(
                RowError(
                    row.line,
                    _("“%(title)s”无法购买%(quantity)d件：%(reason)s")
                    % {
                        "title": product.get_title(),
                        "quantity": wanted[product.pk],
                        "reason": reason,
                    },
                )
            )
            continue
        additions.append((product, quantity))
    if result.errors:
        return result
    with transaction.atomic():
        for product, quantity in additions:
            basket.add_product(product, quantity)
    result.created = len(additions)
    return result


def basket_import_template() -> str:
    return ",".join(column.label for column in BASKET_COLUMNS) + "\r\n"
