"""The real ONS geography loads completely, correctly, idempotently and atomically."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from places.models import AreaType, Boundary, CodeChange, NeighbourKind, Place, SimilarArea
from places.selectors import code_successors
from places.services import GeographyDataError, geography_load
from places.sources import DataFileMissingError

pytestmark = pytest.mark.django_db


def test_every_english_council_in_2024_is_loaded_at_both_tiers():
    in_2024 = Place.objects.valid_in(2024).filter(nation="E")

    assert in_2024.filter(is_upper_tier=True).count() == 153
    assert in_2024.filter(is_lower_tier=True).count() == 296
    assert in_2024.filter(area_type=AreaType.COUNTY).count() == 21
    assert in_2024.filter(area_type=AreaType.REGION).count() == 9
    assert Place.objects.filter(nation="W", is_lower_tier=True, end_year__isnull=True).count() == 22


def test_unitary_is_its_own_upper_tier_with_region_country_and_combined_authority():
    hartlepool = Place.objects.get(code="E06000001")

    assert hartlepool.name == "Hartlepool"
    assert hartlepool.area_type == AreaType.UNITARY
    assert hartlepool.is_upper_tier and hartlepool.is_lower_tier
    assert hartlepool.upper_tier_id == "E06000001"
    assert hartlepool.region_id == "E12000001"
    assert hartlepool.country_id == "E92000001"
    assert hartlepool.combined_authority_id == "E47000006"


def test_district_belongs_to_its_county_which_belongs_to_its_region():
    craven = Place.objects.select_related("upper_tier__region").get(code="E07000163")

    assert craven.end_year == 2022
    assert craven.upper_tier_id == "E10000023"
    assert craven.upper_tier is not None
    assert craven.upper_tier.region_id == "E12000003"
    assert Place.objects.filter(upper_tier_id="E10000023", is_lower_tier=True).count() == 7


@pytest.mark.parametrize(
    ("retired", "successors"),
    [
        ("E07000163", ["E06000065"]),  # Craven → North Yorkshire (2023)
        ("E07000028", ["E06000063"]),  # Carlisle → Cumberland (2023)
        ("E07000027", ["E06000064"]),  # Barrow-in-Furness → Westmorland and Furness (2023)
        ("E07000187", ["E06000066"]),  # Mendip → Somerset (2023)
        ("E08000016", ["E08000038"]),  # Barnsley, new code (2025)
        ("E10000023", []),  # North Yorkshire county: terminated, no single successor
        ("E06000001", []),  # Hartlepool: never retired
    ],
)
def test_retired_codes_resolve_to_their_successors(retired, successors):
    assert code_successors(code=retired) == successors


def test_rural_urban_class_clusters_population_and_core_cities_are_attached():
    hartlepool = Place.objects.get(code="E06000001")
    manchester = Place.objects.get(code="E08000003")

    assert hartlepool.rural_urban_class == "urban"
    assert (hartlepool.cluster_global, hartlepool.cluster_economic) == ("B", "A")
    assert hartlepool.population and 80_000 < hartlepool.population < 110_000
    assert manchester.is_core_city
    core_cities_2024 = Place.objects.valid_in(2024).filter(is_core_city=True, nation="E")
    assert sorted(core_cities_2024.values_list("name", flat=True)) == [
        "Birmingham",
        "Bristol, City of",
        "Leeds",
        "Liverpool",
        "Manchester",
        "Newcastle upon Tyne",
        "Nottingham",
        "Sheffield",
    ]


def test_areas_ons_left_out_of_a_clustering_have_no_cluster():
    scilly = Place.objects.get(code="E06000053")

    assert (scilly.cluster_global, scilly.cluster_economic, scilly.cluster_demographic) == (
        "",
        "",
        "C",
    )


def test_similar_areas_keep_the_ons_order_for_each_kind():
    global_neighbours = list(
        SimilarArea.objects.filter(place_id="E06000001", kind=NeighbourKind.GLOBAL)
        .order_by("rank")
        .values_list("neighbour_id", flat=True)
    )

    assert len(global_neighbours) == 20
    assert global_neighbours[:3] == ["E08000018", "E06000003", "E07000171"]
    assert SimilarArea.objects.filter(place_id="E06000001").count() == 60


def test_boundaries_exist_for_2024_and_2019_geographies():
    assert Boundary.objects.filter(place_id="E06000065", year=2024).exists()  # NY unitary
    assert Boundary.objects.filter(place_id="E10000023", year=2019).exists()  # NY county
    assert Boundary.objects.filter(place_id="E07000163", year=2019).exists()  # Craven
    assert not Boundary.objects.filter(place_id="E07000163", year=2024).exists()
    english_councils_2024 = Place.objects.valid_in(2024).filter(nation="E").councils()
    with_outline = english_councils_2024.filter(boundaries__year=2024).distinct().count()
    assert with_outline == english_councils_2024.count()
    geometry = Boundary.objects.get(place_id="E06000001", year=2024).geometry
    assert geometry["type"] in {"Polygon", "MultiPolygon"}


def test_second_load_with_unchanged_files_is_skipped():
    report = geography_load()

    assert report.skipped
    assert report.counts["england_lower_tier_2024"] == 296


def test_forced_reload_changes_nothing():
    before = (Place.objects.count(), SimilarArea.objects.count(), CodeChange.objects.count())

    report = geography_load(force=True)

    assert not report.skipped
    after = (Place.objects.count(), SimilarArea.objects.count(), CodeChange.objects.count())
    assert after == before


def _copy_data(tmp_path: Path) -> Path:
    base = tmp_path / "data"
    for folder in (
        "ons-els-geography",
        "ons-uk-topojson",
        "mysociety-uk-local-authorities",
        "mysociety-uk-ruc",
    ):
        shutil.copytree(Path(settings.TPI_DATA_DIR) / folder, base / folder)
    return base


def test_missing_file_is_named_in_the_error(tmp_path):
    base = _copy_data(tmp_path)
    (base / "ons-uk-topojson" / "changes.csv").unlink()

    with pytest.raises(
        DataFileMissingError, match=r"Missing data file: .*ons-uk-topojson/changes.csv"
    ):
        geography_load(base=base)


def test_a_bad_file_leaves_the_database_as_it_was(tmp_path):
    base = _copy_data(tmp_path)
    neighbours = base / "ons-els-geography" / "global-neighbours.csv"
    lines = neighbours.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[3], "E99999999", 1)
    neighbours.write_text("\n".join(lines) + "\n")
    Place.objects.filter(code="E06000001").update(name="Changed before the load")
    before = SimilarArea.objects.count()

    with pytest.raises(
        GeographyDataError,
        match=r"global-neighbours.csv line 6: unknown neighbour E99999999 of E06000005",
    ):
        geography_load(base=base, force=True)

    assert Place.objects.get(code="E06000001").name == "Changed before the load"
    assert SimilarArea.objects.count() == before
