"""The platform's roles. Each is a Django group whose permissions are declared here,
so that `roles_sync` can keep the database in step with the code."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    permissions: tuple[str, ...]  # "app_label.codename"; "*" means every permission
    page_permissions: tuple[str, ...] = ()  # Wagtail page permissions on the root page


CONSUMER = Role("consumer", _("个人消费者"), ())
INSTITUTIONAL_BUYER = Role(
    "institutional_buyer",
    _("单位采购人"),
    ("organisations.buy_for_organisation",),
)
COOPERATIVE_STAFF = Role(
    "cooperative_staff",
    _("合作社工作人员"),
    (
        "partner.dashboard_access",
        "catalogue.add_product",
        "catalogue.change_product",
        "catalogue.view_product",
        "partner.add_stockrecord",
        "partner.change_stockrecord",
        "partner.view_stockrecord",
        "order.view_order",
        "producers.view_cooperative",
        "producers.view_household",
        "producers.view_cooperativedocument",
        "producers.add_cooperativedocument",
        "producers.view_cooperativedecision",
        "producers.view_benefitlink",
        "producers.add_benefitlink",
        "producers.change_benefitlink",
        "producers.view_benefitscheme",
        "producers.add_benefitscheme",
        "producers.view_wagerecord",
        "producers.add_wagerecord",
        "catalogue.view_productcertificate",
        "catalogue.add_productcertificate",
    ),
)
COUNTY_OFFICER = Role(
    "county_officer",
    _("县扶贫办工作人员"),
    (
        "producers.view_region",
        "producers.view_cooperative",
        "producers.review_cooperative",
        "producers.view_household",
        "producers.add_household",
        "producers.change_household",
        "producers.view_household_register",
        "producers.view_cooperativedocument",
        "producers.view_cooperativedecision",
        "producers.view_benefitlink",
        "producers.view_benefitscheme",
        "producers.view_wagerecord",
        "catalogue.view_productcertificate",
        "catalogue.certify_product",
    ),
)
EVALUATOR = Role(
    "evaluator",
    _("考核评估人员"),
    (
        "producers.view_region",
        "producers.view_cooperative",
        "producers.view_household",
        "producers.view_benefitlink",
        "producers.view_benefitscheme",
        "catalogue.view_productcertificate",
        "producers.view_pairing",
        "evaluation.view_scorecard",
        "evaluation.lock_year",
        "evaluation.view_slackfollowup",
        "evaluation.record_slack_follow_up",
        "order.view_order",
    ),
)
EDITOR = Role(
    "editor",
    _("编辑"),
    (
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ),
    page_permissions=("add_page", "change_page"),
)
# Publishes what editors submit by approving the Wagtail workflow's task (cms.workflows).
MODERATOR = Role(
    "moderator",
    _("内容审核"),
    (
        "wagtailadmin.access_admin",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
    ),
    page_permissions=("change_page", "publish_page"),
)
PLATFORM_ADMIN = Role("platform_admin", _("平台管理员"), ("*",))

ROLES: tuple[Role, ...] = (
    CONSUMER,
    INSTITUTIONAL_BUYER,
    COOPERATIVE_STAFF,
    COUNTY_OFFICER,
    EVALUATOR,
    EDITOR,
    MODERATOR,
    PLATFORM_ADMIN,
)
