"""Every URL of the site, as every role and as anonymous, against an explicit table.

The table (ACCESS) has one entry per URL name: what each role gets by default and the
exceptions, and which objects of a small world fill the URL's parameters. Third-party admin
suites (Django admin, Wagtail's admin) are covered by a few prefix rules instead; the
project's own URLs and every URL of Oscar's dashboard (which cooperative staff share with
platform staff) need an entry each. A URL name without an entry fails the test with the
names to add; a dashboard URL cooperative staff reach must also say, in
COOPERATIVE_DASHBOARD, what of it they see.

Outcomes: OK (200), LOGIN (redirect to a login page), NO (403, 404 or a login redirect: refused),
GONE (redirect elsewhere), ANY (anything but a server error). GET only; an entry with
post=True is a POST-only endpoint: the roles not allowed must be refused when they POST,
the allowed ones are not exercised (they would change data).
"""

import datetime
import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from oscar.core.loading import get_model

from marketplace.organisations.models import Membership
from marketplace.users import roles as role_defs
from tests.evaluation.offplatform_helpers import offplatform_sale_create
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CooperativeDocumentFactory,
    CooperativeStaffFactory,
    CountyFactory,
    MembershipFactory,
    OrganisationFactory,
    PairingFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)
from tests.marketplace.shared_orders import shared_order_create
from tests.store_factories import certified_cooperative, county_officer_create, product_create

pytestmark = pytest.mark.django_db

ProductCertificate = get_model("catalogue", "ProductCertificate")

ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
    "consumer",
    "institutional_buyer",
    "cooperative_staff",
    "county_officer",
    "evaluator",
    "editor",
    "platform_admin",
)
OK, LOGIN, NO, GONE, ANY = "OK", "LOGIN", "NO", "GONE", "ANY"
LOGIN_PATHS = (
    "/shop/accounts/login/",
    "/shop/dashboard/login/",
    "/cms-admin/login/",
    "/django-admin/login/",
)
UNKNOWN_ID = 987654


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """Side A: the objects the role users own or belong to. Side B: somebody else's."""

    users: dict
    ids: dict = field(default_factory=dict)


def world_build() -> World:
    county_a, county_b = CountyFactory(name="昭觉县"), CountyFactory(name="布拖县")
    coop_a = certified_cooperative(village=VillageFactory(parent=TownshipFactory(parent=county_a)))
    coop_b = certified_cooperative(village=VillageFactory(parent=TownshipFactory(parent=county_b)))
    product_a = product_create(cooperative=coop_a, title="昭觉苦荞茶")
    product_b = product_create(cooperative=coop_b, title="布拖洋芋")
    link_a, link_b = BenefitLinkFactory(cooperative=coop_a), BenefitLinkFactory(cooperative=coop_b)
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    buyer = UserFactory(roles=[role_defs.INSTITUTIONAL_BUYER])
    MembershipFactory(
        organisation=org_a, user=buyer, role=Membership.Role.ADMIN, state=Membership.State.APPROVED
    )
    joiner = MembershipFactory(organisation=org_a, state=Membership.State.REQUESTED)
    # An order both cooperatives share, and one of cooperative B alone.
    shared = shared_order_create(
        items=[(product_a, 1, Decimal("38.00")), (product_b, 1, Decimal("45.00"))]
    )
    order_b = shared_order_create(items=[(product_b, 2, Decimal("45.00"))])
    users = {
        ANONYMOUS: None,
        "consumer": UserFactory(roles=[role_defs.CONSUMER]),
        "institutional_buyer": buyer,
        "cooperative_staff": CooperativeStaffFactory(cooperative=coop_a),
        "county_officer": county_officer_create(county=county_a),
        "evaluator": UserFactory(roles=[role_defs.EVALUATOR]),
        "editor": UserFactory(roles=[role_defs.EDITOR]),
        "platform_admin": UserFactory(
            roles=[role_defs.PLATFORM_ADMIN], is_staff=True, is_superuser=True
        ),
    }
    ids = {
        "product_a": product_a,
        "product_b": product_b,
        "certificate_a": product_a.certificates.get().pk,
        "certificate_b": product_b.certificates.get().pk,
        "coop_a": coop_a.pk,
        "coop_b": coop_b.pk,
        "household_a": link_a.household_id,
        "household_b": link_b.household_id,
        "link_a": link_a.pk,
        "link_b": link_b.pk,
        "scheme_a": BenefitSchemeFactory(cooperative=coop_a).pk,
        "scheme_b": BenefitSchemeFactory(cooperative=coop_b).pk,
        "document_a": CooperativeDocumentFactory(cooperative=coop_a).pk,
        "document_b": CooperativeDocumentFactory(cooperative=coop_b).pk,
        "org_a": org_a.pk,
        "org_b": org_b.pk,
        "membership_a": joiner.pk,
        "pairing": PairingFactory().pk,
        "order_shared": shared.number,
        "order_b": order_b.number,
        "line_a": shared.lines.get(product=product_a).pk,
        "line_b": shared.lines.get(product=product_b).pk,
        "year": datetime.date.today().year,
        "county_a": county_a.pk,
    }
    # Off-platform sales: A recorded by org A's admin for coop A, B by org B for coop B.
    sale_a = offplatform_sale_create(
        organisation=org_a, cooperative=coop_a, recorded_by=buyer, product=product_a
    )
    sale_b = offplatform_sale_create(
        organisation=org_b, cooperative=coop_b, recorded_by=users["consumer"], product=product_b
    )
    ids["offplatform_a"], ids["offplatform_b"] = sale_a.pk, sale_b.pk
    ids["offplatform_evidence_a"] = sale_a.evidence.get().pk
    ids["offplatform_evidence_b"] = sale_b.evidence.get().pk
    return World(users=users, ids=ids)


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    default: str
    exceptions: dict[str, str] = field(default_factory=dict)
    kwargs: Callable[[dict], dict] | None = None
    post: bool = False

    def expected(self, role: str) -> str:
        return self.exceptions.get(role, self.default)


