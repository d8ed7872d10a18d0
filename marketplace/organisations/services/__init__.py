from .checkout import (
    ApprovalError,
    OrganisationCheckoutError,
    organisation_checkout_submit,
    organisation_order_place,
    purchase_request_approve,
    purchase_request_reject,
)
from .memberships import MembershipError, membership_decide, membership_request

__all__ = [
    "ApprovalError",
    "MembershipError",
    "OrganisationCheckoutError",
    "membership_decide",
    "membership_request",
    "organisation_checkout_submit",
    "organisation_order_place",
    "purchase_request_approve",
    "purchase_request_reject",
]
