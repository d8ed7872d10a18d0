"""The customer's address book: the address an order was shipped to is kept, so that the
next checkout offers it."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from oscar.core.loading import get_model

UserAddress = get_model("address", "UserAddress")


def address_book_record(*, user, shipping_address) -> UserAddress | None:
    """Keep `shipping_address` (an order's) in `user`'s address book: the same address
    (same recipient, province, city, district, street and postcode) is counted once more and
    takes the latest mobile number; a new one is added, and is the default for shipping if the
    customer has none. Nothing for a guest or an order without an address."""
    if user is None or not user.is_authenticated or shipping_address is None:
        return None
    address_hash = shipping_address.generate_hash()
    # The same address and the default one, in one query.
    known = list(
        UserAddress.objects.filter(user=user).filter(
            Q(hash=address_hash) | Q(is_default_for_shipping=True)
        )
    )
    saved = next((address for address in known if address.hash == address_hash), None)
    if saved is None:
        saved = UserAddress(user=user)
        shipping_address.populate_alternative_model(saved)
        saved.is_default_for_shipping = not any(a.is_default_for_shipping for a in known)
        try:
            with transaction.atomic():
                saved.num_orders_as_shipping_address = 1
                saved.save()
            return saved
        except IntegrityError:  # the same address saved by a concurrent order
            saved = UserAddress.objects.get(user=user, hash=address_hash)
    saved.num_orders_as_shipping_address += 1
    if shipping_address.phone_number:
        saved.phone_number = shipping_address.phone_number
    saved.save()
    return saved
