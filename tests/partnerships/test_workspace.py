"""The partnership workspace: services, selectors and pages.

Two partnerships share places (Norfolk county with its districts, and Greater Norwich:
Norwich, Broadland, South Norfolk); neither may list, read or change the other's objects.
"""

from datetime import date, timedelta
from typing import Any, cast

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from partnerships import selectors, services
from partnerships.models import AuditEvent, Invitation, Membership, OrganisationKind, Outcome, Role
from partnerships.urls import urlpatterns as page_patterns
from tests.factories.partnerships import (
    GREATER_NORWICH,
    MembershipFactory,
    OutcomeFactory,
    PartnershipFactory,
    UserFactory,
    World,
)

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "analyst", "admin", "outsider"]


@pytest.fixture
def outcome(world: World) -> Outcome:
    side = world.norfolk
    return services.outcome_create(
        actor=side.users["analyst"],
        partnership=side.partnership,
        title="Warm, dry homes",
        lead_organisation=side.organisations[0].pk,
        contributors=[side.organisations[1].pk, side.organisations[3].pk],
        framework=side.framework.key,
        node_keys=["nfk-housing"],
        indicators=[world.national_indicator.slug, side.indicator.slug],
    )


def _user(world: World, role: str):
    return world.outsider if role == "outsider" else world.norfolk.users[role]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Services ------------------------------------------------------------------------------


def test_partnership_update_records_before_and_after(world):
    side = world.norfolk
    services.partnership_update(
        actor=side.users["admin"], partnership=side.partnership, name="Norfolk Homes"
    )
    event = AuditEvent.objects.get(partnership=side.partnership, action="update")
    assert event.changes == {"name": ["Norfolk Healthy Homes Partnership", "Norfolk Homes"]}
    assert event.actor == side.users["admin"]


@pytest.mark.parametrize("role,error", [("analyst", PermissionDenied), ("outsider", Http404)])
def test_partnership_update_needs_admin(world, role, error):
    with pytest.raises(error):
        services.partnership_update(
            actor=_user(world, role), partnership=world.norfolk.partnership, name="X"
        )


def test_member_invite_creates_invitation_audits_and_mails_after_commit(
    world, rf, django_capture_on_commit_callbacks
):
    side = world.norfolk
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.member_invite(
            actor=side.users["admin"],
            partnership=side.partnership,
            email="New.Person@Example.org",
            role=Role.ANALYST,
            organisation_id=side.organisations[2].pk,
            request=rf.get("/"),
        )
    assert invitation.role == Role.ANALYST and invitation.organisation == side.organisations[2]
    assert invitation.invited_by == side.users["admin"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [invitation.email]
    event = AuditEvent.objects.get(action="invite")
    assert event.changes["role"] == [None, "analyst"]


def test_member_invite_refuses_other_partnerships_organisation_like_a_missing_one(world, rf):
    side = world.norfolk
    other = world.norwich.organisations[0]

    def attempt(organisation_id: int) -> str:
        with pytest.raises(ValidationError) as caught:
            services.member_invite(
                actor=side.users["admin"],
                partnership=side.partnership,
                email="a@example.org",
                organisation_id=organisation_id,
                request=rf.get("/"),
            )
        return caught.value.message_dict["organisation"][0].replace(str(organisation_id), "N")

    assert attempt(other.pk) == attempt(999_999)
    assert not Invitation.objects.exists()


def test_member_invite_refuses_existing_member_and_open_invitation(world, rf):
    side = world.norfolk
    kwargs = {"actor": side.users["admin"], "partnership": side.partnership, "request": rf.get("/")}
    with pytest.raises(ValidationError):
        services.member_invite(email=side.users["viewer"].email, **kwargs)
    services.member_invite(email="x@example.org", **kwargs)
    with pytest.raises(ValidationError):
        services.member_invite(email="X@example.org", **kwargs)


def test_change_role_audits_and_protects_the_last_admin(world):
    side = world.norfolk
    admin = side.users["admin"]
    admin_membership = Membership.objects.get(user=admin, partnership=side.partnership)
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=admin, membership=admin_membership, role="viewer")
    with pytest.raises(ValidationError):
        services.membership_remove(actor=admin, membership=admin_membership)
    assert Membership.objects.get(pk=admin_membership.pk).role == Role.ADMIN

    analyst_membership = Membership.objects.get(user=side.users["analyst"])
    services.membership_change_role(actor=admin, membership=analyst_membership, role="admin")
    event = AuditEvent.objects.get(action="change_role")
    assert event.changes == {"role": ["analyst", "admin"]}
    # With a second admin, the first may step down.
    services.membership_change_role(actor=admin, membership=admin_membership, role="viewer")
    assert Membership.objects.get(pk=admin_membership.pk).role == Role.VIEWER


