from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page

from producers.models import Cooperative, Region

from . import selectors
from .blocks import BodyBlock, DocumentBlock

Selector = get_class("partner.strategy", "Selector")

INTRO_FEATURES = ["bold", "italic", "link"]


def _block_ids(page, block_type: str, field: str) -> set[int]:
    """Ids stored in the page's live blocks, read from the raw stream (no queries)."""
    ids = set()
    for block in page.body.raw_data:
        if block["type"] == block_type:
            ids.update(
                int(pk)
                for pk in block["value"].get(field, [])
                if str(pk).isdecimal() and str(pk).isascii()
            )
    return ids


def cover_image() -> models.ForeignKey:
    """A page's optional cover picture (题图)."""
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class LivePage(Page):
    """A page whose body may hold live product and county blocks: their data is loaded
    here in a fixed number of queries, whatever the number of blocks."""

    intro = RichTextField(_("导语"), blank=True, features=INTRO_FEATURES)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("正文"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        strategy = _strategy(request)
        context["live_products"] = selectors.live_products(
            ids=_block_ids(self, "products", "products"), strategy=strategy
        )
        county_ids = _block_ids(self, "counties", "counties")
        context["county_cards"] = selectors.county_cards(ids=county_ids)
        context["county_pages"] = county_pages(region_ids=county_ids)
        return context


def _strategy(request):
    # Oscar's basket middleware sets it; a Wagtail preview request may not have passed it.
    return getattr(request, "strategy", None) or Selector().strategy(request=request)


def county_pages(*, region_ids) -> dict[int, "CountyPage"]:
    """Live county pages of these regions in the active language, by region id."""
    if not region_ids:
        return {}
    pages = CountyPage.objects.live().filter(locale=Locale.get_active(), region_id__in=region_ids)
    return {page.region_id: page for page in pages}


class HomePage(LivePage):
    """The public front page of the platform (site root, one per language)."""

    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["year"] = selectors.this_year()
        context["figures"] = selectors.headline_figures(year=context["year"])
        return context


class SectionPage(LivePage):
    """A section of the site (counties, stories, campaign zones…) listing its pages."""

    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("栏目页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().specific().order_by("path")
        return context


class NewsIndexPage(LivePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsArticlePage"]

    class Meta:
        verbose_name = _("新闻列表")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            NewsArticlePage.objects.live()
            .child_of(self)
            .select_related("image")
            .order_by("-date", "-pk")
        )
        return context


class NewsArticlePage(LivePage):
    date = models.DateField(_("发布日期"), default=timezone.localdate)
    image = cover_image()

    content_panels = LivePage.content_panels[:1] + [
        FieldPanel("date"),
        FieldPanel("image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("新闻")


class PolicyPage(LivePage):
    """A policy text with its downloadable documents."""

    issuer = models.CharField(_("发文机关"), max_length=128, blank=True)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    date = models.DateField(_("发布日期"), default=timezone.localdate)
    documents = StreamField([("document", DocumentBlock())], blank=True, verbose_name=_("附件下载"))

    content_panels = LivePage.content_panels[:1] + [
        FieldPanel("issuer"),
        FieldPanel("document_number"),
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("documents"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("政策文件")


class CountyPage(LivePage):
    """A western county's profile: its status and everything it sells, live."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("县"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.COUNTY, "side": Region.Side.WEST},
    )
    image = cover_image()

    content_panels = LivePage.content_panels[:1] + [
        FieldPanel("region"),
        FieldPanel("image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = ["cms.CooperativeStoryPage"]

    class Meta:
        verbose_name = _("县情介绍")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        region = Region.objects.select_related("parent__parent").get(pk=self.region_id)
        context["region"] = region
        context["year"] = selectors.this_year()
        context["figures"] = selectors.county_figures(county=region, year=context["year"])
        context["cooperatives"] = selectors.county_cooperatives(county=region)
        context["county_products"] = selectors.county_live_products(
            counties=[region], strategy=_strategy(request)
        )
        return context


class CooperativeStoryPage(LivePage):
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("合作社"), on_delete=models.PROTECT, related_name="+"
    )
    image = cover_image()

    content_panels = LivePage.content_panels[:1] + [
        FieldPanel("cooperative"),
        FieldPanel("image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SectionPage", "cms.CountyPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("合作社故事")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        cooperative = Cooperative.objects.select_related("county", "village").get(
            pk=self.cooperative_id
        )
        context["cooperative"] = cooperative
        context["cooperative_products"] = selectors.county_live_products(
            cooperative=cooperative, strategy=_strategy(request), limit=24
        )
        return context


class CampaignZonePage(LivePage):
    """An eastern partner's campaign zone (专区): its paired counties' products, bought
    through the partner's sales channel so that the order records it."""

    channel = models.ForeignKey(
        "order.SalesChannel",
        verbose_name=_("销售渠道"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    content_panels = LivePage.content_panels[:1] + [
        FieldPanel("channel"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("消费帮扶专区")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        channel = self.channel
        counties = selectors.channel_paired_counties(channel=channel)
        context["channel"] = channel
        context["paired_counties"] = counties
        items = (
            selectors.county_live_products(counties=counties, strategy=_strategy(request), limit=24)
            if channel.is_active
            else []
        )
        # "Buy" goes through the store's channel entry, so the order records the zone.
        enter = reverse("checkout:channel-enter", kwargs={"code": channel.code})
        context["zone_products"] = [
            (item, f"{enter}?{urlencode({'next': item.url})}") for item in items
        ]
        return context


class ScorecardSummaryPage(LivePage):
    """Public aggregates of the pairings' purchases: no orders, no buyers, no households."""

    years_shown = models.PositiveSmallIntegerField(_("显示年数"), default=3)

    content_panels = LivePage.content_panels + [FieldPanel("years_shown")]
    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("考核情况公示")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        last = selectors.this_year()
        years = list(range(last - max(self.years_shown, 1) + 1, last + 1))
        rows = selectors.pairing_purchases(years=years)
        context["years"] = years
        context["pairing_rows"] = [
            (
                row.pairing,
                [
                    (row.by_year.get(year, selectors.ZERO), row.from_east_by_year.get(year))
                    for year in years
                ],
            )
            for row in rows
        ]
        return context


class ParticipationPage(LivePage):
    """Social participation: who bought most this year, and each buyer's certificate."""

    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("社会参与榜")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        year = selectors.this_year()
        context["year"] = year
        context["organisations"] = selectors.organisation_ranking(year=year)
        context["individuals"] = selectors.individual_ranking(year=year)
        if request.user.is_authenticated:
            context["participation"] = PublicParticipation.objects.filter(user=request.user).first()
            # A member's certificate is their organisation's; their own is asked for apart.
            context["certificate_organisations"] = selectors.member_organisations(user=request.user)
        return context


class PublicParticipation(models.Model):
    """A person's consent to appear, by nickname, on the public ranking. Absent or off:
    never shown (organisations are shown without consent: their purchases are public
    procurement)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="public_participation",
        verbose_name=_("用户"),
    )
    show_in_ranking = models.BooleanField(_("在公开榜单上显示我的昵称"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公开榜单授权")
        verbose_name_plural = _("公开榜单授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.show_in_ranking}"
