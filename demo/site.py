"""The demo site tree: a home page in Chinese and English as the default site's root, and
the helpers the demo's pages are built with. Idempotent: a page that exists (looked up by
slug under its parent) is left as it is."""

from django.db import transaction
from wagtail.models import Locale, Page, Site

from cms.models import HomePage

ZH, EN = "zh-hans", "en"

HOME = {
    ZH: {
        "title": "买东西，帮西部",
        "intro": "<p>东部的消费者、机关单位、国有企业和工会，"
        "在这里直接采购西部脱贫地区合作社的产品。"
        "每一笔订单都通过合作社的利益联结机制追溯到建档立卡户。</p>",
        "body": [
            {"type": "heading", "value": {"text": "为什么是“东西”", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>东西部扶贫协作和定点帮扶把东部的市场与西部的产地连在一起。"
                "平台上的每一件产品都经过县扶贫办认定，每一元销售额都记入考核。</p>",
            },
            {
                "type": "quote",
                "value": {
                    "text": "摘帽不摘责任、不摘政策、不摘帮扶、不摘监管。",
                    "source": "巩固拓展脱贫攻坚成果的要求",
                },
            },
        ],
    },
    EN: {
        "title": "Buy from the West, help the West",
        "intro": "<p>Consumers, budget units, state enterprises and unions in the east buy "
        "directly "
        "from cooperatives in the west's former poor counties. Every order is traced through the "
        "cooperative's benefit-linkage scheme to registered households.</p>",
        "body": [
            {"type": "heading", "value": {"text": "Why “Dongxi”", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>East–west cooperation and designated assistance connect eastern "
                "markets with western producers. Every product here is certified by its county "
                "office, and every yuan sold counts in the evaluation.</p>",
            },
        ],
    },
}


@transaction.atomic
def site_tree_load() -> HomePage:
    """Make a HomePage in each language the default site's root. Idempotent."""
    zh_locale, _ = Locale.objects.get_or_create(language_code=ZH)
    en_locale, _ = Locale.objects.get_or_create(language_code=EN)
    root = Page.get_first_root_node()
    # Wagtail's starter "Welcome" page (and the site pointing at it) has no place here.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()

    home = HomePage.objects.filter(locale=zh_locale).first()
    if home is None:
        home = HomePage(slug="home", locale=zh_locale, **_fields(HOME[ZH]))
        root.add_child(instance=home)
        home.save_revision().publish()

    if HomePage.objects.filter(locale=en_locale).first() is None:
        page_translation(home, en_locale, _fields(HOME[EN]))

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    if site.root_page_id != home.pk or site.site_name != "东西 Dongxi":
        site.hostname, site.port, site.site_name, site.root_page = (
            "localhost",
            80,
            "东西 Dongxi",
            home,
        )
        site.save()
    return home


def _fields(content: dict) -> dict:
    return {key: content[key] for key in ("title", "intro", "body") if key in content}


def page_translation(page: Page, locale: Locale, fields: dict) -> Page:
    """The page's translation into `locale` (same slug, so the language switch finds it),
    with its own text, published."""
    translation = page.get_translation_or_none(locale)
    if translation is not None:
        return translation
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def child_page(parent: Page, model, slug: str, zh: dict, en: dict, **extra) -> Page:
    """The published child `slug` of `parent` in Chinese, and its English translation."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=parent.locale, show_in_menus=True, **zh, **extra)
        parent.add_child(instance=page)
        page.save_revision().publish()
    en_locale = Locale.objects.get(language_code=EN)
    page_translation(page, en_locale, en)
    return page


def rich(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def paragraph_block(text: str) -> dict:
    return {"type": "paragraph", "value": rich(text)}
