"""StreamField blocks shared by every page type.

The live blocks (products, counties) store only ids. The page loads what they show from
the store once per request (cms.models.LivePageMixin) and each block reads it from the
page context, so a block can never show a stale price or a product no longer for sale."""

from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

from producers.models import Region


def product_choices() -> list[tuple[str, str]]:
    """Every product with a cooperative, for the editor's picker (for-sale state is checked
    when the page is shown, not when it is edited)."""
    Product = get_model("catalogue", "Product")
    rows = Product.objects.filter(cooperative__isnull=False).order_by("title")
    return [
        (str(pk), f"{title} · {coop}")
        for pk, title, coop in rows.values_list("pk", "title", "cooperative__legal_name")
    ]


def county_choices() -> list[tuple[str, str]]:
    rows = Region.objects.filter(level=Region.Level.COUNTY, side=Region.Side.WEST)
    return [(str(pk), name) for pk, name in rows.order_by("code").values_list("pk", "name")]


class IdsChoiceBlock(blocks.MultipleChoiceBlock):
    """Ids picked from a list read only when an editor opens the form: Wagtail's own
    to_python would read the whole list for every chosen id on every page view."""

    def to_python(self, value):
        return [str(pk) for pk in value or []]

    def get_searchable_content(self, value):
        return []


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题"))
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("级别"))

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        label = _("小标题")


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(required=False, label=_("图注"))

    class Meta:
        icon = "image"
        template = "cms/blocks/figure.html"
        label = _("图片")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    source = blocks.CharBlock(required=False, label=_("出处"))

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"
        label = _("引用")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("文件"))
    description = blocks.CharBlock(required=False, label=_("说明"))

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("下载文件")


class LiveProductsBlock(blocks.StructBlock):
    """Products chosen by the editor, shown with live price, stock and certificate; any
    that cannot be bought right now is left out."""

    heading = blocks.CharBlock(required=False, label=_("标题"))
    products = IdsChoiceBlock(choices=product_choices, label=_("产品"))

    class Meta:
        icon = "pick"
        template = "cms/blocks/live_products.html"
        label = _("精选产品")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        live = (parent_context or {}).get("live_products", {})
        context["items"] = [live[int(pk)] for pk in value["products"] if int(pk) in live]
        return context


class LiveCountiesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, label=_("标题"))
    counties = IdsChoiceBlock(choices=county_choices, label=_("县"))

    class Meta:
        icon = "site"
        template = "cms/blocks/live_counties.html"
        label = _("重点帮扶县")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        cards = (parent_context or {}).get("county_cards", {})
        pages = (parent_context or {}).get("county_pages", {})
        context["items"] = [
            (cards[int(pk)], pages.get(int(pk))) for pk in value["counties"] if int(pk) in cards
        ]
        return context


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], label=_("段落"), icon="pilcrow"
    )
    figure = FigureBlock()
    quote = QuoteBlock()
    document = DocumentBlock()
    products = LiveProductsBlock()
    counties = LiveCountiesBlock()
