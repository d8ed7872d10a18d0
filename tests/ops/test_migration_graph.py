"""The migrations that change the big tables (the income ledger, the purchase facts and the
store's orders, lines and payment events they are built from) can be undone, or say why
not: read from the migration graph, so a new migration is held to it as soon as it exists
(docs/scaling.md, "Migrations on a live database")."""

from django.db.migrations.loader import MigrationLoader

from .migration_graph import irreversible_operations, project_migrations, tables_touched

LEDGER = {"income_processedevent", "income_linemovement", "income_ledgerentry", "income_linetrace"}
FACTS = {"evaluation_purchasefact", "evaluation_scorecarditem"}
STORE = {"order_order", "order_line", "order_paymentevent", "order_paymenteventquantity"}
BIG_TABLES = LEDGER | FACTS | STORE


def _loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


def test_the_project_migrations_are_read_from_the_graph_without_oscars_own():
    found = project_migrations(_loader())
    # The project's apps, and the forks' migrations beyond Oscar's, in applying order
    assert ("income", "0001_initial") in found
    assert ("evaluation", "0012_slack_followups") in found
    assert ("order", "0022_line_cooperative") in found
    assert ("catalogue", "0033_product_certificates") in found
    assert ("order", "0021_billingaddress_code_shippingaddress_code") not in found
    assert not [key for key in found if key[0] in {"customer", "wagtailcore", "auth", "basket"}]
    assert found.index(("order", "0029_payment_event_quantity_amount")) < found.index(
        ("evaluation", "0010_offplatform_sales")
    )


def test_every_migration_that_changes_a_big_table_can_be_undone_or_says_why_not():
    loader = _loader()
    big = {
        key: loader.graph.nodes[key]
        for key in project_migrations(loader)
        if tables_touched(loader.graph.nodes[key]) & BIG_TABLES
    }
    # Those that the docs' table lists, by the tables they touch (RunPython ones included)
    assert {
        ("order", "0027_payment_event_quantity_positive"),
        ("order", "0029_payment_event_quantity_amount"),
        ("income", "0001_initial"),
        ("income", "0002_ledger_fewer_indexes"),
        ("evaluation", "0008_money_and_locked_summary"),
        ("evaluation", "0010_offplatform_sales"),
    } <= set(big)
    undeclared = {
        ".".join(key): irreversible_operations(migration)
        for key, migration in big.items()
        if irreversible_operations(migration)
        and not getattr(migration, "irreversible_because", "").strip()
    }
    assert undeclared == {}, (
        "a migration of a big table that cannot be undone must say why in "
        "Migration.irreversible_because"
    )
