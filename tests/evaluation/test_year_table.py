"""The evaluators' year table at China's scale: filters by province, kind, grade and name,
pages of rows that keep the filters, bad filter values explained (never a 500), and a
constant number of queries whatever the number of pairings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Pairing, Scorecard
from evaluation.services.scoring import scorecards_refresh
from evaluation.views.screens import PairingTableView
from marketplace.users.roles import EVALUATOR
from producers.models import Region
from tests.factories import CityFactory, CountyFactory, PairingFactory, ProvinceFactory, UserFactory

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from

pytestmark = pytest.mark.django_db
TABLE = reverse("evaluation:table-year", args=[2025])


@pytest.fixture
def evaluator(client):
    user = UserFactory(roles=[EVALUATOR])
    client.force_login(user)
    return user


def paired(**kwargs) -> Pairing:
    pairing = PairingFactory(end_year=None, **kwargs)
    AgreementFactory(pairing=pairing, year=2025, target_bought=Decimal("1000.00"))
    return pairing


@pytest.fixture
def world():
    """Four pairings of 2025: Zhejiang → Sichuan (the one that buys enough for 好),
    Hangzhou → a county of Guizhou, a central unit → another county of Guizhou, and
    Jiangsu → a county of Gansu; one indicator (amount bought, weighted +0.2 for deep
    poverty) and every scorecard made."""
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    guizhou = ProvinceFactory(name="贵州省", side=Region.Side.WEST)
    qiandongnan = CityFactory(name="黔东南州", parent=guizhou)
    gansu = ProvinceFactory(name="甘肃省", side=Region.Side.WEST)
    jiangsu = ProvinceFactory(name="江苏省", side=Region.Side.EAST)
    world.update(
        guizhou=guizhou,
        gansu=gansu,
        jiangsu=jiangsu,
        hangzhou_pairing=paired(
            east_region=world["hangzhou"],
            west_region=CountyFactory(name="雷山县", parent=qiandongnan),
        ),
        designated=paired(
            kind=Pairing.Kind.DESIGNATED,
            east_region=None,
            assisting_unit="国家电网有限公司",
            west_region=CountyFactory(name="丹寨县", parent=qiandongnan),
        ),
        jiangsu_pairing=paired(
            east_region=jiangsu,
            west_region=CountyFactory(name="临夏县", parent=CityFactory(parent=gansu)),
        ),
        indicator=IndicatorFactory(name="采购额", priority_extra_weight=Decimal("0.20")),
    )
    scorecards_refresh(year=2025)
    bought(product_from(world["zhaojue"], price=Decimal("100.00")), 12)
    return world


def shown(response) -> set[int]:
    """The pairings whose rows the table shows."""
    content = response.content.decode()
    return {
        pairing.pk
        for pairing in Pairing.objects.all()
        if reverse("evaluation:scorecard", args=[2025, pairing.pk]) in content
    }


def ids(*pairings) -> set[int]:
    return {pairing.pk for pairing in pairings}


def test_every_pairing_of_the_year_is_listed_without_filters(client, world, evaluator):
    response = client.get(TABLE)

    assert response.status_code == 200
    assert shown(response) == set(Pairing.objects.values_list("pk", flat=True))
    assert "共 4 个结对" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # A county of the province and the province itself are both in it.
        (lambda w: {"west_province": w["guizhou"].code}, ("hangzhou_pairing", "designated")),
        (lambda w: {"west_province": w["sichuan"].code}, ("pairing",)),
        # The eastern province, and a city of it that helps on its own.
        (lambda w: {"east_province": w["zhejiang"].code}, ("pairing", "hangzhou_pairing")),
        (lambda w: {"kind": "designated"}, ("designated",)),
        (lambda w: {"kind": "east_west"}, ("pairing", "hangzhou_pairing", "jiangsu_pairing")),
        (lambda w: {"grade": "good"}, ("pairing",)),
        (lambda w: {"q": "雷山"}, ("hangzhou_pairing",)),
        (lambda w: {"q": "国家电网"}, ("designated",)),
        (lambda w: {"q": "杭州 雷山"}, ("hangzhou_pairing",)),
        (lambda w: {"q": "杭州 丹寨"}, ()),
        (
            lambda w: {"west_province": w["guizhou"].code, "kind": "east_west"},
            ("hangzhou_pairing",),
        ),
    ],
)
def test_filters_narrow_the_rows(client, world, evaluator, params, expected):
    response = client.get(TABLE, params(world))

    assert response.status_code == 200
    assert shown(response) == ids(*(world[name] for name in expected))


def test_a_filtered_table_keeps_the_ranks_of_the_whole_year(client, world, evaluator):
    card = Scorecard.objects.get(pairing=world["jiangsu_pairing"], year=2025)

    response = client.get(TABLE, {"west_province": world["gansu"].code})

    [row] = response.context["scorecards"]
    assert row.rank == card.rank > 1


def test_the_province_filters_offer_each_sides_provinces(client, world, evaluator):
    response = client.get(TABLE)

    form = response.context["form"]
    west = {label for code, label in form.fields["west_province"].choices if code}
    east = {label for code, label in form.fields["east_province"].choices if code}
    assert {"四川省", "贵州省", "甘肃省"} <= west and not west & {"浙江省", "江苏省"}
    assert {"浙江省", "江苏省"} <= east and not east & {"四川省", "贵州省", "甘肃省"}


def test_pages_show_a_page_of_rows_and_their_links_keep_the_filters(
    client, world, evaluator, monkeypatch
):
    monkeypatch.setattr(PairingTableView, "paginate_by", 2)
    in_order = list(
        Scorecard.objects.filter(year=2025, pairing__kind="east_west")
        .order_by("rank", "pairing_id")
        .values_list("pairing_id", flat=True)
    )

    first = client.get(TABLE, {"kind": "east_west"})
    second = client.get(TABLE, {"kind": "east_west", "page": 2})

    assert shown(first) == set(in_order[:2]) and shown(second) == set(in_order[2:])
    assert "第 1 / 2 页" in first.content.decode() and "第 2 / 2 页" in second.content.decode()
    assert 'href="?kind=east_west&amp;page=2"' in first.content.decode()
    assert 'href="?kind=east_west&amp;page=1"' in second.content.decode()


def test_a_pairing_of_another_page_is_not_shown(client, world, evaluator, monkeypatch):
    monkeypatch.setattr(PairingTableView, "paginate_by", 3)
    last = Scorecard.objects.filter(year=2025).order_by("rank", "pairing_id").last()

    response = client.get(TABLE)

    assert last.pairing_id not in shown(response) and len(shown(response)) == 3
    assert str(last.pairing) not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"west_province": "999999"}, "“999999”不是西部省份"),
        # An eastern province is not a western one.
        ({"west_province": "33"}, "“33”不是西部省份"),
        ({"east_province": "<b>"}, "“&lt;b&gt;”不是东部省份"),
        ({"kind": "central"}, "“central”不是结对类型"),
        ({"grade": "A+"}, "“A+”不是考核等次"),
        ({"page": "abc"}, "页码必须是正整数"),
        ({"page": "0"}, "页码必须是正整数"),
        ({"q": "结" * 51}, "结对名称最多 50 个字"),
    ],
)
def test_a_bad_filter_value_is_explained_and_ignored(client, world, evaluator, params, message):
    response = client.get(TABLE, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert shown(response) == set(Pairing.objects.values_list("pk", flat=True))


def test_a_bad_value_drops_only_its_own_filter(client, world, evaluator):
    response = client.get(TABLE, {"kind": "designated", "grade": "nope"})

    assert "“nope”不是考核等次" in response.content.decode()
    assert shown(response) == ids(world["designated"])


def test_a_page_past_the_last_shows_the_last_page_and_says_so(
    client, world, evaluator, monkeypatch
):
    monkeypatch.setattr(PairingTableView, "paginate_by", 3)

    response = client.get(TABLE, {"page": "99"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "没有第 99 页：共 2 页，已显示最后一页。" in content and "第 2 / 2 页" in content
    assert len(shown(response)) == 1


def test_money_shows_the_plain_sum_with_yuan_and_the_weighted_value_beside_it(
    client, world, evaluator
):
    # ¥1,200 bought from a deep-poverty county: the score reads 1,200 × 1.2.
    response = client.get(TABLE, {"west_province": world["sichuan"].code})

    content = response.content.decode()
    assert "¥1,200.00 / ¥1,000.00" in content
    assert "(加权 1,440.00)" in content


def test_exports_stay_the_whole_year(client, world, evaluator):
    response = client.get(reverse("evaluation:export", args=[2025, "csv"]), {"kind": "designated"})

    text = response.content.decode("utf-8-sig")
    for name in ("pairing", "hangzhou_pairing", "designated", "jiangsu_pairing"):
        assert str(world[name]) in text


def more_pairings(world, n: int) -> None:
    for _ in range(n):
        paired(east_region=world["zhejiang"])
    scorecards_refresh(year=2025)


@pytest.mark.parametrize("extra", [1, 12])
def test_the_table_runs_a_constant_number_of_queries(
    client, world, evaluator, extra, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(PairingTableView, "paginate_by", 10)
    more_pairings(world, extra)
    params = {"east_province": world["zhejiang"].code, "kind": "east_west", "q": "浙江"}

    with django_assert_max_num_queries(17):
        response = client.get(TABLE, params)

    assert len(shown(response)) == min(1 + extra, 10)
    with django_assert_max_num_queries(17):
        assert client.get(TABLE, {**params, "page": 2}).status_code == 200
