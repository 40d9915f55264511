"""The partnership API: roles, isolation between partnerships, audit and query counts."""

import pytest
from django.urls import URLPattern, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partnerships import services
from partnerships.api.urls import urlpatterns as api_patterns
from partnerships.models import AuditEvent, Membership, Outcome, Role
from tests.factories.partnerships import (
    MembershipFactory,
    OrganisationFactory,
    OutcomeFactory,
    PartnershipFactory,
    World,
)

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "analyst", "admin", "outsider"]
SLUG = "norfolk-healthy-homes"


@pytest.fixture
def outcome(world: World) -> Outcome:
    side = world.norfolk
    return services.outcome_create(
        actor=side.users["analyst"],
        partnership=side.partnership,
        title="Warm, dry homes",
        lead_organisation=side.organisations[0].pk,
        contributors=[side.organisations[1].pk],
        framework=side.framework.key,
        node_keys=["nfk-housing"],
        indicators=[side.indicator.slug],
    )


def _user(world: World, role: str):
    return world.outsider if role == "outsider" else world.norfolk.users[role]


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _viewer_membership(world: World) -> int:
    return Membership.objects.get(user=world.norfolk.users["viewer"]).pk


# (url name, method, body, expected status for viewer, analyst, admin, outsider)
MATRIX: list[tuple[str, str, dict, tuple[int, int, int, int]]] = [
    ("partnership-list", "get", {}, (200, 200, 200, 200)),
    ("partnership-detail", "get", {}, (200, 200, 200, 404)),
    ("partnership-detail", "patch", {"description": "New"}, (403, 403, 200, 404)),
    ("partnership-member-list", "get", {}, (200, 200, 200, 404)),
    (
        "partnership-member-list",
        "post",
        {"email": "new@example.org", "role": "viewer"},
        (403, 403, 201, 404),
    ),
    ("partnership-member-detail", "get", {}, (200, 200, 200, 404)),
    ("partnership-member-detail", "patch", {"role": "viewer"}, (403, 403, 200, 404)),
    ("partnership-member-detail", "delete", {}, (403, 403, 204, 404)),
    ("partnership-outcome-list", "get", {}, (200, 200, 200, 404)),
    ("partnership-outcome-list", "post", {"title": "New outcome"}, (403, 201, 201, 404)),
    ("partnership-outcome-detail", "get", {}, (200, 200, 200, 404)),
    ("partnership-outcome-detail", "put", {"title": "Replaced"}, (403, 200, 200, 404)),
    ("partnership-outcome-detail", "patch", {"title": "Renamed"}, (403, 200, 200, 404)),
    ("partnership-outcome-detail", "delete", {}, (403, 204, 204, 404)),
    ("partnership-outcome-publication", "post", {"is_published": True}, (403, 403, 200, 404)),
    ("partnership-audit-event-list", "get", {}, (403, 200, 200, 404)),
    ("organisation-list", "get", {}, (200, 200, 200, 200)),
    ("organisation-detail", "get", {}, (200, 200, 200, 404)),
]


def _url(name: str, world: World, outcome: Outcome) -> str:
    if name in ("partnership-list", "organisation-list"):
        return reverse(f"api:{name}")
    if name == "partnership-detail":
        return reverse("api:partnership-detail", args=[SLUG])
    if name == "organisation-detail":
        return reverse("api:organisation-detail", args=[world.norfolk.organisations[0].pk])
    kwargs: dict = {"partnership_slug": SLUG}
    if name == "partnership-member-detail":
        kwargs["pk"] = _viewer_membership(world)
    elif name.startswith("partnership-outcome-") and name != "partnership-outcome-list":
        kwargs["pk"] = outcome.pk
    return reverse(f"api:{name}", kwargs=kwargs)


def test_every_endpoint_and_method_is_in_the_role_matrix():
    covered = {(name, method) for name, method, *_ in MATRIX}
    for pattern in api_patterns:
        assert isinstance(pattern, URLPattern)
        # DRF adds "head" to a viewset's actions once it has served a GET; HEAD is GET here.
        methods = set(pattern.callback.actions) - {"head"}  # type: ignore[attr-defined]
        assert {(pattern.name, m) for m in methods} <= covered, pattern.name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,method,body,expected", MATRIX, ids=[f"{n}-{m}" for n, m, *_ in MATRIX]
)
def test_api_role_matrix(world, outcome, role, name, method, body, expected):
    response = getattr(_api(_user(world, role)), method)(
        _url(name, world, outcome), body, format="json"
    )
    assert response.status_code == expected[ROLES.index(role)], response.data


