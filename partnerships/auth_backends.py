"""Sign-in rate limiting for every caller of ``django.contrib.auth.authenticate``.

The login page, the admin and the API token endpoint all go through ``authenticate()``,
so the limit lives in the authentication backend rather than in one view. Failures are
counted per username and per client address in the cache (locmem or Redis), from the
``user_login_failed`` signal, in a window that starts at the first failure.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import ngettext

BACKEND_PATH = "partnerships.auth_backends.ThrottledModelBackend"
_PREFIX = "tpi:login-failures"
_GENERATION_KEY = f"{_PREFIX}:generation"


@dataclass(frozen=True)
class Throttle:
    """Whether sign-in is refused now, and for how many more seconds."""

    locked: bool
    retry_after: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "Too many failed sign-in attempts. Try again in %(n)d minute.",
            "Too many failed sign-in attempts. Try again in %(n)d minutes.",
            minutes,
        ) % {"n": minutes}


def client_ip(request: HttpRequest | None) -> str:
    """The caller's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (the one our own proxy saw), so a client cannot choose its own."""
    if request is None:
        return ""
    proxies = int(getattr(settings, "TPI_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _username(credentials: dict[str, Any]) -> str:
    field = get_user_model().USERNAME_FIELD
    value = credentials.get(field, credentials.get("username"))
    return str(value).strip().casefold() if value else ""


def _generation() -> int:
    return int(cache.get_or_set(_GENERATION_KEY, 1, timeout=None) or 1)


def _keys(kind: str, value: str) -> tuple[str, str]:
    """Hashed, so any username is a safe cache key and none is stored in clear."""
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
    base = f"{_PREFIX}:{_generation()}:{kind}:{digest}"
    return f"{base}:count", f"{base}:start"


def login_failures_clear_all() -> None:
    """Forget every count (tests; an operator lifting a lockout) without ``cache.clear()``,
    which on Redis would flush the Celery broker's keys too."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 2, timeout=None)


def _subjects(request: HttpRequest | None, username: str) -> list[tuple[str, str]]:
    subjects = []
    if username:
        subjects.append(("user", username))
    ip = client_ip(request)
    if ip:
        subjects.append(("ip", ip))
    return subjects


def _limit() -> int:
    return int(settings.TPI_LOGIN_FAILURE_LIMIT)


def _window() -> int:
    return int(settings.TPI_LOGIN_FAILURE_WINDOW)


def login_throttle(request: HttpRequest | None, username: str | None) -> Throttle:
    """Refused when either the username or the address reached the limit in its window."""
    now = time.time()
    retry_after = 0
    for kind, value in _subjects(request, (username or "").strip().casefold()):
        count_key, start_key = _keys(kind, value)
        values = cache.get_many([count_key, start_key])
        if int(values.get(count_key) or 0) >= _limit():
            start = float(values.get(start_key) or now)
            retry_after = max(retry_after, math.ceil(start + _window() - now), 1)
    return Throttle(locked=retry_after > 0, retry_after=retry_after)


def _record_failure(kind: str, value: str) -> None:
    count_key, start_key = _keys(kind, value)
    window = _window()
    # add() only sets a missing key, so the window starts at the first failure; incr() is
    # atomic in both locmem and Redis and keeps the key's expiry.
    cache.add(start_key, time.time(), timeout=window)
    cache.add(count_key, 0, timeout=window)
    try:
        cache.incr(count_key)
    except ValueError:  # expired between add() and incr()
        cache.set(count_key, 1, timeout=window)
        cache.set(start_key, time.time(), timeout=window)


def login_failures_reset(kind: str, value: str) -> None:
    cache.delete_many(list(_keys(kind, value)))


@receiver(user_login_failed, dispatch_uid="tpi-login-failure-count")
def _count_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Count a failed password check; an attempt refused by the throttle is not one."""
    username = _username(credentials)
    if login_throttle(request, username).locked:
        return
    for kind, value in _subjects(request, username):
        _record_failure(kind, value)


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses, without checking the password, while throttled."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        throttle = login_throttle(request, name)
        if throttle.locked:
            # authenticate() stops at PermissionDenied and sends user_login_failed.
            raise PermissionDenied(throttle.message)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and name:
            # A success clears the username's count, never the address's: an attacker
            # cannot reset their address by signing in to an account of their own.
            login_failures_reset("user", str(name).strip().casefold())
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """The same checks for async callers (ModelBackend has its own async path)."""
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )
