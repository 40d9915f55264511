"""Frameworks API: who sees which framework, who may change it, and token auth.

Two partnerships with overlapping places (Norfolk county and its districts; Greater
Norwich) must not see each other's private frameworks through lists, details, versions,
counts or error messages.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from frameworks.models import Framework
from tests.api.partners import PASSWORD, make_world

pytestmark = pytest.mark.django_db

LIST = "/api/frameworks/"


@pytest.fixture
def world():
    return make_world()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def keys(response) -> set[str]:
    return {row["key"] for row in response.json()["results"]}


# --- reading ---------------------------------------------------------------------------


def test_anonymous_sees_only_the_index(world):
    response = client_for().get(LIST)
    assert response.status_code == 200
    assert keys(response) == {"mini-index"}
    assert response.json()["count"] == 1


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_members_list_their_own_and_the_index_not_the_others(world, role):
    norfolk, norwich, _ = world
    seen = keys(client_for(norfolk.users[role]).get(LIST))
    assert seen == {"mini-index", "nfk-healthy-housing"}
    response = client_for(norwich.users[role]).get(LIST)
    assert keys(response) == {"mini-index", "gn-healthy-housing"}
    assert response.json()["count"] == 2


def test_partnership_filter_reveals_nothing_about_others(world):
    _, norwich, _ = world
    client = client_for(norwich.users["viewer"])
    other = client.get(LIST, {"partnership": "norfolk-healthy-homes"})
    missing = client.get(LIST, {"partnership": "no-such-partnership"})
    assert other.status_code == missing.status_code == 200
    assert (
        other.json()
        == missing.json()
        == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }
    )
    own = client.get(LIST, {"partnership": "greater-norwich"})
    assert keys(own) == {"gn-healthy-housing"}


def test_published_framework_is_listed_for_everyone(world):
    norfolk, norwich, outsider = world
    Framework.objects.filter(pk=norfolk.framework.pk).update(is_published=True)
    assert "nfk-healthy-housing" in keys(client_for(outsider).get(LIST))
    assert "nfk-healthy-housing" in keys(client_for().get(LIST))
    assert "nfk-healthy-housing" in keys(
        client_for(norwich.users["viewer"]).get(LIST, {"partnership": "norfolk-healthy-homes"})
    )


def test_publication_date_in_the_future_keeps_it_private(world):
    norfolk, _, outsider = world
    Framework.objects.filter(pk=norfolk.framework.pk).update(
        is_published=True, published_from="2999-01-01"
    )
    assert "nfk-healthy-housing" not in keys(client_for(outsider).get(LIST))
    response = client_for(outsider).get(f"{LIST}nfk-healthy-housing/")
    assert response.status_code == 404


def test_detail_gives_latest_tree_with_weights_polarity_and_indicators(world):
    norfolk, _, _ = world
    response = client_for(norfolk.users["viewer"]).get(f"{LIST}nfk-healthy-housing/")
    assert response.status_code == 200
    body = response.json()
    assert body["partnership"] == "norfolk-healthy-homes"
    assert body["latest_version"] == 1
    assert [v["version"] for v in body["versions"]] == [1]
    assert body["versions"][0]["url"] == "/api/frameworks/nfk-healthy-housing/versions/1/"
    slot = next(n for n in body["latest"]["nodes"] if n["level"] == "indicator")
    assert slot["indicator"] == "nfk-damp-homes"
    assert slot["polarity"] == -1
    assert slot["weight"] == 1.0
    assert body["latest"]["definition"]["id"] == "nfk-healthy-housing"


def test_version_endpoint_gives_that_version(world):
    norfolk, _, _ = world
    client = client_for(norfolk.users["viewer"])
    response = client.get(f"{LIST}nfk-healthy-housing/versions/1/")
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert {n["level"] for n in response.json()["nodes"]} == {"headline", "domain", "indicator"}
    assert client.get(f"{LIST}nfk-healthy-housing/versions/2/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/frameworks/nfk-healthy-housing/",
        "/api/frameworks/nfk-healthy-housing/versions/1/",
        "/api/frameworks/nfk-healthy-housing/versions/9/",
    ],
)
def test_private_framework_is_not_found_like_a_missing_one(world, path):
    _, norwich, outsider = world
    missing = client_for(outsider).get(path.replace("nfk-healthy-housing", "no-such-framework"))
    for user in (None, outsider, norwich.users["admin"]):
        response = client_for(user).get(path)
        assert response.status_code == 404
        assert response.json() == missing.json()


def test_published_framework_hides_the_owners_private_indicator(world):
    norfolk, norwich, _ = world
    Framework.objects.filter(pk=norfolk.framework.pk).update(is_published=True)
    body = client_for(norwich.users["viewer"]).get(f"{LIST}nfk-healthy-housing/").json()
    slot = next(n for n in body["latest"]["nodes"] if n["level"] == "indicator")
    assert slot["indicator"] is None
    assert body["latest"]["definition"] is None
    assert "nfk-damp-homes" not in str(body)


def test_list_query_count_is_bounded(world, django_assert_max_num_queries):
    norfolk, _, _ = world
    for number in range(12):
        Framework.objects.create(
            key=f"nfk-extra-{number}", name=f"Extra {number}", partnership=norfolk.partnership
        )
    client = client_for(norfolk.users["viewer"])
    with django_assert_max_num_queries(4):
        response = client.get(LIST)
    assert response.json()["count"] == 14


# --- token auth -------------------------------------------------------------------------


def test_token_obtained_with_password_authenticates_and_can_be_revoked(world):
    norfolk, _, _ = world
    username = norfolk.users["viewer"].username
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    client = token_client(key)
    assert keys(client.get(LIST)) == {"mini-index", "nfk-healthy-housing"}
    assert client.delete("/api/auth/token/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert client.get(LIST).status_code in (401, 403)


def test_token_refused_for_wrong_password(world):
    norfolk, _, _ = world
    response = APIClient().post(
        "/api/auth/token/",
        {"username": norfolk.users["viewer"].username, "password": "wrong password here"},
        format="json",
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_revoking_needs_sign_in():
    assert APIClient().delete("/api/auth/token/").status_code in (401, 403)


def test_token_url_name():
    assert reverse("api:auth-token") == "/api/auth/token/"


# --- writing ----------------------------------------------------------------------------


def definition(indicator_slug: str, weight: float = 2.0) -> dict:
    return {
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
                                "indicator": indicator_slug,
                                "polarity": "lower_better",
                                "weight": weight,
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


def test_analyst_creates_a_framework_in_their_partnership(world):
    norfolk, _, _ = world
    response = client_for(norfolk.users["analyst"]).post(
        LIST, {"partnership": "norfolk-healthy-homes", "name": "Warm homes"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["partnership"] == "norfolk-healthy-homes"
    assert body["latest_version"] is None and body["versions"] == []
    framework = Framework.objects.get(key=body["key"])
    assert framework.partnership == norfolk.partnership and not framework.is_published


@pytest.mark.parametrize(
    ("who", "expected"),
    [("viewer", 403), ("other-analyst", 404), ("outsider", 404), ("anonymous", 403)],
)
def test_only_analysts_of_the_partnership_create(world, who, expected):
    norfolk, norwich, outsider = world
    user = {
        "viewer": norfolk.users["viewer"],
        "other-analyst": norwich.users["analyst"],
        "outsider": outsider,
        "anonymous": None,
    }[who]
    response = client_for(user).post(
        LIST, {"partnership": "norfolk-healthy-homes", "name": "Warm homes"}, format="json"
    )
    assert response.status_code == expected
    if expected == 404:
        missing = client_for(user).post(
            LIST, {"partnership": "no-such-partnership", "name": "Warm homes"}, format="json"
        )
        assert missing.status_code == 404 and missing.json() == response.json()
    assert not Framework.objects.filter(name="Warm homes").exists()


def test_analyst_saves_a_new_version_then_an_unchanged_one(world):
    norfolk, _, _ = world
    client = client_for(norfolk.users["analyst"])
    url = f"{LIST}nfk-healthy-housing/definition/"
    first = client.put(url, {"definition": definition("nfk-damp-homes")}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["version"] == 2
    slot = next(n for n in first.json()["nodes"] if n["key"] == "damp")
    assert (
        slot["weight"] == 2.0 and slot["polarity"] == -1 and slot["indicator"] == "nfk-damp-homes"
    )
    again = client.put(url, {"definition": definition("nfk-damp-homes")}, format="json")
    assert again.status_code == 200 and again.json()["version"] == 2
    detail = client.get(f"{LIST}nfk-healthy-housing/").json()
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    old = client.get(f"{LIST}nfk-healthy-housing/versions/1/").json()
    assert "damp" not in {n["key"] for n in old["nodes"]}


def test_definition_problems_are_all_listed(world):
    norfolk, _, _ = world
    bad = definition("gn-damp-homes", weight=-1)  # the other partnership's indicator
    response = client_for(norfolk.users["analyst"]).put(
        f"{LIST}nfk-healthy-housing/definition/", {"definition": bad}, format="json"
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert len(problems) >= 2
    assert Framework.objects.get(key="nfk-healthy-housing").versions.count() == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [("viewer", 403), ("other-admin", 404), ("outsider", 404), ("anonymous", 403)],
)
def test_only_analysts_of_the_owner_save(world, who, expected):
    norfolk, norwich, outsider = world
    user = {
        "viewer": norfolk.users["viewer"],
        "other-admin": norwich.users["admin"],
        "outsider": outsider,
        "anonymous": None,
    }[who]
    response = client_for(user).put(
        f"{LIST}nfk-healthy-housing/definition/",
        {"definition": definition("nfk-damp-homes")},
        format="json",
    )
    assert response.status_code == expected
    assert Framework.objects.get(key="nfk-healthy-housing").versions.count() == 1


def test_the_index_cannot_be_changed_through_the_api(world):
    norfolk, _, _ = world
    response = client_for(norfolk.users["admin"]).put(
        f"{LIST}mini-index/definition/", {"definition": definition("nfk-damp-homes")}, format="json"
    )
    assert response.status_code == 403


def test_admin_publishes_and_then_everyone_sees_it(world):
    norfolk, norwich, _ = world
    url = f"{LIST}nfk-healthy-housing/publish/"
    assert client_for(norfolk.users["analyst"]).post(url, {"is_published": True}).status_code == 403
    assert client_for(norwich.users["admin"]).post(url, {"is_published": True}).status_code == 404
    response = client_for(norfolk.users["admin"]).post(url, {"is_published": True}, format="json")
    assert response.status_code == 200 and response.json()["is_published"] is True
    assert "nfk-healthy-housing" in keys(client_for().get(LIST))
    # Published, but still only the owner's admin may withdraw it.
    assert client_for(norwich.users["admin"]).post(url, {"is_published": False}).status_code == 404
    client_for(norfolk.users["admin"]).post(url, {"is_published": False}, format="json")
    assert "nfk-healthy-housing" not in keys(client_for().get(LIST))


def test_analyst_starts_scoring_and_gets_the_run_url(world):
    norfolk, norwich, _ = world
    url = f"{LIST}nfk-healthy-housing/score/"
    assert client_for(norfolk.users["viewer"]).post(url).status_code == 403
    assert client_for(norwich.users["analyst"]).post(url).status_code == 404
    response = client_for(norfolk.users["analyst"]).post(url)
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"/api/scoring-runs/{body['run']}/"


def test_scoring_a_framework_without_a_version_is_refused(world):
    norfolk, _, _ = world
    client = client_for(norfolk.users["analyst"])
    key = client.post(
        LIST, {"partnership": "norfolk-healthy-homes", "name": "Empty"}, format="json"
    ).json()["key"]
    response = client.post(f"{LIST}{key}/score/")
    assert response.status_code == 400 and response.json()["problems"]


def test_token_client_can_write(world):
    norfolk, _, _ = world
    client = token_client(norfolk.token("analyst"))
    response = client.put(
        f"{LIST}nfk-healthy-housing/definition/",
        {"definition": definition("nfk-damp-homes")},
        format="json",
    )
    assert response.status_code == 201
