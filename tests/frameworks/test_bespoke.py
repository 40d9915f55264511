"""Bespoke framework services: availability, validation, versioning, audit, roles."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from frameworks.bespoke import (
    BespokeDefinitionError,
    bespoke_definition_problems,
    bespoke_framework_create,
    bespoke_framework_publish,
    bespoke_framework_save,
    bespoke_framework_score,
    indicators_available_to,
    local_indicator_create,
    local_indicators_of,
)
from frameworks.models import Framework, FrameworkNode, FrameworkVersion
from partnerships.models import AuditEvent
from scoring.models import RunStatus, ScoringRun
from tests.factories.partnerships import two_partnerships

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return two_partnerships()


def definition(*slots: tuple[str, str, float], group: str = "Warm homes") -> dict:
    return {
        "id": "ignored",
        "name": "Healthy housing",
        "headlines": [
            {
                "key": "overall",
                "label": "Healthy housing",
                "domains": [
                    {
                        "key": "warm-homes",
                        "label": group,
                        "weight": 2,
                        "slots": [
                            {
                                "key": key,
                                "label": key.replace("-", " ").capitalize(),
                                "indicator": slug,
                                "polarity": "lower_better",
                                "weight": weight,
                            }
                            for key, slug, weight in slots
                        ],
                    }
                ],
            }
        ],
    }


def test_available_indicators_are_national_plus_own(world):
    slugs = set(indicators_available_to(world.norfolk.partnership).values_list("slug", flat=True))
    assert world.national_indicator.slug in slugs
    assert world.norfolk.indicator.slug in slugs
    assert world.norwich.indicator.slug not in slugs


def test_create_makes_a_private_framework_without_a_version(world):
    analyst = world.norfolk.users["analyst"]
    framework = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Healthy housing", actor=analyst
    )
    assert framework.key == "norfolk-healthy-homes-healthy-housing"
    assert framework.partnership == world.norfolk.partnership
    assert framework.created_by == analyst
    assert not framework.is_published and not framework.is_index
    assert framework.versions.count() == 0
    again = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Healthy housing", actor=analyst
    )
    assert again.key == "norfolk-healthy-homes-healthy-housing-2"
    event = AuditEvent.objects.filter(object_id=str(framework.pk), action="create").get()
    assert event.actor == analyst and event.partnership == world.norfolk.partnership


def test_save_versions_only_on_change_and_keeps_old_versions_and_scores(world):
    analyst = world.norfolk.users["analyst"]
    framework = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Healthy housing", actor=analyst
    )
    first = definition(("fuel", world.national_indicator.slug, 1.0))
    v1, created = bespoke_framework_save(framework=framework, definition=first, actor=analyst)
    assert (v1.version, created) == (1, True)
    run = ScoringRun.objects.create(
        framework_version=v1, method_id="m", method_settings={}, inputs_hash="x"
    )
    same, created = bespoke_framework_save(framework=framework, definition=first, actor=analyst)
    assert (same.pk, created) == (v1.pk, False)

    second = definition(
        ("fuel", world.national_indicator.slug, 1.0), ("damp", world.norfolk.indicator.slug, 3.0)
    )
    v2, created = bespoke_framework_save(framework=framework, definition=second, actor=analyst)
    assert (v2.version, created) == (2, True)
    assert list(framework.versions.values_list("version", flat=True)) == [2, 1]
    run.refresh_from_db()
    assert run.framework_version_id == v1.pk  # scores keep pointing at their version
    damp = FrameworkNode.objects.get(version=v2, key="damp")
    assert damp.weight == 3.0 and damp.polarity == -1
    assert FrameworkNode.objects.get(version=v2, key="warm-homes").weight == 2.0
    assert v2.definition["id"] == framework.key

    framework.refresh_from_db()
    assert framework.partnership == world.norfolk.partnership  # never cleared by a save
    assert framework.created_by == analyst
    events = AuditEvent.objects.filter(object_id=str(framework.pk)).order_by("at", "id")
    assert [e.action for e in events] == ["create", "create", "update"]
    assert events[len(events) - 1].changes["version"] == [1, 2]


def test_problems_have_paths_and_unavailable_reads_as_missing(world):
    partnership = world.norfolk.partnership
    bad = definition(
        ("theirs", world.norwich.indicator.slug, 1.0),
        ("nothing", "no-such-indicator", 1.0),
        ("heavy", world.national_indicator.slug, -1.0),
    )
    bad["headlines"][0]["domains"][0]["slots"][0]["polarity"] = "sideways"
    problems = bespoke_definition_problems(bad, partnership=partnership)
    assert f"Warm homes › Theirs: indicator '{world.norwich.indicator.slug}' not found" in problems
    assert "Warm homes › Nothing: indicator 'no-such-indicator' not found" in problems
    assert "Warm homes › Heavy: weight must be greater than 0" in problems
    assert any(p.startswith("Warm homes › Theirs: polarity must be") for p in problems)
    # The same message whether the indicator is someone else's or does not exist.
    theirs = bespoke_definition_problems(
        definition(("x", world.norwich.indicator.slug, 1.0)), partnership=partnership
    )
    absent = bespoke_definition_problems(
        definition(("x", "gn-damp-homez", 1.0)), partnership=partnership
    )
    assert [p.replace(world.norwich.indicator.slug, "?") for p in theirs] == [
        p.replace("gn-damp-homez", "?") for p in absent
    ]


def test_structural_problems(world):
    partnership = world.norfolk.partnership
    assert bespoke_definition_problems([], partnership=partnership) == [
        "The definition must be an object with a list of headlines."
    ]
    empty_group = definition()
    assert bespoke_definition_problems(empty_group, partnership=partnership) == [
        "Warm homes: add at least one indicator"
    ]
    duplicated = definition(
        ("fuel", world.national_indicator.slug, 1.0), ("fuel", world.norfolk.indicator.slug, 1.0)
    )
    assert any(
        "used twice" in p for p in bespoke_definition_problems(duplicated, partnership=partnership)
    )
    mixed = definition(("fuel", world.national_indicator.slug, 1.0))
    mixed["headlines"][0]["domains"][0]["subdomains"] = [
        {"key": "sub", "label": "Damp", "slots": []}
    ]
    problems = bespoke_definition_problems(mixed, partnership=partnership)
    assert any(p.startswith("Warm homes: holds both indicators and subgroups") for p in problems)
    assert "Warm homes › Damp: add at least one indicator" in problems


def test_save_refuses_an_invalid_definition_and_writes_nothing(world):
    analyst = world.norfolk.users["analyst"]
    framework = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Healthy housing", actor=analyst
    )
    with pytest.raises(BespokeDefinitionError) as error:
        bespoke_framework_save(
            framework=framework,
            definition=definition(("x", world.norwich.indicator.slug, 1.0)),
            actor=analyst,
        )
    assert error.value.problems == [
        f"Warm homes › X: indicator '{world.norwich.indicator.slug}' not found"
    ]
    assert FrameworkVersion.objects.filter(framework=framework).count() == 0


def test_roles(world):
    norfolk = world.norfolk
    good = definition(("fuel", world.national_indicator.slug, 1.0))
    with pytest.raises(PermissionDenied):
        bespoke_framework_create(
            partnership=norfolk.partnership, name="x", actor=norfolk.users["viewer"]
        )
    for outsider in (world.outsider, world.norwich.users["admin"]):
        with pytest.raises(Http404):
            bespoke_framework_create(partnership=norfolk.partnership, name="x", actor=outsider)
        with pytest.raises(Http404):
            bespoke_framework_save(framework=norfolk.framework, definition=good, actor=outsider)
    with pytest.raises(PermissionDenied):
        bespoke_framework_save(
            framework=norfolk.framework, definition=good, actor=norfolk.users["viewer"]
        )
    with pytest.raises(PermissionDenied):  # publishing is for admins
        bespoke_framework_publish(
            framework=norfolk.framework,
            is_published=True,
            published_from=None,
            actor=norfolk.users["analyst"],
        )
    with pytest.raises(PermissionDenied):  # the national baseline cannot be edited here
        bespoke_framework_save(
            framework=world.national_framework, definition=good, actor=norfolk.users["admin"]
        )
    with pytest.raises(PermissionDenied):
        local_indicator_create(
            partnership=norfolk.partnership, name="Damp", actor=norfolk.users["viewer"]
        )


def test_publish_is_audited(world):
    admin = world.norfolk.users["admin"]
    framework = world.norfolk.framework
    bespoke_framework_publish(
        framework=framework, is_published=True, published_from=date(2030, 1, 1), actor=admin
    )
    framework.refresh_from_db()
    assert framework.is_published and framework.published_from == date(2030, 1, 1)
    assert not Framework.objects.visible_to(world.outsider).filter(pk=framework.pk).exists()
    event = AuditEvent.objects.get(action="publish", object_id=str(framework.pk))
    assert event.changes["is_published"] == [False, True]
    bespoke_framework_publish(
        framework=framework, is_published=False, published_from=None, actor=admin
    )
    assert AuditEvent.objects.filter(action="unpublish", object_id=str(framework.pk)).exists()


def test_local_indicator_is_a_series_of_its_own(world):
    analyst = world.norfolk.users["analyst"]
    indicator = local_indicator_create(
        partnership=world.norfolk.partnership,
        name="Homes in poor condition",
        unit="%",
        polarity="lower_better",
        description="Stock condition survey",
        actor=analyst,
    )
    assert indicator.slug == "norfolk-healthy-homes-homes-in-poor-condition"
    assert indicator.dataset.partnership == world.norfolk.partnership
    assert indicator.dataset.is_local
    assert indicator.dataset.slug == indicator.slug  # its own dataset
    assert indicator.dataset.name == "Homes in poor condition"
    assert indicator.dataset.publisher == world.norfolk.partnership.name
    assert indicator in local_indicators_of(world.norfolk.partnership)
    assert indicator not in local_indicators_of(world.norwich.partnership)
    again = local_indicator_create(
        partnership=world.norfolk.partnership, name="Homes in poor condition", actor=analyst
    )
    assert again.slug == again.dataset.slug == f"{indicator.slug}-2"
    assert again.dataset != indicator.dataset
    assert indicator in indicators_available_to(world.norfolk.partnership)
    assert indicator not in indicators_available_to(world.norwich.partnership)
    assert AuditEvent.objects.filter(object_id=str(indicator.pk), action="create").exists()


def test_score_needs_a_version_and_queues_a_run(world, django_capture_on_commit_callbacks):
    analyst = world.norfolk.users["analyst"]
    framework = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Healthy housing", actor=analyst
    )
    with pytest.raises(BespokeDefinitionError):
        bespoke_framework_score(framework=framework, actor=analyst)
    version, _ = bespoke_framework_save(
        framework=framework,
        definition=definition(("fuel", world.national_indicator.slug, 1.0)),
        actor=analyst,
    )
    with pytest.raises(PermissionDenied):
        bespoke_framework_score(framework=framework, actor=world.norfolk.users["viewer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = bespoke_framework_score(framework=framework, actor=analyst)
    assert run.framework_version == version and run.status == RunStatus.PENDING
    assert len(callbacks) == 1  # the Celery task, sent once the transaction commits
    assert AuditEvent.objects.filter(action="score", object_id=str(framework.pk)).exists()
