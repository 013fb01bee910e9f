"""Rate limits counted in the cache: the limit applies within its window, and a cache that does
not answer lets the action through instead of failing the request."""

from __future__ import annotations

import uuid

from firms.rate_limits import within_limit


def test_the_limit_applies_within_the_window():
    key = f"test:{uuid.uuid4().hex}"
    assert [within_limit(key, limit=2, window=60) for _ in range(3)] == [True, True, False]


def test_a_cache_that_does_not_answer_lets_the_action_through(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert all(within_limit("test:unreachable", limit=1, window=60) for _ in range(3))
