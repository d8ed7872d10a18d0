"""Bulk data for the page and checkout benchmarks: a catalogue at the 832 platform's scale
(400,000 products from 30,000 cooperatives in 832 western counties) and a small one of the
same world for side-by-side figures.

Each size lives in a database of its own, `<DATABASE_URL name>_<size>`, copied from the
migrated benchmark database (CREATE DATABASE … TEMPLATE) and filled with COPY: no ORM
saves. A size already generated is reused. `python -m bench.datagen small|large`."""

import datetime
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from psycopg import sql

# Household data is encrypted with this key; the benchmark server uses the same one.
BENCH_FIELD_ENCRYPTION_KEY = "bench-field-encryption-key-not-for-production-use-0123456789"
BENCH_SECRET_KEY = "bench-secret-key-" + "k7Qz9xW2pL4mN8vR3tY6uB1cE5hJ0aS-dongxi-bench-only"


@dataclass(frozen=True)
class Size:
    name: str
    products: int
    cooperatives: int


SIZES = {
    "small": Size("small", products=2_000, cooperatives=150),
    "large": Size("large", products=400_000, cooperatives=30_000),
}

# The world both sizes share: 832 poor counties in 8 western provinces, 334 of them deep
# poverty areas and 52 supervision targets (the 2020 figures), paired with eastern cities.
WEST_PROVINCES = [
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
]
EAST_CITIES = [
    ("33", "浙江省", "Zhejiang", "3301", "杭州市", "Hangzhou"),
    ("31", "上海市", "Shanghai", "3101", "上海市辖区", "Shanghai"),
    ("44", "广东省", "Guangdong", "4401", "广州市", "Guangzhou"),
    ("32", "江苏省", "Jiangsu", "3201", "南京市", "Nanjing"),
]
COUNTIES = 832
DEEP_POVERTY = 334
SUPERVISION = 52
CITIES_PER_PROVINCE = 8
VILLAGES_PER_COUNTY = 6
HOUSEHOLDS_PER_COOPERATIVE = 3
CATEGORIES = {
    "粮油米面": ["苦荞", "小米", "土豆粉", "菜籽油"],
    "茶叶饮品": ["绿茶", "苦荞茶", "砖茶"],
    "山货干果": ["核桃", "红枣", "枸杞", "木耳", "香菇"],
    "肉禽蛋品": ["牦牛肉干", "腊肉", "土鸡蛋"],
    "调味特产": ["花椒", "蜂蜜"],
}
KINDS = ["farmers_cooperative", "leading_enterprise", "family_farm", "village_collective"]
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _database_urls() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://…")
    return url, url.rsplit("/", 1)[0]


def database_url(size: Size) -> str:
    """The URL of the database holding `size`."""
    url, server = _database_urls()
    return f"{server}/{url.rsplit('/', 1)[1].split('?')[0]}_{size.name}"


def _connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), **kwargs)


def _generated(url: str) -> dict | None:
    try:
        with _connect(url) as conn:
            row = conn.execute(
                "SELECT products, seconds FROM bench_dataset WHERE complete"
            ).fetchone()
    except psycopg.Error:
        return None
    return {"products": row[0], "seconds": row[1]} if row else None


def _migrate(url: str) -> None:
    """Apply migrations missing from the database at `url` (runs manage.py migrate)."""
    import subprocess

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env=env, check=True
    )


def _unapplied_migrations(url: str) -> bool:
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    try:
        with _connect(url) as conn:
            applied = set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
    except psycopg.Error:
        return True
    return bool(on_disk - applied)


def _create_from_template(url: str) -> None:
    base_url, _server = _database_urls()
    if _unapplied_migrations(base_url):
        _migrate(base_url)
    from django.db import connections

    connections.close_all()  # a template must have no other sessions
    name = url.rsplit("/", 1)[1]
    template = base_url.rsplit("/", 1)[1].split("?")[0]
    with _connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )


