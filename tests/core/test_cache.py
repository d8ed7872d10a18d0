"""The production cache: Django's Redis cache on one redis-py client per server, against
the Redis these machines run."""

import os
import uuid

import pytest
import redis

from core.cache import RedisCache

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def server():
    url = f"{REDIS}/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"no Redis at {url}: the production cache's tests need one")
    return url


def test_values_go_through_one_client_that_every_call_shares(server):
    cache = RedisCache(server, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    made = []
    client_class = cache._cache._client

    def counted(**kwargs):
        made.append(kwargs)
        return client_class(**kwargs)

    cache._cache._client = counted
    try:
        cache.set("basket", {"items": 2}, 30)
        cache.set_many({"a": 1, "b": 2}, 30)
        assert cache.get("basket") == {"items": 2}
        assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
        assert cache.incr("a") == 2
        cache.delete_many(["a", "b", "basket"])
        assert cache.get("basket") is None
    finally:
        cache.clear()

    assert len(made) == 1


def test_with_replicas_writes_go_to_the_first_server_and_reads_to_the_others(server):
    primary, replica = f"{REDIS}/14", f"{REDIS}/15"
    cache = RedisCache([primary, replica], {})
    client = cache._cache

    writer = client.get_client(write=True)
    reader = client.get_client()

    assert writer.connection_pool.connection_kwargs["db"] == 14
    assert reader.connection_pool.connection_kwargs["db"] == 15
    assert client.get_client() is reader
    assert client.get_client(write=True) is writer
