"""Reads for indicators: the queries own their eager loading so views never loop over the ORM.

Every read takes the person asking (``user``; None means signed out) and returns only what
they may see: a dataset by ``partnerships.visibility``, an indicator or a release through its
dataset, an observation through its release's dataset. Anything else is simply absent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation
from partnerships.models import ROLE_RANK, Partnership, Role
from partnerships.visibility import member_partnership_ids, visible_q
from places.models import NeighbourKind, Place
from places.selectors import place_get, place_list, place_search, place_similar_areas

ENGLAND = "E92000001"
SIMILAR_AREAS_SHOWN = 5
OBSERVATION_RELATED = ("indicator", "place", "release", "release__dataset")


def indicator_list(
    *, user: Any = None, query: str = "", dataset: str = "", polarity: str = "", level: str = ""
) -> QuerySet[Indicator]:
    """Catalogue entries the person may see matching the filters, with their dataset joined."""
    indicators = Indicator.objects.select_related("dataset").filter(visible_q(user, "dataset__"))
    if query := query.strip():
        indicators = indicators.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(description__icontains=query)
            | Q(measure__icontains=query)
        )
    if dataset:
        indicators = indicators.filter(dataset__slug=dataset)
    if polarity:
        indicators = indicators.filter(polarity=polarity)
    if level:
        # geography_levels is a JSON list of level names; matching the quoted name as text
        # works on every backend (SQLite has no JSON containment lookup).
        indicators = indicators.filter(geography_levels__icontains=f'"{level}"')
    return indicators.order_by("name", "slug")


def indicator_get(*, slug: str, user: Any = None) -> Indicator:
    """One indicator the person may see, with its dataset; raises Indicator.DoesNotExist."""
    return (
        Indicator.objects.select_related("dataset")
        .filter(visible_q(user, "dataset__"))
        .get(slug=slug)
    )


def dataset_list(*, user: Any = None) -> QuerySet[Dataset]:
    """Datasets with their current release (``current``, a list of 0 or 1) and indicator count."""
    current = Prefetch(
        "releases", queryset=DatasetRelease.objects.filter(is_current=True), to_attr="current"
    )
    return (
        Dataset.objects.visible_to(user)
        .annotate(indicator_count=Count("indicators", distinct=True))
        .prefetch_related(current)
        .order_by("slug")
    )


def dataset_choices(*, user: Any = None) -> list[tuple[str, str]]:
    """(slug, name) of every dataset the person may see, by name, for a filter."""
    return list(Dataset.objects.visible_to(user).order_by("name").values_list("slug", "name"))


def dataset_current_release(*, dataset: Dataset) -> DatasetRelease | None:
    return DatasetRelease.objects.filter(dataset=dataset, is_current=True).first()


def release_list(
    *, user: Any = None, dataset: str = "", current_only: bool = False
) -> QuerySet[DatasetRelease]:
    """Releases of the datasets the person may see, newest first, with their dataset joined."""
    releases = DatasetRelease.objects.select_related("dataset").filter(visible_q(user, "dataset__"))
    if dataset:
        releases = releases.filter(dataset__slug=dataset)
    if current_only:
        releases = releases.filter(is_current=True)
    return releases.order_by("dataset__slug", "-imported_at", "-pk")


def observation_series(
    *, indicator: Indicator, place: Place, current_only: bool = True, user: Any = None
) -> QuerySet[Observation]:
    """The place's visible observations of the indicator ordered by period, with their release."""
    observations = (
        Observation.objects.filter(indicator=indicator, place=place)
        .filter(visible_q(user, "release__dataset__"))
        .select_related("release", "release__dataset")
    )
    if current_only:
        observations = observations.filter(release__is_current=True)
    return observations.order_by("period_start", "period_end", "-release__imported_at", "pk")


@dataclass(frozen=True)
class Comparator:
    """A place whose series is drawn beside the chosen one, and why."""

    role: str  # "england", "country", "region" or "similar"
    place: Place
    rank: int = 0  # similarity rank for similar areas


