"""Reads for framework pages: visibility first, then a bounded number of queries per page."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frameworks.bespoke import indicators_available_to
from frameworks.models import Framework, FrameworkNode, FrameworkVersion, NodeLevel
from indicators.models import Indicator
from partnerships.models import Partnership
from places.models import NeighbourKind, Place, SimilarArea
from scoring.models import RunStatus, Score, ScoringRun

INDEX_KEY = "tpi-2024"
LOCAL_GROUP = "Local indicators"
OTHER_GROUP = "Other national indicators"
SIMILAR_SHOWN = 7
SCORED_LEVELS = ("headline", "domain", "subdomain")


def framework_list_visible(user: Any) -> QuerySet[Framework]:
    return (
        Framework.objects.visible_to(user)
        .select_related("partnership")
        .order_by("-is_index", "name")
    )


def framework_get_visible(*, key: str, user: Any) -> Framework:
    """The framework when the person may see it; otherwise 404, as for one that is absent."""
    framework = (
        Framework.objects.visible_to(user).select_related("partnership").filter(key=key).first()
    )
    if framework is None:
        raise Http404("No such framework.")
    return framework


def version_list(framework: Framework) -> list[FrameworkVersion]:
    return list(framework.versions.order_by("-version"))


def run_list_for(framework: Framework, limit: int = 10) -> list[ScoringRun]:
    return list(
        ScoringRun.objects.filter(framework_version__framework=framework)
        .select_related("framework_version")
        .order_by("-created_at")[:limit]
    )


def current_run_for(framework: Framework) -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(
            framework_version__framework=framework, is_current=True, status=RunStatus.DONE
        )
        .select_related("framework_version")
        .order_by("-finished_at")
        .first()
    )


@dataclass
class IndicatorGroup:
    label: str
    indicators: list[Indicator] = field(default_factory=list)


def indicator_groups(partnership: Partnership, query: str = "") -> list[IndicatorGroup]:
    """Indicators the partnership may use, grouped by the index's domains, then "Other
    national indicators" and "Local indicators"; small-area-only indicators are left out
    because bespoke frameworks are scored for councils."""
    available = [
        i
        for i in indicators_available_to(partnership)
        if not i.geography_levels or {"lower_tier", "upper_tier"} & set(i.geography_levels)
    ]
    words = query.lower().split()
    if words:
        available = [
            i
            for i in available
            if all(w in f"{i.name} {i.slug} {i.description}".lower() for w in words)
        ]
    domain_of: dict[int, str] = {}
    index = Framework.objects.filter(key=INDEX_KEY).first()
    version = index.versions.order_by("-version").first() if index else None
    if version is not None:
        nodes = {n.key: n for n in FrameworkNode.objects.filter(version=version)}
        for node in nodes.values():
            if node.level != NodeLevel.INDICATOR or node.indicator_id is None:
                continue
            parent = nodes.get(node.parent_key)
            while parent is not None and parent.level not in (NodeLevel.DOMAIN,):
                parent = nodes.get(parent.parent_key)
            if parent is not None:
                domain_of.setdefault(node.indicator_id, parent.label)
    groups: dict[str, IndicatorGroup] = {}
    order: list[str] = []
    if version is not None:
        order = [
            n.label
            for n in FrameworkNode.objects.filter(version=version, level=NodeLevel.DOMAIN).order_by(
                "position"
            )
        ]
    for label in [*order, OTHER_GROUP, LOCAL_GROUP]:
        groups[label] = IndicatorGroup(label)
    for indicator in available:
        if indicator.dataset.partnership_id is not None:
            groups[LOCAL_GROUP].indicators.append(indicator)
        else:
            groups[domain_of.get(indicator.pk, OTHER_GROUP)].indicators.append(indicator)
    return [g for g in groups.values() if g.indicators]


@dataclass
class TreeLine:
    """One line of a framework's tree as pages show it."""

    key: str
    label: str
    level: str
    depth: int
    weight: float
    polarity: int | None = None
    indicator: Indicator | None = None


def tree_lines(version: FrameworkVersion | None) -> list[TreeLine]:
    if version is None:
        return []
    nodes = list(
        FrameworkNode.objects.filter(version=version)
        .select_related("indicator__dataset")
        .order_by("position")
    )
    depth_of: dict[str, int] = {}
    lines = []
    for node in nodes:
        depth = depth_of.get(node.parent_key, -1) + 1 if node.parent_key else 0
        depth_of[node.key] = depth
        is_slot = node.level == NodeLevel.INDICATOR
        lines.append(
            TreeLine(
                key=node.key,
                label=node.label,
                level=node.level,
                depth=depth,
                weight=node.weight,
                polarity=node.polarity if is_slot else None,
                indicator=node.indicator if is_slot else None,
            )
        )
    return lines


def reference_set_for(place: Place) -> str:
    return "E-upper_tier" if place.is_upper_tier else "E-lower_tier"


@dataclass
class ScoreRow:
    place: Place
    cells: list[Score | None]
    is_own: bool = False


def scored_nodes(run: ScoringRun) -> list[FrameworkNode]:
    return list(
        FrameworkNode.objects.filter(
            version_id=run.framework_version_id, level__in=SCORED_LEVELS
        ).order_by("position")
    )


def score_rows(
    *,
    run: ScoringRun,
    places: list[Place],
    year: int,
    nodes: list[FrameworkNode],
    own: set[str],
    reference_set: str = "",
) -> list[ScoreRow]:
    """One row per place: its scores for ``nodes`` in ``reference_set`` (by default its own
    tier's; a comparison uses the first place's, since unitaries are in both tiers)."""
    wanted = {(p.code, reference_set or reference_set_for(p)) for p in places}
    found: dict[tuple[str, str], Score] = {}
    for score in Score.objects.filter(
        run=run,
        year=year,
        place_id__in=[p.code for p in places],
        node_key__in=[n.key for n in nodes],
    ):
        if (score.place_id, score.reference_set) in wanted:
            found[(score.place_id, score.node_key)] = score
    return [
        ScoreRow(place=p, cells=[found.get((p.code, n.key)) for n in nodes], is_own=p.code in own)
        for p in places
    ]


def similar_places(place: Place, limit: int = SIMILAR_SHOWN) -> list[Place]:
    """ONS's most similar English councils of the same tier (global neighbours)."""
    tier = "is_upper_tier" if place.is_upper_tier else "is_lower_tier"
    return [
        link.neighbour
        for link in SimilarArea.objects.filter(place=place, kind=NeighbourKind.GLOBAL)
        .select_related("neighbour")
        .order_by("rank")
        if link.neighbour.nation == "E" and getattr(link.neighbour, tier)
    ][:limit]


def partnership_places(partnership: Partnership) -> list[Place]:
    return sorted(partnership.places.all(), key=lambda p: (not p.is_upper_tier, p.name))
