"""Demo world for the producers layer: real pairing regions, counties, cooperatives and
households. Village codes and all people are invented; county codes and statuses are real.
Every loader is idempotent: it looks rows up by their natural key and creates what is missing.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from . import crypto
from .models import (
    BenefitKind,
    BenefitLink,
    BenefitScheme,
    Cooperative,
    CooperativeDecision,
    CountyOfficer,
    Household,
    Region,
    WageRecord,
)
from .validators import credit_code_check_char

W, E = Region.Side.WEST, Region.Side.EAST

# (code, name, English name, side, parent code)
PROVINCES_AND_CITIES = [
    ("51", "四川省", "Sichuan", W, None),
    ("5134", "凉山彝族自治州", "Liangshan Yi Autonomous Prefecture", W, "51"),
    ("52", "贵州省", "Guizhou", W, None),
    ("5205", "毕节市", "Bijie", W, "52"),
    ("5226", "黔东南苗族侗族自治州", "Qiandongnan Miao and Dong Autonomous Prefecture", W, "52"),
    ("53", "云南省", "Yunnan", W, None),
    ("5306", "昭通市", "Zhaotong", W, "53"),
    ("5333", "怒江傈僳族自治州", "Nujiang Lisu Autonomous Prefecture", W, "53"),
    ("62", "甘肃省", "Gansu", W, None),
    ("6211", "定西市", "Dingxi", W, "62"),
    ("6229", "临夏回族自治州", "Linxia Hui Autonomous Prefecture", W, "62"),
    ("64", "宁夏回族自治区", "Ningxia", W, None),
    ("6404", "固原市", "Guyuan", W, "64"),
    ("31", "上海市", "Shanghai", E, None),
    ("32", "江苏省", "Jiangsu", E, None),
    ("3205", "苏州市", "Suzhou", E, "32"),
    ("33", "浙江省", "Zhejiang", E, None),
    ("3301", "杭州市", "Hangzhou", E, "33"),
    ("3302", "宁波市", "Ningbo", E, "33"),
    ("35", "福建省", "Fujian", E, None),
    ("3501", "福州市", "Fuzhou", E, "35"),
    ("3502", "厦门市", "Xiamen", E, "35"),
    ("44", "广东省", "Guangdong", E, None),
    ("4401", "广州市", "Guangzhou", E, "44"),
]


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    name_en: str
    city: str
    deep_poverty: bool
    supervision: bool
    exit_year: int
    # (township name, township English, [(village name, village English)])
    townships: tuple


COUNTIES = [
    CountySpec(
        "513431",
        "昭觉县",
        "Zhaojue County",
        "5134",
        True,
        True,
        2020,
        (
            (
                "解放乡",
                "Jiefang Township",
                (("火普村", "Huopu Village"), ("呷姑村", "Gagu Village")),
            ),
        ),
    ),
    CountySpec(
        "513429",
        "布拖县",
        "Butuo County",
        "5134",
        True,
        True,
        2020,
        (
            (
                "特木里镇",
                "Temuli Town",
                (("乌科村", "Wuke Village"), ("阿布洛哈村", "Abuluoha Village")),
            ),
        ),
    ),
    CountySpec(
        "513436",
        "美姑县",
        "Meigu County",
        "5134",
        True,
        True,
        2020,
        (("牛牛坝乡", "Niuniuba Township", (("觉洛村", "Jueluo Village"),)),),
    ),
    CountySpec(
        "520526",
        "威宁彝族回族苗族自治县",
        "Weining County",
        "5205",
        True,
        True,
        2020,
        (
            (
                "石门乡",
                "Shimen Township",
                (("新龙村", "Xinlong Village"), ("团结村", "Tuanjie Village")),
            ),
        ),
    ),
    CountySpec(
        "530627",
        "镇雄县",
        "Zhenxiong County",
        "5306",
        True,
        True,
        2020,
        (("以古镇", "Yigu Town", (("大地村", "Dadi Village"),)),),
    ),
    CountySpec(
        "533323",
        "福贡县",
        "Fugong County",
        "5333",
        True,
        True,
        2020,
        (("匹河怒族乡", "Pihe Nu Township", (("老姆登村", "Laomudeng Village"),)),),
    ),
    CountySpec(
        "622926",
        "东乡族自治县",
        "Dongxiang County",
        "6229",
        True,
        True,
        2020,
        (("高山乡", "Gaoshan Township", (("布楞沟村", "Bulenggou Village"),)),),
    ),
    CountySpec(
        "640422",
        "西吉县",
        "Xiji County",
        "6404",
        True,
        True,
        2020,
        (
            (
                "将台堡镇",
                "Jiangtaibao Town",
                (("明台村", "Mingtai Village"), ("火集村", "Huoji Village")),
            ),
        ),
    ),
    CountySpec(
        "522634",
        "雷山县",
        "Leishan County",
        "5226",
        False,
        False,
        2019,
        (
            (
                "西江镇",
                "Xijiang Town",
                (("西江村", "Xijiang Village"), ("脚尧村", "Jiaoyao Village")),
            ),
        ),
    ),
    CountySpec(
        "522630",
        "台江县",
        "Taijiang County",
        "5226",
        False,
        False,
        2019,
        (("施洞镇", "Shidong Town", (("偏寨村", "Pianzhai Village"),)),),
    ),
    CountySpec(
        "621123",
        "渭源县",
        "Weiyuan County",
        "6211",
        False,
        False,
        2019,
        (("田家河乡", "Tianjiahe Township", (("元古堆村", "Yuangudui Village"),)),),
    ),
]


@dataclass(frozen=True)
class CooperativeSpec:
    key: str  # stable handle for other demo modules
    legal_name: str
    kind: str
    village: str  # village name, unique in the demo world
    org_code: str  # 9-character organisation code part of the credit code
    contact_name: str
    contact_phone: str
    state: str
    description: str


K, S = Cooperative.Kind, Cooperative.State
COOPERATIVES = [
    CooperativeSpec(
        "huopu",
        "昭觉县火普村种养殖农民专业合作社",
        K.FARMERS_COOPERATIVE,
        "火普村",
        "MA6BHP0X1",
        "吉克阿呷",
        "13881234501",
        S.CERTIFIED,
        "海拔2600米的高山马铃薯和苦荞，由火普村67户社员种植。",
    ),
    CooperativeSpec(
        "butuo_qiao",
        "布拖县特木里苦荞专业合作社",
        K.FARMERS_COOPERATIVE,
        "乌科村",
        "MA6BTQ0Y2",
        "曲比拉则",
        "13881234502",
        S.CERTIFIED,
        "以苦荞茶和荞麦面为主，带动乌科村贫困户种植苦荞。",
    ),
    CooperativeSpec(
        "meigu_walnut",
        "美姑县觉洛核桃花椒专业合作社",
        K.FARMERS_COOPERATIVE,
        "觉洛村",
        "MA6BMG0W3",
        "阿苏木呷",
        "13881234503",
        S.CERTIFIED,
        "收购社员的核桃和大红袍花椒，统一分拣包装。",
    ),
    CooperativeSpec(
        "weining_beef",
        "威宁草海牧业有限公司",
        K.LEADING_ENTERPRISE,
        "新龙村",
        "MA6DWN0A4",
        "王永江",
        "13985234504",
        S.CERTIFIED,
        "高原草饲黄牛，贫困户以养殖和务工参与，入股分红。",
    ),
    CooperativeSpec(
        "zhenxiong_honey",
        "镇雄县大地村山野蜂业专业合作社",
        K.FARMERS_COOPERATIVE,
        "大地村",
        "MA6KXX0B5",
        "陈光明",
        "13887234505",
        S.CERTIFIED,
        "乌蒙山区的土蜂蜜，社员分散养蜂、合作社统一检测销售。",
    ),
    CooperativeSpec(
        "laomudeng_tea",
        "福贡县老姆登村集体经济合作社",
        K.VILLAGE_COLLECTIVE,
        "老姆登村",
        "N2BFG0C61",
        "和学英",
        "13988234506",
        S.CERTIFIED,
        "怒江峡谷里的老姆登茶，村集体经营，收益按股分配给村民。",
    ),
    CooperativeSpec(
        "bulenggou_mutton",
        "东乡县布楞沟村养羊专业合作社",
        K.FARMERS_COOPERATIVE,
        "布楞沟村",
        "MA7DXB0D7",
        "马尕西木",
        "13993234507",
        S.CERTIFIED,
        "东乡手抓羊肉，贫困户托养入社，按出栏只数结算。",
    ),
    CooperativeSpec(
        "xiji_starch",
        "西吉县将台马铃薯淀粉有限公司",
        K.LEADING_ENTERPRISE,
        "明台村",
        "MA76XJ0E8",
        "杨志军",
        "13995234508",
        S.CERTIFIED,
        "收购周边农户马铃薯加工淀粉和粉条，吸纳贫困户务工。",
    ),
    CooperativeSpec(
        "xijiang_embroidery",
        "雷山县西江苗绣手工艺专业合作社",
        K.FARMERS_COOPERATIVE,
        "西江村",
        "MA6HLR0F9",
        "侯晓梅",
        "13985234509",
        S.CERTIFIED,
        "苗族妇女居家刺绣和蜡染，按件计酬。",
    ),
    CooperativeSpec(
        "jiaoyao_tea",
        "雷山县脚尧茶叶专业合作社",
        K.FARMERS_COOPERATIVE,
        "脚尧村",
        "MA6HJY0G1",
        "李正华",
        "13985234510",
        S.APPLIED,
        "雷山银球茶，正在申请供应商认定。",
    ),
    CooperativeSpec(
        "shidong_rice",
        "台江县偏寨稻香家庭农场",
        K.FAMILY_FARM,
        "偏寨村",
        "MA6HTJ0H2",
        "张秀英",
        "13985234511",
        S.CERTIFIED,
        "稻田养鱼的香米，雇用偏寨村脱贫户插秧和收割。",
    ),
    CooperativeSpec(
        "yuangudui_herbs",
        "渭源县元古堆中药材专业合作社",
        K.FARMERS_COOPERATIVE,
        "元古堆村",
        "MA72WY0J3",
        "郭连明",
        "13993234512",
        S.DRAFT,
        "白条党参种植，尚未提交认定申请。",
    ),
]

SURNAMES = {
    "51": ["吉克", "阿苏", "曲比", "沙马", "俄底", "阿尔", "海来", "吉伍"],
    "52": ["杨", "王", "吴", "龙", "潘", "李", "张", "陈"],
    "53": ["和", "李", "余", "陈", "杨", "熊", "王", "罗"],
    "62": ["马", "汪", "妥", "何", "郭", "张", "李", "杨"],
    "64": ["马", "杨", "王", "李", "苏", "田", "冯", "张"],
}
GIVEN = [
    "拉则",
    "木呷",
    "阿呷",
    "子日",
    "秀英",
    "永福",
    "德明",
    "小平",
    "兰芳",
    "国强",
    "建华",
    "海燕",
    "志军",
    "春梅",
    "文才",
    "玉兰",
    "正华",
    "光辉",
    "尔古",
    "金花",
]


def credit_code_for(*, registration: str, county_code: str, org_code: str) -> str:
    body = f"{registration}{county_code}{org_code}"
    return body + credit_code_check_char(body)


@transaction.atomic
def regions_load() -> dict[str, Region]:
    """Provinces, cities, the demo's western counties with their townships and villages."""
    regions: dict[str, Region] = {}

    def upsert(code, name, name_en, level, side, parent, **flags):
        region, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "side": side,
                "parent": parent,
                **flags,
            },
        )
        regions[code] = region
        return region

    for code, name, name_en, side, parent in PROVINCES_AND_CITIES:
        level = Region.Level.PROVINCE if parent is None else Region.Level.CITY
        upsert(code, name, name_en, level, side, regions.get(parent))
    for county in COUNTIES:
        county_region = upsert(
            county.code,
            county.name,
            county.name_en,
            Region.Level.COUNTY,
            W,
            regions[county.city],
            is_poor_county=True,
            is_deep_poverty=county.deep_poverty,
            is_supervision_target=county.supervision,
            exit_year=county.exit_year,
        )
        for t_index, (t_name, t_en, villages) in enumerate(county.townships, start=1):
            township = upsert(
                f"{county.code}{100 + t_index:03d}",
                t_name,
                t_en,
                Region.Level.TOWNSHIP,
                W,
                county_region,
            )
            for v_index, (v_name, v_en) in enumerate(villages, start=1):
                upsert(
                    f"{township.code}{200 + v_index:03d}",
                    v_name,
                    v_en,
                    Region.Level.VILLAGE,
                    W,
                    township,
                    is_supervision_target=county.supervision and v_index == 1,
                )
    return regions


@transaction.atomic
def cooperatives_load(*, regions: dict[str, Region]) -> dict[str, Cooperative]:
    villages = {r.name: r for r in regions.values() if r.level == Region.Level.VILLAGE}
    cooperatives = {}
    for spec in COOPERATIVES:
        village = villages[spec.village]
        registration = (
            "N2"
            if spec.kind == K.VILLAGE_COLLECTIVE
            else (
                "91"
                if spec.kind == K.LEADING_ENTERPRISE
                else "92"
                if spec.kind == K.FAMILY_FARM
                else "93"
            )
        )
        county_code = village.code[:6]
        credit_code = credit_code_for(
            registration=registration, county_code=county_code, org_code=spec.org_code[:9]
        )
        cooperative = Cooperative.objects.filter(credit_code=credit_code).first()
        if cooperative is None:
            cooperative = Cooperative(
                legal_name=spec.legal_name,
                credit_code=credit_code,
                kind=spec.kind,
                village=village,
                contact_name=spec.contact_name,
                contact_phone=spec.contact_phone,
                state=spec.state,
                description=spec.description,
            )
            cooperative.full_clean()
            cooperative.save()
        cooperatives[spec.key] = cooperative
    return cooperatives


@transaction.atomic
def households_load(*, regions: dict[str, Region], count: int = 200) -> list[Household]:
    """`count` households spread over the demo villages, the same ones on every run."""
    rng = random.Random(20201123)  # noqa: S311  demo data, not security
    villages = sorted(
        (r for r in regions.values() if r.level == Region.Level.VILLAGE), key=lambda r: r.code
    )
    existing = set(Household.objects.values_list("register_number_index", flat=True))
    created = []
    statuses = (
        [Household.Status.EXITED] * 16 + [Household.Status.MONITORED] * 3 + [Household.Status.POOR]
    )
    for number in range(count):
        village = villages[number % len(villages)]
        register_number = f"{village.code}{number + 1:04d}"
        surname = rng.choice(SURNAMES[village.code[:2]])
        fields = {
            "head_name": surname + rng.choice(GIVEN),
            "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            "size": rng.randint(2, 7),
            "status": rng.choice(statuses),
            "baseline_income_per_head": Decimal(rng.randrange(560000, 1400000)) / 100,
            "registered_year": rng.choice([2014, 2015, 2016]),
        }
        if crypto.blind_index(register_number) in existing:
            continue
        household = Household(register_number=register_number, village=village, **fields)
        household.save()
        created.append(household)
    return created