def test_remove_member_audits(world):
    side = world.norfolk
    viewer = Membership.objects.get(user=side.users["viewer"])
    services.membership_remove(actor=side.users["admin"], membership=viewer)
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    event = AuditEvent.objects.get(action="remove")
    assert event.changes["role"] == ["viewer", None]
    assert event.changes["user"] == ["nfk-viewer", None]


def test_another_partnerships_admin_cannot_change_members(world):
    viewer = Membership.objects.get(user=world.norfolk.users["viewer"])
    with pytest.raises(Http404):
        services.membership_change_role(
            actor=world.norwich.users["admin"], membership=viewer, role="admin"
        )
    with pytest.raises(Http404):
        services.membership_remove(actor=world.norwich.users["admin"], membership=viewer)


def test_outcome_create_links_and_audits(world, outcome):
    assert outcome.lead_organisation == world.norfolk.organisations[0]
    assert {o.name for o in outcome.contributors.all()} == {
        "Norfolk and Waveney Integrated Care Board",
        "Community Action Norfolk",
    }
    assert set(outcome.indicators.values_list("slug", flat=True)) == {
        "fuel-poverty-test",
        "nfk-damp-homes",
    }
    event = AuditEvent.objects.get(action="create", object_id=str(outcome.pk))
    assert event.changes["title"] == [None, "Warm, dry homes"]
    assert event.changes["framework"] == [None, "nfk-healthy-housing"]


def _refusal(world: World, **data) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.outcome_create(
            actor=world.norfolk.users["analyst"],
            partnership=world.norfolk.partnership,
            title="T",
            **data,
        )
    return caught.value.message_dict


def test_outcome_refuses_other_partnerships_objects_exactly_like_missing_ones(world):
    theirs = world.norwich
    # Organisations: another partnership's looks like an unknown id.
    other = _refusal(world, lead_organisation=theirs.organisations[0].pk)
    missing = _refusal(world, lead_organisation=987_654)
    assert other["lead_organisation"][0].replace(str(theirs.organisations[0].pk), "N") == missing[
        "lead_organisation"
    ][0].replace("987654", "N")
    # Indicators.
    other = _refusal(world, indicators=[theirs.indicator.slug])["indicators"]
    missing = _refusal(world, indicators=["no-such-indicator"])["indicators"]
    assert other[0].replace(theirs.indicator.slug, "X") == missing[0].replace(
        "no-such-indicator", "X"
    )
    # Frameworks.
    other = _refusal(world, framework=theirs.framework.key)["framework"]
    missing = _refusal(world, framework="no-such-framework")["framework"]
    assert other[0].replace(theirs.framework.key, "X") == missing[0].replace(
        "no-such-framework", "X"
    )
    assert not Outcome.objects.exists()


