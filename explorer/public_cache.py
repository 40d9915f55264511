"""A shared cache of whole public responses: scorecards, maps and score API answers.

Only anonymous GETs are cached (no session cookie, no Authorization header), so nothing
private can land in it: a signed-out person sees the baseline and published objects only.
The key holds a data generation, bumped whenever scores, releases, frameworks or outcomes
change, and today's date, so a publication date that arrives takes effect at once. A
response that sets a cookie (a CSRF token, say) is never stored.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

GENERATION_KEY = "public-cache:generation"
MAX_BODY_BYTES = 2 * 1024 * 1024


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return int(value)


def bump_generation(**_: Any) -> None:
    """Anything a public page shows has changed: forget every cached response."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def connect_invalidation() -> None:
    from frameworks.models import Framework, FrameworkVersion
    from indicators.models import Dataset, DatasetRelease
    from partnerships.models import Outcome
    from places.models import Place, SourceLoad
    from scoring.models import ScoringRun

    models = (ScoringRun, DatasetRelease, Dataset, Framework, FrameworkVersion, Outcome)
    for model in (*models, Place, SourceLoad):
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"public-cache-{model}")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"public-cache-d-{model}")


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    prefixes = tuple(prefix for prefix in settings.TPI_PUBLIC_CACHE_PREFIXES if prefix)
    return bool(prefixes) and request.path.startswith(prefixes)


def _key(request: HttpRequest) -> str:
    parts = [
        str(generation()),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", ""),
        request.get_host(),
    ]
    return "public-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class PublicResponseCacheMiddleware:
    """Serve anonymous GETs of the listed paths from the cache (see module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            status, headers, body = cached
            response = HttpResponse(body, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Public-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Set-Cookie")
            and len(response.content) <= MAX_BODY_BYTES
        ):
            headers = [
                (name, value) for name, value in response.items() if name.lower() != "set-cookie"
            ]
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.TPI_PUBLIC_CACHE_SECONDS,
            )
            response["X-Public-Cache"] = "miss"
        return response
