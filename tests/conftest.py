from decimal import Decimal

import pytest
from django.utils import translation

from demo.site import site_tree_load
from tests.store_factories import china_country, product_create


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts and ends in the default language (zh-hans): a request to an /en/
    URL activates English in the test's thread and would otherwise leak into the next test."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: the test database is rolled back between tests
    and reuses primary keys, so entries keyed on data versions could outlive their data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def home_page(db):
    """The Wagtail site tree with the home page in Chinese and English."""
    return site_tree_load()


def pytest_configure(config):
    # WhiteNoise warns once per request that collectstatic has not filled STATIC_ROOT;
    # tests never serve collected static files.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
    # bin/test-through-replica: the pages' reads on a streaming replica.
    from tests import through_replica

    if through_replica.replica_configured():
        config.pluginmanager.register(through_replica, "through_replica")


@pytest.fixture
def product_for_sale(db):
    """A certified cooperative's certified product, in stock and priced in yuan."""
    return product_create(title="凉山苦荞茶", price=Decimal("38.00"))


@pytest.fixture
def china(transactional_db):
    """The shipping country. Transactional tests start from a flushed database, so the rows
    that data migrations wrote may be gone."""
    return china_country()