def test_outcome_node_keys_must_be_in_the_latest_version(world):
    framework = world.norfolk.framework
    errors = _refusal(world, framework=framework.key, node_keys=["health"])
    assert "health" in errors["node_keys"][0]
    errors = _refusal(world, node_keys=["nfk-housing"])
    assert "framework" in errors["node_keys"][0]
    # A key that only the older version had is refused once a new version exists.
    from frameworks.models import FrameworkNode, FrameworkVersion

    newer = FrameworkVersion.objects.create(
        framework=framework, version=2, definition={}, checksum="v2"
    )
    FrameworkNode.objects.create(version=newer, key="nfk-homes", level="domain", label="Homes")
    assert (
        "nfk-housing"
        in _refusal(world, framework=framework.key, node_keys=["nfk-housing"])["node_keys"][0]
    )
    ok = services.outcome_create(
        actor=world.norfolk.users["analyst"],
        partnership=world.norfolk.partnership,
        title="Homes",
        framework=framework.key,
        node_keys=["nfk-homes"],
    )
    assert ok.node_keys == ["nfk-homes"]


def test_outcome_may_use_the_national_framework(world):
    created = services.outcome_create(
        actor=world.norfolk.users["admin"],
        partnership=world.norfolk.partnership,
        title="Healthier lives",
        framework="mini-index",
        node_keys=["health", "health-fuel"],
    )
    assert created.framework == world.national_framework


def test_outcome_update_delete_and_publish_are_audited(world, outcome):
    side = world.norfolk
    services.outcome_update(
        actor=side.users["analyst"],
        outcome=outcome,
        title="Warm homes",
        contributors=[side.organisations[2].pk],
    )
    update = AuditEvent.objects.get(action="update", object_id=str(outcome.pk))
    assert update.changes["title"] == ["Warm, dry homes", "Warm homes"]
    assert update.changes["contributors"] == [
        sorted([side.organisations[1].pk, side.organisations[3].pk]),
        [side.organisations[2].pk],
    ]

    with pytest.raises(PermissionDenied):
        services.outcome_publish(actor=side.users["analyst"], outcome=outcome, is_published=True)
    start = date(2030, 1, 1)
    services.outcome_publish(
        actor=side.users["admin"], outcome=outcome, is_published=True, published_from=start
    )
    outcome.refresh_from_db()
    assert outcome.is_published and outcome.published_from == start
    publish = AuditEvent.objects.get(action="publish")
    assert publish.changes == {
        "is_published": [False, True],
        "published_from": [None, "2030-01-01"],
    }

    services.outcome_delete(actor=side.users["analyst"], outcome=outcome)
    assert not Outcome.objects.filter(pk=outcome.pk).exists()
    deleted = AuditEvent.objects.get(action="delete")
    assert deleted.changes["title"] == ["Warm homes", None]


@pytest.mark.parametrize("role,error", [("viewer", PermissionDenied), ("outsider", Http404)])
def test_outcome_changes_need_analyst(world, outcome, role, error):
    user = _user(world, role)
    with pytest.raises(error):
        services.outcome_create(actor=user, partnership=world.norfolk.partnership, title="T")
    with pytest.raises(error):
        services.outcome_update(actor=user, outcome=outcome, title="T")
    with pytest.raises(error):
        services.outcome_delete(actor=user, outcome=outcome)


def test_a_failed_change_leaves_no_audit_event(world, outcome):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.outcome_update(
            actor=world.norfolk.users["analyst"], outcome=outcome, indicators=["gn-damp-homes"]
        )
    assert AuditEvent.objects.count() == before


# Selectors -----------------------------------------------------------------------------


def test_partnership_list_for_shows_only_member_partnerships_with_counts(world, outcome):
    rows: list[Any] = list(selectors.partnership_list_for(world.norfolk.users["viewer"]))
    assert [p.slug for p in rows] == ["norfolk-healthy-homes"]
    row = rows[0]
    assert (row.my_role, row.place_count, row.organisation_count, row.member_count) == (
        "viewer",
        8,
        4,
        3,
    )
    assert row.outcome_count == 1
    assert list(selectors.partnership_list_for(world.outsider)) == []


def test_partnership_list_for_runs_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    user = UserFactory(username="busy")
    for _n in range(6):
        partnership = PartnershipFactory(place_codes=GREATER_NORWICH)
        MembershipFactory(partnership=partnership, user=user, role=Role.ADMIN)
        OutcomeFactory(partnership=partnership)
    with django_assert_max_num_queries(2):
        rows: list[Any] = list(selectors.partnership_list_for(user))
    assert len(rows) == 6 and all(r.place_count == 3 and r.outcome_count == 1 for r in rows)


def test_around_the_table_marks_lead_and_contributors(world, outcome):
    side = world.norfolk
    table = selectors.around_the_table(side.partnership, user=side.users["viewer"])
    names = [o.name for o in table.organisations]
    # Ordered by kind (council, NHS, police, VCSE), then name.
    assert names == [
        "Norfolk County Council",
        "Norfolk and Waveney Integrated Care Board",
        "Norfolk Constabulary",
        "Community Action Norfolk",
    ]
    assert table.rows[0].cells == ["lead", "contributing", "", "contributing"]
    assert [o.name for o in table.unengaged] == ["Norfolk Constabulary"]


def test_outcome_list_is_the_partnerships_own(world, outcome):
    theirs = cast(Outcome, OutcomeFactory(partnership=world.norwich.partnership, title="Theirs"))
    ours = selectors.outcome_list(world.norfolk.partnership, world.norfolk.users["viewer"])
    assert list(ours) == [outcome]
    assert theirs not in selectors.outcome_list(
        world.norwich.partnership, world.norfolk.users["viewer"]
    )


def test_partnership_get_for_hides_partnerships_from_outsiders(world):
    with pytest.raises(Http404):
        selectors.partnership_get_for(world.norwich.users["admin"], "norfolk-healthy-homes")
    with pytest.raises(Http404):
        selectors.partnership_get_for(world.norwich.users["admin"], "no-such-partnership")
    with pytest.raises(PermissionDenied):
        selectors.partnership_get_for(
            world.norfolk.users["viewer"], "norfolk-healthy-homes", Role.ANALYST
        )


def test_organisation_list_for_is_limited_to_my_partnerships(world):
    names = set(
        selectors.organisation_list_for(world.norwich.users["viewer"]).values_list(
            "name", flat=True
        )
    )
    assert names == {
        "Norwich City Council",
        "Broadland District Council",
        "Norwich Housing Society",
    }
    assert not selectors.organisation_list_for(world.outsider).exists()


# Pages: who may do what ----------------------------------------------------------------

SLUG = "norfolk-healthy-homes"

# name -> (method, expected status for viewer, analyst, admin, outsider)
PAGE_MATRIX: dict[str, tuple[str, tuple[int, int, int, int]]] = {
    "list": ("get", (200, 200, 200, 200)),
    "dashboard": ("get", (200, 200, 200, 404)),
    "edit": ("get", (403, 403, 200, 404)),
    "members": ("get", (200, 200, 200, 404)),
    "member-role": ("post", (403, 403, 302, 404)),
    "member-remove": ("post", (403, 403, 302, 404)),
    "outcomes": ("get", (200, 200, 200, 404)),
    "outcome-new": ("get", (403, 200, 200, 404)),
    "outcome-edit": ("get", (403, 200, 200, 404)),
    "outcome-delete": ("get", (403, 200, 200, 404)),
    "outcome-publication": ("post", (403, 403, 302, 404)),
    "audit": ("get", (403, 200, 200, 404)),
}


def _page_url(name: str, world: World, outcome: Outcome) -> str:
    kwargs: dict = {}
    if name != "list":
        kwargs["slug"] = SLUG
    if name.startswith("member-"):
        kwargs["pk"] = Membership.objects.get(user=world.norfolk.users["viewer"]).pk
    if name.startswith("outcome-") and name != "outcome-new":
        kwargs["pk"] = outcome.pk
    return reverse(f"partnerships:{name}", kwargs=kwargs)


def test_every_page_is_in_the_role_matrix():
    assert {getattr(p, "name", None) for p in page_patterns} == set(PAGE_MATRIX)