@pytest.mark.parametrize("method", ["get", "post", "patch", "put", "delete"])
def test_signed_out_requests_are_refused(world, outcome, method):
    for name, m, body, _ in MATRIX:
        if m == method:
            url = _url(name, world, outcome)
            response = getattr(APIClient(), method)(url, body, format="json")
            assert response.status_code in (401, 403), (name, method)


def test_token_authentication(world):
    token = Token.objects.create(user=world.norwich.users["viewer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(reverse("api:partnership-list"))
    assert [p["slug"] for p in response.data["results"]] == ["greater-norwich"]


def test_session_writes_need_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.norfolk.users["admin"])
    response = client.post(
        reverse("api:partnership-outcome-list", kwargs={"partnership_slug": SLUG}),
        {"title": "No token"},
        format="json",
    )
    assert response.status_code == 403
    assert not Outcome.objects.exists()


# Isolation -----------------------------------------------------------------------------


def test_lists_show_only_my_partnerships_objects(world, outcome):
    client = _api(world.norwich.users["admin"])
    OutcomeFactory(partnership=world.norwich.partnership, title="Theirs")
    partnerships = client.get(reverse("api:partnership-list")).data["results"]
    assert [p["slug"] for p in partnerships] == ["greater-norwich"]
    assert partnerships[0]["my_role"] == "admin"
    organisations = client.get(reverse("api:organisation-list")).data["results"]
    assert {o["name"] for o in organisations} == {
        "Norwich City Council",
        "Broadland District Council",
        "Norwich Housing Society",
    }
    outcomes = client.get(
        reverse("api:partnership-outcome-list", kwargs={"partnership_slug": "greater-norwich"})
    ).data["results"]
    assert [o["title"] for o in outcomes] == ["Theirs"]


def test_organisations_outside_my_partnerships_are_not_listed(world):
    OrganisationFactory(name="Unaffiliated Trust")
    names = {
        o["name"]
        for o in _api(world.norfolk.users["viewer"])
        .get(reverse("api:organisation-list"))
        .data["results"]
    }
    assert "Unaffiliated Trust" not in names and "Norwich City Council" not in names
    theirs = world.norwich.organisations[0].pk
    response = _api(world.norfolk.users["viewer"]).get(
        reverse("api:organisation-detail", args=[theirs])
    )
    assert response.status_code == 404


def test_other_partnerships_objects_under_my_slug_are_not_found(world, outcome):
    client = _api(world.norwich.users["admin"])
    mine = {"partnership_slug": "greater-norwich"}
    norfolk_member = _viewer_membership(world)
    for method, url in [
        ("get", reverse("api:partnership-outcome-detail", kwargs={**mine, "pk": outcome.pk})),
        ("patch", reverse("api:partnership-outcome-detail", kwargs={**mine, "pk": outcome.pk})),
        ("delete", reverse("api:partnership-outcome-detail", kwargs={**mine, "pk": outcome.pk})),
        (
            "post",
            reverse("api:partnership-outcome-publication", kwargs={**mine, "pk": outcome.pk}),
        ),
        ("get", reverse("api:partnership-member-detail", kwargs={**mine, "pk": norfolk_member})),
        (
            "patch",
            reverse("api:partnership-member-detail", kwargs={**mine, "pk": norfolk_member}),
        ),
        (
            "delete",
            reverse("api:partnership-member-detail", kwargs={**mine, "pk": norfolk_member}),
        ),
    ]:
        response = getattr(client, method)(
            url, {"title": "X", "role": "admin", "is_published": True}, format="json"
        )
        assert response.status_code == 404, (method, url)
    outcome.refresh_from_db()
    assert outcome.title == "Warm, dry homes" and not outcome.is_published
    assert Membership.objects.get(pk=norfolk_member).role == Role.VIEWER


def test_unknown_and_foreign_partnerships_look_the_same(world):
    client = _api(world.norwich.users["admin"])
    foreign = client.get(reverse("api:partnership-detail", args=[SLUG]))
    unknown = client.get(reverse("api:partnership-detail", args=["no-such-partnership"]))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.data == unknown.data


def _create(client: APIClient, **body):
    return client.post(
        reverse("api:partnership-outcome-list", kwargs={"partnership_slug": SLUG}),
        {"title": "T", **body},
        format="json",
    )


def test_outcome_errors_do_not_reveal_other_partnerships_objects(world):
    client = _api(world.norfolk.users["analyst"])
    theirs = world.norwich

    def message(field: str, value, token: str) -> str:
        response = _create(client, **{field: value})
        assert response.status_code == 400
        return str(response.data[field][0]).replace(token, "X")

    assert message("indicators", [theirs.indicator.slug], theirs.indicator.slug) == message(
        "indicators", ["no-such-indicator"], "no-such-indicator"
    )
    assert message("framework", theirs.framework.key, theirs.framework.key) == message(
        "framework", "no-such-framework", "no-such-framework"
    )
    other_org = theirs.organisations[0].pk
    assert message("lead_organisation", other_org, str(other_org)) == message(
        "lead_organisation", 999_999, "999999"
    )
    assert message("contributors", [other_org], str(other_org)) == message(
        "contributors", [999_999], "999999"
    )
    assert not Outcome.objects.exists()


def test_outcome_crud_by_analyst(world):
    side = world.norfolk
    client = _api(side.users["analyst"])
    response = _create(
        client,
        title="Fewer cold homes",
        lead_organisation=side.organisations[3].pk,
        contributors=[side.organisations[0].pk, side.organisations[1].pk],
        framework="mini-index",
        node_keys=["health-fuel"],
        indicators=["fuel-poverty-test", side.indicator.slug],
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert body["framework"] == "mini-index" and body["node_keys"] == ["health-fuel"]
    assert sorted(body["indicators"]) == ["fuel-poverty-test", "nfk-damp-homes"]
    assert body["lead_organisation_name"] == "Community Action Norfolk"
    assert body["is_published"] is False

    url = reverse(
        "api:partnership-outcome-detail", kwargs={"partnership_slug": SLUG, "pk": body["id"]}
    )
    patched = client.patch(url, {"description": "Damp and cold homes"}, format="json").data
    # A partial change leaves the other fields alone.
    assert patched["description"] == "Damp and cold homes"
    assert patched["node_keys"] == ["health-fuel"] and len(patched["contributors"]) == 2
    bad = client.patch(url, {"node_keys": ["not-a-node"]}, format="json")
    assert bad.status_code == 400 and "not-a-node" in str(bad.data["node_keys"])
    assert client.delete(url).status_code == 204
    actions = list(
        AuditEvent.objects.filter(object_id=str(body["id"])).values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "delete", "update"]


def test_publication_by_admin(world, outcome):
    client = _api(world.norfolk.users["admin"])
    url = reverse(
        "api:partnership-outcome-publication", kwargs={"partnership_slug": SLUG, "pk": outcome.pk}
    )
    response = client.post(
        url, {"is_published": True, "published_from": "2031-04-01"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["is_published"] is True and response.data["published_from"] == "2031-04-01"
    response = client.post(url, {"is_published": False}, format="json")
    assert response.data["is_published"] is False and response.data["published_from"] is None


# Members -------------------------------------------------------------------------------


def test_members_list_and_detail(world):
    response = _api(world.norfolk.users["viewer"]).get(
        reverse("api:partnership-member-list", kwargs={"partnership_slug": SLUG})
    )
    assert [m["username"] for m in response.data["results"]] == [
        "nfk-admin",
        "nfk-analyst",
        "nfk-viewer",
    ]
    assert response.data["results"][0]["organisation_name"] == "Norfolk County Council"


def test_invite_through_the_api(world, django_capture_on_commit_callbacks):
    from django.core import mail

    client = _api(world.norfolk.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:partnership-member-list", kwargs={"partnership_slug": SLUG}),
            {
                "email": "nurse@nhs.example",
                "role": "analyst",
                "organisation": world.norfolk.organisations[1].pk,
            },
            format="json",
        )
    assert response.status_code == 201
    assert "token" not in response.data
    assert response.data["email"] == "nurse@nhs.example"
    assert len(mail.outbox) == 1


def test_last_admin_is_protected_in_the_api(world):
    client = _api(world.norfolk.users["admin"])
    me = Membership.objects.get(user=world.norfolk.users["admin"]).pk
    url = reverse("api:partnership-member-detail", kwargs={"partnership_slug": SLUG, "pk": me})
    demote = client.patch(url, {"role": "analyst"}, format="json")
    assert demote.status_code == 400 and "at least one admin" in str(demote.data["role"])
    remove = client.delete(url)
    assert remove.status_code == 400
    assert Membership.objects.get(pk=me).role == Role.ADMIN


def test_member_organisation_change_must_be_a_member_organisation(world):
    client = _api(world.norfolk.users["admin"])
    viewer = _viewer_membership(world)
    url = reverse("api:partnership-member-detail", kwargs={"partnership_slug": SLUG, "pk": viewer})
    bad = client.patch(url, {"organisation": world.norwich.organisations[0].pk}, format="json")
    assert bad.status_code == 400
    good = client.patch(url, {"organisation": world.norfolk.organisations[2].pk}, format="json")
    assert good.status_code == 200 and good.data["organisation_name"] == "Norfolk Constabulary"
    event = AuditEvent.objects.get(action="update", object_type="partnerships.membership")
    assert event.changes == {
        "organisation": [world.norfolk.organisations[0].pk, world.norfolk.organisations[2].pk]
    }


def test_partnership_detail_has_places_organisations_and_members(world):
    data = (
        _api(world.norwich.users["viewer"])
        .get(reverse("api:partnership-detail", args=["greater-norwich"]))
        .data
    )
    assert {p["code"] for p in data["places"]} == {"E07000148", "E07000144", "E07000149"}
    assert {o["kind"] for o in data["organisations"]} == {"council", "vcse"}
    assert {m["username"] for m in data["members"]} == {"gn-viewer", "gn-analyst", "gn-admin"}
    assert data["my_role"] == "viewer"


def test_partnership_patch_is_audited(world):
    response = _api(world.norfolk.users["admin"]).patch(
        reverse("api:partnership-detail", args=[SLUG]), {"description": "Homes"}, format="json"
    )
    assert response.status_code == 200 and response.data["description"] == "Homes"
    event = AuditEvent.objects.get(action="update", object_type="partnerships.partnership")
    assert event.changes == {"description": ["", "Homes"]}


def test_audit_events_read_with_before_and_after(world, outcome):
    services.outcome_update(
        actor=world.norfolk.users["analyst"], outcome=outcome, title="Warm homes"
    )
    data = (
        _api(world.norfolk.users["analyst"])
        .get(reverse("api:partnership-audit-event-list", kwargs={"partnership_slug": SLUG}))
        .data
    )
    latest = data["results"][0]
    assert latest["action"] == "update" and latest["actor"] == "nfk-analyst"
    assert latest["changes"] == {"title": ["Warm, dry homes", "Warm homes"]}
    other = (
        _api(world.norwich.users["admin"])
        .get(
            reverse(
                "api:partnership-audit-event-list", kwargs={"partnership_slug": "greater-norwich"}
            )
        )
        .data
    )
    assert other["count"] == 0


# Query counts --------------------------------------------------------------------------


def test_list_endpoints_run_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    side = world.norfolk
    admin = side.users["admin"]
    for n in range(8):
        MembershipFactory(partnership=PartnershipFactory(), user=admin, role=Role.ADMIN)
        MembershipFactory(partnership=side.partnership, organisation=side.organisations[n % 4])
        services.outcome_create(
            actor=admin,
            partnership=side.partnership,
            title=f"Outcome {n}",
            lead_organisation=side.organisations[0].pk,
            contributors=[o.pk for o in side.organisations[1:]],
            indicators=[side.indicator.slug, "fuel-poverty-test"],
            framework=side.framework.key,
        )
    client = _api(admin)
    p = {"partnership_slug": SLUG}
    for url, limit in [
        (reverse("api:partnership-list"), 4),
        (reverse("api:partnership-member-list", kwargs=p), 5),
        (reverse("api:partnership-outcome-list", kwargs=p), 7),
        (reverse("api:partnership-audit-event-list", kwargs=p), 5),
        (reverse("api:organisation-list"), 4),
        (reverse("api:partnership-detail", args=[SLUG]), 7),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
