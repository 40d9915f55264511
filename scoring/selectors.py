"""Reads for scores: always from the current DONE run of a framework, eager-loaded.

A run is only found when its framework is visible to the person asking (``user``; None
means signed out): a partnership's framework and its scores stay private until published.
"""

from typing import Any

from django.db.models import Q, QuerySet

from frameworks.models import Framework, FrameworkNode
from partnerships.visibility import visible_q
from scoring.models import RunStatus, Score, ScoreDriver, ScoreFlag, ScoringRun

DEFAULT_FRAMEWORK = "tpi-2024"
FRAMEWORK_VISIBLE = "framework_version__framework__"


def framework_visible(*, key: str, user: Any = None) -> Framework | None:
    """The framework with this key if the person may see it, else None (unknown or private)."""
    return Framework.objects.visible_to(user).filter(key=key).first()


def current_run(*, framework: str, scope: str | None = None, user: Any = None) -> ScoringRun | None:
    """The current finished run of a framework the person may see, else None."""
    runs = (
        ScoringRun.objects.filter(
            framework_version__framework__key=framework, is_current=True, status=RunStatus.DONE
        )
        .filter(visible_q(user, FRAMEWORK_VISIBLE))
        .select_related("framework_version__framework")
    )
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


def run_list(*, user: Any = None) -> QuerySet[ScoringRun]:
    """Started and finished runs of the frameworks the person may see."""
    return (
        ScoringRun.objects.select_related("framework_version__framework")
        .filter(~Q(status=RunStatus.PENDING))
        .filter(visible_q(user, FRAMEWORK_VISIBLE))
    )


def place_scorecard(
    *, place_code: str, is_upper_tier: bool, framework: str = DEFAULT_FRAMEWORK, user: Any = None
) -> dict[str, Any] | None:
    """Headline and domain scores for a council, latest year, with the change since the
    first year scored; None when the framework has not been scored, is not visible to the
    person, or the place is not in it."""
    run = current_run(framework=framework, user=user)
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
                "by_year": {y: by_node[key][y].score for y in sorted(by_node[key])},
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


def _period_label(start: Any, end: Any) -> str:
    if start is None and end is None:
        return ""
    if start is None or end is None or start == end:
        return (start or end).strftime("%b %Y")
    if start.year == end.year and start.month == 1 and end.month == 12:
        return str(start.year)
    return f"{start.strftime('%b %Y')} – {end.strftime('%b %Y')}"


def _value_label(value: float | None, node: FrameworkNode) -> str:
    if value is None:
        return ""
    indicator = node.indicator
    places = indicator.decimal_places if indicator else 2
    text = f"{value:,.{places}f}"
    unit = indicator.unit if indicator else ""
    return f"{text} {unit}".strip()