def public(**kwargs) -> Access:
    return Access(OK, **kwargs)


def signed_in(anonymous: str = LOGIN, **kwargs) -> Access:
    """Any signed-in user; anonymous users go to the login page."""
    return Access(OK, {ANONYMOUS: anonymous}, **kwargs)


def only(*allowed: str, outcome: str = OK, anonymous: str = LOGIN, **kwargs) -> Access:
    """Refused to everybody but `allowed` (and platform admins' superuser powers, if listed)."""
    return Access(NO, {ANONYMOUS: anonymous, **{role: outcome for role in allowed}}, **kwargs)


def post_only(*allowed: str, **kwargs) -> Access:
    return only(*allowed, post=True, **kwargs)


def ids(**names: str) -> Callable[[dict], dict]:
    """kwargs from the world: ids(pk="coop_a") -> {"pk": world["coop_a"]}."""
    return lambda world: {key: world[name] for key, name in names.items()}


def unknown(*names: str) -> Callable[[dict], dict]:
    """For objects the world does not build: an id nobody has. It checks only that no role
    gets a page (or a server error) for it."""
    return lambda world: dict.fromkeys(names, UNKNOWN_ID)


STAFF, OFFICER, BUYER = "cooperative_staff", "county_officer", "institutional_buyer"
EVALUATOR, EDITOR, ADMIN = "evaluator", "editor", "platform_admin"
SIGNED_IN_ROLES = [role for role in ROLES if role != ANONYMOUS]


def own(*roles: str, outcome: str = OK, **kwargs) -> Access:
    """A workspace page of `roles` on their own objects (side A of the world)."""
    return only(*roles, outcome=outcome, **kwargs)


STAFF_ONLY = (STAFF,)
OFFICER_ONLY = (OFFICER,)