def ensure(size: Size) -> dict:
    """The database of `size`, generated unless it already is. Returns products, the
    generation time in seconds and whether this call generated it."""
    url = database_url(size)
    done = _generated(url)
    if done is not None:
        if _unapplied_migrations(url):
            _migrate(url)
        return {**done, "url": url, "generated_now": False}
    start = time.perf_counter()
    _create_from_template(url)
    with _connect(url) as conn:
        _generate(conn, size)
        seconds = time.perf_counter() - start
        conn.execute(
            "INSERT INTO bench_dataset (products, seconds, complete) VALUES (%s, %s, true)",
            (size.products, seconds),
        )
    with _connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"products": size.products, "seconds": seconds, "url": url, "generated_now": True}


def _copy(conn, table: str, columns: list[str], rows) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _ids(conn, table: str) -> list[int]:
    query = sql.SQL("SELECT id FROM {} ORDER BY id").format(sql.Identifier(table))
    return [r[0] for r in conn.execute(query).fetchall()]


def _credit_code(n: int) -> str:
    from producers.validators import credit_code_check_char

    body = f"93{n % 1_000_000:06d}MA{n:07d}"[:17]
    body = "".join(c if c in CREDIT_CHARS else "0" for c in body)
    return body + credit_code_check_char(body)


def _generate(conn, size: Size) -> None:
    rng = random.Random(832)  # noqa: S311  reproducible data, not secrets
    now = datetime.datetime.now(datetime.UTC)
    today = datetime.date.today()
    conn.execute(
        "CREATE TABLE bench_dataset (products integer, seconds double precision, complete bool)"
    )
    counties, villages = _regions(conn, rng)
    category_ids = _categories(conn)
    product_class = conn.execute(
        "INSERT INTO catalogue_productclass (name, slug, requires_shipping, track_stock) "
        "VALUES ('扶贫产品', 'fu-pin-chan-pin', true, true) RETURNING id"
    ).fetchone()[0]

    # Cooperatives spread over the counties (the small size over fewer of them), each in
    # one of its county's villages, all certified; each is an Oscar partner.
    village_of = []
    for n in range(size.cooperatives):
        county_id, county_name = counties[n % len(counties)]
        village_of.append((county_id, county_name, rng.choice(villages[county_id])))
    _copy(
        conn,
        "producers_cooperative",
        [
            "legal_name",
            "credit_code",
            "kind",
            "contact_name",
            "contact_phone",
            "description",
            "state",
            "created_at",
            "county_id",
            "village_id",
        ],
        (
            (
                f"{county_name}第{n}号农民专业合作社",
                _credit_code(n),
                KINDS[n % 4],
                "联系人",
                f"139{n:08d}",
                "",
                "certified",
                now,
                county_id,
                village_id,
            )
            for n, (county_id, county_name, village_id) in enumerate(village_of)
        ),
    )
    cooperatives = _ids(conn, "producers_cooperative")
    _copy(
        conn,
        "partner_partner",
        ["code", "name", "cooperative_id"],
        ((f"coop-{pk}", f"合作社{pk}", pk) for pk in cooperatives),
    )
    partners = dict(conn.execute("SELECT cooperative_id, id FROM partner_partner").fetchall())
    _households(conn, rng, cooperatives, village_of, today)

    # Products: newest last, titles from the county and the product kind (what buyers
    # search for), one leaf category each, a stock record and a certificate in force.
    leaves = [(cid, kind) for cid, kind in category_ids]
    coop_names = {pk: village_of[i][1] for i, pk in enumerate(cooperatives)}
    start_day = now - datetime.timedelta(days=730)
    step = datetime.timedelta(days=730) / size.products
    plan = []
    for n in range(size.products):
        coop = cooperatives[n % len(cooperatives)]
        plan.append((coop, leaves[rng.randrange(len(leaves))]))
    _copy(
        conn,
        "catalogue_product",
        [
            "structure",
            "title",
            "slug",
            "description",
            "date_created",
            "date_updated",
            "is_discountable",
            "product_class_id",
            "is_public",
            "priority",
            "cooperative_id",
        ],
        (
            (
                "standalone",
                f"{coop_names[coop]}{kind} {n}号",
                f"product-{n}",
                f"{coop_names[coop]}高山生态{kind}，合作社统一收购建档立卡户产品。",
                start_day + step * n,
                start_day + step * n,
                True,
                product_class,
                True,
                0,
                coop,
            )
            for n, (coop, (_cid, kind)) in enumerate(plan)
        ),
    )
    products = _ids(conn, "catalogue_product")
    _copy(
        conn,
        "catalogue_productcategory",
        ["product_id", "category_id"],
        ((pk, cid) for pk, (_coop, (cid, _kind)) in zip(products, plan, strict=True)),
    )
    _copy(
        conn,
        "partner_stockrecord",
        [
            "partner_sku",
            "price_currency",
            "price",
            "num_in_stock",
            "num_allocated",
            "date_created",
            "date_updated",
            "partner_id",
            "product_id",
        ],
        (
            (
                f"SKU-{pk}",
                "CNY",
                Decimal(rng.randrange(990, 29900)) / 100,
                100_000,
                0,
                now,
                now,
                partners[coop],
                pk,
            )
            for pk, (coop, _leaf) in zip(products, plan, strict=True)
        ),
    )
    valid_from, valid_to = today - datetime.timedelta(days=60), today + datetime.timedelta(days=700)
    _copy(
        conn,
        "catalogue_productcertificate",
        [
            "number",
            "state",
            "valid_from",
            "valid_to",
            "households_involved",
            "requested_at",
            "issued_at",
            "product_id",
        ],
        ((f"BENCH-{pk}", "certified", valid_from, valid_to, 3, now, now, pk) for pk in products),
    )