def place_scorecard_detail(
    *, place_code: str, is_upper_tier: bool, framework: str = DEFAULT_FRAMEWORK, user: Any = None
) -> dict[str, Any] | None:
    """The scorecard of ``place_scorecard`` plus, for each domain, its subdomains and
    their indicators (value, data period, z, contribution, source, hidden weakness), the
    headline history for a trend chart and the counts a summary needs.

    Four queries beyond ``place_scorecard``: subdomain scores, nodes with indicators,
    drivers and flags of the latest year.
    """
    card = place_scorecard(
        place_code=place_code, is_upper_tier=is_upper_tier, framework=framework, user=user
    )
    if card is None:
        return None
    run, year, first = card["run"], card["year"], card["first_year"]
    reference_set = card["reference_set"]
    nodes = list(
        FrameworkNode.objects.filter(version_id=run.framework_version_id)
        .select_related("indicator")
        .order_by("position")
    )
    children: dict[str, list[FrameworkNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_key, []).append(node)
    sub_scores: dict[str, dict[int, Score]] = {}
    for row in Score.objects.filter(
        run=run,
        place_id=place_code,
        reference_set=reference_set,
        level="subdomain",
        year__in=[first, year],
    ):
        sub_scores.setdefault(row.node_key, {})[row.year] = row
    drivers = {
        (d.node_key, d.slot_key): d
        for d in ScoreDriver.objects.filter(
            run=run, place_id=place_code, year=year, reference_set=reference_set
        ).exclude(level="headline")
    }
    flags = {
        f.slot_key: f
        for f in ScoreFlag.objects.filter(
            run=run, place_id=place_code, year=year, reference_set=reference_set
        )
    }

    def slot_rows(parent: str) -> list[dict[str, Any]]:
        rows = []
        for slot in children.get(parent, []):
            if slot.level != "indicator":
                continue
            driver = drivers.get((parent, slot.key))
            if driver is not None and driver.value is None:
                driver = None
            rows.append(
                {
                    "node": slot,
                    "indicator": slot.indicator,
                    "driver": driver,
                    "value_label": _value_label(driver.value, slot) if driver else "",
                    "period_label": (
                        _period_label(driver.data_period_start, driver.data_period_end)
                        if driver
                        else ""
                    ),
                    "flag": flags.get(slot.key),
                }
            )
        return rows

    def change(scores: dict[int, Score]) -> float | None:
        now, then = scores.get(year), scores.get(first)
        if now is None or then is None or now.score is None or then.score is None:
            return None
        return now.score - then.score

    domains = []
    slots_total = slots_with_data = 0
    for line in card["lines"]:
        if line["level"] != "domain":
            continue
        groups = []
        direct = slot_rows(line["key"])
        if direct:
            groups.append(
                {
                    "node": line["node"],
                    "key": line["key"],
                    "level": "domain",
                    "score": line["score"],
                    "change": line["change"],
                    "slots": direct,
                }
            )
        for sub in children.get(line["key"], []):
            if sub.level != "subdomain":
                continue
            scores = sub_scores.get(sub.key, {})
            groups.append(
                {
                    "node": sub,
                    "key": sub.key,
                    "level": "subdomain",
                    "score": scores.get(year),
                    "change": change(scores),
                    "slots": slot_rows(sub.key),
                }
            )
        for group in groups:
            slots_total += len(group["slots"])
            slots_with_data += sum(1 for s in group["slots"] if s["driver"] is not None)
        parent = next((n for n in nodes if n.key == line["node"].parent_key), None)
        domains.append({**line, "headline": parent, "groups": groups})
    card["domains"] = domains
    card["flags"] = list(flags.values())
    card["slots_total"] = slots_total
    card["slots_with_data"] = slots_with_data
    card["years"] = sorted(run.periods)
    return card


def scorecard_export_rows(card: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a detailed scorecard for CSV/XLSX: nodes then indicator slots."""
    headers = [
        "node",
        "level",
        "label",
        "score",
        "band",
        "rank",
        "rank_of",
        "coverage",
        "robust",
        f"change_since_{card['first_year']}",
        "indicator",
        "value",
        "unit",
        "data_period",
        "z",
        "contribution",
        "hidden_weakness",
        "source_organisation",
        "source_url",
    ]
    rows: list[list[Any]] = []

    def node_row(key: str, level: str, label: str, score: Score | None, change: Any) -> None:
        rows.append(
            [
                key,
                level,
                label,
                None if score is None else score.score,
                "" if score is None else score.band_label,
                None if score is None else score.rank,
                None if score is None else score.rank_of,
                "" if score is None else f"{score.coverage_present} of {score.coverage_expected}",
                None if score is None or score.score is None else score.robust,
                change,
            ]
            + [""] * 9
        )

    domain_keys = {d["key"] for d in card["domains"]}
    for line in card["lines"]:
        label = line["node"].label if line["node"] else line["key"]
        node_row(line["key"], line["level"], label, line["score"], line["change"])
        if line["key"] not in domain_keys:
            continue
        domain = next(d for d in card["domains"] if d["key"] == line["key"])
        for group in domain["groups"]:
            if group["level"] == "subdomain":
                node_row(
                    group["key"], "subdomain", group["node"].label, group["score"], group["change"]
                )
            for slot in group["slots"]:
                indicator, driver, flag = slot["indicator"], slot["driver"], slot["flag"]
                rows.append(
                    [slot["node"].key, "indicator", slot["node"].label]
                    + [""] * 7
                    + [
                        indicator.name if indicator else slot["node"].derived_key,
                        driver.value if driver else "no data yet",
                        indicator.unit if indicator else "",
                        slot["period_label"],
                        driver.z if driver else None,
                        driver.contribution if driver else None,
                        f"yes (hidden by {flag.hidden_by})" if flag else "",
                        indicator.source_organisation if indicator else "",
                        indicator.source_url if indicator else "",
                    ]
                )
    return headers, rows
