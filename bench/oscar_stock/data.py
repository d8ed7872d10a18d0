"""The stock Oscar comparator's database: migrated, then filled once with 209 products
(the sandbox's count) in the benchmark's categories, each with a price and stock record,
and a signed-in customer with two products in the basket. No images (Oscar shows its
"image not found" placeholder, as our benchmark products have none either).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongxi_oscarbench \\
        python -m bench.oscar_stock.data

Creates the database when missing; a second run changes nothing."""

import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

PRODUCTS = 209
CUSTOMER_EMAIL = "bench.customer@oscar.example"
CUSTOMER_PASSWORD = "bench-signed-in-only-2026"  # noqa: S105  a benchmark database's account
BASKET_PRODUCTS = 2


WHOOSH = "whoosh==2.7.4"


def whoosh_install(pylib: Path) -> None:
    """Whoosh, the sandbox's search backend, into var/oscar-stock/pylib (not the venv)."""
    if (pylib / "whoosh").is_dir():
        return
    subprocess.run(  # noqa: S603  fixed arguments
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(pylib), WHOOSH],
        check=True,
    )


def database_create(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(
        server.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def catalogue_fill() -> None:
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_class, get_model

    from bench.datagen import CATEGORIES

    product_model = get_model("catalogue", "Product")
    if product_model.objects.count() >= PRODUCTS:
        return
    category_model = get_model("catalogue", "Category")
    product_class = get_model("catalogue", "ProductClass").objects.create(
        name="扶贫产品", requires_shipping=True, track_stock=True
    )
    partner = get_model("partner", "Partner").objects.create(name="合作社", code="coop")
    leaves = []
    for parent_name, children in CATEGORIES.items():
        parent = category_model.add_root(name=parent_name)
        leaves += [(parent.add_child(name=child), child) for child in children]
    rng = random.Random(209)  # noqa: S311  reproducible data, not secrets
    for n in range(PRODUCTS):
        category, kind = leaves[rng.randrange(len(leaves))]
        product = product_model.objects.create(
            # Words apart: Whoosh splits on spaces, so a search finds the kind (苦荞).
            title=f"高山 {kind} {n}号",
            slug=f"product-{n}",
            description=f"高山生态{kind}，合作社统一收购农户产品。",
            product_class=product_class,
            structure=product_model.STANDALONE,
        )
        get_model("catalogue", "ProductCategory").objects.create(product=product, category=category)
        get_model("partner", "StockRecord").objects.create(
            product=product,
            partner=partner,
            partner_sku=f"SKU-{n}",
            price_currency="CNY",
            price=Decimal(rng.randrange(990, 29900)) / 100,
            num_in_stock=100_000,
        )
    user = get_user_model().objects.create_user(
        username="bench-customer", email=CUSTOMER_EMAIL, password=CUSTOMER_PASSWORD
    )
    basket = get_model("basket", "Basket").open.create(owner=user)
    basket.strategy = get_class("partner.strategy", "Selector")().strategy(user=user)
    for product in product_model.objects.order_by("-date_created")[:BASKET_PRODUCTS]:
        basket.add_product(product, 1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.oscar_stock.settings")
    from bench.oscar_stock import settings as stock_settings

    whoosh_install(stock_settings.PYLIB)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from oscar.core.loading import get_model

    db = settings.DATABASES["default"]
    database_create(f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    catalogue_fill()
    products = get_model("catalogue", "Product").objects.count()
    index = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    if not index.is_dir() or not any(index.iterdir()):
        call_command("rebuild_index", interactive=False, verbosity=0)
    print(f"{db['NAME']}: {products} products, search index in {index}", file=sys.stderr)


if __name__ == "__main__":
    main()