def _regions(conn, rng) -> tuple[list[tuple[int, str]], dict[int, list[int]]]:
    """Western provinces → cities → 832 counties → one township each → villages, and the
    eastern cities paired with the provinces. Returns counties and villages by county."""
    region_columns = [
        "code",
        "name",
        "name_en",
        "level",
        "side",
        "is_poor_county",
        "is_deep_poverty",
        "is_supervision_target",
        "exit_year",
        "parent_id",
    ]

    def insert(rows) -> list[int]:
        _copy(conn, "producers_region", region_columns, rows)
        codes = [row[0] for row in rows]
        found = dict(
            conn.execute("SELECT code, id FROM producers_region WHERE code = ANY(%s)", (codes,))
        )
        return [found[code] for code in codes]

    east = []
    for code, name, name_en, city_code, city, city_en in EAST_CITIES:
        (province,) = insert([(code, name, name_en, 1, "east", False, False, False, None, None)])
        east += insert([(city_code, city, city_en, 2, "east", False, False, False, None, province)])
    provinces = insert(
        [
            (code, name, name_en, 1, "west", False, False, False, None, None)
            for code, name, name_en in WEST_PROVINCES
        ]
    )
    city_rows, city_names = [], []
    for (code, name, _en), province in zip(WEST_PROVINCES, provinces, strict=True):
        for c in range(CITIES_PER_PROVINCE):
            city_rows.append(
                (
                    f"{code}{c + 1:02d}",
                    f"{name[:2]}{c + 1}州",
                    f"{_en} Prefecture {c + 1}",
                    2,
                    "west",
                    False,
                    False,
                    False,
                    None,
                    province,
                )
            )
            city_names.append(f"{name[:2]}{c + 1}州")
    cities = insert(city_rows)
    flags = [True] * DEEP_POVERTY + [False] * (COUNTIES - DEEP_POVERTY)
    county_rows = []
    for n in range(COUNTIES):
        city = n % len(cities)
        county_rows.append(
            (
                f"{city_rows[city][0]}{n // len(cities) + 1:02d}",
                f"{city_names[city][:2]}{n}县",
                f"County {n}",
                3,
                "west",
                True,
                flags[n],
                n < SUPERVISION,
                2016 + n % 5,
                cities[city],
            )
        )
    counties = insert(county_rows)
    townships = insert(
        [
            (f"{row[0]}001", f"{row[1]}城关镇", "", 4, "west", False, False, False, None, pk)
            for row, pk in zip(county_rows, counties, strict=True)
        ]
    )
    village_rows = [
        (
            f"{county_rows[i][0]}001{v + 1:03d}",
            f"第{v + 1}村",
            "",
            5,
            "west",
            False,
            False,
            False,
            None,
            township,
        )
        for i, township in enumerate(townships)
        for v in range(VILLAGES_PER_COUNTY)
    ]
    village_ids = insert(village_rows)
    villages = {}
    for i, county in enumerate(counties):
        villages[county] = village_ids[i * VILLAGES_PER_COUNTY : (i + 1) * VILLAGES_PER_COUNTY]
    _copy(
        conn,
        "evaluation_pairing",
        ["kind", "assisting_unit", "start_year", "end_year", "east_region_id", "west_region_id"],
        (
            ("east_west", "", 2016, None, east[i % len(east)], province)
            for i, province in enumerate(provinces)
        ),
    )
    county_list = [(pk, row[1]) for pk, row in zip(counties, county_rows, strict=True)]
    rng.shuffle(county_list)
    return county_list, villages