def comparators_for(*, place: Place, similar_count: int = SIMILAR_AREAS_SHOWN) -> list[Comparator]:
    """England, the place's country (outside England), its region, its top ONS similar areas."""
    found: list[Comparator] = []
    seen = {place.code}
    if place.code != ENGLAND:
        england = (
            place.country
            if place.country_id == ENGLAND and place.country
            else Place.objects.filter(code=ENGLAND).first()
        )
        if england is not None:
            found.append(Comparator("england", england))
            seen.add(england.code)
    if place.country_id and place.country_id not in seen and place.country:
        found.append(Comparator("country", place.country))
        seen.add(place.country_id)
    if place.region_id and place.region_id not in seen and place.region:
        found.append(Comparator("region", place.region))
        seen.add(place.region_id)
    similar = place_similar_areas(place=place).get(NeighbourKind.GLOBAL.value, [])
    added = 0
    for rank, neighbour in enumerate(similar, start=1):
        if added >= similar_count:
            break
        if neighbour.code not in seen:
            found.append(Comparator("similar", neighbour, rank))
            seen.add(neighbour.code)
            added += 1
    return found


def observation_comparisons(
    *, indicator: Indicator, places: Iterable[Place], current_only: bool = True, user: Any = None
) -> dict[str, list[Observation]]:
    """Visible observations of the indicator for several places in one query, by place code."""
    codes = [p.code for p in places]
    grouped: dict[str, list[Observation]] = {code: [] for code in codes}
    if not codes:
        return grouped
    observations = Observation.objects.filter(indicator=indicator, place_id__in=codes).filter(
        visible_q(user, "release__dataset__")
    )
    if current_only:
        observations = observations.filter(release__is_current=True)
    observations = observations.select_related("release").order_by(
        "place_id", "period_start", "period_end", "-release__imported_at", "pk"
    )
    for observation in observations:
        grouped[observation.place_id].append(observation)
    return grouped


def observation_list(
    *,
    user: Any = None,
    base: QuerySet[Observation] | None = None,
    indicator: str = "",
    places: Iterable[str] = (),
    period_from: date | None = None,
    period_to: date | None = None,
    release: int | None = None,
    dataset: str = "",
    current_only: bool | None = None,
) -> QuerySet[Observation]:
    """Observations for the API, filtered, every related row joined (no per-row queries).

    Periods are intervals: ``period_from`` keeps observations that end on or after it and
    ``period_to`` those that start on or before it. Only current releases are included unless
    ``current_only`` is False, or a ``release`` is named and ``current_only`` is not given.
    Only observations of datasets the person may see are included.
    """
    observations = Observation.objects.all() if base is None else base
    observations = observations.filter(visible_q(user, "release__dataset__")).select_related(
        *OBSERVATION_RELATED
    )
    if indicator:
        observations = observations.filter(indicator__slug=indicator)
    codes = sorted({code.strip().upper() for code in places if code.strip()})
    if codes:
        observations = observations.filter(place_id__in=codes)
    if period_from:
        observations = observations.filter(period_end__gte=period_from)
    if period_to:
        observations = observations.filter(period_start__lte=period_to)
    if release is not None:
        observations = observations.filter(release_id=release)
    if dataset:
        observations = observations.filter(release__dataset__slug=dataset)
    if current_only is None:
        current_only = release is None
    if current_only:
        observations = observations.filter(release__is_current=True)
    return observations.order_by("indicator_id", "place_id", "period_start", "period_end", "pk")


@dataclass(frozen=True)
class PlaceChoice:
    """The outcome of reading a place picker's text: a place, several candidates, or none."""

    place: Place | None
    candidates: list[Place]


def place_choose(*, text: str) -> PlaceChoice:
    """A GSS code or a name: exact code first, then an exact name, then the search's matches."""
    text = text.strip()
    if not text:
        return PlaceChoice(None, [])
    try:
        return PlaceChoice(place_get(code=text), [])
    except Place.DoesNotExist:
        pass
    matches = place_search(query=text)
    exact = [p for p in matches if p.name.lower() == text.lower()]
    current_exact = [p for p in exact if p.end_year is None]
    if len(current_exact) == 1 or len(exact) == 1:
        chosen = (current_exact or exact)[0]
        return PlaceChoice(place_get(code=chosen.code), [])
    if len(matches) == 1:
        return PlaceChoice(place_get(code=matches[0].code), [])
    return PlaceChoice(None, matches)


def place_options() -> list[tuple[str, str]]:
    """(code, name) of current places for a picker's suggestions."""
    return list(place_list().values_list("code", "name"))


def upload_partnerships(*, user: Any) -> QuerySet[Partnership]:
    """Partnerships the person may load local data for (analyst or admin)."""
    if not getattr(user, "is_authenticated", False):
        return Partnership.objects.none()
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.ANALYST]]
    return Partnership.objects.filter(memberships__user=user, memberships__role__in=roles).order_by(
        "name"
    )


