"""The production-shaped stack test's world, built in a process of its own (the stack's
SECRET_KEY, FIELD_ENCRYPTION_KEY and DATABASE_URL, demo settings for the factories) in a
database that already has the schema:

    python -c "from tests.ops.stack_world import main; main()"

a certified cooperative whose product's sales reach three households, and one logged-in
customer; prints the customer's session key and the product's id as one line of JSON."""

import json


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from tests.faults.conftest import cooperative_with_households
    from tests.store_factories import china_country

    china_country()
    product = cooperative_with_households()
    user = get_user_model().objects.create(
        email="stack@dongxi.example", first_name="小明", last_name="王", password="!"
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(json.dumps({"session": session.session_key, "product": product.pk}))
