"""StreamField blocks shared by every page type."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


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


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], label=_("段落"), icon="pilcrow"
    )
    figure = FigureBlock()
    quote = QuoteBlock()