ACCESS: dict[str, Access] = {
    # --- store (Oscar, forked where this marketplace changes it) ---
    "home": Access(GONE),
    "set_language": Access(GONE),
    "wagtail_serve": public(kwargs=lambda w: [""]),  # the home page
    "wagtaildocs_serve": Access(
        NO, {EDITOR: ANY, ADMIN: ANY}, kwargs=lambda w: [UNKNOWN_ID, "x.pdf"]
    ),
    # Wagtail's deliberate server error, for checking error reporting.
    "wagtailadmin_error_test": Access(NO, {EDITOR: "500", ADMIN: "500"}),
    "admin:app_list": Access(NO, {ADMIN: OK}, kwargs=lambda w: {"app_label": "producers"}),
    "catalogue:index": public(),
    "catalogue:detail": public(
        kwargs=lambda w: {"product_slug": w["product_a"].slug, "pk": w["product_a"].pk}
    ),
    "catalogue:category": Access(NO, kwargs=lambda w: {"category_slug": "x", "pk": UNKNOWN_ID}),
    "catalogue:range": Access(NO, kwargs=lambda w: {"slug": "x"}),
    "catalogue:reviews-list": public(
        kwargs=lambda w: {"product_slug": w["product_a"].slug, "product_pk": w["product_a"].pk}
    ),
    **{
        f"catalogue:reviews-{name}": Access(
            ANY,
            kwargs=lambda w: {
                "product_slug": w["product_a"].slug,
                "product_pk": w["product_a"].pk,
                "pk": UNKNOWN_ID,
            },
        )
        for name in ("detail", "vote")
    },
    # The review form (fixed in 3d6517b; it once raised on the households-linked count).
    "catalogue:reviews-add": Access(
        ANY,
        kwargs=lambda w: {"product_slug": w["product_a"].slug, "product_pk": w["product_a"].pk},
    ),
    "search:search": public(),
    "offer:list": public(),
    "offer:detail": Access(NO),
    "wishlists:detail": Access(NO),
    "basket:summary": public(),
    "basket:saved": Access(GONE, {ANONYMOUS: LOGIN}),
    "basket:add": Access(GONE, kwargs=lambda w: {"pk": w["product_a"].pk}, post=True),
    "basket:vouchers-add": Access(GONE, post=True),
    "basket:vouchers-remove": Access(GONE, kwargs=unknown("pk"), post=True),
    # Checkout with an empty basket sends signed-in users back; anonymous users to login.
    "checkout:index": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:shipping-address": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:shipping-method": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:payment-method": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:payment-details": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:preview": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:thank-you": Access(GONE, {ANONYMOUS: LOGIN}),
    "checkout:stripe-pay": only(),  # only with one's own pending payment in the session
    "checkout:stripe-return": only(),
    "checkout:stripe-status": only(),  # the status of one's own pending payment in the session
    # the demo's test-card payment: only one's own pending payment, so 404 for everyone here
    "checkout:stripe-test-card": post_only(),
    "checkout:user-address-update": only(kwargs=unknown("pk")),
    "checkout:user-address-delete": only(kwargs=unknown("pk")),
    "checkout:channel-enter": Access(NO, kwargs=lambda w: {"code": "no-such-zone"}),
    "checkout:stripe-webhook": Access(ANY, post=True),  # signed by Stripe, never by a session
    "customer:login": Access(GONE, {ANONYMOUS: OK}),
    "customer:register": Access(GONE, {ANONYMOUS: OK}),
    "customer:register-mobile": Access(GONE, {ANONYMOUS: OK}),
    "customer:privacy-policy": public(),
    "customer:logout": Access(GONE),
    "customer:summary": Access(ANY, {ANONYMOUS: LOGIN}),
    "customer:address-change-status": Access(
        NO, kwargs=lambda w: {"pk": UNKNOWN_ID, "action": "default_for_billing"}
    ),
    "customer:notifications-update": Access(ANY, {ANONYMOUS: NO}, post=True),
    # With an unknown product id Oscar answers 500 here (reported); the world's product is used.
    "customer:wishlists-create-with-product": signed_in(
        kwargs=lambda w: {"product_pk": w["product_a"].pk}
    ),
    "customer:anon-order-form": public(),
    "customer:anon-order": Access(GONE),
    **{
        f"customer:{name}": signed_in()
        for name in (
            "address-create address-list alerts-list change-password email-list "
            "notifications-archive notifications-inbox order-list profile-delete "
            "profile-update profile-view wishlists-create wishlists-list"
        ).split()
    },
    # 我的个人信息: one's own data only (read from the session's user, never from the URL).
    "customer:personal-data": signed_in(),
    "customer:personal-data-download": signed_in(),
    "password-reset": Access(NO, {ANONYMOUS: OK}),
    "password-reset-done": Access(NO, {ANONYMOUS: OK}),
    "password-reset-confirm": Access(NO, {ANONYMOUS: OK}),
    "password-reset-complete": Access(NO, {ANONYMOUS: OK}),
    # --- store dashboard (Oscar's): every URL listed. Cooperative staff reach only the
    # views in COOPERATIVE_DASHBOARD below, scoped to their own cooperative; the rest is
    # platform staff's. ---
    "dashboard:login": public(),
    "dashboard:logout": Access(ANY),
    "dashboard:index": own(STAFF, ADMIN),
    "dashboard:catalogue-product-list": own(STAFF, ADMIN),
    "dashboard:catalogue-product-lookup": own(STAFF, ADMIN),
    "dashboard:catalogue-product": own(STAFF, ADMIN, kwargs=lambda w: {"pk": w["product_a"].pk}),
    "dashboard:catalogue-product-create": own(STAFF, ADMIN, outcome=ANY),
    # a standalone product with stock cannot take variants: Oscar sends them back (GONE)
    "dashboard:catalogue-product-create-child": own(
        STAFF, ADMIN, outcome=ANY, kwargs=lambda w: {"parent_pk": w["product_a"].pk}
    ),
    "dashboard:catalogue-product-bulk-action": own(STAFF, ADMIN, outcome=ANY),
    "dashboard:catalogue-product-delete": only(ADMIN, kwargs=lambda w: {"pk": w["product_a"].pk}),
    "dashboard:order-list": own(STAFF, EVALUATOR, ADMIN),
    "dashboard:order-stats": own(STAFF, EVALUATOR, ADMIN),
    "dashboard:order-detail": own(STAFF, EVALUATOR, ADMIN, kwargs=ids(number="order_shared")),
    "dashboard:order-line-detail": own(
        STAFF, ADMIN, kwargs=ids(number="order_shared", line_id="line_a")
    ),
    # The delivery address is every cooperative's parcel: only platform staff change it.
    "dashboard:order-shipping-address": only(ADMIN, kwargs=ids(number="order_shared")),
    "dashboard:order-detail-note": only(
        ADMIN,
        outcome=ANY,
        kwargs=lambda w: {"number": w["order_shared"], "note_id": UNKNOWN_ID},
    ),
    "dashboard:payment-webhook-list": only(ADMIN),
    "dashboard:payment-webhook-retry": post_only(ADMIN, kwargs=unknown("pk")),
    **{
        f"dashboard:{name}": only(ADMIN, outcome=ANY)
        for name in (
            # catalogue structure: categories, product types, attributes, options; stock alerts
            "catalogue-category-list catalogue-category-detail-list catalogue-category-create "
            "catalogue-category-create-child catalogue-category-update catalogue-category-delete "
            "catalogue-class-create catalogue-class-list catalogue-class-update "
            "catalogue-class-delete catalogue-attribute-option-group-create "
            "catalogue-attribute-option-group-list catalogue-attribute-option-group-update "
            "catalogue-attribute-option-group-delete catalogue-option-list "
            "catalogue-option-create catalogue-option-update catalogue-option-delete "
            "stock-alert-list "
            # reports, customers, partners (cooperatives' staff accounts)
            "reports-index users-index user-detail user-password-reset user-alert-list "
            "user-alert-delete user-alert-update partner-list partner-create partner-manage "
            "partner-delete partner-user-create partner-user-select partner-user-link "
            "partner-user-unlink partner-user-update "
            # offers, ranges, vouchers, reviews, e-mails, shipping methods
            "offer-list offer-metadata offer-condition offer-benefit offer-restrictions "
            "offer-delete offer-detail range-list range-create range-update range-delete "
            "range-products range-reorder voucher-list voucher-create voucher-update "
            "voucher-delete voucher-stats voucher-set-list voucher-set-create "
            "voucher-set-update voucher-set-detail voucher-set-download voucher-set-delete "
            "reviews-list reviews-update reviews-delete comms-list comms-update "
            "shipping-method-list shipping-method-create shipping-method-detail "
            "shipping-method-edit shipping-method-delete shipping-method-band-edit "
            "shipping-method-band-delete"
        ).split()
    },
    # --- product certification ---
    "catalogue-certification:county-list": own(OFFICER),
    "catalogue-certification:county-detail": own(OFFICER, kwargs=ids(pk="certificate_a")),
    "catalogue-certification:county-decide": post_only(
        OFFICER, kwargs=lambda w: {"pk": w["certificate_a"], "decision": "issue"}
    ),
    "catalogue-certification:cooperative-products": own(STAFF),
    "catalogue-certification:cooperative-request": post_only(
        STAFF, kwargs=lambda w: {"product_pk": w["product_a"].pk}
    ),
    # --- county office workspace ---
    "producers:county-home": own(OFFICER),
    "producers:county-households": own(OFFICER),
    "producers:county-household-create": own(OFFICER),
    "producers:county-household-find": post_only(OFFICER),
    "producers:county-household-import": own(OFFICER),
    "producers:county-household-import-template": own(OFFICER),
    "producers:county-household-detail": own(OFFICER, kwargs=ids(pk="household_a")),
    "producers:county-household-edit": own(OFFICER, kwargs=ids(pk="household_a")),
    "producers:county-household-reveal": post_only(OFFICER, kwargs=ids(pk="household_a")),
    "producers:county-cooperatives": own(OFFICER),
    "producers:county-cooperative-detail": own(OFFICER, kwargs=ids(pk="coop_a")),
    "producers:county-cooperative-review": post_only(OFFICER, kwargs=ids(pk="coop_a")),
    "producers:county-cooperative-document": own(
        OFFICER, kwargs=ids(pk="coop_a", document_pk="document_a")
    ),
    # --- cooperative workspace ---
    "producers:cooperative-home": own(STAFF),
    "producers:cooperative-households": own(STAFF),
    "producers:cooperative-household-detail": own(STAFF, kwargs=ids(pk="household_a")),
    "producers:cooperative-links": own(STAFF),
    "producers:cooperative-link-create": own(STAFF),
    "producers:cooperative-link-import": own(STAFF),
    "producers:cooperative-link-import-template": own(STAFF),
    "producers:cooperative-link-detail": own(STAFF, kwargs=ids(pk="link_a")),
    "producers:cooperative-link-end": own(STAFF, outcome=ANY, kwargs=ids(pk="link_a")),
    "producers:cooperative-wage-create": own(STAFF, outcome=ANY, kwargs=ids(pk="link_a")),
    "producers:cooperative-schemes": own(STAFF),
    "producers:cooperative-scheme-create": own(STAFF),
    "producers:cooperative-scheme-detail": own(STAFF, kwargs=ids(pk="scheme_a")),
    "producers:cooperative-certification": own(STAFF),
    "producers:cooperative-certification-upload": post_only(STAFF),
    "producers:cooperative-certification-apply": post_only(STAFF),
    "producers:cooperative-certification-document": own(STAFF, kwargs=ids(pk="document_a")),
    # --- income tracing ---
    "income:trace": Access(NO, kwargs=lambda w: {"code": "no-such-code"}),
    "income:packing-slip": only(kwargs=lambda w: {"number": "no-such-order"}),
    "income:cooperative-balances": own(STAFF),
    "income:cooperative-statement": own(STAFF, outcome=ANY, kwargs=ids(pk="household_a")),
    "income:cooperative-payouts": own(STAFF),
    "income:cooperative-payout-create": own(STAFF),
    "income:cooperative-payout-receipt": only(kwargs=unknown("pk")),  # own payouts only
    "income:cooperative-supply-lots": own(STAFF),
    "income:cooperative-supply-lot-create": own(STAFF),
    "income:county-balances": own(OFFICER),
    "income:county-statement": own(OFFICER, outcome=ANY, kwargs=ids(pk="household_a")),
    "income:county-warnings": own(OFFICER),
    "income:county-warning-follow-up": post_only(OFFICER, kwargs=unknown("pk")),
    "income:county-warning": only(kwargs=unknown("pk")),  # own county's warnings only
    "income:county-other-income": own(OFFICER, outcome=ANY, kwargs=ids(pk="household_a")),
    "income:county-other-income-void": post_only(OFFICER, kwargs=unknown("pk")),
    "income:monitoring-lines": only(ADMIN),
    "income:monitoring-line": only(kwargs=unknown("pk")),
    # --- institutional buyers (the buyer administers organisation A) ---
    "organisations:home": signed_in(),
    "organisations:checkout": own(BUYER),
    "organisations:basket-upload": own(BUYER),
    **{
        f"organisations:{name}": own(BUYER, ADMIN, outcome=ANY, kwargs=ids(pk="org_a"))
        for name in "dashboard budget members requests orders invoices statement".split()
    },
    "organisations:membership-decide": post_only(
        BUYER, ADMIN, kwargs=lambda w: {"pk": w["org_a"], "membership_id": w["membership_a"]}
    ),
    "organisations:request-decide": post_only(
        BUYER, ADMIN, kwargs=lambda w: {"pk": w["org_a"], "request_id": UNKNOWN_ID}
    ),
    "organisations:order": only(kwargs=lambda w: {"pk": w["org_a"], "number": "no-such"}),
    "organisations:invoice-pdf": only(kwargs=lambda w: {"pk": w["org_a"], "number": "no-such"}),
    "organisations:statement-export": own(
        BUYER, ADMIN, outcome=ANY, kwargs=lambda w: {"pk": w["org_a"], "format": "csv"}
    ),
    "organisations:finance-invoices": only(ADMIN, anonymous=NO),
    "organisations:finance-import": only(ADMIN, anonymous=NO),
    "organisations:finance-pay": post_only(ADMIN, anonymous=NO, kwargs=unknown("invoice_id")),
    "organisations:finance-stripe-send": post_only(
        ADMIN, anonymous=NO, kwargs=unknown("invoice_id")
    ),
    "organisations:stripe-invoice-webhook": Access(ANY, post=True),
    # --- CMS pages with their own views ---
    "cms:certificate": Access(ANY, {ANONYMOUS: LOGIN}, kwargs=lambda w: {"year": w["year"]}),
    "cms:participation-update": Access(OK, {ANONYMOUS: LOGIN}, post=True),
    # --- evaluation ---
    "evaluation:table": own(EVALUATOR, ADMIN),
    "evaluation:table-year": own(EVALUATOR, ADMIN, outcome=ANY, kwargs=ids(year="year")),
    "evaluation:monitoring": own(EVALUATOR, ADMIN, outcome=ANY, kwargs=ids(year="year")),
    "evaluation:slack-follow-up": own(
        EVALUATOR, ADMIN, outcome=ANY, kwargs=ids(year="year", pairing_id="pairing")
    ),
    "evaluation:export": own(
        EVALUATOR, ADMIN, outcome=ANY, kwargs=lambda w: {"year": w["year"], "fmt": "csv"}
    ),
    "evaluation:scorecard": own(
        EVALUATOR,
        ADMIN,
        outcome=ANY,
        kwargs=lambda w: {"year": w["year"], "pairing_id": w["pairing"]},
    ),
    "evaluation:lock": post_only(EVALUATOR, ADMIN, kwargs=ids(year="year")),
    "evaluation:item-facts": only(kwargs=unknown("item_id")),
    "evaluation:fact": only(kwargs=unknown("fact_id")),
    "evaluation:public-summary": Access(ANY, kwargs=ids(year="year")),
    # A county's own report: the officer's own county (another county's is a 404, tested in
    # tests/evaluation/test_county_report.py), any county for evaluators.
    "evaluation:county-reports": Access(
        NO, {ANONYMOUS: LOGIN, OFFICER: GONE, EVALUATOR: OK, ADMIN: OK}
    ),
    "evaluation:county-report": own(
        OFFICER, EVALUATOR, ADMIN, kwargs=ids(county_id="county_a", year="year")
    ),
    "evaluation:county-report-export": own(
        OFFICER,
        EVALUATOR,
        ADMIN,
        kwargs=lambda w: {"county_id": w["county_a"], "year": w["year"], "fmt": "csv"},
    ),
    # Off-platform sales: org A's admin records, coop A's staff decide, those involved and
    # evaluators read; another organisation's or cooperative's record is a 404.
    "evaluation:offplatform-list": only(BUYER),
    "evaluation:offplatform-record": only(BUYER),
    "evaluation:offplatform-inbox": only(STAFF, OFFICER),
    "evaluation:offplatform-detail": only(
        BUYER, STAFF, OFFICER, EVALUATOR, ADMIN, kwargs=ids(pk="offplatform_a")
    ),
    "evaluation:offplatform-correct": only(BUYER, kwargs=ids(pk="offplatform_a")),
    "evaluation:offplatform-confirm": post_only(STAFF, kwargs=ids(pk="offplatform_a")),
    "evaluation:offplatform-reject": post_only(STAFF, kwargs=ids(pk="offplatform_a")),
    # The supply lots behind a sale: whoever decides it (coop A's staff) records them.
    "evaluation:offplatform-supply": only(STAFF, kwargs=ids(pk="offplatform_a")),
    "evaluation:offplatform-evidence": only(
        BUYER,
        STAFF,
        OFFICER,
        EVALUATOR,
        ADMIN,
        kwargs=ids(pk="offplatform_a", evidence_id="offplatform_evidence_a"),
    ),
    "api:schema": public(),
    "api:public-summary": Access(ANY, kwargs=ids(year="year")),
    "api:scorecard-list": only(EVALUATOR, ADMIN, anonymous=NO),
    "api:scorecard-detail": only(anonymous=NO, kwargs=unknown("pk")),
    "api:item-facts": only(anonymous=NO, kwargs=unknown("item_id")),
    # --- Django admin and Wagtail's admin: their public pages ---
    "admin:login": Access(OK, {ADMIN: GONE}),
    "admin:logout": Access(ANY),
    "admin:javascript-catalog": public(),
    "wagtailadmin_login": Access(OK, {EDITOR: GONE, ADMIN: GONE}),
    "wagtailcore_login": public(),
    "wagtailadmin_javascript_catalog": public(),
    "wagtailadmin_sprite": public(),
    "wagtailadmin_password_reset": public(),
    "wagtailadmin_password_reset_done": public(),
    "wagtailadmin_password_reset_confirm": public(),
    "wagtailadmin_password_reset_complete": public(),
}


