"""Writes for places: load the real ONS geography and everything attached to it.

``geography_load`` reads every source file, validates and assembles the rows in memory
(a few thousand), and only then writes them in one transaction, so a bad file leaves
the database as it was. It is idempotent: the same files produce the same rows, and a
second run with unchanged files is skipped by checksum.
"""

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from places.models import (
    AreaType,
    Boundary,
    ChangeType,
    CodeChange,
    NeighbourKind,
    Place,
    PlaceName,
    RuralUrbanClass,
    SimilarArea,
    SourceLoad,
)
from places.sources import checksum, data_dir, data_file

logger = logging.getLogger(__name__)

GEOGRAPHY_SOURCE = "geography"

AREAS_CSV = "ons-els-geography/areas.csv"
CLUSTERS_CSV = "ons-els-geography/cluster-allocation.csv"
NEIGHBOURS_CSV = "ons-els-geography/{kind}-neighbours.csv"
CHANGES_CSV = "ons-uk-topojson/changes.csv"
MYSOCIETY_CSV = "mysociety-uk-local-authorities/uk_local_authorities_future.csv"
RUC_CSV = "mysociety-uk-ruc/la_ruc.csv"
NAME_LOOKUP_CSV = "mysociety-uk-local-authorities/lookup_name_to_registry.csv"
# (file, layer, boundary year). Regions and countries have not changed since 2016.
BOUNDARY_FILES = (
    ("ons-uk-topojson/ctry.geojson", "ctry", 2024),
    ("ons-uk-topojson/rgn.geojson", "rgn", 2024),
    ("ons-uk-topojson/cauth_2024.geojson", "cauth", 2024),
    ("ons-uk-topojson/utla_2024.geojson", "utla", 2024),
    ("ons-uk-topojson/ltla_2024.geojson", "ltla", 2024),
    ("ons-uk-topojson/utla_2019.geojson", "utla", 2019),
    ("ons-uk-topojson/ltla_2019.geojson", "ltla", 2019),
)

AREA_TYPE_BY_PREFIX = {
    "K02": AreaType.UK,
    "E92": AreaType.COUNTRY,
    "W92": AreaType.COUNTRY,
    "S92": AreaType.COUNTRY,
    "N92": AreaType.COUNTRY,
    "E12": AreaType.REGION,
    "E47": AreaType.COMBINED_AUTHORITY,
    "E11": AreaType.METROPOLITAN_COUNTY,
    "E10": AreaType.COUNTY,
    "E06": AreaType.UNITARY,
    "E08": AreaType.METROPOLITAN_DISTRICT,
    "E09": AreaType.LONDON_BOROUGH,
    "E07": AreaType.DISTRICT,
    "W06": AreaType.WELSH_UNITARY,
    "S12": AreaType.SCOTTISH_COUNCIL,
    "N09": AreaType.NI_DISTRICT,
    "E01": AreaType.LSOA,
    "W01": AreaType.LSOA,
}

RUC_LABELS = {
    "Urban": RuralUrbanClass.URBAN,
    "Urban with rural areas": RuralUrbanClass.URBAN_WITH_RURAL,
    "Rural": RuralUrbanClass.RURAL,
    "Sparse and rural": RuralUrbanClass.SPARSE_AND_RURAL,
}

# Core Cities UK members (mySociety SOURCE.md); matched on mySociety's short name.
CORE_CITY_NAMES = frozenset(
    {
        "Belfast",
        "Birmingham",
        "Bristol",
        "City of Bristol",
        "Cardiff",
        "Glasgow",
        "Glasgow City",
        "Leeds",
        "Liverpool",
        "Manchester",
        "Newcastle upon Tyne",
        "Nottingham",
        "Sheffield",
    }
)

# How far the boundary layers outrank each other when a place appears in several
# (a unitary is in both utla and ltla): keep one outline per place and year.
LAYER_PREFERENCE = {"ltla": 0, "utla": 1, "cauth": 2, "rgn": 3, "ctry": 4}


class GeographyDataError(ValueError):
    """The source files disagree with themselves or with what the loader expects."""


