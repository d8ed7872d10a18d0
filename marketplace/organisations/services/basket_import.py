"""Bulk basket: a CSV of SKU (the cooperative's partner SKU or the product's UPC) and
quantity. Every bad row is reported with its line number (the header is line 1) and a
file with any bad row adds nothing. UTF-8 (with or without BOM) and GBK are accepted.

A file holds at most settings.BASKET_IMPORT_MAX_ROWS rows; a longer one is refused whole.
Whatever the number of rows, the import costs a fixed number of queries: the products of
every SKU with what the strategy reads are loaded at once, and the basket's lines are
written in one insert and one update."""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.catalogue.selectors import basket_lines_prefetch

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
Line = get_model("basket", "Line")

BASKET_COLUMNS = (
    Column("sku", "商品编码", ("SKU", "货号", "商品条码", "UPC", "partner_sku")),
    Column("quantity", "数量", ("采购数量", "qty")),
)
MAX_QUANTITY = 9999
DEFAULT_MAX_ROWS = 500


def basket_import_max_rows() -> int:
    return getattr(settings, "BASKET_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _stockrecords_by_sku(skus: set[str]) -> dict[str, object]:
    """The stock record of every SKU found, its product loaded with everything the
    strategy reads (class, stock records, cooperative, certificate in force): a fixed
    number of queries however many SKUs."""
    skus.discard("")
    if not skus:
        return {}
    found = {}
    records = list(
        StockRecord.objects.select_related("product", "partner").filter(
            Q(partner_sku__in=skus) | Q(product__upc__in=skus)
        )
    )
    # One instance per product, so that its prefetched relations are loaded once.
    products = {}
    for record in records:
        record.product = products.setdefault(record.product_id, record.product)
    basket_lines_prefetch(lines=[Line(product=product) for product in products.values()])
    for record in records:
        for key in (record.partner_sku, record.product.upc):
            if key in skus:
                found.setdefault(key, record)
    return found


def _lines_write(*, basket, additions: dict) -> None:
    """Add {product: (stock info, quantity)} to `basket` as Oscar's add_product would (one
    line per product and stock record), in one update and one insert."""
    if not basket.can_be_edited:
        raise PermissionDenied
    if not basket.id:
        basket.save()
    existing = {line.line_reference: line for line in basket.all_lines()}
    updated, created = [], []
    for product, (info, quantity) in additions.items():
        reference = basket._create_line_reference(product, info.stockrecord, [])
        line = existing.get(reference)
        if line is not None:
            line.quantity += quantity
            updated.append(line)
            continue
        created.append(
            Line(
                basket=basket,
                line_reference=reference,
                product=product,
                stockrecord=info.stockrecord,
                quantity=quantity,
                price_currency=info.price.currency,
                price_excl_tax=info.price.excl_tax,
                price_incl_tax=info.price.incl_tax if info.price.is_tax_known else None,
                tax_code=info.price.tax_code,
            )
        )
    with transaction.atomic():
        if updated:
            Line.objects.bulk_update(updated, ["quantity"])
        if created:
            Line.objects.bulk_create(created)
    basket.reset_offer_applications()


def basket_lines_import(*, basket, file) -> ImportResult:
    """Add every row's product and quantity to `basket` (whose strategy is set), or nothing."""
    result = ImportResult()
    rows = _read_rows(_read_text(file), BASKET_COLUMNS, result)
    if rows is None:
        return result
    limit = basket_import_max_rows()
    count = len(rows) + len(result.errors)
    if count > limit:
        result.errors = [
            RowError(
                1,
                _("文件有%(count)d行商品，一次最多导入%(limit)d行。请分成几个文件分批上传。")
                % {"count": count, "limit": limit},
            )
        ]
        return result
    records = _stockrecords_by_sku({row.values.get("sku", "") for row in rows})
    wanted: dict[int, int] = defaultdict(int)
    for line in basket.all_lines():
        wanted[line.product_id] += line.quantity
    additions: dict = {}
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
        _info, added = additions.get(product, (info, 0))
        additions[product] = (info, added + quantity)
    if result.errors:
        return result
    _lines_write(basket=basket, additions=additions)
    result.created = len(additions)
    return result


def basket_import_template() -> str:
    return ",".join(column.label for column in BASKET_COLUMNS) + "\r\n"
