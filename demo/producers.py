"""Demo producers: cooperatives of the demo villages with their certification history,
registered households, and the benefit links and schemes between them. All people and
village codes are invented. Every loader is idempotent: it looks rows up by their natural
key and creates what is missing."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from producers import crypto
from producers.models import (
    BenefitKind,
    BenefitLink,
    BenefitScheme,
    Cooperative,
    CooperativeDecision,
    Household,
    Region,
    WageRecord,
)
from producers.validators import credit_code_check_char


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
