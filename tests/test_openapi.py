"""The OpenAPI schema generates without warnings, validates and covers every API route."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from rest_framework.routers import APIRootView


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    target = tmp_path_factory.mktemp("openapi") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def _shape(text: str) -> str:
    """A route piece with every parameter written ``{}``, whether path() or re_path()."""
    text = text.replace("^", "").replace("$", "")
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", text)
    return re.sub(r"<(?:\w+:)?\w+>", "{}", text)


def _api_routes(patterns, prefix: str = "") -> set[str]:
    """Every URL pattern under /api/, shaped like ``/api/places/{}/``. Format-suffix
    variants and a router's browsable root are not operations, so they are left out."""
    routes: set[str] = set()
    for pattern in patterns:
        raw = str(pattern.pattern)
        text = prefix + _shape(raw)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern.url_patterns, text)
            continue
        view = getattr(pattern.callback, "cls", None)
        if not text.startswith("api/") or "(?P<format>" in raw:
            continue
        if view is not None and issubclass(view, APIRootView):
            continue
        routes.add("/" + text)
    return routes


def _schema_routes(schema: dict) -> set[str]:
    return {re.sub(r"\{\w+\}", "{}", path) for path in schema["paths"]}


def test_schema_validates_without_warnings(schema):
    assert "/api/places/" in schema["paths"]


def test_every_api_route_is_in_the_schema(schema):
    documentation = {"/api/schema/", "/api/docs/", "/api/redoc/"}
    routes = _api_routes(get_resolver().url_patterns) - documentation
    assert "/api/frameworks/{}/definition/" in routes
    missing = sorted(routes - _schema_routes(schema))
    assert not missing, f"API routes missing from the schema: {missing}"


def test_every_schema_path_is_a_route(schema):
    assert _schema_routes(schema) <= _api_routes(get_resolver().url_patterns)


def test_security_schemes_include_session_and_token(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert "Token" in schemes["tokenAuth"]["description"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/auth/token/", "post"),
        ("/api/auth/token/", "delete"),
        ("/api/frameworks/", "get"),
        ("/api/frameworks/", "post"),
        ("/api/frameworks/{key}/", "get"),
        ("/api/frameworks/{key}/versions/{version}/", "get"),
        ("/api/frameworks/{key}/definition/", "put"),
        ("/api/frameworks/{key}/publish/", "post"),
        ("/api/frameworks/{key}/score/", "post"),
    ],
)
def test_framework_and_token_operations_are_documented(schema, path, method):
    operation = schema["paths"][path][method]
    assert operation["responses"]


def test_token_endpoint_needs_no_prior_authentication(schema):
    post = schema["paths"]["/api/auth/token/"]["post"]
    assert post.get("security", []) in ([], [{}])
    delete = schema["paths"]["/api/auth/token/"]["delete"]
    assert {"tokenAuth": []} in delete["security"]
