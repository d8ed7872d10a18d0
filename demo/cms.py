"""Demo content for the CMS: the whole site tree in Chinese and English, with images and
documents generated offline. Every loader is idempotent: a page, image or document that
exists (looked up by slug under its parent, or by title) is left as it is."""

import datetime

from django.db import transaction

from cms.models import (
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    ParticipationPage,
    PolicyPage,
    ScorecardSummaryPage,
    SectionPage,
)
from cms.workflows import moderation_workflow_sync
from marketplace.catalogue.selectors import products_for_sale
from producers.models import Region

from .county_pages import county_pages_load, story_pages_load, zone_pages_load
from .media import landscape_image, pdf_document
from .site import EN, ZH, child_page, paragraph_block, rich, site_tree_load

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


@transaction.atomic
def demo_pages_load() -> int:
    """Load the whole demo site tree under the home pages; returns the number of Chinese
    pages in it. Needs the demo regions, cooperatives and catalogue."""
    home = site_tree_load()
    moderation_workflow_sync()
    _home_blocks(home)
    _news(home)
    _policies(home)
    county_pages_load(home)
    story_pages_load(home)
    zone_pages_load(home)
    child_page(
        home,
        ScorecardSummaryPage,
        "scorecard",
        {
            "title": "结对帮扶采购公示",
            "intro": rich("各结对关系西部受帮扶地区的年度采购额，只计已结算订单并扣除退款。"),
        },
        {
            "title": "Purchases by pairing",
            "intro": rich(
                "Yearly purchases from each pairing's western region: settled orders only, "
                "refunds deducted."
            ),
        },
    )
    child_page(
        home,
        ParticipationPage,
        "participation",
        {
            "title": "消费帮扶爱心榜",
            "intro": rich(
                "感谢每一家采购单位和每一位消费者。个人只在本人同意后以昵称上榜；"
                "登录后可下载年度感谢证书。"
            ),
        },
        {
            "title": "Who is helping",
            "intro": rich(
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
    index = child_page(
        home,
        NewsIndexPage,
        "news",
        {"title": "新闻动态", "intro": rich("平台、县和合作社的最新消息。")},
        {
            "title": "News",
            "intro": rich("The latest from the platform, counties and cooperatives."),
        },
    )
    for slug, date, zh_title, en_title, zh_lead, en_lead, zh_text, en_text in NEWS:
        image = landscape_image(
            title=f"新闻配图 · {slug}", label=zh_title[:18], name=f"news-{slug}"
        )
        child_page(
            index,
            NewsArticlePage,
            slug,
            {
                "title": zh_title,
                "intro": rich(zh_lead),
                "body": [paragraph_block(zh_text)],
                "date": date,
                "image": image,
            },
            {"title": en_title, "intro": rich(en_lead), "body": [paragraph_block(en_text)]},
        )


def _policies(home: HomePage) -> None:
    section = child_page(
        home,
        SectionPage,
        "policies",
        {"title": "政策文件", "intro": rich("消费帮扶相关的政策文件及附件下载。")},
        {
            "title": "Policies",
            "intro": rich("Policy texts on consumption assistance, to download."),
        },
    )
    for slug, zh_title, en_title, issuer, issuer_en, number, date, zh_text, en_text in POLICIES:
        document = pdf_document(title=zh_title, name=f"policy-{slug}", paragraphs=zh_text)
        documents = [
            {"type": "document", "value": {"document": document.pk, "description": "摘要（演示）"}}
        ]
        child_page(
            section,
            PolicyPage,
            slug,
            {
                "title": zh_title,
                "intro": rich(zh_text[0]),
                "body": [paragraph_block(text) for text in zh_text[1:]],
                "issuer": issuer,
                "document_number": number,
                "date": date,
                "documents": documents,
            },
            {
                "title": en_title,
                "intro": rich(en_text),
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
