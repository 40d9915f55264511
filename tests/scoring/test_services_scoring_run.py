"""The TPI 2024 framework scored from the real data: every council, every year the data
allow, idempotent and atomic. Uses the real national releases (IoD LSOA file sliced)."""

import pytest
from django.conf import settings
from django.db.models import Avg, Count, F, Q

from scoring import services
from scoring.models import RunStatus, Score, ScoreDriver, ScoringRun

pytestmark = pytest.mark.django_db


def test_every_council_is_scored_for_every_year_the_data_allow(scored_run):
    run = scored_run

    assert run.status == RunStatus.DONE and run.is_current
    latest = max(run.periods)
    assert latest == settings.TPI_GEOGRAPHY_YEAR
    assert len(run.periods) >= 4  # trends exist
    headline = Score.objects.filter(run=run, node_key="local-conditions", year=latest)
    assert headline.filter(reference_set="E-upper_tier", score__isnull=False).count() == 153
    assert headline.filter(reference_set="E-lower_tier", score__isnull=False).count() == 296
    hartlepool = headline.get(place_id="E06000001", reference_set="E-upper_tier")
    assert hartlepool.score is not None and 0 <= hartlepool.score <= 10
    assert hartlepool.band
    assert hartlepool.coverage_present <= hartlepool.coverage_expected
    assert run.method_id and run.method_settings["engine"]["k"] == 2.0
    assert ScoreDriver.objects.filter(run=run, place_id="E06000001", year=latest).exists()


def test_subdomain_scores_average_five_before_capping_within_each_reference_set(scored_run):
    run = scored_run

    # Where every place has every indicator of a subdomain, the mean z is exactly 0, so
    # the uncapped scores average 5. (With gaps in the data each place averages the
    # indicators it has, and the mean drifts slightly: that case is not asserted.)
    groups = (
        Score.objects.filter(run=run, level="subdomain", uncapped__isnull=False)
        .values("reference_set", "year", "node_key")
        .annotate(
            mean=Avg("uncapped"),
            incomplete=Count("id", filter=Q(coverage_present__lt=F("coverage_expected"))),
        )
    )
    complete = [g for g in groups if g["incomplete"] == 0]
    assert len(complete) >= 5
    for group in complete:
        assert group["mean"] == pytest.approx(5.0, abs=1e-9), group


def test_recompute_with_unchanged_inputs_changes_nothing(tpi_version, scored_run):
    count = Score.objects.count()

    again = services.scoring_recompute(version=tpi_version, robustness=True)

    assert again.pk == scored_run.pk
    assert Score.objects.count() == count
    assert ScoringRun.objects.filter(status=RunStatus.DONE).count() == 1


def test_a_failed_write_leaves_the_previous_scores_current(tpi_version, scored_run, monkeypatch):
    first = scored_run
    before = Score.objects.count()
    run = services.scoring_run_create(version=tpi_version, settings=services.MethodSettings(k=2.5))

    def broken(model, frame, text_not_null=()):
        if model is ScoreDriver:
            raise RuntimeError("database went away")
        return original(model, frame, text_not_null)

    original = services._write
    monkeypatch.setattr(services, "_write", broken)
    with pytest.raises(RuntimeError, match="database went away"):
        services.scoring_run_execute(run_id=run.pk, robustness=False)

    run.refresh_from_db()
    first.refresh_from_db()
    assert run.status == RunStatus.FAILED and "database went away" in run.error
    assert Score.objects.count() == before
    assert first.is_current


@pytest.mark.celery_worker
def test_recompute_task_runs_through_celery(scored_run):
    from django.conf import settings as django_settings

    from scoring.tasks import scoring_recompute_task

    result = scoring_recompute_task.delay("tpi-2024").get(
        timeout=django_settings.TPI_TEST_CELERY_TIMEOUT
    )

    # Same framework version, method and releases: the worker finds the finished run.
    assert result["run"] == scored_run.pk
    assert result["status"] == "done"
    if not django_settings.CELERY_TASK_ALWAYS_EAGER:
        assert "@" in result["worker"]


def test_an_import_schedules_a_recompute_of_frameworks_that_read_it(scored_run):
    from scoring.receivers import frameworks_using_dataset

    assert frameworks_using_dataset("ons-els") == ["tpi-2024"]
    assert frameworks_using_dataset("fuel-poverty-2010-2019") == ["tpi-2024"]
    assert frameworks_using_dataset("wimd2019") == []
