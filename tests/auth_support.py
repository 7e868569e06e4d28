"""Helpers for the sign-in tests."""

from unittest import mock

from django.core.cache.backends.locmem import LocMemCache

from accounts.api.views import TokenThrottle


def fresh_throttle_cache(testcase, throttle=TokenThrottle):
    """Gives a rate throttle (the token endpoint's by default) an empty cache for one test.

    Its counts would otherwise carry over between tests; clearing the shared
    cache instead would flush the Redis database CI also uses as the broker.
    """
    cache = LocMemCache("sign-in-tests", {})
    # Caches of one name share their store: empty it for this test.
    cache.clear()
    patcher = mock.patch.object(throttle, "cache", cache)
    patcher.start()
    testcase.addCleanup(patcher.stop)
