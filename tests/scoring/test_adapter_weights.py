"""The adapter passes builder weights to the engine, and reads only an indicator's own
dataset: a partnership's upload under a national indicator never moves national scores.

Real data: the DESNZ sub-regional fuel poverty release (district level, small), scored
for every English council.
"""

import datetime

import pytest
from django.db.models import Count, Sum

from frameworks.models import FrameworkNode
from frameworks.services import framework_sync_definition
from indicators.importing import import_source
from indicators.models import Dataset, DatasetRelease, Indicator, Observation
from indicators.sources.fuel_poverty import FuelPovertySource
from partnerships.models import Partnership
from places.models import Place
from scoring import services
from scoring.adapters import framework_tree, scoring_inputs
from scoring.models import RunStatus, Score, ScoreDriver

pytestmark = pytest.mark.django_db

NORFOLK_DISTRICTS = [
    "E07000143",  # Breckland
    "E07000144",  # Broadland
    "E07000145",  # Great Yarmouth
    "E07000146",  # King's Lynn and West Norfolk
    "E07000147",  # North Norfolk
    "E07000148",  # Norwich
    "E07000149",  # South Norfolk
]

DEFINITION = {
    "id": "fuel-poverty-weights-test",
    "name": "Fuel poverty (weights test)",
    "headlines": [
        {
            "key": "warm-homes",
            "label": "Warm homes",
            "domains": [
                {
                    "key": "fuel-poverty",
                    "label": "Fuel poverty",
                    "subdomains": [
                        {
                            "key": "fuel-poverty-both",
                            "label": "Both definitions",
                            "slots": [
                                {
                                    "key": "lihc",
                                    "indicator": "fuel-poverty-lihc",
                                    "polarity": "lower_better",
                                },
                                {
                                    "key": "lilee",
                                    "indicator": "fuel-poverty-lilee",
                                    "polarity": "lower_better",
                                },
                            ],
                        }
                    ],
                },
                {
                    "key": "efficiency",
                    "label": "Low energy efficiency",
                    "slots": [
                        {
                            "key": "lilee-only",
                            "indicator": "fuel-poverty-lilee",
                            "polarity": "lower_better",
                        }
                    ],
                },
            ],
        }
    ],
}
WEIGHTS = {"lihc": 3.0, "lilee": 1.0, "fuel-poverty": 1.0, "efficiency": 3.0}


@pytest.fixture
def version():
    import_source(FuelPovertySource())
    version, _ = framework_sync_definition(DEFINITION)
    for key, weight in WEIGHTS.items():
        FrameworkNode.objects.filter(version=version, key=key).update(weight=weight)
    return version


def _scores(run, node):
    rows = Score.objects.filter(run=run, node_key=node, score__isnull=False)
    return {(s.place_id, s.reference_set, s.year): s.score for s in rows}


def test_the_tree_carries_the_builder_weights(version):
    tree, _ = framework_tree(version)
    assert {s.id: s.weight for s in tree.slots} == {"lihc": 3.0, "lilee": 1.0, "lilee-only": 1.0}
    nodes = {n.id: n.weight for n in tree.nodes}
    assert nodes["efficiency"] == 3.0 and nodes["fuel-poverty"] == 1.0
    assert tree.index.is_weighted