@dataclass
class GeographyLoadReport:
    skipped: bool = False
    checksum: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "counts": self.counts, "warnings": self.warnings}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _year(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _float(value: str | None) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def geography_source_paths(base: Path | None = None) -> list[Path]:
    relatives = [AREAS_CSV, CLUSTERS_CSV, CHANGES_CSV, MYSOCIETY_CSV, RUC_CSV, NAME_LOOKUP_CSV]
    relatives += [NEIGHBOURS_CSV.format(kind=kind.value) for kind in NeighbourKind]
    relatives += [name for name, _, _ in BOUNDARY_FILES]
    return [data_file(relative, base=base) for relative in relatives]


def _build_places(base: Path, report: GeographyLoadReport) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for line, row in enumerate(_read_csv(data_file(AREAS_CSV, base=base)), start=2):
        code = row["areacd"].strip()
        area_type = AREA_TYPE_BY_PREFIX.get(code[:3])
        if area_type is None:
            raise GeographyDataError(f"{AREAS_CSV} line {line}: unknown GSS prefix in {code!r}")
        levels = set(filter(None, row["levels"].split("|")))
        region_code = row["rgn_cd"] if row["rgn_cd"].startswith("E12") else ""
        places[code] = Place(
            code=code,
            name=row["areanm"].strip(),
            area_type=area_type,
            nation=code[0],
            is_upper_tier="utla" in levels,
            is_lower_tier="ltla" in levels,
            start_year=_year(row["start"]),
            end_year=_year(row["end"]),
            country_id=row["ctry_cd"] or None,
            region_id=region_code or None,
            combined_authority_id=row["cauth_cd"] or None,
            upper_tier_id=row["utla_cd"] or None,
        )
    for place in places.values():
        for attr in ("country_id", "region_id", "combined_authority_id", "upper_tier_id"):
            parent = getattr(place, attr)
            if parent and parent not in places:
                raise GeographyDataError(
                    f"{AREAS_CSV}: {place.code} names parent {parent} which is not in the file"
                )
    # Metropolitan counties (E11) carry no parents in the file: take them from members.
    for place in places.values():
        if place.area_type == AreaType.METROPOLITAN_COUNTY:
            place.country_id = "E92000001"
    return places


def _attach_mysociety(
    base: Path, places: dict[str, Place], changes: list[CodeChange]
) -> dict[str, str]:
    """Population, area, centroid, register code and core-city flag; returns code→register."""
    rows = _read_csv(data_file(MYSOCIETY_CSV, base=base))
    by_gss = {row["gss-code"]: row for row in rows if row["gss-code"]}
    # A code-only change keeps the council: let the new code find the old one's row.
    for change in changes:
        is_new_code = change.change_type == ChangeType.NEW_CODE
        if is_new_code and change.new_code not in by_gss and change.old_code in by_gss:
            by_gss[change.new_code] = by_gss[change.old_code]
    register: dict[str, str] = {}
    for code, place in places.items():
        row = by_gss.get(code)
        if row is None:
            continue
        register[code] = row["local-authority-code"]
        place.register_code = row["local-authority-code"]
        population = _float(row.get("pop-2020"))
        if population is not None:
            place.population = round(population)
            place.population_year = 2020
        place.area_km2 = _float(row.get("area"))
        place.latitude = _float(row.get("lat"))
        place.longitude = _float(row.get("long"))
        place.is_core_city = row["nice-name"] in CORE_CITY_NAMES and place.is_lower_tier
    return register


def _attach_rural_urban(
    base: Path, places: dict[str, Place], register: dict[str, str], report: GeographyLoadReport
) -> None:
    by_register = {
        row["local-authority-code"]: row for row in _read_csv(data_file(RUC_CSV, base=base))
    }
    for line, row in enumerate(by_register.values(), start=2):
        if row["ruc-cluster-label"] not in RUC_LABELS:
            raise GeographyDataError(
                f"{RUC_CSV} line {line}: unknown class {row['ruc-cluster-label']!r}"
            )
    for code, reg in register.items():
        ruc = by_register.get(reg)
        if ruc is None:
            continue
        place = places[code]
        place.rural_urban_class = RUC_LABELS[ruc["ruc-cluster-label"]]
        place.share_highly_rural = _float(ruc["highly-rural"])
        place.share_rural = _float(ruc["rural"])
        place.share_urban = _float(ruc["urban"])


CLUSTER_COLUMNS = {
    "Global": "cluster_global",
    "Economic": "cluster_economic",
    "Demographic": "cluster_demographic",
}
CLUSTER_LETTERS = frozenset("ABCD")
NOT_ALLOCATED = "[X]"  # ONS's marker for an area left out of a clustering (Scilly, City)


def _attach_clusters(base: Path, places: dict[str, Place]) -> None:
    for line, row in enumerate(_read_csv(data_file(CLUSTERS_CSV, base=base)), start=2):
        place = places.get(row["AREACD"])
        if place is None:
            raise GeographyDataError(f"{CLUSTERS_CSV} line {line}: unknown area {row['AREACD']}")
        for column, attr in CLUSTER_COLUMNS.items():
            value = row[column].strip().upper()
            if value == NOT_ALLOCATED:
                value = ""
            elif value not in CLUSTER_LETTERS:
                raise GeographyDataError(
                    f"{CLUSTERS_CSV} line {line}: {column} cluster {value!r} is not A-D or [x]"
                )
            setattr(place, attr, value)


def _build_names(base: Path, places: dict[str, Place], register: dict[str, str]) -> list[PlaceName]:
    """Name variants → councils, preferring the council in use when a code was reused."""
    by_register: dict[str, str] = {}
    for code, reg in sorted(register.items(), key=lambda item: places[item[0]].end_year or 9999):
        by_register[reg] = code  # later (current) councils overwrite retired ones
    names: dict[str, str] = {}
    for row in _read_csv(data_file(NAME_LOOKUP_CSV, base=base)):
        found = by_register.get(row["local-authority-code"])
        if found:
            names[row["la-name"].strip().lower()] = found
    for code, place in places.items():
        if place.is_upper_tier or place.is_lower_tier:
            names.setdefault(place.name.strip().lower(), code)
    return [PlaceName(name=name, place_id=code) for name, code in sorted(names.items())]


def _build_changes(base: Path) -> list[CodeChange]:
    changes = []
    for line, row in enumerate(_read_csv(data_file(CHANGES_CSV, base=base)), start=2):
        if row["type"] not in ChangeType.values:
            raise GeographyDataError(f"{CHANGES_CSV} line {line}: unknown change {row['type']!r}")
        changes.append(
            CodeChange(
                old_code=row["oldcd"].strip(),
                old_name=row["oldnm"].strip(),
                new_code=row["newcd"].strip(),
                new_name=row["newnm"].strip(),
                change_type=row["type"],
                year=int(row["start"]),
            )
        )
    return changes


def _build_neighbours(base: Path, places: dict[str, Place]) -> list[SimilarArea]:
    neighbours = []
    for kind in NeighbourKind:
        relative = NEIGHBOURS_CSV.format(kind=kind.value)
        for line, row in enumerate(_read_csv(data_file(relative, base=base)), start=2):
            code = row.pop("AREACD")
            if code not in places:
                raise GeographyDataError(f"{relative} line {line}: unknown area {code}")
            ranked = sorted(
                ((int(rank), value) for rank, value in row.items() if value), key=lambda x: x[0]
            )
            for rank, neighbour in ranked:
                if neighbour not in places:
                    raise GeographyDataError(
                        f"{relative} line {line}: unknown neighbour {neighbour} of {code}"
                    )
                neighbours.append(
                    SimilarArea(place_id=code, neighbour_id=neighbour, kind=kind, rank=rank)
                )
    return neighbours


def _build_boundaries(
    base: Path, places: dict[str, Place], changes: list[CodeChange]
) -> list[Boundary]:
    chosen: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {}
    for relative, layer, year in BOUNDARY_FILES:
        with data_file(relative, base=base).open(encoding="utf-8") as handle:
            collection = json.load(handle)
        for feature in collection["features"]:
            code = feature["properties"]["areacd"]
            if code not in places:
                raise GeographyDataError(f"{relative}: boundary for unknown area {code}")
            key = (code, year)
            previous = chosen.get(key)
            if previous is None or LAYER_PREFERENCE[layer] < LAYER_PREFERENCE[previous[0]]:
                chosen[key] = (layer, feature["geometry"])
    # A new code for the same area (Barnsley, Sheffield 2025) keeps the old outline.
    for change in changes:
        if change.change_type != ChangeType.NEW_CODE or change.new_code not in places:
            continue
        for (code, year), value in list(chosen.items()):
            if code == change.old_code and (change.new_code, year) not in chosen:
                chosen[(change.new_code, year)] = value
    return [
        Boundary(place_id=code, year=year, layer=layer, geometry=geometry)
        for (code, year), (layer, geometry) in sorted(chosen.items())
    ]


PLACE_UPDATE_FIELDS = [
    f.name
    for f in Place._meta.concrete_fields
    if not f.primary_key and f.name not in {"lower_tier"}
]


def _write(
    places: dict[str, Place],
    changes: list[CodeChange],
    neighbours: list[SimilarArea],
    boundaries: list[Boundary],
) -> None:
    Place.objects.bulk_create(
        list(places.values()),
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=PLACE_UPDATE_FIELDS,
    )
    CodeChange.objects.all().delete()
    CodeChange.objects.bulk_create(changes)
    SimilarArea.objects.all().delete()
    SimilarArea.objects.bulk_create(neighbours, batch_size=1000)
    Boundary.objects.filter(layer__in=LAYER_PREFERENCE).delete()
    Boundary.objects.bulk_create(boundaries, batch_size=50)


def geography_load(*, base: Path | None = None, force: bool = False) -> GeographyLoadReport:
    """Load (or refresh) the ONS geography; skip when the files are unchanged."""
    base = base if base is not None else data_dir()
    report = GeographyLoadReport()
    paths = geography_source_paths(base)
    report.checksum = checksum(paths)
    previous = SourceLoad.objects.filter(source=GEOGRAPHY_SOURCE).first()
    if previous and previous.checksum == report.checksum and not force:
        report.skipped = True
        report.counts = previous.summary.get("counts", {})
        return report

    changes = _build_changes(base)
    places = _build_places(base, report)
    register = _attach_mysociety(base, places, changes)
    _attach_rural_urban(base, places, register, report)
    _attach_clusters(base, places)
    neighbours = _build_neighbours(base, places)
    boundaries = _build_boundaries(base, places, changes)
    names = _build_names(base, places, register)

    report.counts = _count(places, neighbours, boundaries, changes)
    report.counts["name_variants"] = len(names)
    with transaction.atomic(durable=True):
        _write(places, changes, neighbours, boundaries)
        PlaceName.objects.all().delete()
        PlaceName.objects.bulk_create(names, batch_size=1000)
        SourceLoad.objects.update_or_create(
            source=GEOGRAPHY_SOURCE,
            defaults={"checksum": report.checksum, "summary": report.as_dict()},
        )
    logger.info("Geography loaded: %s", report.counts)
    return report


def _count(
    places: dict[str, Place],
    neighbours: list[SimilarArea],
    boundaries: list[Boundary],
    changes: list[CodeChange],
) -> dict[str, int]:
    england_2024 = [
        p
        for p in places.values()
        if p.nation == "E"
        and (p.start_year is None or p.start_year <= 2024)
        and (p.end_year is None or p.end_year >= 2024)
    ]
    return {
        "places": len(places),
        "countries": sum(p.area_type == AreaType.COUNTRY for p in places.values()),
        "english_regions": sum(p.area_type == AreaType.REGION for p in places.values()),
        "combined_authorities": sum(
            p.area_type == AreaType.COMBINED_AUTHORITY for p in places.values()
        ),
        "england_upper_tier_2024": sum(p.is_upper_tier for p in england_2024),
        "england_lower_tier_2024": sum(p.is_lower_tier for p in england_2024),
        "england_counties_2024": sum(p.area_type == AreaType.COUNTY for p in england_2024),
        "wales_councils": sum(
            p.nation == "W" and p.is_lower_tier and p.end_year is None for p in places.values()
        ),
        "retired_codes": sum(p.end_year is not None for p in places.values()),
        "code_changes": len(changes),
        "similar_area_links": len(neighbours),
        "boundaries": len(boundaries),
    }


SMALL_AREAS_SOURCE = "small-areas"
LSOA21_ENGLAND = "iod-deprivation/imd2025_england_lsoa21.csv"
LSOA11_ENGLAND = "iod-deprivation/imd2019_england_lsoa11.csv"
LSOA11_WALES = "iod-deprivation/imd2019_wales_lsoa11.csv"
LSOA_RUC = "mysociety-uk-ruc/composite_ruc_lsoa.csv"
LSOA_RUC_CLASSES = {
    "0": RuralUrbanClass.URBAN,
    "1": RuralUrbanClass.RURAL,
    "2": RuralUrbanClass.SPARSE_AND_RURAL,
}


def small_areas_load(*, base: Path | None = None, force: bool = False) -> GeographyLoadReport:
    """Create LSOA places (2011 and 2021 editions) from the codes the IoD files use.

    A code kept from 2011 into 2021 is one place; a 2011 code dropped in 2021 ends in 2020.
    Population and the urban/rural/highly-rural class come from mySociety's composite
    (2011 LSOAs). No LSOA-to-council lookup is among the public files we hold, so
    ``lower_tier`` stays empty until one is added.
    """
    base = base if base is not None else data_dir()
    paths = [
        data_file(p, base=base) for p in (LSOA21_ENGLAND, LSOA11_ENGLAND, LSOA11_WALES, LSOA_RUC)
    ]
    report = GeographyLoadReport(checksum=checksum(paths))
    previous = SourceLoad.objects.filter(source=SMALL_AREAS_SOURCE).first()
    if previous and previous.checksum == report.checksum and not force:
        report.skipped = True
        report.counts = previous.summary.get("counts", {})
        return report

    def codes(relative: str, column: str) -> set[str]:
        with data_file(relative, base=base).open(newline="", encoding="utf-8-sig") as handle:
            found = {row[column].strip() for row in csv.DictReader(handle)}
        bad = sorted(c for c in found if AREA_TYPE_BY_PREFIX.get(c[:3]) != AreaType.LSOA)
        if bad:
            raise GeographyDataError(f"{relative}: {bad[0]} is not an LSOA code")
        return found

    codes_2021 = codes(LSOA21_ENGLAND, "lsoa21_code")
    codes_2011 = codes(LSOA11_ENGLAND, "lsoa11_code") | codes(LSOA11_WALES, "lsoa11_code")
    ruc = {row["lsoa"]: row for row in _read_csv(data_file(LSOA_RUC, base=base))}
    areas = []
    for code in sorted(codes_2011 | codes_2021):
        extra = ruc.get(code, {})
        population = _float(extra.get("pop"))
        areas.append(
            Place(
                code=code,
                name=code,
                area_type=AreaType.LSOA,
                nation=code[0],
                start_year=2011 if code in codes_2011 else 2021,
                end_year=None if code in codes_2021 or code.startswith("W") else 2020,
                country_id="E92000001" if code.startswith("E") else "W92000004",
                population=round(population) if population is not None else None,
                population_year=2011 if population is not None else None,
                area_km2=_float(extra.get("area")),
                rural_urban_class=LSOA_RUC_CLASSES.get(extra.get("ukruc-3", ""), ""),
            )
        )
    with transaction.atomic(durable=True):
        Place.objects.bulk_create(
            areas,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name",
                "area_type",
                "nation",
                "start_year",
                "end_year",
                "country",
                "population",
                "population_year",
                "area_km2",
                "rural_urban_class",
            ],
        )
        report.counts = {
            "lsoa_2011": len(codes_2011),
            "lsoa_2021_england": len(codes_2021),
            "lsoa_places": len(areas),
            "lsoa_retired_2021": sum(a.end_year is not None for a in areas),
        }
        SourceLoad.objects.update_or_create(
            source=SMALL_AREAS_SOURCE,
            defaults={"checksum": report.checksum, "summary": report.as_dict()},
        )
    return report