def _categories(conn) -> list[tuple[int, str]]:
    """Oscar's category tree written as treebeard materialised paths (steps of 4)."""
    rows = []
    for i, (parent, children) in enumerate(CATEGORIES.items(), start=1):
        path = f"{i:04d}"
        rows.append((path, 1, len(children), parent, f"category-{i}"))
        for j, child in enumerate(children, start=1):
            rows.append((f"{path}{j:04d}", 2, 0, child, f"category-{i}-{j}"))
    _copy(
        conn,
        "catalogue_category",
        [
            "path",
            "depth",
            "numchild",
            "name",
            "slug",
            "description",
            "ancestors_are_public",
            "is_public",
            "exclude_from_menu",
            "long_description",
        ],
        (
            (path, depth, numchild, name, slug, "", True, True, False, "")
            for path, depth, numchild, name, slug in rows
        ),
    )
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT id, name FROM catalogue_category WHERE depth = 2 ORDER BY path"
        ).fetchall()
    ]


def _households(conn, rng, cooperatives, village_of, today) -> None:
    """Registered households of each cooperative's village, linked to it by wage labour
    (encrypted with the benchmark key, as the server reads them)."""
    from django.test.utils import override_settings

    from producers import crypto

    with override_settings(FIELD_ENCRYPTION_KEY=BENCH_FIELD_ENCRYPTION_KEY):
        fernet = crypto._fernet(crypto._master_key())
        rows = []
        for i, _coop in enumerate(cooperatives):
            county_id, _name, village_id = village_of[i]
            for h in range(HOUSEHOLDS_PER_COOPERATIVE):
                number = f"BENCH{i:08d}{h:02d}"
                rows.append(
                    (
                        fernet.encrypt(number.encode()).decode(),
                        crypto.blind_index(number),
                        fernet.encrypt("农户".encode()).decode(),
                        "",
                        1 + rng.randrange(6),
                        "exited",
                        Decimal("4200.00"),
                        2015,
                        county_id,
                        village_id,
                    )
                )
    _copy(
        conn,
        "producers_household",
        [
            "register_number",
            "register_number_index",
            "head_name",
            "phone",
            "size",
            "status",
            "baseline_income_per_head",
            "registered_year",
            "county_id",
            "village_id",
        ],
        rows,
    )
    households = _ids(conn, "producers_household")
    started = today - datetime.timedelta(days=400)
    _copy(
        conn,
        "producers_benefitlink",
        ["kind", "started_on", "cooperative_id", "household_id"],
        (
            ("wage_labour", started, coop, households[i * HOUSEHOLDS_PER_COOPERATIVE + h])
            for i, coop in enumerate(cooperatives)
            for h in range(HOUSEHOLDS_PER_COOPERATIVE)
        ),
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    for name in sys.argv[1:] or ["small"]:
        result = ensure(SIZES[name])
        verb = "generated" if result["generated_now"] else "reused (generated"
        tail = "" if result["generated_now"] else ")"
        print(
            f"{name}: {result['products']:,} products {verb} in {result['seconds']:.1f} s{tail}"
            f" → {result['url'].rsplit('/', 1)[1]}"
        )


if __name__ == "__main__":
    main()
