"""Demo content for the CMS: the site tree with a home page in both languages."""

from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

HOME = {
    "zh-hans": {
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
    "en": {
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
    zh_locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en_locale, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    # Wagtail's starter "Welcome" page (and the site pointing at it) has no place here.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()

    home = HomePage.objects.filter(locale=zh_locale).first()
    if home is None:
        home = HomePage(slug="home", locale=zh_locale, **_fields("zh-hans"))
        root.add_child(instance=home)
        home.save_revision().publish()

    home_en = HomePage.objects.filter(locale=en_locale).first()
    if home_en is None:
        home_en = home.copy_for_translation(en_locale)
        for name, value in _fields("en").items():
            setattr(home_en, name, value)
        home_en.save_revision().publish()

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


def _fields(language: str) -> dict:
    content = HOME[language]
    return {"title": content["title"], "intro": content["intro"], "body": content["body"]}
