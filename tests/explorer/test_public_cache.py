"""Whole anonymous responses are cached, and nothing signed-in or private ever is."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from explorer.public_cache import bump_generation
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db

URL = "/places/E06000001/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.TPI_PUBLIC_CACHE_PREFIXES = ["/places/", "/api/places/"]
    bump_generation()
    yield
    bump_generation()


def test_anonymous_page_is_served_from_the_cache_until_data_change(client):
    first = client.get(URL)
    second = client.get(URL)

    assert first.status_code == second.status_code == 200
    assert first["X-Public-Cache"] == "miss"
    assert second["X-Public-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"]

    Partnership.objects.create(slug="p", name="P")  # not watched: still cached
    assert client.get(URL)["X-Public-Cache"] == "hit"

    from places.models import Place

    place = Place.objects.get(code="E06000001")
    place.save()  # a watched model changed: every cached response is forgotten
    assert client.get(URL)["X-Public-Cache"] == "miss"


def test_signed_in_requests_are_never_cached(client):
    user = get_user_model().objects.create_user("member", password="a-long-password-1")
    client.force_login(user)

    client.get(URL)
    response = client.get(URL)

    assert response.status_code == 200
    assert "X-Public-Cache" not in response


def test_token_requests_and_errors_are_not_cached(client):
    assert "X-Public-Cache" not in client.get("/api/places/", HTTP_AUTHORIZATION="Token x")
    client.get("/places/NOPE00000/")
    assert "X-Public-Cache" not in client.get("/places/NOPE00000/")


def test_cache_key_separates_query_and_accept(client):
    client.get("/api/places/?level=region", HTTP_ACCEPT="application/json")
    other = client.get("/api/places/?level=country", HTTP_ACCEPT="application/json")
    html = client.get("/api/places/?level=region", HTTP_ACCEPT="text/html")

    assert other["X-Public-Cache"] == "miss"
    assert html.get("X-Public-Cache") != "hit"
    assert cache.get("public-cache:generation") is not None
