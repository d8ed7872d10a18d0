"""Demo regions: the real provinces and cities of east-west pairing, the western counties
with their real codes and statuses, and invented townships and villages. Idempotent: rows
are looked up by code and only what is missing is created."""

from dataclasses import dataclass

from django.db import transaction

from producers.models import CountyOfficer, Region

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
def county_officer_load(*, user, county: Region) -> CountyOfficer:
    officer, _ = CountyOfficer.objects.get_or_create(user=user, defaults={"county": county})
    return officer
