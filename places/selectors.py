"""Reads for places: the queries own their eager loading so views never loop over the ORM."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from places.models import (
    AreaType,
    Boundary,
    ChangeType,
    CodeChange,
    Level,
    NeighbourKind,
    Place,
    PlaceQuerySet,
    SimilarArea,
)

PARENT_FIELDS = ("country", "region", "combined_authority", "upper_tier")


def geography_year() -> int:
    return int(settings.TPI_GEOGRAPHY_YEAR)


def place_get(*, code: str) -> Place:
    """One place with its parents joined; raises Place.DoesNotExist."""
    return Place.objects.select_related(*PARENT_FIELDS).get(code=code.strip().upper())


def place_list(
    *,
    query: str = "",
    level: str = "",
    region: str = "",
    rural_urban_class: str = "",
    nation: str = "",
    year: int | None = None,
    include_retired: bool = False,
) -> PlaceQuerySet:
    """Places matching the filters; by default those in use in the geography year."""
    places = Place.objects.select_related("region", "upper_tier").exclude(
        area_type__in=[AreaType.UK, AreaType.LSOA]
    )
    if not include_retired:
        places = places.valid_in(year or geography_year())
    if query:
        query = query.strip()
        places = places.filter(Q(code__iexact=query) | Q(name__icontains=query))
    if level:
        places = places.at_level(level)
    if region:
        places = places.filter(Q(region_id=region) | Q(code=region))
    if rural_urban_class:
        places = places.filter(rural_urban_class=rural_urban_class)
    if nation:
        places = places.filter(nation=nation)
    return places.order_by("name", "code")


def place_search(*, query: str, limit: int = 20) -> list[Place]:
    """Name or code search: exact code first, then names starting with the text."""
    query = query.strip()
    if not query:
        return []
    places = list(
        place_list(query=query, include_retired=True).exclude(area_type=AreaType.LSOA)[:200]
    )
    lowered = query.lower()

    def rank(place: Place) -> tuple[int, int, str]:
        exact_code = place.code.lower() != lowered
        starts = not place.name.lower().startswith(lowered)
        return (int(exact_code), int(starts) + (2 if place.end_year else 0), place.name)

    return sorted(places, key=rank)[:limit]


@dataclass(frozen=True)
class Hierarchy:
    parents: list[tuple[str, Place]]
    children: list[Place]
    children_label: str


def place_hierarchy(*, place: Place) -> Hierarchy:
    """Parents from country down, and the children one level below this place."""
    parents: list[tuple[str, Place]] = []
    if place.country_id and place.country_id != place.code and place.country:
        parents.append(("Country", place.country))
    if place.region_id and place.region:
        parents.append(("Region", place.region))
    if place.combined_authority_id and place.combined_authority:
        parents.append(("Combined authority", place.combined_authority))
    if place.upper_tier_id and place.upper_tier_id != place.code and place.upper_tier:
        parents.append(("County", place.upper_tier))

    year = geography_year()
    base = Place.objects.valid_in(year) if place.end_year is None else Place.objects.all()
    children: PlaceQuerySet
    label = ""
    match place.area_type:
        case AreaType.UK:
            children, label = base.filter(area_type=AreaType.COUNTRY), "Countries"
        case AreaType.COUNTRY:
            if place.code == "E92000001":
                children, label = base.filter(area_type=AreaType.REGION), "Regions"
            else:
                children = base.filter(country_id=place.code, is_upper_tier=True)
                label = "Councils"
        case AreaType.REGION:
            children = base.filter(region_id=place.code, is_upper_tier=True)
            label = "Upper-tier authorities"
        case AreaType.COMBINED_AUTHORITY:
            children = base.filter(combined_authority_id=place.code, is_upper_tier=True)
            label = "Member authorities"
        case AreaType.COUNTY:
            children = Place.objects.filter(upper_tier_id=place.code, is_lower_tier=True)
            if place.end_year is None:
                children = children.valid_in(year)
            label = "Districts"
        case _:
            children = base.filter(lower_tier_id=place.code, area_type=AreaType.LSOA)
            label = "Small areas"
    return Hierarchy(
        parents=parents, children=list(children.order_by("name")), children_label=label
    )


def place_similar_areas(*, place: Place) -> dict[str, list[Place]]:
    """ONS similar areas by kind, most similar first."""
    grouped: dict[str, list[Place]] = {kind.value: [] for kind in NeighbourKind}
    links = (
        SimilarArea.objects.filter(place=place).select_related("neighbour").order_by("kind", "rank")
    )
    for link in links:
        grouped[link.kind].append(link.neighbour)
    return grouped


def place_boundary(*, place: Place, year: int | None = None) -> Boundary | None:
    """The outline for the geography year, else the latest earlier one, else any."""
    year = year or geography_year()
    boundaries = Boundary.objects.filter(place=place)
    return (
        boundaries.filter(year__lte=year).order_by("-year").first()
        or boundaries.order_by("-year").first()
    )


def boundaries_for(*, codes: list[str], year: int | None = None) -> dict[str, Boundary]:
    """Outlines for several places in one query, one per place (nearest year at or before)."""
    year = year or geography_year()
    found: dict[str, Boundary] = {}
    for boundary in Boundary.objects.filter(place_id__in=codes).order_by("place_id", "-year"):
        current = found.get(boundary.place_id)
        if current is None or (current.year > year >= boundary.year):
            found[boundary.place_id] = boundary
    return found


def code_changes_for(*, code: str) -> tuple[list[CodeChange], list[CodeChange]]:
    """(changes that retired this code, changes that created it)."""
    retired = list(CodeChange.objects.filter(old_code=code))
    created = list(CodeChange.objects.filter(new_code=code))
    return retired, created


SUCCESSION_TYPES = (ChangeType.MERGER, ChangeType.NEW_CODE)


def code_successors(*, code: str) -> list[str]:
    """The current codes a retired code became (following chains); [] if it has none.

    Only mergers and code-only changes pass a place on; a termination (a county
    abolished when its districts became a unitary) has no single successor, and joining a
    combined authority does not retire a council.
    """
    frontier, seen, result = [code], {code}, []
    while frontier:
        current = frontier.pop()
        nexts = list(
            CodeChange.objects.filter(
                old_code=current, change_type__in=SUCCESSION_TYPES
            ).values_list("new_code", flat=True)
        )
        if not nexts and current != code:
            result.append(current)
        for nxt in nexts:
            if nxt and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return sorted(result)


def level_choices() -> list[tuple[str, str]]:
    return [(level.value, level.label) for level in Level if level != Level.SMALL_AREA]