def upload_indicators(*, user: Any) -> QuerySet[Indicator]:
    """Local indicators the person may upload a file for: each is its own series (dataset)
    of a partnership where they are an analyst or admin."""
    return (
        Indicator.objects.filter(
            dataset__is_local=True, dataset__partnership__in=upload_partnerships(user=user)
        )
        .select_related("dataset__partnership")
        .order_by("dataset__partnership__name", "name")
    )


def local_indicator_for_upload(*, slug: str) -> Indicator | None:
    """A partnership's local indicator by slug (None for a national or unknown one); the
    caller checks the person's role in its partnership."""
    return (
        Indicator.objects.filter(
            slug=slug, dataset__is_local=True, dataset__partnership__isnull=False
        )
        .select_related("dataset__partnership")
        .first()
    )


def import_job_get(*, pk: int) -> ImportJob:
    """One import job with its dataset and release; raises ImportJob.DoesNotExist.

    Callers check ``import_job_visible_to`` before showing it."""
    return ImportJob.objects.select_related("dataset", "release", "created_by", "partnership").get(
        pk=pk
    )


def _job_q(user: Any) -> Q:
    """Jobs of the person's partnerships, and jobs they started that belong to none."""
    return Q(partnership_id__in=member_partnership_ids(user)) | Q(
        partnership__isnull=True, created_by_id=getattr(user, "pk", None)
    )


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    """Jobs a person may see: every job for staff; their partnerships' jobs otherwise."""
    jobs = ImportJob.objects.select_related(
        "dataset", "release", "created_by", "partnership"
    ).order_by("-created_at", "-pk")
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    if not user.is_staff:
        jobs = jobs.filter(_job_q(user))
    return jobs


def import_job_visible_to(*, job: ImportJob, user: Any) -> bool:
    """Staff see every job; members see their partnership's jobs (and their own without one)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    if job.partnership_id is not None:
        return job.partnership_id in member_partnership_ids(user)
    return bool(job.created_by_id and job.created_by_id == user.pk)


SPINE_LEVELS = ("lower_tier", "upper_tier", "region", "combined_authority", "country")


def indicator_spine_values(*, indicator: Indicator, place: Place) -> dict[str, Any] | None:
    """Every place's latest value of the indicator at the place's level and in its nation,
    for a spine chart; None when the place has no value. Four queries.

    Only the indicator's own dataset counts (a partnership's upload naming the indicator is
    not mixed in), current releases only; the period is the latest the place has a value for.
    Releases are matched in Python so the planner stays on the (indicator, place) index.
    """
    from indicators.charts import SpineValue
    from indicators.periods import period_label
    from places.models import Level, level_q
    from places.selectors import geography_year

    levels = [level for level in SPINE_LEVELS if level in place.levels]
    if not levels:
        return None
    published = [level for level in levels if level in (indicator.geography_levels or [])]
    level = (published or levels)[0]
    releases = set(
        DatasetRelease.objects.filter(dataset_id=indicator.dataset_id, is_current=True).values_list(
            "pk", flat=True
        )
    )
    peers = Place.objects.valid_in(geography_year()).filter(level_q(level), nation=place.nation)
    rows = [
        row
        for row in Observation.objects.filter(
            indicator=indicator, place_id__in=peers.values("code"), value__isnull=False
        )
        .exclude(status="suppressed")
        .order_by("period_end", "period_start")
        .values_list(
            "place_id",
            "place__name",
            "period_start",
            "period_end",
            "period_type",
            "value",
            "release_id",
        )
        if row[6] in releases
    ]
    mine = [r for r in rows if r[0] == place.code]
    if not mine:
        return None
    latest = mine[-1]
    values = {
        code: SpineValue(code, name, value)
        for code, name, start, end, _kind, value, _release in rows
        if (start, end) == (latest[2], latest[3]) and value is not None
    }
    similar = place_similar_areas(place=place).get(NeighbourKind.GLOBAL.value, [])
    return {
        "values": list(values.values()),
        "place_code": place.code,
        "similar_codes": [p.code for p in similar[:SIMILAR_AREAS_SHOWN] if p.code in values],
        "level": Level(level).label,
        "period_label": period_label(latest[2], latest[3], latest[4]),
        "group_label": place.get_nation_display(),
    }
