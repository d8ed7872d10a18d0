"""A person deletes their account (PIPL art. 47, 删除个人信息).

The account is not removed: orders, their lines, payment events, the income ledger and the
purchase facts refer to it and must stay as they are (they are the store's and the
households' records, and evaluation counts them). What identifies the person is replaced or
removed instead: name, e-mail (an unusable unique placeholder), mobile number and nickname;
the password becomes unusable and the account inactive; the address book, e-mail copies,
notifications, product alerts, wish lists, the sign-in records that name the account's
e-mail or number (django-axes) and the SMS codes sent to its number are deleted; the
recipient, phone and street of their orders' addresses are blanked (province and city
stay: a purchase's region is read from them). Approved organisation memberships stay as the
record the attribution of past purchases rests on (an inactive account can do nothing with
them); pending requests are withdrawn. The CMS withdraws the public-ranking consent on
`user_account_deleted`."""

import secrets

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext as _
from oscar.core.compat import get_user_model
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.organisations.models import Membership, PurchaseRequest
from marketplace.payment.models import PaymentAttempt, StripeRefund
from marketplace.users.models import MobileCode
from marketplace.users.roles import CONSUMER, INSTITUTIONAL_BUYER
from producers.services.audit import audit_record

User = get_user_model()
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")
UserAddress = get_model("address", "UserAddress")
Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")
ProductAlert = get_model("customer", "ProductAlert")
WishList = get_model("wishlists", "WishList")

# Sent inside the deletion's transaction, with `user` (already anonymised).
user_account_deleted = Signal()

DELETED_NAME = "已注销用户"  # stored data, shown wherever the account's name is shown
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: never delivers
# User fields holding a mobile number, where the model has one.
MOBILE_FIELDS = ("mobile", "phone_number")
# Keys of an address kept as JSON (payment attempts, purchase requests) that name a person.
PERSON_KEYS = ("title", "first_name", "last_name", "phone_number")
STREET_KEYS = ("line1", "line2", "notes")
SELF_SERVICE_ROLES = {CONSUMER.code, INSTITUTIONAL_BUYER.code}


class AccountDeletionRefused(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def account_deletion_blocker(*, user) -> str | None:
    """Why `user` may not delete their account now (a sentence to show them), or None."""
    if user.is_staff or user.is_superuser:
        return _("平台工作人员账户不能自行注销，请联系平台管理员处理。")
    if set(user.groups.values_list("name", flat=True)) - SELF_SERVICE_ROLES:
        return _(
            "工作人员账户（合作社、县扶贫办、考核评估、编辑等）不能自行注销，请联系平台管理员处理。"
        )
    for membership in Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN, state=Membership.State.APPROVED
    ).select_related("organisation"):
        others = (
            Membership.objects.filter(
                organisation_id=membership.organisation_id,
                role=Membership.Role.ADMIN,
                state=Membership.State.APPROVED,
                user__is_active=True,
            )
            .exclude(user=user)
            .exists()
        )
        if not others:
            return _(
                "您是“%(organisation)s”唯一的单位管理员。请先让另一位成员成为单位管理员，再注销账户。"
            ) % {"organisation": membership.organisation.name}
    awaiting = (
        PaymentAttempt.objects.filter(user=user, state=PaymentAttempt.State.PENDING)
        .values_list("order_number", flat=True)
        .first()
    )
    if awaiting is not None:
        return _(
            "您的订单 %(number)s 正在等待支付。请先完成支付，或等待其超时取消后，再注销账户。"
        ) % {"number": awaiting}
    refunding = (
        StripeRefund.objects.filter(state=StripeRefund.State.PENDING)
        .filter(Q(attempt__user=user) | Q(attempt__order__user=user))
        .values_list("attempt__order_number", flat=True)
        .first()
    )
    if refunding is not None:
        return _("订单 %(number)s 的退款正在处理中。请在退款完成后再注销账户。") % {
            "number": refunding
        }
    requested = (
        PurchaseRequest.objects.filter(buyer=user, state=PurchaseRequest.State.PENDING)
        .values_list("order_number", flat=True)
        .first()
    )
    if requested is not None:
        return _("您提交的采购申请 %(number)s 正在等待审批。请在审批完成或撤回后再注销账户。") % {
            "number": requested
        }
    return None