# Third-party suites: access is decided by the suite's own gate before any object is looked up,
# so their URLs are filled with ids nobody has and only the refusals are checked.
PREFIX_RULES: dict[str, Access] = {
    "admin:*": Access(NO, {ADMIN: ANY}),
    "wagtail*": Access(NO, {EDITOR: ANY, ADMIN: ANY}),
    "simple_translation:*": Access(NO, {EDITOR: ANY, ADMIN: ANY}),
    "<cms-admin/*": Access(NO, {EDITOR: ANY, ADMIN: ANY}),
    "customer:*": Access(NO),
    "catalogue:reviews-*": Access(ANY),
}


def rule_for(name: str) -> Access | None:
    if name in ACCESS:
        return ACCESS[name]
    for pattern, rule in PREFIX_RULES.items():
        if fnmatch.fnmatchcase(name, pattern):
            return rule
    return None


# What cooperative staff see on each dashboard view they reach: their own cooperative's part,
# never another cooperative's lines or figures (tests/marketplace/test_partner_dashboard.py).
COOPERATIVE_DASHBOARD: dict[str, str] = {
    "dashboard:login": "the login form",
    "dashboard:logout": "signing out",
    "dashboard:index": "own orders, own lines, own revenue (sum of own lines), own products",
    "dashboard:catalogue-product-list": "own products",
    "dashboard:catalogue-product-lookup": "titles of products public in the store",
    "dashboard:catalogue-product": "own products; another cooperative's: 404",
    "dashboard:catalogue-product-create": "a new product, stocked by own cooperative",
    "dashboard:catalogue-product-create-child": "a variant of own products only",
    "dashboard:catalogue-product-bulk-action": "own products and own stock records",
    "dashboard:order-list": "orders holding own lines, each with own subtotal and units",
    "dashboard:order-stats": "own lines counted, own revenue",
    "dashboard:order-detail": "own lines, own subtotal, own shipment; no order total",
    "dashboard:order-line-detail": "own lines; another cooperative's: 404",
}