@pytest.mark.parametrize("name", sorted(PAGE_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_page_role_matrix(world, outcome, name, role):
    method, expected = PAGE_MATRIX[name]
    url = _page_url(name, world, outcome)
    data = {"role": "viewer", "is_published": ""} if method == "post" else None
    response = getattr(_client(_user(world, role)), method)(url, data)
    assert response.status_code == expected[ROLES.index(role)], url


@pytest.mark.parametrize("name", sorted(PAGE_MATRIX))
def test_pages_send_signed_out_people_to_sign_in(world, outcome, name):
    method, _ = PAGE_MATRIX[name]
    response = getattr(Client(), method)(_page_url(name, world, outcome))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(set(PAGE_MATRIX) - {"list"}))
def test_the_other_partnerships_admin_gets_404_everywhere(world, outcome, name):
    method, _ = PAGE_MATRIX[name]
    response = getattr(_client(world.norwich.users["admin"]), method)(
        _page_url(name, world, outcome), {"role": "admin"} if method == "post" else None
    )
    assert response.status_code == 404


def test_objects_of_another_partnership_are_not_found_under_my_slug(world, outcome):
    admin = _client(world.norwich.users["admin"])
    slug = "greater-norwich"
    norfolk_member = Membership.objects.get(user=world.norfolk.users["viewer"]).pk
    for url, method in [
        (reverse("partnerships:outcome-edit", args=[slug, outcome.pk]), "get"),
        (reverse("partnerships:outcome-delete", args=[slug, outcome.pk]), "post"),
        (reverse("partnerships:outcome-publication", args=[slug, outcome.pk]), "post"),
        (reverse("partnerships:member-role", args=[slug, norfolk_member]), "post"),
        (reverse("partnerships:member-remove", args=[slug, norfolk_member]), "post"),
    ]:
        assert getattr(admin, method)(url, {"role": "admin"}).status_code == 404, url
    assert Outcome.objects.filter(pk=outcome.pk).exists()
    assert Membership.objects.get(pk=norfolk_member).role == Role.VIEWER


# Pages: what they show and do ----------------------------------------------------------


def test_my_partnerships_lists_only_mine(world):
    page = _client(world.norwich.users["viewer"]).get(reverse("partnerships:list")).content.decode()
    assert "Greater Norwich Partnership" in page
    assert "Norfolk Healthy Homes" not in page


def test_dashboard_shows_places_organisations_members_frameworks_and_data(world, outcome):
    page = (
        _client(world.norfolk.users["viewer"])
        .get(reverse("partnerships:dashboard", args=[SLUG]))
        .content.decode()
    )
    assert 'href="/places/E10000020/"' in page and 'href="/places/E07000148/"' in page
    for heading in ("Council", "NHS body", "Police", "Voluntary, community and social enterprise"):
        assert f"<h3>{heading}</h3>" in page
    assert "nfk-analyst" in page and "Analyst" in page
    assert "Warm, dry homes" in page
    assert "Healthy housing (nfk)" in page and "Healthy housing (gn)" not in page
    assert "Norfolk Healthy Homes Partnership local data" in page
    assert "Greater Norwich Partnership local data" not in page
    # Viewers do not get links to admin or analyst pages.
    assert reverse("partnerships:audit", args=[SLUG]) not in page
    assert reverse("partnerships:edit", args=[SLUG]) not in page


def test_dashboard_query_count_is_bounded(world, outcome, django_assert_max_num_queries):
    client = _client(world.norfolk.users["admin"])
    url = reverse("partnerships:dashboard", args=[SLUG])
    client.get(url)
    for _n in range(5):
        OutcomeFactory(partnership=world.norfolk.partnership)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_list_page_query_count_is_bounded(world, django_assert_max_num_queries):
    user = world.norfolk.users["admin"]
    for _n in range(5):
        MembershipFactory(partnership=PartnershipFactory(), user=user)
    client = _client(user)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("partnerships:list"))
    assert page.content.decode().count("/partnerships/") >= 6


