"""Fixtures for partnership tests: the sign-in limit starts empty in every test."""

import pytest

from partnerships.auth_backends import login_failures_clear_all


@pytest.fixture(autouse=True)
def _clear_login_throttle():
    """Failure counts live in the cache, which outlives a test's database rollback.

    Only the counts are forgotten: ``cache.clear()`` would flush Redis, broker included."""
    login_failures_clear_all()
    yield
    login_failures_clear_all()


@pytest.fixture
def local_memory_cache(settings):
    """Tests that move the clock need a cache whose expiry follows ``time.time``; Redis
    expires keys by its own clock."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }


@pytest.fixture
def world():
    """Norfolk's and Greater Norwich's partnerships, overlapping on three districts."""
    from tests.factories.partnerships import two_partnerships

    return two_partnerships()