# Another cooperative's objects (side B) in the dashboard: cooperative staff of A are refused.
COOPERATIVE_B_DASHBOARD: dict[str, Callable[[dict], dict]] = {
    "dashboard:catalogue-product": lambda w: {"pk": w["product_b"].pk},
    "dashboard:catalogue-product-create-child": lambda w: {"parent_pk": w["product_b"].pk},
    "dashboard:order-detail": ids(number="order_b"),
    "dashboard:order-line-detail": ids(number="order_shared", line_id="line_b"),
    "dashboard:order-shipping-address": ids(number="order_shared"),
}


# --- walking the URLs --------------------------------------------------------------------------


def url_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """(name, route, pattern) of every URL of config.urls, names with their namespaces."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<{prefix}{entry.pattern}>"
            )
            yield name, prefix + str(entry.pattern), entry


def dummy_kwargs(pattern: URLPattern) -> dict:
    converters = getattr(pattern.pattern, "converters", {})
    names = list(converters) or list(pattern.pattern.regex.groupindex)
    return {
        name: UNKNOWN_ID if isinstance(converters.get(name), IntConverter) else str(UNKNOWN_ID)
        for name in names
    }


def outcome(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return LOGIN if any(path in location for path in LOGIN_PATHS) else GONE
    if status in (401, 403, 404):
        return NO
    return str(status)


def matches(expected: str, actual: str) -> bool:
    if expected == ANY:
        return not actual.startswith("5")
    if expected == NO:
        return actual in (NO, LOGIN)
    return expected == actual


def site_urls() -> dict[str, tuple[str, URLPattern]]:
    found = {}
    for name, route, pattern in url_patterns():
        found.setdefault(name, (route, pattern))
    return found


def test_every_url_of_the_site_has_an_entry_in_the_access_table():
    missing = sorted(name for name in site_urls() if rule_for(name) is None)

    assert not missing, (
        f"{len(missing)} URL names have no entry in ACCESS (tests/security/"
        "test_permission_matrix.py); add one for each:\n" + "\n".join(missing)
    )


def test_every_entry_of_the_access_table_is_a_url_of_the_site():
    names = set(site_urls())

    assert not sorted(set(ACCESS) - names)


def test_every_role_gets_what_the_table_says_on_every_url(home_page):
    world = world_build()
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client(raise_request_exception=False)
        if user is not None:
            clients[role].force_login(user)
    record = os.environ.get("PERMISSION_MATRIX_RECORD")
    mismatches, checked, observed = [], 0, {}

    for name, (_route, pattern) in sorted(site_urls().items()):
        rule = rule_for(name)
        if rule is None:
            continue
        kwargs = rule.kwargs(world.ids) if rule.kwargs else dummy_kwargs(pattern)
        try:
            if name.endswith(">"):  # unnamed: listed in the table, not requested
                url = None
            elif isinstance(kwargs, list):
                url = reverse(name, args=kwargs)
            else:
                url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            mismatches.append(f"{name}: cannot build its URL from {kwargs}; give it kwargs")
            continue
        if url is None:
            continue
        for role in ROLES:
            expected = rule.expected(role)
            if rule.post and expected == OK:
                continue  # allowed to change data: not exercised here
            client = clients[role]
            if world.users[role] is not None and "_auth_user_id" not in client.session:
                client.force_login(world.users[role])  # a logout URL came before
            response = client.post(url, {}) if rule.post else client.get(url)
            actual = outcome(response)
            observed.setdefault(name, {})[role] = actual
            checked += 1
            if not matches(expected, actual):
                mismatches.append(f"{name} as {role}: expected {expected}, got {actual} ({url})")

    if record:
        for name, by_role in observed.items():
            print(name, " ".join(f"{role[:5]}={by_role.get(role, '-')}" for role in ROLES))
    assert not mismatches, f"{len(mismatches)} of {checked} checks differ:\n" + "\n".join(
        mismatches
    )


def test_every_dashboard_url_has_its_own_entry_and_says_what_cooperatives_see_there():
    dashboard = {name for name in site_urls() if name.startswith("dashboard:")}
    unlisted = sorted(dashboard - set(ACCESS))
    reached = {name for name in dashboard & set(ACCESS) if ACCESS[name].expected(STAFF) != NO}

    assert not unlisted, "dashboard URLs with no entry in ACCESS:\n" + "\n".join(unlisted)
    assert reached == set(COOPERATIVE_DASHBOARD), (
        "cooperative staff reach dashboard URLs not described in COOPERATIVE_DASHBOARD, "
        f"or it describes URLs they cannot reach: {sorted(reached ^ set(COOPERATIVE_DASHBOARD))}"
    )


def test_cooperative_staff_are_refused_another_cooperatives_objects_in_the_dashboard(home_page):
    world = world_build()
    client = Client(raise_request_exception=False)
    client.force_login(world.users[STAFF])
    refused = {}

    for name, kwargs in COOPERATIVE_B_DASHBOARD.items():
        url = reverse(name, kwargs=kwargs(world.ids))
        refused[name] = (outcome(client.get(url)), outcome(client.post(url, {})))

    # a read-only view refuses a POST as a method it does not have (405)
    assert all(get == NO and post in (NO, "405") for get, post in refused.values()), refused
