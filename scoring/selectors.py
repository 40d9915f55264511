"""Reads for scores: always from the current DONE run of a framework, eager-loaded."""

from typing import Any

from django.db.models import Q, QuerySet

from frameworks.models import FrameworkNode
from scoring.models import RunStatus, Score, ScoreDriver, ScoreFlag, ScoringRun


def current_run(*, framework: str, scope: str | None = None) -> ScoringRun | None:
    runs = ScoringRun.objects.filter(
        framework_version__framework__key=framework, is_current=True, status=RunStatus.DONE
    ).select_related("framework_version__framework")
    if scope:
        runs = runs.filter(scope=scope)
    return runs.order_by("-finished_at").first()


def node_labels(run: ScoringRun) -> dict[str, FrameworkNode]:
    return {n.key: n for n in FrameworkNode.objects.filter(version_id=run.framework_version_id)}


def score_list(
    *,
    run: ScoringRun,
    places: list[str] | None = None,
    node: str = "",
    level: str = "",
    year: int | None = None,
    reference_set: str = "",
) -> QuerySet[Score]:
    scores = Score.objects.filter(run=run).select_related("place")
    if places:
        scores = scores.filter(place_id__in=places)
    if node:
        scores = scores.filter(node_key=node)
    if level:
        scores = scores.filter(level=level)
    if year:
        scores = scores.filter(year=year)
    if reference_set:
        scores = scores.filter(reference_set=reference_set)
    return scores.order_by("place_id", "reference_set", "year", "node_key")


def ranking(
    *,
    run: ScoringRun,
    node: str,
    year: int,
    reference_set: str,
    region: str = "",
    rural_urban_class: str = "",
    cluster: str = "",
    cluster_kind: str = "global",
) -> QuerySet[Score]:
    """Scores of one node within one reference set, best first, with optional filters.

    Filters narrow the list shown; ranks stay those within the whole reference set.
    """
    scores = Score.objects.filter(
        run=run, node_key=node, year=year, reference_set=reference_set, score__isnull=False
    ).select_related("place", "place__region")
    if region:
        scores = scores.filter(place__region_id=region)
    if rural_urban_class:
        scores = scores.filter(place__rural_urban_class=rural_urban_class)
    if cluster:
        scores = scores.filter(**{f"place__cluster_{cluster_kind}": cluster.upper()})
    return scores.order_by("rank", "place_id")


def driver_list(
    *, run: ScoringRun, place: str, year: int | None = None, node: str = ""
) -> QuerySet[ScoreDriver]:
    drivers = ScoreDriver.objects.filter(run=run, place_id=place)
    if year:
        drivers = drivers.filter(year=year)
    if node:
        drivers = drivers.filter(node_key=node)
    return drivers.order_by("year", "reference_set", "node_key", "-contribution")


def flag_list(
    *, run: ScoringRun, places: list[str], year: int | None = None
) -> QuerySet[ScoreFlag]:
    flags = ScoreFlag.objects.filter(run=run, place_id__in=places)
    if year:
        flags = flags.filter(year=year)
    return flags.order_by("place_id", "year", "slot_key")


def run_list() -> QuerySet[ScoringRun]:
    return ScoringRun.objects.select_related("framework_version__framework").filter(
        ~Q(status=RunStatus.PENDING)
    )


def place_scorecard(
    *, place_code: str, is_upper_tier: bool, framework: str = "tpi-2024"
) -> dict[str, Any] | None:
    """Headline and domain scores for a council, latest year, with the change since the
    first year scored; None when the framework has not been scored or the place is not in it."""
    run = current_run(framework=framework)
    if run is None or not run.periods:
        return None
    reference_set = "E-upper_tier" if is_upper_tier else "E-lower_tier"
    rows = list(
        Score.objects.filter(
            run=run,
            place_id=place_code,
            reference_set=reference_set,
            level__in=["headline", "domain"],
        ).order_by("year")
    )
    if not rows:
        return None
    latest, first = max(run.periods), min(run.periods)
    labels = node_labels(run)
    by_node: dict[str, dict[int, Score]] = {}
    for row in rows:
        by_node.setdefault(row.node_key, {})[row.year] = row
    ordered = sorted(by_node, key=lambda key: labels[key].position if key in labels else 0)
    lines = []
    for key in ordered:
        current = by_node[key].get(latest)
        if current is None:
            continue
        start = by_node[key].get(first)
        change = (
            current.score - start.score
            if current.score is not None and start is not None and start.score is not None
            else None
        )
        lines.append(
            {
                "node": labels.get(key),
                "key": key,
                "level": current.level,
                "score": current,
                "change": change,
                "history": [by_node[key][y].score for y in sorted(by_node[key])],
            }
        )
    return {
        "run": run,
        "year": latest,
        "first_year": first,
        "reference_set": reference_set,
        "tier_label": "upper-tier authorities" if is_upper_tier else "lower-tier authorities",
        "lines": lines,
    }