def test_outcomes_page_shows_the_matrix_in_words(world, outcome):
    page = (
        _client(world.norfolk.users["viewer"])
        .get(reverse("partnerships:outcomes", args=[SLUG]))
        .content.decode()
    )
    assert "Who belongs around the table" in page
    assert '<th scope="row">Warm, dry homes</th>' in page
    assert "<strong>Lead</strong>" in page and "Contributing" in page and "No part" in page
    assert "Not yet part of any outcome: Norfolk Constabulary" in page
    # Viewers see no edit links.
    assert reverse("partnerships:outcome-edit", args=[SLUG, outcome.pk]) not in page


def test_members_page_is_read_only_below_admin(world):
    url = reverse("partnerships:members", args=[SLUG])
    analyst_page = _client(world.norfolk.users["analyst"]).get(url).content.decode()
    assert "nfk-admin" in analyst_page
    assert "Send invitation" not in analyst_page and "Remove" not in analyst_page
    admin_page = _client(world.norfolk.users["admin"]).get(url).content.decode()
    assert "Send invitation" in admin_page and "csrfmiddlewaretoken" in admin_page


def test_admin_invites_through_the_members_page(world, django_capture_on_commit_callbacks):
    client = _client(world.norfolk.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partnerships:members", args=[SLUG]),
            {
                "email": "officer@norfolk.example",
                "role": "analyst",
                "organisation": world.norfolk.organisations[1].pk,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="officer@norfolk.example")
    assert invitation.partnership == world.norfolk.partnership
    assert len(mail.outbox) == 1
    page = client.get(reverse("partnerships:members", args=[SLUG])).content.decode()
    assert "officer@norfolk.example" in page


def test_invite_form_does_not_offer_or_accept_other_organisations(world):
    client = _client(world.norfolk.users["admin"])
    url = reverse("partnerships:members", args=[SLUG])
    assert "Norwich City Council" not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "email": "x@example.org",
            "role": "viewer",
            "organisation": world.norwich.organisations[0].pk,
        },
    )
    assert response.status_code == 200 and not Invitation.objects.exists()


def test_last_admin_cannot_step_down_through_the_page(world):
    client = _client(world.norfolk.users["admin"])
    me = Membership.objects.get(user=world.norfolk.users["admin"])
    response = client.post(
        reverse("partnerships:member-role", args=[SLUG, me.pk]), {"role": "viewer"}, follow=True
    )
    assert "needs at least one admin" in response.content.decode()
    assert Membership.objects.get(pk=me.pk).role == Role.ADMIN


def test_admin_changes_a_role_and_removes_a_member(world):
    client = _client(world.norfolk.users["admin"])
    viewer = Membership.objects.get(user=world.norfolk.users["viewer"])
    client.post(reverse("partnerships:member-role", args=[SLUG, viewer.pk]), {"role": "analyst"})
    assert Membership.objects.get(pk=viewer.pk).role == Role.ANALYST
    client.post(reverse("partnerships:member-remove", args=[SLUG, viewer.pk]))
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_analyst_creates_edits_and_deletes_an_outcome(world):
    side = world.norfolk
    client = _client(side.users["analyst"])
    form = client.get(reverse("partnerships:outcome-new", args=[SLUG])).content.decode()
    assert "Norwich City Council" not in form and "gn-damp-homes" not in form
    assert "nfk-damp-homes" in form and "fuel-poverty-test" in form
    response = client.post(
        reverse("partnerships:outcome-new", args=[SLUG]),
        {
            "title": "Fewer cold homes",
            "lead_organisation": side.organisations[3].pk,
            "contributors": [side.organisations[0].pk],
            "framework": side.framework.key,
            "node_keys": "nfk-housing, nfk-damp",
            "indicators": [side.indicator.slug],
            "position": 1,
        },
    )
    assert response.status_code == 302
    created = Outcome.objects.get(title="Fewer cold homes")
    assert created.node_keys == ["nfk-housing", "nfk-damp"]
    assert created.partnership == side.partnership

    response = client.post(
        reverse("partnerships:outcome-edit", args=[SLUG, created.pk]),
        {"title": "Fewer cold homes", "framework": side.framework.key, "node_keys": "nope"},
    )
    assert response.status_code == 200
    assert "was not found in the latest version" in response.content.decode()

    client.post(reverse("partnerships:outcome-delete", args=[SLUG, created.pk]))
    assert not Outcome.objects.filter(pk=created.pk).exists()


