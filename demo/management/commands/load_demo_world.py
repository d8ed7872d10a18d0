from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.catalogue import catalogue_load, certificates_load, partners_load
from demo.cms import demo_pages_load
from demo.evaluation import evaluation_targets_load, pairings_load
from demo.income import income_after_orders_load, income_before_orders_load
from demo.orders import demo_orders_load
from demo.organisations import institutional_buyers_load, organisations_load
from demo.producers import (
    benefit_links_load,
    certification_history_load,
    cooperatives_load,
    households_load,
)
from demo.regions import county_officer_load, regions_load
from demo.users import DEMO_PASSWORD, DEMO_USERS, users_load, workforce_load


class Command(BaseCommand):
    help = (
        "Load the demo world: regions, cooperatives, households, products, users and pages. "
        "Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even when DEBUG is off (the demo users have a published password).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "The demo world has published passwords; refusing to load it with DEBUG off. "
                "Pass --allow-production to load it anyway."
            )
        with transaction.atomic():
            users = users_load()
            regions = regions_load()
            cooperatives = cooperatives_load(regions=regions)
            households = households_load(regions=regions)
            staff, officers = workforce_load(users=users, cooperatives=cooperatives)
            for county_code, officer in officers.items():
                county_officer_load(user=officer, county=regions[county_code])
            certification_history_load(cooperatives=cooperatives, staff=staff, officers=officers)
            links = benefit_links_load(cooperatives=cooperatives)
            partners = partners_load(cooperatives=cooperatives, staff=staff)
            products = catalogue_load(partners=partners)
            certificates = certificates_load(products=products, officers=officers)
            organisations = organisations_load(regions=regions, buyer=users["institutional_buyer"])
            pairings = pairings_load(regions=regions)
            # Before the orders: their settlements build facts and scorecards against these.
            evaluation_targets_load(pairings=pairings)
            pages = demo_pages_load()
            # Supply lots before the orders: their settlements split produce income by them.
            income_before_orders_load()
            orders = demo_orders_load(organisations=organisations, admin=users["platform_admin"])
            invoiced = institutional_buyers_load(
                organisations=organisations,
                buyer=users["institutional_buyer"],
                staff=users["platform_admin"],
            )
        # After the commit: the settlements' income tasks have built the ledger by now.
        income = income_after_orders_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world ready: {len(regions)} regions, {len(cooperatives)} cooperatives, "
                f"{len(products)} products, {len(households)} new households, "
                f"{links} new benefit links, {certificates} new certificates, "
                f"{len(pairings)} pairings, {pages} pages in each language, {orders} new orders, "
                f"{invoiced} new invoiced organisation orders, {income['payouts']} new payouts."
            )
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for email, *_rest, role, _staff in DEMO_USERS:
            self.stdout.write(f"  {email:24} {role.label}")