@transaction.atomic
def county_officer_load(*, user, county: Region) -> CountyOfficer:
    officer, _ = CountyOfficer.objects.get_or_create(user=user, defaults={"county": county})
    return officer


SCHEME_VERSIONS = [
    # effective from, produce, wage, dividend
    (datetime.date(2024, 1, 1), Decimal("0.3000"), Decimal("0.1000"), Decimal("0.0500")),
    (datetime.date(2026, 1, 1), Decimal("0.3500"), Decimal("0.1000"), Decimal("0.0800")),
]


@transaction.atomic
def certification_history_load(
    *, cooperatives: dict[str, Cooperative], staff: dict[str, object], officers: dict[str, object]
) -> None:
    """Applications and decisions behind each demo cooperative's current state."""
    steps = {
        Cooperative.State.CERTIFIED: [
            (
                CooperativeDecision.Action.APPLY,
                Cooperative.State.DRAFT,
                Cooperative.State.APPLIED,
                "",
            ),
            (
                CooperativeDecision.Action.APPROVE,
                Cooperative.State.APPLIED,
                Cooperative.State.CERTIFIED,
                "",
            ),
        ],
        Cooperative.State.APPLIED: [
            (
                CooperativeDecision.Action.APPLY,
                Cooperative.State.DRAFT,
                Cooperative.State.APPLIED,
                "",
            ),
        ],
    }
    for key, cooperative in cooperatives.items():
        if cooperative.decisions.exists():
            continue
        for action, from_state, to_state, reason in steps.get(cooperative.state, []):
            actor = (
                staff[key]
                if action == CooperativeDecision.Action.APPLY
                else officers[cooperative.county.code]
            )
            CooperativeDecision.objects.create(
                cooperative=cooperative,
                action=action,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                actor=actor,
            )