def test_admin_publishes_from_a_date_through_the_page(world, outcome):
    client = _client(world.norfolk.users["admin"])
    start = date.today() + timedelta(days=30)
    client.post(
        reverse("partnerships:outcome-publication", args=[SLUG, outcome.pk]),
        {"is_published": "on", "published_from": start.isoformat()},
    )
    outcome.refresh_from_db()
    assert outcome.is_published and outcome.published_from == start
    # Published later: still not visible to an outsider today.
    assert not Outcome.objects.visible_to(world.outsider).filter(pk=outcome.pk).exists()


def test_audit_log_page_shows_changes_and_paginates(world, outcome):
    side = world.norfolk
    for n in range(55):
        services.outcome_update(actor=side.users["analyst"], outcome=outcome, position=n + 1)
    client = _client(side.users["analyst"])
    url = reverse("partnerships:audit", args=[SLUG])
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and "position" in first
    last = client.get(url, {"page": 2}).content.decode()
    assert "Warm, dry homes" in last and "create" in last
    # The other partnership's log does not include these.
    other = _client(world.norwich.users["admin"]).get(
        reverse("partnerships:audit", args=["greater-norwich"])
    )
    assert "Warm, dry homes" not in other.content.decode()


def test_forms_need_the_csrf_token(world, outcome):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.norfolk.users["admin"])
    viewer = Membership.objects.get(user=world.norfolk.users["viewer"])
    for url, data in [
        (
            reverse("partnerships:members", args=[SLUG]),
            {"email": "a@example.org", "role": "viewer"},
        ),
        (reverse("partnerships:member-role", args=[SLUG, viewer.pk]), {"role": "admin"}),
        (reverse("partnerships:member-remove", args=[SLUG, viewer.pk]), {}),
        (reverse("partnerships:outcome-new", args=[SLUG]), {"title": "X"}),
        (reverse("partnerships:outcome-edit", args=[SLUG, outcome.pk]), {"title": "X"}),
        (reverse("partnerships:outcome-delete", args=[SLUG, outcome.pk]), {}),
        (
            reverse("partnerships:outcome-publication", args=[SLUG, outcome.pk]),
            {"is_published": "on"},
        ),
        (reverse("partnerships:edit", args=[SLUG]), {"name": "X"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    for name, args in [
        ("edit", [SLUG]),
        ("members", [SLUG]),
        ("outcome-new", [SLUG]),
        ("outcome-edit", [SLUG, outcome.pk]),
        ("outcome-delete", [SLUG, outcome.pk]),
    ]:
        assert (
            "csrfmiddlewaretoken"
            in client.get(reverse(f"partnerships:{name}", args=args)).content.decode()
        )


def test_admin_edits_the_partnership(world):
    client = _client(world.norfolk.users["admin"])
    client.post(
        reverse("partnerships:edit", args=[SLUG]),
        {"name": "Norfolk Healthy Homes", "description": "Warm homes for all"},
    )
    world.norfolk.partnership.refresh_from_db()
    assert world.norfolk.partnership.description == "Warm homes for all"


def test_nav_links_to_partnerships_when_signed_in(world):
    page = _client(world.outsider).get(reverse("places:home")).content.decode()
    assert f'href="{reverse("partnerships:list")}"' in page
    assert (
        f'href="{reverse("partnerships:list")}"'
        not in Client().get(reverse("places:home")).content.decode()
    )


def test_organisation_kinds_are_the_issue_list():
    assert [label for _, label in OrganisationKind.choices] == [
        "Council",
        "NHS body",
        "Police",
        "Voluntary, community and social enterprise",
        "Combined authority",
        "Business",
        "Other",
    ]
