"""The demo seed: two overlapping Norfolk partnerships, Healthy housing, scored."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from frameworks.models import Framework, FrameworkNode
from indicators.models import Observation
from partnerships.models import AuditEvent, Membership, Organisation, Outcome, Partnership
from scoring.models import RunStatus, Score, ScoringRun
from tests.frameworks.healthy_housing_data import national_data  # noqa: F401

pytestmark = pytest.mark.django_db

NORFOLK_DISTRICTS = [f"E0700014{n}" for n in range(3, 10)]
KEY = "norfolk-healthy-homes-healthy-housing"


def seed(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_refuses_without_the_national_data_and_in_production(settings):
    # Runs first in this module, before the national data are loaded.
    with pytest.raises(CommandError, match="import the national datasets first"):
        call_command("seed_demo", stdout=StringIO())
    settings.SETTINGS_MODULE = "tpi_site.settings.production"
    with pytest.raises(CommandError, match="does not run in production"):
        call_command("seed_demo", stdout=StringIO())


def test_seed_builds_and_scores_healthy_housing(
    eager_celery,
    national_data,  # noqa: F811
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
    client,
):
    seed(django_capture_on_commit_callbacks)

    norfolk = Partnership.objects.get(slug="norfolk-healthy-homes")
    norwich = Partnership.objects.get(slug="greater-norwich")
    assert sorted(norfolk.places.values_list("code", flat=True)) == sorted(
        ["E10000020", *NORFOLK_DISTRICTS]
    )
    assert sorted(norwich.places.values_list("code", flat=True)) == [
        "E07000144",
        "E07000148",
        "E07000149",
    ]
    kinds = dict(Organisation.objects.values_list("name", "kind"))
    assert kinds["NHS Norfolk and Waveney Integrated Care Board"] == "nhs"
    assert kinds["Norfolk Constabulary"] == "police"
    assert kinds["Norfolk Community Foundation"] == "vcse"
    roles = set(Membership.objects.values_list("user__username", "partnership__slug", "role"))
    assert ("norfolk-analyst", "norfolk-healthy-homes", "analyst") in roles
    assert ("norwich-admin", "greater-norwich", "admin") in roles
    assert (
        get_user_model()
        .objects.get(username="norfolk-viewer")
        .check_password("thriving-places-demo")
    )

    framework = Framework.objects.get(key=KEY)
    assert framework.partnership == norfolk and not framework.is_published
    version = framework.versions.get()
    slugs = set(
        FrameworkNode.objects.filter(version=version, indicator__isnull=False).values_list(
            "indicator__slug", flat=True
        )
    )
    local = framework.versions.get().nodes.get(key="homes-poor-condition-local").indicator
    assert local is not None
    assert local.dataset.partnership == norfolk and local.dataset.is_local
    assert slugs == {
        "housing-affordability-ratio",
        "fuel-poverty-lilee",
        "domestic-gas-consumption",
        "domestic-electricity-consumption",
        "preventable-cardiovascular-mortality-england",
        "iod2025-living-environment-average-score",
        local.slug,
    }
    values = dict(
        Observation.objects.filter(indicator=local, place_id__in=NORFOLK_DISTRICTS).values_list(
            "place_id", "value"
        )
    )
    assert len(values) == 7
    assert values["E07000147"] == pytest.approx(0.573198, abs=1e-6)  # North Norfolk, IoD 2019

    outcomes = Outcome.objects.filter(partnership=norfolk)
    assert outcomes.count() == 2
    for outcome in outcomes:
        assert outcome.framework == framework and outcome.node_keys
        assert outcome.lead_organisation is not None and outcome.contributors.exists()

    run = ScoringRun.objects.get(framework_version=version)
    assert run.status == RunStatus.DONE and run.is_current
    latest = max(run.periods)
    headline = Score.objects.filter(
        run=run, node_key="overall", year=latest, place_id__in=NORFOLK_DISTRICTS
    )
    assert headline.count() == 7
    assert all(s.score is not None and s.band for s in headline)
    # The local indicator (2015/16) counts in the years it is recent enough for.
    assert (
        Score.objects.filter(
            run=run, node_key="fuel-poverty-condition", year=2019, place_id="E07000148"
        )
        .get()
        .coverage_present
        == 2
    )

    # The framework page: the partnership's places and Norwich's similar areas, scored.
    client.force_login(get_user_model().objects.get(username="norfolk-viewer"))
    with django_assert_max_num_queries(16):
        page = client.get(f"/frameworks/{KEY}/?place=E07000148")
    rows = page.context["similar_rows"]
    assert rows[0].place.code == "E07000148" and len(rows) > 3
    assert all(row.cells[0] is not None for row in rows)
    assert len(page.context["own_rows"]) == 8
    client.force_login(get_user_model().objects.get(username="norwich-analyst"))
    assert client.get(f"/frameworks/{KEY}/").status_code == 404

    events = AuditEvent.objects.count()
    again = seed(django_capture_on_commit_callbacks)
    assert "Partnership" not in again
    assert AuditEvent.objects.count() == events
    assert ScoringRun.objects.filter(framework_version__framework=framework).count() == 1
    assert framework.versions.count() == 1
