"""The builder's pages, driven as a keyboard/no-JavaScript user would: every button posts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frameworks.bespoke import bespoke_framework_create, current_definition
from frameworks.models import Framework
from indicators.models import ImportJob, ImportStatus, Observation
from scoring.models import ScoringRun
from tests.factories.partnerships import two_partnerships

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return two_partnerships()


@pytest.fixture
def framework(world):
    return bespoke_framework_create(
        partnership=world.norfolk.partnership,
        name="Healthy housing",
        actor=world.norfolk.users["analyst"],
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def post_builder(client, framework, draft, **fields):
    data = {"draft": json.dumps(draft), **fields}
    return client.post(reverse("frameworks:edit", args=[framework.key]), data)


def draft_of(response):
    return json.loads(response.context["draft"].json())


def test_pages_hide_a_private_framework_from_outsiders(client, world, framework):
    pages = [
        reverse("frameworks:detail", args=[framework.key]),
        reverse("frameworks:edit", args=[framework.key]),
        reverse("frameworks:new", args=[world.norfolk.partnership.slug]),
        reverse("frameworks:local-indicator-new", args=[world.norfolk.partnership.slug]),
    ]
    for outsider in (world.outsider, world.norwich.users["admin"]):
        signed_in(client, outsider)
        for url in pages:
            assert client.get(url).status_code == 404, url
    missing = reverse("frameworks:detail", args=["no-such-framework"])
    assert client.get(missing).status_code == 404
    signed_in(client, world.norfolk.users["viewer"])
    assert client.get(pages[0]).status_code == 200
    for url in pages[1:]:
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get(pages[0]).status_code == 404
    assert client.get(pages[1]).status_code == 302  # to sign in


def test_create_then_build_add_and_remove_without_javascript(client, world):
    norfolk = world.norfolk
    signed_in(client, norfolk.users["analyst"])
    response = client.post(
        reverse("frameworks:new", args=[norfolk.partnership.slug]),
        {"name": "Healthy housing", "description": "Warm homes"},
    )
    framework = Framework.objects.get(partnership=norfolk.partnership, name="Healthy housing")
    assert response.url == reverse("frameworks:edit", args=[framework.key])

    page = client.get(response.url)
    assert page.status_code == 200
    groups = {g.label: [i.slug for i in g.indicators] for g in page.context["groups"]}
    assert groups["Local indicators"] == [norfolk.indicator.slug]
    assert world.norwich.indicator.slug not in {s for slugs in groups.values() for s in slugs}
    draft = draft_of(page)

    page = post_builder(client, framework, draft, action="add-group", new_group="Warm homes")
    draft = draft_of(page)
    assert [g["label"] for g in draft["headlines"][0]["domains"]] == ["Warm homes"]
    assert "Group “Warm homes” added." in page.content.decode()

    for slug in (world.national_indicator.slug, norfolk.indicator.slug):
        page = post_builder(
            client, framework, draft, action="add-indicator", indicator=slug, target="g0"
        )
        draft = draft_of(page)
    slots = draft["headlines"][0]["domains"][0]["slots"]
    assert [s["indicator"] for s in slots] == [
        world.national_indicator.slug,
        norfolk.indicator.slug,
    ]
    assert slots[1]["polarity"] == "lower_better"  # the catalogue's direction

    # Someone else's indicator cannot be added by editing the form.
    page = post_builder(
        client,
        framework,
        draft,
        action="add-indicator",
        indicator=world.norwich.indicator.slug,
        target="g0",
    )
    assert "Choose an indicator from the list first." in page.content.decode()
    assert draft_of(page) == draft

    page = post_builder(client, framework, draft, action="save", **{"g0-i1-weight": "2.5"})
    assert page.status_code == 302
    page = client.get(page.url)
    assert "v1 saved." in page.content.decode()
    saved = current_definition(framework)
    assert saved["headlines"][0]["domains"][0]["slots"][1]["weight"] == 2.5

    draft = draft_of(page)
    page = post_builder(
        client,
        framework,
        draft,
        action="save",
        **{"g0-label": "Warm, dry homes", "g0-i0-polarity": "higher_better"},
    )
    assert "v2 saved." in client.get(page.url).content.decode()
    page = post_builder(client, framework, draft_of(client.get(page.url)), action="save")
    assert "No changes since v2; nothing saved." in client.get(page.url).content.decode()

    draft = draft_of(client.get(reverse("frameworks:edit", args=[framework.key])))
    page = post_builder(client, framework, draft, action="remove:g0-i0")
    assert len(draft_of(page)["headlines"][0]["domains"][0]["slots"]) == 1
    page = post_builder(client, framework, draft_of(page), action="remove:g0")
    assert draft_of(page)["headlines"][0]["domains"] == []
    assert framework.versions.count() == 2  # removing is a draft change until saved


def test_save_shows_every_problem_with_its_path(client, world, framework):
    signed_in(client, world.norfolk.users["analyst"])
    page = post_builder(client, framework, current_definition(framework), action="add-group")
    assert "Type a name for the new group first." in page.content.decode()
    page = post_builder(client, framework, draft_of(page), action="add-group", new_group="Damp")
    page = post_builder(
        client,
        framework,
        draft_of(page),
        action="add-indicator",
        indicator=world.national_indicator.slug,
        target="g0",
    )
    page = post_builder(client, framework, draft_of(page), action="save", **{"g0-i0-weight": "x"})
    assert page.status_code == 400
    assert page.context["problems"] == ["Damp › Fuel poverty: weight must be a number"]
    assert framework.versions.count() == 0


def test_subgroups(client, world, framework):
    signed_in(client, world.norfolk.users["analyst"])
    page = post_builder(
        client, framework, current_definition(framework), action="add-group", new_group="Homes"
    )
    page = post_builder(
        client,
        framework,
        draft_of(page),
        action="add-subgroup",
        new_subgroup="Damp",
        subgroup_parent="g0",
    )
    assert page.context["targets"] == [("g0s0", "Homes › Damp")]
    page = post_builder(
        client,
        framework,
        draft_of(page),
        action="add-indicator",
        indicator=world.norfolk.indicator.slug,
        target="g0s0",
    )
    page = post_builder(client, framework, draft_of(page), action="save")
    assert page.status_code == 302
    tree = current_definition(framework)["headlines"][0]["domains"][0]
    assert tree["subdomains"][0]["slots"][0]["indicator"] == world.norfolk.indicator.slug


def test_a_tampered_draft_falls_back_to_the_saved_version(client, world, framework):
    signed_in(client, world.norfolk.users["analyst"])
    response = client.post(
        reverse("frameworks:edit", args=[framework.key]), {"draft": "{not json", "action": "x"}
    )
    assert "The draft could not be read" in response.content.decode()


def test_local_indicator_defined_and_uploaded_through_the_pipeline(
    client, world, django_capture_on_commit_callbacks, eager_celery
):
    norfolk = world.norfolk
    signed_in(client, norfolk.users["analyst"])
    response = client.post(
        reverse("frameworks:local-indicator-new", args=[norfolk.partnership.slug]),
        {"name": "Damp homes survey", "unit": "%", "polarity": "lower_better"},
    )
    slug = "norfolk-healthy-homes-damp-homes-survey"
    assert response.url == reverse(
        "frameworks:local-indicator-upload", args=[norfolk.partnership.slug, slug]
    )
    content = f"place,indicator,period,value\nE07000148,{slug},2023/24,12.5\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            response.url, {"file": SimpleUploadedFile("damp.csv", content, "text/csv")}
        )
    job = ImportJob.objects.get()
    assert response.url == reverse("indicators:import-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.partnership == norfolk.partnership
    assert job.status == ImportStatus.DONE, job.report
    assert Observation.objects.filter(indicator__slug=slug, place_id="E07000148").count() == 1
    assert job.dataset is not None and job.dataset.slug == slug  # the indicator's own series
    # Another partnership cannot upload into it.
    signed_in(client, world.norwich.users["admin"])
    upload = reverse("frameworks:local-indicator-upload", args=[norfolk.partnership.slug, slug])
    assert client.get(upload).status_code == 404


def test_publish_and_score_buttons(client, world, framework, django_capture_on_commit_callbacks):
    norfolk = world.norfolk
    signed_in(client, norfolk.users["analyst"])
    score = reverse("frameworks:score", args=[framework.key])
    publish = reverse("frameworks:publish", args=[framework.key])
    assert client.post(publish, {"is_published": "on"}).status_code == 403
    response = client.post(score)  # no version yet: told so, nothing queued
    assert response.status_code == 302 and not ScoringRun.objects.exists()
    signed_in(client, norfolk.users["admin"])
    client.post(publish, {"is_published": "on"})
    framework.refresh_from_db()
    assert framework.is_published
    signed_in(client, world.outsider)
    assert client.get(reverse("frameworks:detail", args=[framework.key])).status_code == 200
    assert client.post(score).status_code == 404  # visible but not theirs to change


def test_detail_page_query_count(client, world, framework, django_assert_max_num_queries):
    signed_in(client, world.norfolk.users["viewer"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("frameworks:detail", args=[framework.key]))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("frameworks:list")).status_code == 200
