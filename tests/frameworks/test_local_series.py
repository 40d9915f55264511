"""A partnership's local indicators are separate series: an upload for one never makes
another's figures non-current, so every local indicator keeps feeding scores and pages."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frameworks.bespoke import (
    bespoke_framework_create,
    bespoke_framework_save,
    local_indicator_create,
    local_indicators_of,
)
from indicators import selectors
from indicators.jobs import import_job_create
from indicators.models import DatasetRelease, ImportJob, ImportStatus, Indicator, Observation
from indicators.views import indicator_import_options
from places.models import Place
from scoring.adapters import Selection, scoring_inputs
from scoring.models import RunStatus
from scoring.services import scoring_run_create, scoring_run_execute
from tests.factories.partnerships import NORFOLK, NORFOLK_DISTRICTS, two_partnerships

pytestmark = pytest.mark.django_db

PLACES = [NORFOLK, *NORFOLK_DISTRICTS]
YEARS = (2021, 2022, 2023)
SELECTION = Selection(min_share_of_places=0.001, min_share_of_indicators=0.001)


@pytest.fixture
def world():
    return two_partnerships()


@pytest.fixture
def run_imports(django_capture_on_commit_callbacks, monkeypatch):
    """Run the queued import task in-process (eager Celery) when the transaction commits."""
    from tpi_site.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)

    def run(callable_: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


def _csv(*slugs: str, base: float = 10.0) -> bytes:
    rows = ["place,indicator,period,value"]
    for offset, slug in enumerate(slugs):
        for year in YEARS:
            for index, code in enumerate(PLACES):
                value = base + 10 * offset + 2 * index + (year - YEARS[0])
                rows.append(f"{code},{slug},{year},{value}")
    return ("\n".join(rows) + "\n").encode()


def _upload(run_imports: Any, indicator: Indicator, content: bytes, actor: Any) -> ImportJob:
    job = run_imports(
        import_job_create,
        kind="local",
        uploaded_file=SimpleUploadedFile(f"{indicator.slug}.csv", content, "text/csv"),
        options=indicator_import_options(indicator),
        user=actor,
        partnership=indicator.dataset.partnership,
    )
    job.refresh_from_db()
    return job


def _two_local_indicators(world: Any) -> tuple[Indicator, Indicator, Any]:
    analyst = world.norfolk.users["analyst"]
    partnership = world.norfolk.partnership
    a = local_indicator_create(
        partnership=partnership, name="Homes in poor condition", unit="%", actor=analyst
    )
    b = local_indicator_create(
        partnership=partnership, name="Damp and mould reports", unit="%", actor=analyst
    )
    return a, b, analyst


def _definition(*slugs: str) -> dict[str, Any]:
    return {
        "headlines": [
            {
                "key": "overall",
                "label": "Healthy housing",
                "domains": [
                    {
                        "key": "homes",
                        "label": "Homes",
                        "slots": [
                            {
                                "key": f"slot-{position}",
                                "label": f"Local measure {position}",
                                "indicator": slug,
                                "polarity": "lower_better",
                            }
                            for position, slug in enumerate(slugs, start=1)
                        ],
                    }
                ],
            }
        ],
    }


def test_uploading_one_local_indicator_keeps_the_others_current(world, run_imports):
    a, b, analyst = _two_local_indicators(world)
    assert a.dataset != b.dataset
    assert set(local_indicators_of(world.norfolk.partnership)) >= {a, b}

    job_a = _upload(run_imports, a, _csv(a.slug), analyst)
    job_b = _upload(run_imports, b, _csv(b.slug, base=40.0), analyst)

    assert job_a.status == ImportStatus.DONE, job_a.report
    assert job_b.status == ImportStatus.DONE, job_b.report
    assert (job_a.dataset, job_b.dataset) == (a.dataset, b.dataset)
    expected = len(PLACES) * len(YEARS)
    for indicator, job in ((a, job_a), (b, job_b)):
        current = Observation.objects.filter(indicator=indicator, release__is_current=True)
        assert current.count() == expected, indicator.slug
        assert set(current.values_list("release_id", flat=True)) == {job.release_id}
    assert set(
        DatasetRelease.objects.filter(is_current=True, dataset__partnership__isnull=False)
        .filter(dataset__in=[a.dataset, b.dataset])
        .values_list("pk", flat=True)
    ) == {job_a.release_id, job_b.release_id}

    # Both feed the indicator pages' series…
    norwich = Place.objects.get(code="E07000148")
    for indicator in (a, b):
        series = selectors.observation_series(
            indicator=indicator, place=norwich, current_only=True, user=analyst
        )
        assert len(list(series)) == len(YEARS), indicator.slug

    # …and a framework using both scores with both.
    framework = bespoke_framework_create(
        partnership=world.norfolk.partnership, name="Local homes", actor=analyst
    )
    version, _ = bespoke_framework_save(
        framework=framework, definition=_definition(a.slug, b.slug), actor=analyst
    )
    inputs = scoring_inputs(version, selection=SELECTION)
    assert set(inputs.aligned["indicator"]) == {a.slug, b.slug}
    assert set(inputs.observations["indicator"]) == {a.slug, b.slug}
    assert set(inputs.releases) == {job_a.release_id, job_b.release_id}
    run = scoring_run_execute(
        run_id=scoring_run_create(version=version, selection=SELECTION).pk, robustness=False
    )
    assert run.status == RunStatus.DONE, run.error
    assert set(run.releases) == {job_a.release_id, job_b.release_id}


def test_a_file_for_one_local_indicator_naming_another_is_rejected_whole(world, run_imports):
    a, b, analyst = _two_local_indicators(world)
    first_b = _upload(run_imports, b, _csv(b.slug, base=40.0), analyst)
    assert first_b.status == ImportStatus.DONE, first_b.report
    before = {
        "observations": Observation.objects.count(),
        "releases": list(DatasetRelease.objects.values_list("pk", "is_current").order_by("pk")),
    }

    job = _upload(run_imports, a, _csv(a.slug, b.slug), analyst)

    assert job.status == ImportStatus.REJECTED
    assert job.release is None
    reasons = {row["reason"] for row in job.report["rejected"]}
    assert reasons == {
        f"unknown indicator '{b.slug}' (use the slug of an indicator in the catalogue)"
    }
    assert job.rows_rejected == len(PLACES) * len(YEARS)
    assert {
        "observations": Observation.objects.count(),
        "releases": list(DatasetRelease.objects.values_list("pk", "is_current").order_by("pk")),
    } == before
    assert not Observation.objects.filter(indicator=a).exists()