def _blank(*, obj, names) -> None:
    for name in names:
        field = obj._meta.get_field(name)
        setattr(obj, name, None if field.null else "")


def _address_anonymise(*, address, street: bool) -> None:
    """Blank who received an order (and, for a person's own order, the street); province,
    city, district and postcode stay. save() rebuilds Oscar's search_text from what is left."""
    names = [n for n in ("title", "first_name", "phone_number") if hasattr(address, n)]
    _blank(obj=address, names=names)
    address.last_name = DELETED_NAME
    if street:
        _blank(obj=address, names=[n for n in STREET_KEYS if hasattr(address, n)])
    address.save()


def _json_address_anonymise(data: dict, *, street: bool) -> dict:
    data = dict(data or {})
    for key in PERSON_KEYS + (STREET_KEYS if street else ()):
        if key in data:
            data[key] = ""
    if "last_name" in data:
        data["last_name"] = DELETED_NAME
    return data


def _orders_anonymise(*, user) -> int:
    orders = list(
        Order.objects.filter(user=user).select_related("shipping_address", "billing_address")
    )
    for order in orders:
        # An organisation's order was delivered to the organisation: its street is the
        # organisation's, kept for its procurement records; the person's name goes.
        personal = order.organisation_id is None
        if order.shipping_address is not None:
            _address_anonymise(address=order.shipping_address, street=personal)
        if order.billing_address is not None:
            _address_anonymise(address=order.billing_address, street=personal)
        if order.guest_email:
            Order.objects.filter(pk=order.pk).update(guest_email="")
    for attempt in PaymentAttempt.objects.filter(user=user).exclude(shipping_address={}):
        attempt.shipping_address = _json_address_anonymise(attempt.shipping_address, street=True)
        attempt.save(update_fields=["shipping_address", "updated_at"])
    for request in PurchaseRequest.objects.filter(buyer=user).exclude(shipping_address={}):
        request.shipping_address = _json_address_anonymise(request.shipping_address, street=False)
        request.save(update_fields=["shipping_address"])
    return len(orders)


@retry_on_serialization_failure
def _sign_in_records_delete(*, user) -> None:
    """django-axes logs each sign-in with what was typed as the username, and the SMS codes
    name the number: both would still tie the person to the account."""
    names = Q(pk__in=[])
    for identifier in filter(None, (user.email, getattr(user, "mobile", None))):
        names |= Q(username__iexact=identifier)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(names).delete()
    if getattr(user, "mobile", None):
        MobileCode.objects.filter(mobile=user.mobile).delete()


def user_account_delete(*, user) -> None:
    """Anonymise `user`'s account as described above, or raise AccountDeletionRefused with
    the reason (awaiting payment, refund open, pending purchase request, staff account,
    last organisation admin). Orders, payments, ledger and facts are not touched."""
    with transaction.atomic():
        user = User._default_manager.select_for_update().get(pk=user.pk)
        reason = account_deletion_blocker(user=user)
        if reason is not None:
            raise AccountDeletionRefused(reason)

        orders = _orders_anonymise(user=user)
        _sign_in_records_delete(user=user)
        addresses, _details = UserAddress.objects.filter(user=user).delete()
        Email.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        ProductAlert.objects.filter(user=user).delete()
        WishList.objects.filter(owner=user).delete()
        Membership.objects.filter(user=user, state=Membership.State.REQUESTED).delete()

        user.email = f"deleted-{user.pk}-{secrets.token_hex(6)}@{DELETED_EMAIL_DOMAIN}"
        user.first_name = ""
        user.last_name = DELETED_NAME
        user.nickname = ""
        field_names = {field.name for field in User._meta.get_fields()}
        _blank(obj=user, names=[name for name in MOBILE_FIELDS if name in field_names])
        user.set_unusable_password()
        user.is_active = False
        user.registration_pending = False
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=SELF_SERVICE_ROLES))

        user_account_deleted.send(sender=User, user=user)
        # What was done, never what it was: no name, address or e-mail in the entry.
        audit_record(
            actor=user,
            action="user.account_delete",
            target=user,
            orders_anonymised=orders,
            addresses_deleted=addresses,
        )