@transaction.atomic
def benefit_links_load(*, cooperatives: dict[str, Cooperative]) -> int:
    """Link each certified cooperative with households of its county, and give it a
    versioned benefit scheme. Returns the number of links created."""
    rng = random.Random(2016)  # noqa: S311  demo data, not security
    created = 0
    for cooperative in sorted(cooperatives.values(), key=lambda c: c.credit_code):
        if cooperative.state != Cooperative.State.CERTIFIED:
            continue
        for effective_from, produce, wage, dividend in SCHEME_VERSIONS:
            BenefitScheme.objects.get_or_create(
                cooperative=cooperative,
                effective_from=effective_from,
                defaults={
                    "produce_share": produce,
                    "wage_share": wage,
                    "dividend_share": dividend,
                    "note": "收购价外按销售额返还；务工按出工天数；入股按股金分红。",
                },
            )
        households = list(
            Household.objects.filter(county=cooperative.county).order_by("register_number_index")
        )
        for index, household in enumerate(households):
            kinds = [BenefitKind.PRODUCE_SUPPLY]
            if index % 3 == 0:
                kinds.append(BenefitKind.WAGE_LABOUR)
            if index % 4 == 0:
                kinds.append(BenefitKind.DIVIDEND)
            for kind in kinds:
                values = {"started_on": datetime.date(2019 + index % 3, 3, 1)}
                if kind == BenefitKind.PRODUCE_SUPPLY:
                    values["supply_share"] = Decimal(rng.randrange(50, 300)) / 100
                if kind == BenefitKind.DIVIDEND:
                    values["equity_shares"] = Decimal(rng.randrange(20, 100) * 100)
                link, was_created = BenefitLink.objects.get_or_create(
                    household=household, cooperative=cooperative, kind=kind, defaults=values
                )
                created += was_created
                if was_created and kind == BenefitKind.WAGE_LABOUR:
                    WageRecord.objects.create(
                        link=link,
                        period_start=datetime.date(2026, 1, 1),
                        period_end=datetime.date(2026, 6, 30),
                        days_worked=Decimal(rng.randrange(20, 120)),
                        wages_paid=Decimal(rng.randrange(2000, 12000)),
                    )
    return created
