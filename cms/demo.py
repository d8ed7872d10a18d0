"""Demo content for the CMS: the whole site tree in Chinese and English, with images and
documents generated offline. Every loader is idempotent: a page, image or document that
exists (looked up by slug under its parent, or by title) is left as it is."""

import datetime
import io
import random
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from oscar.core.loading import get_model
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Site

from core.pdf import cjk_font
from marketplace.catalogue.selectors import products_for_sale
from producers.models import Cooperative, Region

from .models import (
    CampaignZonePage,
    CooperativeStoryPage,
    CountyPage,
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    ParticipationPage,
    PolicyPage,
    ScorecardSummaryPage,
    SectionPage,
)
from .workflows import moderation_workflow_sync

SalesChannel = get_model("order", "SalesChannel")

ZH, EN = "zh-hans", "en"
CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

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
        _translate(home, en_locale, _fields(HOME[EN]))

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


def _translate(page: Page, locale: Locale, fields: dict) -> Page:
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


def _child(parent: Page, model, slug: str, zh: dict, en: dict, **extra) -> Page:
    """The published child `slug` of `parent` in Chinese, and its English translation."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=parent.locale, show_in_menus=True, **zh, **extra)
        parent.add_child(instance=page)
        page.save_revision().publish()
    en_locale = Locale.objects.get(language_code=EN)
    _translate(page, en_locale, en)
    return page


# --- Generated media ---------------------------------------------------------------------

PALETTE = [
    ((214, 170, 84), (120, 80, 40)),
    ((118, 160, 90), (40, 80, 50)),
    ((90, 140, 190), (30, 60, 110)),
    ((200, 110, 80), (110, 40, 30)),
    ((160, 120, 180), (70, 40, 100)),
]


def _landscape_png(*, seed: str, label: str) -> bytes:
    """A mountain landscape with a caption, drawn with Pillow (no network, no stock photo)."""
    rng = random.Random(seed)
    sky, earth = PALETTE[rng.randrange(len(PALETTE))]
    width, height = 960, 540
    image = PILImage.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):
        shade = tuple(min(255, c + y // 4) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.ellipse([width - 220, 60, width - 120, 160], fill=(250, 230, 160))
    for layer in range(3):
        base = height // 2 + layer * 70
        colour = tuple(max(0, c - layer * 25) for c in earth)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            points.append((x, base - rng.randint(20, 140)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    try:
        font = ImageFont.truetype(str(CJK_FONT_FILE), 44)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle([0, height - 90, width, height], fill=(0, 0, 0))
    draw.text((32, height - 72), label, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _image(*, title: str, label: str, name: str) -> Image:
    image = Image.objects.filter(title=title).first()
    if image is None:
        data = _landscape_png(seed=name, label=label)
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(data), name=f"{name}.png")
        image.save()
    return image


def _pdf(*, title: str, paragraphs: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = cjk_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    pdf.setTitle(title)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 80, title[:34])
    pdf.setFont(font, 11)
    y = height - 130
    for paragraph in paragraphs:
        for start in range(0, len(paragraph), 38):
            pdf.drawString(60, y, paragraph[start : start + 38])
            y -= 18
        y -= 10
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _document(*, title: str, name: str, paragraphs: list[str]) -> Document:
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file = ContentFile(_pdf(title=title, paragraphs=paragraphs), name=f"{name}.pdf")
        document.save()
    return document


def _rich(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": _rich(text)}


# --- The tree ----------------------------------------------------------------------------

FEATURED_COUNTIES = ["513431", "513429", "520526", "622926", "640422", "522634"]

NEWS = [
    (
        "liangshan-buckwheat-harvest",
        datetime.date(2026, 9, 18),
        "凉山苦荞新季上市，东部机关食堂首批采购到货",
        "New-season Liangshan buckwheat reaches eastern canteens",
        "昭觉、布拖两县合作社的新季苦荞和高山马铃薯陆续上线，杭州、福州的机关食堂通过平台完成首批采购。",
        "New-season Tartary buckwheat and highland potatoes from cooperatives in Zhaojue and "
        "Butuo are on sale; canteens in Hangzhou and Fuzhou placed their first orders.",
        "订单结算后，销售额按合作社的利益联结方案分配到社员户，县扶贫办可以在工作台上逐户核对。",
        "Once an order settles, the sale is split by the cooperative's benefit-linkage scheme "
        "among member households, which the county office can check one by one.",
    ),
    (
        "no-slack-after-exit",
        datetime.date(2026, 6, 30),
        "摘帽不摘帮扶：已脱贫县的产品继续进入东部市场",
        "No slack after exit: former poor counties keep their eastern markets",
        "雷山、台江、渭源等较早脱贫的县，帮扶渠道和采购力度保持不变，茶叶、稻米和中药材继续在专区销售。",
        "Counties that exited poverty earlier, such as Leishan, Taijiang and Weiyuan, keep their "
        "channels and purchase targets; their tea, rice and herbs stay on sale in the zones.",
        "平台对脱贫户和监测户的收入变化进行跟踪，收入低于监测线的农户会进入县里的预警名单。",
        "The platform follows the income of exited and monitored households; those below the "
        "monitoring threshold appear on the county's early-warning list.",
    ),
    (
        "hangzhou-zone-opens",
        datetime.date(2026, 3, 12),
        "杭州消费帮扶专区上线，黔东南好物一站选购",
        "Hangzhou's campaign zone opens with Qiandongnan's best products",
        "杭州市与黔东南州结对多年，专区集中展示苗绣、茶叶和稻米，经专区下单的采购计入杭州的帮助销售额。",
        "Hangzhou has been paired with Qiandongnan for years. Its zone shows Miao embroidery, "
        "tea and rice, and purchases made through it count as sales Hangzhou helped to make.",
        "专区中的每件产品都持有有效的扶贫产品认定，售罄或认定失效的产品会自动下架。",
        "Every product in the zone holds a valid certificate; sold-out or uncertified products "
        "disappear from the zone automatically.",
    ),
]

POLICIES = [
    (
        "consumption-poverty-alleviation-2018",
        "关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见",
        "Guiding opinions on consumption poverty alleviation (2018)",
        "国务院办公厅",
        "General Office of the State Council",
        "国办发〔2018〕129号",
        datetime.date(2018, 12, 30),
        [
            "动员社会各界扩大贫困地区产品和服务消费，调动贫困人口依靠自身努力实现脱贫致富的积极性。",
            "推动各级机关和国有企事业单位等带头参与消费扶贫，将消费扶贫纳入东西部扶贫协作和定点扶贫考核。",
            "（演示摘要，以正式文件为准。）",
        ],
        "Mobilise society to buy products and services of poor areas; public bodies and state "
        "enterprises lead, and consumption poverty alleviation counts in the east–west "
        "cooperation and designated assistance evaluations. (Demo summary; the official text "
        "prevails.)",
    ),
    (
        "consumption-assistance-2021",
        "关于继续大力实施消费帮扶巩固拓展脱贫攻坚成果的指导意见",
        "Guiding opinions on continuing consumption assistance (2021)",
        "国家发展改革委等部门",
        "National Development and Reform Commission and other departments",
        "发改振兴〔2021〕640号",
        datetime.date(2021, 4, 28),
        [
            "过渡期内保持帮扶政策总体稳定，继续组织开展消费帮扶，把脱贫地区产品持续推向东部市场。",
            "完善利益联结机制，带动脱贫人口稳定增收，防止规模性返贫。",
            "（演示摘要，以正式文件为准。）",
        ],
        "During the transition period assistance policies stay stable: consumption assistance "
        "continues, benefit-linkage mechanisms are improved and large-scale return to poverty "
        "is prevented. (Demo summary; the official text prevails.)",
    ),
]

STORIES = [
    (
        "huopu",
        "huopu-cooperative",
        "火普村的高山马铃薯",
        "Highland potatoes of Huopu Village",
        "Huopu Village sits 2,600 metres up in Zhaojue County. Its cooperative grows potatoes "
        "and Tartary buckwheat with 67 member households, who are paid for their produce and "
        "share in the cooperative's dividends.",
    ),
    (
        "butuo_qiao",
        "butuo-buckwheat",
        "一杯苦荞茶里的增收账",
        "The income in a cup of buckwheat tea",
        "The Temuli buckwheat cooperative in Butuo turns Tartary buckwheat into tea and "
        "noodles. Poor households in Wuke Village supply the grain and work in the roasting "
        "shop.",
    ),
    (
        "xijiang_embroidery",
        "xijiang-embroidery",
        "西江苗绣：指尖上的手艺",
        "Xijiang Miao embroidery: a craft at the fingertips",
        "Women of Xijiang in Leishan County embroider at home between farm seasons; the "
        "cooperative sells their work and pays them per piece.",
    ),
]

CHANNELS = [
    ("hangzhou-zone", "杭州消费帮扶专区", "Hangzhou campaign zone", "3301"),
    ("fuzhou-zone", "福州消费帮扶专区", "Fuzhou campaign zone", "3501"),
    ("shanghai-zone", "上海消费帮扶专区", "Shanghai campaign zone", "31"),
]


@transaction.atomic
def demo_pages_load() -> int:
    """Load the whole demo site tree under the home pages; returns the number of Chinese
    pages in it. Needs the demo regions, cooperatives and catalogue."""
    home = site_tree_load()
    moderation_workflow_sync()
    _home_blocks(home)
    _news(home)
    _policies(home)
    _counties(home)
    _stories(home)
    _zones(home)
    _child(
        home,
        ScorecardSummaryPage,
        "scorecard",
        {
            "title": "结对帮扶采购公示",
            "intro": _rich("各结对关系西部受帮扶地区的年度采购额，只计已结算订单并扣除退款。"),
        },
        {
            "title": "Purchases by pairing",
            "intro": _rich(
                "Yearly purchases from each pairing's western region: settled orders only, "
                "refunds deducted."
            ),
        },
    )
    _child(
        home,
        ParticipationPage,
        "participation",
        {
            "title": "消费帮扶爱心榜",
            "intro": _rich(
                "感谢每一家采购单位和每一位消费者。个人只在本人同意后以昵称上榜；"
                "登录后可下载年度感谢证书。"
            ),
        },
        {
            "title": "Who is helping",
            "intro": _rich(
                "Thank you to every organisation and every consumer. Individuals appear by "
                "nickname only if they agree; signed-in buyers can download a yearly "
                "certificate of thanks."
            ),
        },
    )
    return home.get_descendants(inclusive=True).count()


def _home_blocks(home: HomePage) -> None:
    """Featured counties and products on both home pages, added once."""
    counties = [
        str(pk)
        for pk in Region.objects.filter(code__in=FEATURED_COUNTIES)
        .order_by("code")
        .values_list("pk", flat=True)
    ]
    products = [
        str(pk) for pk in products_for_sale().order_by("pk").values_list("pk", flat=True)[:8]
    ]
    blocks = {
        ZH: ("重点帮扶县", "精选扶贫产品"),
        EN: ("Counties we work with", "Featured products"),
    }
    for page in [home, *home.get_translations()]:
        page = page.specific
        if any(block.block_type in ("counties", "products") for block in page.body):
            continue
        county_heading, product_heading = blocks[page.locale.language_code]
        data = list(page.body.raw_data)
        if counties:
            data.append(
                {"type": "counties", "value": {"heading": county_heading, "counties": counties}}
            )
        if products:
            data.append(
                {"type": "products", "value": {"heading": product_heading, "products": products}}
            )
        page.body = data
        page.save_revision().publish()


def _news(home: HomePage) -> None:
    index = _child(
        home,
        NewsIndexPage,
        "news",
        {"title": "新闻动态", "intro": _rich("平台、县和合作社的最新消息。")},
        {
            "title": "News",
            "intro": _rich("The latest from the platform, counties and cooperatives."),
        },
    )
    for slug, date, zh_title, en_title, zh_lead, en_lead, zh_text, en_text in NEWS:
        image = _image(title=f"新闻配图 · {slug}", label=zh_title[:18], name=f"news-{slug}")
        _child(
            index,
            NewsArticlePage,
            slug,
            {
                "title": zh_title,
                "intro": _rich(zh_lead),
                "body": [_paragraph(zh_text)],
                "date": date,
                "image": image,
            },
            {"title": en_title, "intro": _rich(en_lead), "body": [_paragraph(en_text)]},
        )


def _policies(home: HomePage) -> None:
    section = _child(
        home,
        SectionPage,
        "policies",
        {"title": "政策文件", "intro": _rich("消费帮扶相关的政策文件及附件下载。")},
        {
            "title": "Policies",
            "intro": _rich("Policy texts on consumption assistance, to download."),
        },
    )
    for slug, zh_title, en_title, issuer, issuer_en, number, date, zh_text, en_text in POLICIES:
        document = _document(title=zh_title, name=f"policy-{slug}", paragraphs=zh_text)
        documents = [
            {"type": "document", "value": {"document": document.pk, "description": "摘要（演示）"}}
        ]
        _child(
            section,
            PolicyPage,
            slug,
            {
                "title": zh_title,
                "intro": _rich(zh_text[0]),
                "body": [_paragraph(text) for text in zh_text[1:]],
                "issuer": issuer,
                "document_number": number,
                "date": date,
                "documents": documents,
            },
            {
                "title": en_title,
                "intro": _rich(en_text),
                "body": [],
                "issuer": issuer_en,
                "documents": [
                    {
                        "type": "document",
                        "value": {"document": document.pk, "description": "Summary (demo)"},
                    }
                ],
            },
        )


def _status_zh(county: Region) -> str:
    flags = [
        label
        for flag, label in (
            (county.is_deep_poverty, "深度贫困地区"),
            (county.is_supervision_target, "2020 年挂牌督战县"),
        )
        if flag
    ]
    exit_text = f"{county.exit_year} 年脱贫摘帽" if county.exit_year else "正在攻坚"
    return "，".join([*flags, exit_text])


def _status_en(county: Region) -> str:
    flags = [
        label
        for flag, label in (
            (county.is_deep_poverty, "a deep-poverty area"),
            (county.is_supervision_target, "a 2020 supervision target"),
        )
        if flag
    ]
    exit_text = f"exited poverty in {county.exit_year}" if county.exit_year else "not yet exited"
    return ", ".join([*flags, exit_text])


def _counties(home: HomePage) -> None:
    section = _child(
        home,
        SectionPage,
        "counties",
        {"title": "帮扶县", "intro": _rich("西部结对帮扶县的县情、合作社和在售产品。")},
        {
            "title": "Counties",
            "intro": _rich("Western counties we work with: their cooperatives and products."),
        },
    )
    counties = Region.objects.filter(
        level=Region.Level.COUNTY, side=Region.Side.WEST, county_cooperatives__isnull=False
    ).distinct()
    for county in counties.select_related("parent__parent").order_by("code"):
        province = county.parent.parent
        image = _image(
            title=f"县情配图 · {county.name}",
            label=f"{county.name} · {county.name_en}",
            name=f"county-{county.code}",
        )
        _child(
            section,
            CountyPage,
            f"county-{county.code}",
            {
                "title": county.name,
                "intro": _rich(
                    f"{county.name}位于{province.name}{county.parent.name}，{_status_zh(county)}。"
                ),
                "body": [
                    _paragraph(
                        "县里的认定合作社通过产品收购、务工和分红三种方式带动建档立卡户增收，"
                        "下方产品均持有有效的扶贫产品认定。"
                    )
                ],
                "region": county,
                "image": image,
            },
            {
                "title": county.name_en or county.name,
                "intro": _rich(
                    f"{county.name_en} lies in {county.parent.name_en}, {province.name_en}; it is "
                    f"{_status_en(county)}."
                ),
                "body": [
                    _paragraph(
                        "Its certified cooperatives raise registered households' income through "
                        "produce purchase, wages and dividends; every product below holds a "
                        "valid poverty-alleviation product certificate."
                    )
                ],
            },
        )


def _stories(home: HomePage) -> None:
    section = _child(
        home,
        SectionPage,
        "stories",
        {"title": "合作社故事", "intro": _rich("合作社和社员户的故事。")},
        {
            "title": "Cooperative stories",
            "intro": _rich("Stories of cooperatives and their members."),
        },
    )
    cooperatives = {
        c.legal_name: c for c in Cooperative.objects.select_related("county", "village")
    }
    from producers.demo import COOPERATIVES

    by_key = {spec.key: cooperatives.get(spec.legal_name) for spec in COOPERATIVES}
    for key, slug, zh_title, en_title, en_text in STORIES:
        cooperative = by_key.get(key)
        if cooperative is None:
            continue
        image = _image(
            title=f"合作社配图 · {cooperative.legal_name}",
            label=zh_title,
            name=f"story-{slug}",
        )
        _child(
            section,
            CooperativeStoryPage,
            slug,
            {
                "title": zh_title,
                "intro": _rich(cooperative.description or cooperative.legal_name),
                "body": [
                    _paragraph(
                        f"{cooperative.legal_name}位于{cooperative.county.name}"
                        f"{cooperative.village.name}。社员户按照利益联结方案获得收购款、"
                        "工资和分红，每一笔都记入收益台账。"
                    ),
                    {
                        "type": "quote",
                        "value": {
                            "text": "东西卖出去了，钱就到了农户手里。",
                            "source": "合作社负责人",
                        },
                    },
                ],
                "cooperative": cooperative,
                "image": image,
            },
            {
                "title": en_title,
                "intro": _rich(en_text),
                "body": [
                    _paragraph(
                        "Members are paid for produce, wages and dividends under the "
                        "cooperative's benefit-linkage scheme, and each payment is recorded "
                        "in the income ledger."
                    ),
                    {
                        "type": "quote",
                        "value": {
                            "text": "When the goods are sold, the money reaches the households.",
                            "source": "Head of the cooperative",
                        },
                    },
                ],
            },
        )


def _zones(home: HomePage) -> None:
    section = _child(
        home,
        SectionPage,
        "zones",
        {
            "title": "消费帮扶专区",
            "intro": _rich("东部结对城市的消费帮扶专区：经专区下单的采购计入该城市的帮助销售额。"),
        },
        {
            "title": "Campaign zones",
            "intro": _rich(
                "Campaign zones of eastern partner cities: purchases made through a zone count "
                "as sales that city helped to make."
            ),
        },
    )
    for code, name, name_en, region_code in CHANNELS:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            continue
        channel, _created = SalesChannel.objects.get_or_create(
            code=code, defaults={"name": name, "region": region}
        )
        _child(
            section,
            CampaignZonePage,
            code,
            {
                "title": name,
                "intro": _rich(
                    f"{region.name}结对帮扶地区的扶贫产品。在本专区下单，订单计入“{name}”渠道。"
                ),
                "channel": channel,
            },
            {
                "title": name_en,
                "intro": _rich(
                    f"Products of the areas {region.name_en} is paired with. Orders placed "
                    "here are recorded under this zone's channel."
                ),
            },
        )
