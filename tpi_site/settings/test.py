"""Test runs: fast hashing, predictable secrets; Celery eager unless REDIS_URL is set (CI)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["*"]
TPI_TEST_CELERY_TIMEOUT = env.int("TPI_TEST_CELERY_TIMEOUT", default=120)

# Whole-response caching is tested on its own (tests/explorer/test_public_cache.py).
TPI_PUBLIC_CACHE_PREFIXES = []
