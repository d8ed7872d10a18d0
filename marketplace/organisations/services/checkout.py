"""Buying for an organisation: the order is placed and its stock allocated without a card
payment; the organisation pays on invoice after acceptance (marketplace.invoicing). Orders
above settings.ORGANISATION_APPROVAL_THRESHOLD wait for an approver first."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class, get_model

from core.transactions import retry_on_serialization_failure
from marketplace.order.placement import (
    OrderTotals,
    basket_prepare,
    order_create_from_basket,
    order_totals,
)
from marketplace.partner.models import SoldOut
from marketplace.partner.prices import basket_amounts_valid

from ..access import can_approve, can_buy
from ..models import Organisation, PurchaseRequest

Basket = get_model("basket", "Basket")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")


class OrganisationCheckoutError(Exception):
    """A purchase that cannot go on; `message` is for the buyer."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class ApprovalError(OrganisationCheckoutError):
    pass


def approval_threshold() -> Decimal:
    return Decimal(settings.ORGANISATION_APPROVAL_THRESHOLD)


def _amounts_check(*, basket, totals: OrderTotals) -> None:
    # A line at zero or below would be invoiced less than the other lines are worth.
    if not basket_amounts_valid(basket=basket, total=totals.amount):
        raise OrganisationCheckoutError(_("购物车中有价格无效的商品，订单未提交，请联系平台客服。"))


def organisation_order_place(
    *,
    basket,
    user,
    organisation: Organisation,
    shipping_address: dict,
    shipping_method_code: str,
    order_number: str,
):
    """Place the order for `organisation` and allocate its stock, in one transaction. A
    sold-out line raises OrganisationCheckoutError and nothing is placed or allocated."""
    if basket.is_empty:
        raise OrganisationCheckoutError(_("购物车是空的。"))
    try:
        with transaction.atomic():
            return order_create_from_basket(
                basket=basket,
                user=user,
                organisation_id=organisation.pk,
                shipping_address=shipping_address,
                shipping_method_code=shipping_method_code,
                order_number=order_number,
                allocate_stock=True,
                totals_check=_amounts_check,
            )
    except SoldOut as exc:
        raise OrganisationCheckoutError(
            _("很抱歉，“%(title)s”库存不足，订单未提交，请调整数量后重试。")
            % {"title": exc.stockrecord.product.get_title()}
        ) from exc


def organisation_checkout_submit(
    *,
    basket,
    user,
    organisation: Organisation,
    shipping_address: dict,
    shipping_method_code: str,
):
    """The buyer submits the basket for the organisation. Up to the approval threshold the
    order is placed at once (returns the Order); above it, a PurchaseRequest waits for an
    approver and the basket is frozen until then (returns the PurchaseRequest)."""
    if not can_buy(user=user, organisation=organisation):
        raise PermissionDenied
    basket_prepare(basket=basket, user=user)
    if basket.is_empty:
        raise OrganisationCheckoutError(_("购物车是空的。"))
    totals = order_totals(
        basket=basket,
        user=user,
        shipping_address=shipping_address,
        shipping_method_code=shipping_method_code,
    )
    _amounts_check(basket=basket, totals=totals)
    order_number = OrderNumberGenerator().order_number(basket)
    if totals.amount <= approval_threshold():
        return organisation_order_place(
            basket=basket,
            user=user,
            organisation=organisation,
            shipping_address=shipping_address,
            shipping_method_code=totals.method.code,
            order_number=order_number,
        )
    with transaction.atomic():
        request = PurchaseRequest.objects.create(
            organisation=organisation,
            buyer=user,
            basket=basket,
            order_number=str(order_number),
            amount=totals.amount,
            shipping_address=shipping_address,
            shipping_method_code=totals.method.code,
        )
        basket.freeze()
    return request


def _pending_request(pk: int) -> PurchaseRequest:
    request = PurchaseRequest.objects.select_for_update().get(pk=pk)
    if request.state != PurchaseRequest.State.PENDING:
        raise ApprovalError(_("该采购申请已处理。"))
    return request


def _approver_check(*, request: PurchaseRequest, approver) -> None:
    if not can_approve(user=approver, organisation=request.organisation):
        raise PermissionDenied
    if approver.pk == request.buyer_id:
        raise ApprovalError(_("不能审批自己提交的采购申请。"))


@retry_on_serialization_failure
def purchase_request_approve(*, request: PurchaseRequest, approver):
    """An approver of the organisation (not the buyer) approves: the order is placed now.
    If stock ran out meanwhile the request fails and the buyer gets the basket back."""
    _approver_check(request=request, approver=approver)
    with transaction.atomic():
        request = _pending_request(request.pk)
        basket = Basket.objects.get(pk=request.basket_id)
        try:
            order = organisation_order_place(
                basket=basket,
                user=request.buyer,
                organisation=request.organisation,
                shipping_address=request.shipping_address,
                shipping_method_code=request.shipping_method_code,
                order_number=request.order_number,
            )
        except OrganisationCheckoutError as exc:
            request.state = PurchaseRequest.State.FAILED
            request.reason = str(exc.message)[:255]
            basket.thaw()
        else:
            request.state = PurchaseRequest.State.APPROVED
            request.order = order
        request.decided_by = approver
        request.decided_at = timezone.now()
        request.save()
    if request.state == PurchaseRequest.State.FAILED:
        raise ApprovalError(request.reason)
    return request


@retry_on_serialization_failure
def purchase_request_reject(*, request: PurchaseRequest, approver, reason: str):
    """The approver rejects with a reason; the buyer gets the basket back to change it."""
    _approver_check(request=request, approver=approver)
    if not reason.strip():
        raise ApprovalError(_("请填写驳回原因。"))
    with transaction.atomic():
        request = _pending_request(request.pk)
        request.state = PurchaseRequest.State.REJECTED
        request.reason = reason.strip()[:255]
        request.decided_by = approver
        request.decided_at = timezone.now()
        request.save()
        Basket.objects.get(pk=request.basket_id).thaw()
    return request
