"""The recently viewed products under a product page, from Oscar's history cookie."""

from oscar.core.loading import get_class

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")

# Oscar shows up to this many recommended and recently viewed products under a product.
RELATED_PRODUCTS_SHOWN = 6


def recently_viewed_ids(request, *, product_id: int) -> list[int]:
    """Ids of the products this visitor viewed before, newest first, without this one."""
    viewed = CustomerHistoryManager.extract(request)
    return [pk for pk in reversed(viewed) if pk != product_id][:RELATED_PRODUCTS_SHOWN]


def history_with(request, *, product_id: int) -> list[int]:
    """The history cookie's ids once this product has been viewed (as Oscar writes it)."""
    return CustomerHistoryManager.add(CustomerHistoryManager.extract(request), product_id)
