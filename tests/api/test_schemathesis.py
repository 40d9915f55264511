"""A bounded schemathesis run against the OpenAPI schema: no input may cause a 500.

The schema is loaded from the Django app in-process (WSGI), with two partnerships, their
people and frameworks in the test database. Read operations run anonymously and as a
member (token header); write operations as an analyst. Generated path and query values
are sometimes swapped for real keys, codes and slugs so the handlers get past "not found".
Select with ``-m schemathesis``; it runs by default.
"""

import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from frameworks.models import Framework
from tests.api.partners import make_world

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

# Real values that generated ones are sometimes replaced with.
REAL_PATH: dict[str, list[Any]] = {
    "key": ["mini-index", "nfk-healthy-housing", "gn-healthy-housing"],
    "partnership_slug": ["norfolk-healthy-homes", "greater-norwich"],
    "version": [1],
    "code": ["E10000020", "E07000148"],
    "slug": [
        "nfk-local-data",
        "nfk-damp-homes",
        "national-test-data",
        "national-fuel-poverty",
        "norfolk-healthy-homes",
    ],
}
REAL_QUERY: dict[str, list[Any]] = {
    "partnership": ["norfolk-healthy-homes", "greater-norwich"],
    "framework": ["mini-index", "nfk-healthy-housing", "tpi-2024"],
    "place": ["E10000020", "E07000148,E07000144"],
    "dataset": ["nfk-local-data", "national-test-data"],
    "indicator": ["nfk-damp-homes", "national-fuel-poverty"],
}

# Request bodies: a real partnership to create a framework in, a definition that saves,
# local indicators to upload for (own, another partnership's, national).
REAL_BODY: dict[str, list[Any]] = {
    "partnership": ["norfolk-healthy-homes", "greater-norwich"],
    "indicator": ["nfk-damp-homes", "gn-damp-homes", "national-fuel-poverty"],
    "definition": [
        {
            "name": "Healthy housing",
            "headlines": [
                {
                    "key": "home",
                    "label": "Home",
                    "domains": [
                        {
                            "key": "housing",
                            "label": "Housing",
                            "slots": [
                                {
                                    "key": "damp",
                                    "label": "Damp homes",
                                    "indicator": "nfk-damp-homes",
                                    "polarity": "lower_better",
                                    "weight": 2,
                                },
                                {
                                    "key": "fuel-poverty",
                                    "label": "Fuel poverty",
                                    "indicator": "national-fuel-poverty",
                                    "polarity": "lower_better",
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}

BOUNDED = hypothesis.settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _maybe_real(values: dict[str, Any], real: dict[str, list[Any]]) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *real.get(name, [])])
            for name, value in (values or {}).items()
        }
    )


@pytest.fixture
def world(db) -> dict[str, Any]:
    norfolk, norwich, _outsider = make_world()
    return {
        "member": norfolk.token("viewer"),
        "analyst": norfolk.token("analyst"),
        "other_analyst": norwich.token("analyst"),
    }


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes the database connection at
    each request's edges; inside a test transaction that would lose the test's data (Django's
    own test client disconnects the same signal)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema() -> Any:
    """The schema as the app serves it, generated without a request or the database (so it
    can be loaded at collection time: one test per operation)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))
    loaded.app = get_wsgi_application()

    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        return _maybe_real(path_parameters, REAL_PATH)

    @loaded.hook
    def flatmap_query(context: Any, query: dict[str, Any]) -> Any:
        return _maybe_real(query, REAL_QUERY)

    @loaded.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        return _maybe_real(body, REAL_BODY) if isinstance(body, dict) else st.just(body)

    return loaded


schema = _load_schema()
READS = schema.include(method="GET")
# This app's own write operations run in the conformance test at the end.
WRITES = schema.include(method=["POST", "PUT", "PATCH", "DELETE"]).exclude(
    path_regex=r"^/api/(frameworks|auth)/"
)
OWN = schema.include(path_regex=r"^/api/(frameworks|auth)/").exclude(
    path="/api/auth/token/", method="DELETE"
)


@READS.parametrize()
@BOUNDED
def test_reads_never_fail_anonymously(case, world, _keep_test_connection):
    case.call_and_validate(checks=[not_a_server_error])


@READS.parametrize()
@BOUNDED
def test_reads_never_fail_for_a_member(case, world, _keep_test_connection):
    case.call_and_validate(
        headers={"Authorization": f"Token {world['member']}"}, checks=[not_a_server_error]
    )


@WRITES.parametrize()
@BOUNDED
def test_writes_never_fail_for_an_analyst(case, world, _keep_test_connection):
    case.call_and_validate(
        headers={"Authorization": f"Token {world['analyst']}"}, checks=[not_a_server_error]
    )


def test_the_run_leaves_the_other_partnership_alone(world, _keep_test_connection):
    """Sanity check on the set-up: Greater Norwich's framework exists and is private."""
    framework = Framework.objects.get(key="gn-healthy-housing")
    assert framework.partnership is not None
    assert not framework.is_published


@OWN.parametrize()
@BOUNDED
def test_framework_and_token_answers_match_the_schema(case, world, _keep_test_connection):
    """For the frameworks and token endpoints, every status returned is one the schema lists.
    (DELETE of the token is left out: it would revoke the token the run signs in with.)"""
    case.call_and_validate(
        headers={"Authorization": f"Token {world['analyst']}"},
        checks=[not_a_server_error, status_code_conformance],
    )
