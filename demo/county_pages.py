"""Demo CMS pages about places and people: a page for every western county with
cooperatives, stories of three cooperatives, and the eastern cities' campaign zones with
their sales channels. Idempotent, like every demo loader."""

from oscar.core.loading import get_model

from cms.models import CampaignZonePage, CooperativeStoryPage, CountyPage, HomePage, SectionPage
from producers.models import Cooperative, Region

from .media import landscape_image
from .producers import COOPERATIVES
from .site import child_page, paragraph_block, rich

SalesChannel = get_model("order", "SalesChannel")

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


def county_pages_load(home: HomePage) -> None:
    section = child_page(
        home,
        SectionPage,
        "counties",
        {"title": "帮扶县", "intro": rich("西部结对帮扶县的县情、合作社和在售产品。")},
        {
            "title": "Counties",
            "intro": rich("Western counties we work with: their cooperatives and products."),
        },
    )
    counties = Region.objects.filter(
        level=Region.Level.COUNTY, side=Region.Side.WEST, county_cooperatives__isnull=False
    ).distinct()
    for county in counties.select_related("parent__parent").order_by("code"):
        province = county.parent.parent
        image = landscape_image(
            title=f"县情配图 · {county.name}",
            label=f"{county.name} · {county.name_en}",
            name=f"county-{county.code}",
        )
        child_page(
            section,
            CountyPage,
            f"county-{county.code}",
            {
                "title": county.name,
                "intro": rich(
                    f"{county.name}位于{province.name}{county.parent.name}，{_status_zh(county)}。"
                ),
                "body": [
                    paragraph_block(
                        "县里的认定合作社通过产品收购、务工和分红三种方式带动建档立卡户增收，"
                        "下方产品均持有有效的扶贫产品认定。"
                    )
                ],
                "region": county,
                "image": image,
            },
            {
                "title": county.name_en or county.name,
                "intro": rich(
                    f"{county.name_en} lies in {county.parent.name_en}, {province.name_en}; it is "
                    f"{_status_en(county)}."
                ),
                "body": [
                    paragraph_block(
                        "Its certified cooperatives raise registered households' income through "
                        "produce purchase, wages and dividends; every product below holds a "
                        "valid poverty-alleviation product certificate."
                    )
                ],
            },
        )


def story_pages_load(home: HomePage) -> None:
    section = child_page(
        home,
        SectionPage,
        "stories",
        {"title": "合作社故事", "intro": rich("合作社和社员户的故事。")},
        {
            "title": "Cooperative stories",
            "intro": rich("Stories of cooperatives and their members."),
        },
    )
    cooperatives = {
        c.legal_name: c for c in Cooperative.objects.select_related("county", "village")
    }
    by_key = {spec.key: cooperatives.get(spec.legal_name) for spec in COOPERATIVES}
    for key, slug, zh_title, en_title, en_text in STORIES:
        cooperative = by_key.get(key)
        if cooperative is None:
            continue
        image = landscape_image(
            title=f"合作社配图 · {cooperative.legal_name}",
            label=zh_title,
            name=f"story-{slug}",
        )
        child_page(
            section,
            CooperativeStoryPage,
            slug,
            {
                "title": zh_title,
                "intro": rich(cooperative.description or cooperative.legal_name),
                "body": [
                    paragraph_block(
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
                "intro": rich(en_text),
                "body": [
                    paragraph_block(
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


def zone_pages_load(home: HomePage) -> None:
    section = child_page(
        home,
        SectionPage,
        "zones",
        {
            "title": "消费帮扶专区",
            "intro": rich("东部结对城市的消费帮扶专区：经专区下单的采购计入该城市的帮助销售额。"),
        },
        {
            "title": "Campaign zones",
            "intro": rich(
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
        child_page(
            section,
            CampaignZonePage,
            code,
            {
                "title": name,
                "intro": rich(
                    f"{region.name}结对帮扶地区的扶贫产品。在本专区下单，订单计入“{name}”渠道。"
                ),
                "channel": channel,
            },
            {
                "title": name_en,
                "intro": rich(
                    f"Products of the areas {region.name_en} is paired with. Orders placed "
                    "here are recorded under this zone's channel."
                ),
            },
        )
