"""Reads of the customer's account: the copy of their own data a person may download
(PIPL art. 45, 个人信息的查阅、复制)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.organisations.models import Membership

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
UserAddress = get_model("address", "UserAddress")
Notification = get_model("communication", "Notification")

# The user's own profile fields, where the user model has them (a mobile number only once
# sign-in by mobile exists).
PROFILE_FIELDS = ("email", "first_name", "last_name", "nickname", "mobile", "phone_number")
ADDRESS_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "state",
    "line4",
    "line3",
    "line2",
    "line1",
    "postcode",
    "phone_number",
    "notes",
)
EXPORT_FORMAT = 1


def notifications_unread_count(*, user) -> int:
    """How many of the user's notifications are unread (one query)."""
    return Notification.objects.filter(recipient=user, date_read=None).count()


def _when(value) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _text(value) -> str:
    return "" if value is None else str(value)


def _address(address) -> dict | None:
    if address is None:
        return None
    data = {name: _text(getattr(address, name, "")) for name in ADDRESS_FIELDS}
    data["country"] = _text(getattr(address.country, "printable_name", ""))
    return data


def _profile(user) -> dict:
    fields = {field.name for field in user._meta.get_fields()}
    profile = {name: _text(getattr(user, name)) for name in PROFILE_FIELDS if name in fields}
    profile["full_name"] = user.get_full_name()
    profile["date_joined"] = _when(user.date_joined)
    profile["last_login"] = _when(user.last_login)
    try:
        # The public-ranking consent lives in the CMS (a higher layer): read by relation.
        profile["show_in_ranking"] = bool(user.public_participation.show_in_ranking)
    except (AttributeError, ObjectDoesNotExist):
        profile["show_in_ranking"] = False
    return profile


def _orders(user) -> list[dict]:
    orders = (
        Order.objects.filter(user=user)
        .select_related(
            "organisation",
            "shipping_address__country",
            "billing_address__country",
        )
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.select_related("cooperative").order_by("pk")),
            Prefetch(
                "payment_events",
                queryset=PaymentEvent.objects.select_related("event_type").order_by(
                    "date_created", "pk"
                ),
            ),
            "shipments",
        )
        .order_by("date_placed", "pk")
    )
    return [
        {
            "number": order.number,
            "date_placed": _when(order.date_placed),
            "status": order.status,
            "currency": order.currency,
            "total_incl_tax": str(order.total_incl_tax),
            "shipping_incl_tax": str(order.shipping_incl_tax),
            "shipping_method": order.shipping_method,
            "organisation": order.organisation.name if order.organisation else None,
            "guest_email": order.guest_email,
            "shipping_address": _address(order.shipping_address),
            "billing_address": _address(order.billing_address),
            "lines": [
                {
                    "title": line.title,
                    "cooperative": line.cooperative.legal_name
                    if line.cooperative
                    else line.partner_name,
                    "quantity": line.quantity,
                    "unit_price_incl_tax": _text(line.unit_price_incl_tax),
                    "line_price_incl_tax": str(line.line_price_incl_tax),
                    "status": line.status,
                }
                for line in order.lines.all()
            ],
            "payments": [
                {
                    "type": event.event_type.name,
                    "amount": str(event.amount),
                    "date": _when(event.date_created),
                }
                for event in order.payment_events.all()
            ],
            "shipments": [
                {
                    "state": str(shipment.get_state_display()),
                    "carrier": shipment.carrier,
                    "tracking_number": shipment.tracking_number,
                    "shipped_at": _when(shipment.shipped_at),
                    "delivered_at": _when(shipment.delivered_at),
                }
                for shipment in order.shipments.all()
            ],
        }
        for order in orders
    ]


def user_data_export(*, user) -> dict:
    """Everything the store keeps about `user` that is theirs to read: profile, address
    book, orders (lines, money, addresses, payments, shipments) and organisation
    memberships. Only rows of this user; plain JSON-ready values (money as strings)."""
    addresses = UserAddress.objects.filter(user=user).select_related("country").order_by("pk")
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "profile": _profile(user),
        "addresses": [_address(address) for address in addresses],
        "orders": _orders(user),
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": str(membership.get_role_display()),
                "state": str(membership.get_state_display()),
                "requested_at": _when(membership.requested_at),
                "decided_at": _when(membership.decided_at),
            }
            for membership in memberships
        ],
    }