def test_a_weighted_framework_is_scored_with_its_weights(version):
    run = services.scoring_recompute(version=version, robustness=False)
    assert run.status == RunStatus.DONE

    headline = _scores(run, "warm-homes")
    fuel = _scores(run, "fuel-poverty")
    efficiency = _scores(run, "efficiency")
    both = sorted(set(headline) & set(fuel) & set(efficiency))
    assert len(both) > 250  # every district in the years with both definitions
    for key in both:
        assert headline[key] == pytest.approx((fuel[key] + 3 * efficiency[key]) / 4, abs=1e-9)
    # where one domain has no score, the other carries the headline alone (renormalised)
    for key in set(headline) - set(efficiency):
        assert headline[key] == pytest.approx(fuel[key], abs=1e-9)

    # Within the subdomain LIHC counts three times LILEE, where both are present
    norwich = ScoreDriver.objects.filter(
        run=run, place_id="E07000148", node_key="fuel-poverty-both"
    )
    by_year: dict[int, dict[str, float | None]] = {}
    for d in norwich:
        by_year.setdefault(d.year, {})[d.slot_key] = d.weight
    assert {"lihc": 0.75, "lilee": 0.25} in by_year.values()

    # Drivers still add up to each stored score's distance from 5
    sums = (
        ScoreDriver.objects.filter(run=run, place_id__in=NORFOLK_DISTRICTS)
        .values("place_id", "reference_set", "year", "node_key")
        .annotate(total=Sum("contribution"), n=Count("id"))
    )
    stored = {
        (s.place_id, s.reference_set, s.year, s.node_key): s.score
        for s in Score.objects.filter(run=run, place_id__in=NORFOLK_DISTRICTS)
    }
    assert len(sums) > 20
    for row in sums:
        key = (row["place_id"], row["reference_set"], row["year"], row["node_key"])
        score = stored[key]
        assert score is not None
        assert row["total"] == pytest.approx(score - 5, abs=1e-9)


def test_a_weight_change_alone_makes_a_new_run(version):
    first = services.scoring_recompute(version=version, robustness=False)
    # The definition (and its checksum) is unchanged; only a stored weight moves.
    FrameworkNode.objects.filter(version=version, key="efficiency").update(weight=1.0)

    second = services.scoring_recompute(version=version, robustness=False)

    assert second.pk != first.pk and second.inputs_hash != first.inputs_hash
    assert second.is_current
    headline = _scores(second, "warm-homes")
    fuel, efficiency = _scores(second, "fuel-poverty"), _scores(second, "efficiency")
    key = next(k for k in headline if k in fuel and k in efficiency)
    assert headline[key] == pytest.approx((fuel[key] + efficiency[key]) / 2, abs=1e-9)


def test_a_local_release_under_a_national_indicator_cannot_change_national_scores(version):
    national = services.scoring_recompute(version=version, robustness=False)
    before_inputs = scoring_inputs(version)
    before = {node: _scores(national, node) for node in ("warm-homes", "efficiency")}

    # A partnership uploads its own numbers, but under the national LILEE indicator.
    partnership = Partnership.objects.create(slug="norfolk-leak", name="Norfolk leak test")
    partnership.places.set(Place.objects.filter(code__in=NORFOLK_DISTRICTS))
    local = Dataset.objects.create(
        slug="norfolk-fuel-local",
        name="Norfolk fuel survey",
        is_local=True,
        partnership=partnership,
    )
    release = DatasetRelease.objects.create(
        dataset=local, label="2019 survey", checksum="local-1", is_current=True
    )
    lilee = Indicator.objects.get(slug="fuel-poverty-lilee")
    Observation.objects.bulk_create(
        Observation(
            indicator=lilee,
            place_id=code,
            release=release,
            period_start=datetime.date(2019, 1, 1),
            period_end=datetime.date(2019, 12, 31),
            period_type="calendar_year",
            value=99.0,  # far outside every real district's value
            source_line=line,
        )
        for line, code in enumerate(NORFOLK_DISTRICTS, start=2)
    )
    # The planted rows are current observations of the national indicator: exactly what
    # a query by indicator and is_current alone would have read.
    assert (
        Observation.objects.filter(indicator=lilee, release__is_current=True, place_id="E07000148")
        .values("release__dataset_id")
        .distinct()
        .count()
        == 2
    )

    after_inputs = scoring_inputs(version)
    assert after_inputs.releases == before_inputs.releases
    assert release.pk not in after_inputs.releases
    assert (after_inputs.aligned["value"] != 99.0).all()
    assert after_inputs.observations.equals(before_inputs.observations)

    again = services.scoring_recompute(version=version, robustness=False)
    assert again.pk == national.pk  # same inputs: the stored run stands, untouched
    assert {node: _scores(again, node) for node in before} == before
