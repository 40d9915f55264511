"""Reads for the map and the rankings: a bounded, fixed number of queries per page."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from frameworks.models import Framework, FrameworkNode, NodeLevel
from places.models import Boundary, Level, Place
from places.selectors import boundaries_for, place_list
from scoring.models import Score, ScoringRun
from scoring.selectors import DEFAULT_FRAMEWORK, current_run, framework_visible

FRAMEWORK = DEFAULT_FRAMEWORK
REFERENCE_SETS = (
    ("E-upper_tier", "Upper-tier authorities (England)"),
    ("E-lower_tier", "Lower-tier authorities (England)"),
)
CLUSTERS = ("A", "B", "C", "D")
NODE_LEVELS = (NodeLevel.HEADLINE, NodeLevel.DOMAIN, NodeLevel.SUBDOMAIN)


@dataclass(frozen=True)
class Filters:
    """What narrows the councils shown; ranks always stay those of the whole reference set."""

    region: str = ""
    rural_urban_class: str = ""
    cluster: str = ""
    core_cities: bool = False

    @property
    def active(self) -> bool:
        return bool(self.region or self.rural_urban_class or self.cluster or self.core_cities)

    def matches(self, place: Place) -> bool:
        if self.region and place.region_id != self.region:
            return False
        if self.rural_urban_class and place.rural_urban_class != self.rural_urban_class:
            return False
        if self.cluster and place.cluster_global != self.cluster:
            return False
        return not (self.core_cities and not place.is_core_city)


@dataclass(frozen=True)
class Chosen:
    """The framework a page shows (``?framework=``) and its current council run, if any."""

    key: str
    framework: Framework | None
    run: ScoringRun | None

    @property
    def name(self) -> str:
        return self.framework.name if self.framework else "Thriving Places Index"

    @property
    def is_default(self) -> bool:
        return self.key == FRAMEWORK


def framework_choose(*, key: str = "", user: Any = None) -> Chosen:
    """The framework named by ``?framework=`` (default the index) if the person may see it.

    An unknown or private framework is a 404 with the same message either way, so a page
    cannot tell anyone that another partnership's framework exists."""
    key = key.strip() or FRAMEWORK
    framework = framework_visible(key=key, user=user)
    if framework is None and key != FRAMEWORK:
        raise Http404(f"No framework {key!r}.")
    run = current_run(framework=key, scope="councils", user=user) if framework else None
    return Chosen(key, framework, run)


def explorer_run(*, framework: str = FRAMEWORK, user: Any = None) -> ScoringRun | None:
    """The current council run of a framework the person may see (default the index)."""
    return current_run(framework=framework, scope="councils", user=user)


def node_choices(run: ScoringRun) -> list[FrameworkNode]:
    """Headline elements, domains and subdomains of the run's framework, in tree order."""
    return list(
        FrameworkNode.objects.filter(
            version_id=run.framework_version_id, level__in=[level.value for level in NODE_LEVELS]
        ).order_by("position")
    )


def region_choices() -> list[Place]:
    return list(place_list(level=Level.REGION, nation="E"))


def node_scores(*, run: ScoringRun, node: str, year: int, reference_set: str) -> list[Score]:
    """Every score of one node in one reference set and year, best rank first (one query)."""
    return list(
        Score.objects.filter(run=run, node_key=node, year=year, reference_set=reference_set)
        .select_related("place", "place__region")
        .order_by("rank", "place_id")
    )


def council_boundaries(*, codes: list[str], year: int) -> dict[str, Boundary]:
    return boundaries_for(codes=codes, year=year)


def region_boundaries(*, regions: list[Place], year: int) -> dict[str, Boundary]:
    return boundaries_for(codes=[r.code for r in regions], year=year)
