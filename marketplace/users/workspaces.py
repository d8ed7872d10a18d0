"""Each role's workspace: the header links to the ones a user may open, and sign-in lands
there. The workspaces of the layers above the store are named by URL only."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Workspace:
    key: str
    url_name: str
    label: str  # a lazy translation

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ACCOUNT = Workspace("account", "customer:summary", _("我的账户"))
DASHBOARD = Workspace("dashboard", "dashboard:index", _("管理后台"))
COUNTY = Workspace("county", "producers:county-home", _("县扶贫办工作台"))
COOPERATIVE = Workspace("cooperative", "producers:cooperative-home", _("合作社工作台"))
EVALUATION = Workspace("evaluation", "evaluation:table", _("考核评估"))
CMS = Workspace("cms", "wagtailadmin_home", _("内容编辑"))
ORGANISATION = Workspace("organisation", "organisations:home", _("单位采购"))


def workspaces_of(*, user) -> list[Workspace]:
    """The workspaces the user may open, the one to land in after sign-in first. From
    the role's permissions only, which the header loads anyway: no query of its own."""
    if not user.is_authenticated:
        return []
    found = []
    if user.is_staff:
        found.append(DASHBOARD)
    if user.has_perm("producers.review_cooperative"):
        found.append(COUNTY)
    if user.has_perm("partner.dashboard_access") and not user.is_staff:
        found.append(COOPERATIVE)
    if user.has_perm("evaluation.view_scorecard"):
        found.append(EVALUATION)
    if user.has_perm("wagtailadmin.access_admin"):
        found.append(CMS)
    if user.has_perm("organisations.buy_for_organisation"):
        found.append(ORGANISATION)
    found.append(ACCOUNT)
    if user.has_perm("partner.dashboard_access") and DASHBOARD not in found:
        found.append(DASHBOARD)  # cooperative staff manage their products there
    return found


def landing_url(*, user) -> str:
    """Where sign-in takes a user who asked for no page: their own workspace."""
    workspaces = workspaces_of(user=user)
    return workspaces[0].url if workspaces else reverse("customer:summary")
