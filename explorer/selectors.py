"""Reads for the map and the rankings: a bounded, fixed number of queries per page."""

from dataclasses import dataclass

from frameworks.models import FrameworkNode, NodeLevel
from places.models import Boundary, Level, Place
from places.selectors import boundaries_for, place_list
from scoring.models import Score, ScoringRun
from scoring.selectors import current_run

FRAMEWORK = "tpi-2024"
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


def explorer_run() -> ScoringRun | None:
    """The current council run of the Thriving Places Index."""
    return current_run(framework=FRAMEWORK, scope="councils")


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
