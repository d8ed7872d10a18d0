"""The small world of the demo load test, built in a process of its own on the demo's settings
(config.settings.local) against the SQLite file in DATABASE_URL:

    python -c "from tests.faults.load_world import main; main()" <customers>

creates the schema from the models (as pytest-django does with migrations off: a full
`migrate` of this project takes well over a minute on a shared CI core), the shipping country,
three certified products of two cooperatives with plenty of stock and `customers` logged-in
customers, and prints their session keys and the products' ids as one line of JSON."""

import json
import sys
from decimal import Decimal


class _MigrationsOff:
    def __contains__(self, app_label) -> bool:
        return True

    def __getitem__(self, app_label) -> None:
        return None


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    settings.MIGRATION_MODULES = _MigrationsOff()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)

    from django.contrib.auth import get_user_model

    from tests.store_factories import certified_cooperative, china_country, product_create

    china_country()
    tea_coop, honey_coop = certified_cooperative(), certified_cooperative()
    products = [
        product_create(cooperative=tea_coop, title="凉山苦荞茶", price=Decimal("38.00")),
        product_create(cooperative=tea_coop, title="昭觉土豆", price=Decimal("12.50")),
        product_create(cooperative=honey_coop, title="昭觉蜂蜜", price=Decimal("66.50")),
    ]
    for product in products:
        stockrecord = product.stockrecords.get()
        stockrecord.num_in_stock = 100_000
        stockrecord.save(update_fields=["num_in_stock"])
    # Oscar links its "no image" picture into MEDIA_ROOT on the first page that shows a product
    # without one, and two first pages at once race for the link: the demo's media has it.
    products[0].primary_image()

    sessions = []
    for n in range(int(sys.argv[1])):
        # No usable password (hashing one takes a while): the session logs them in.
        user = get_user_model().objects.create(
            email=f"load{n}@dongxi.example", first_name="小明", last_name="王", password="!"
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    print(json.dumps({"sessions": sessions, "products": [p.pk for p in products]}))
