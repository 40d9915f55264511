"""Every real national dataset goes through the one pipeline, with provenance and reports.

To keep the suite quick, the large files are cut to a slice of real rows in a temporary
data directory (same folders, same columns); the small ones are used whole.
"""

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from indicators.importing import ObservationWriter, import_source
from indicators.models import DatasetRelease, Indicator, Observation
from indicators.sources.fuel_poverty import FuelPovertySource
from indicators.sources.iod import Iod2025Source
from indicators.sources.ons_els import OnsElsSource
from indicators.sources.sdg import Pm25MortalitySource, WasteSource
from places.models import Place
from places.services import small_areas_load

pytestmark = pytest.mark.django_db

ELS_PLACES = {"E06000001", "E06000002", "E92000001", "E12000001", "E07000163", "TLC31", "E23000013"}


def _slice_csv(source: Path, target: Path, keep, *, gz: bool = False) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if gz else open
    with (
        opener(source, "rt", newline="", encoding="utf-8") as src,
        opener(target, "wt", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        for index, row in enumerate(reader):
            if keep(index, dict(zip(header, row, strict=False))):
                writer.writerow(row)


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory):
    real = Path(settings.TPI_DATA_DIR)
    base = tmp_path_factory.mktemp("data")
    els = base / "ons-els-indicators"
    els.mkdir()
    shutil.copytree(real / "ons-els-indicators" / "metadata", els / "metadata")
    shutil.copy(real / "ons-els-indicators" / "indicators.csv", els / "indicators.csv")
    _slice_csv(
        real / "ons-els-indicators" / "observations.csv.gz",
        els / "observations.csv.gz",
        lambda i, row: row["areacd"] in ELS_PLACES,
        gz=True,
    )
    iod = base / "iod-deprivation"
    iod.mkdir()
    shutil.copy(real / "iod-deprivation" / "imd2025_england_ltla24.csv", iod)
    for name in (
        "imd2025_england_lsoa21.csv",
        "imd2019_england_lsoa11.csv",
        "imd2019_wales_lsoa11.csv",
    ):
        _slice_csv(real / "iod-deprivation" / name, iod / name, lambda i, row: i < 300)
    _slice_csv(
        real / "mysociety-uk-ruc" / "composite_ruc_lsoa.csv",
        base / "mysociety-uk-ruc" / "composite_ruc_lsoa.csv",
        lambda i, row: row["lsoa"][:3] in {"E01", "W01"} and i < 2000,
    )
    for folder in ("ons-sdg-extracts", "fuel-poverty-2010-2019"):
        shutil.copytree(real / folder, base / folder)
    return base


def _state() -> tuple[int, int]:
    return Observation.objects.count(), DatasetRelease.objects.count()


def test_ons_els_values_keep_interval_and_provenance(data_slice):
    report = import_source(OnsElsSource(base=data_slice))

    satisfaction = Indicator.objects.get(source_key="personal-wellbeing-estimates::Satisfaction")
    observation = Observation.objects.select_related("release").get(
        indicator=satisfaction, place_id="E06000001", period_start="2022-04-01"
    )
    assert observation.value == pytest.approx(7.29, abs=0.005)
    assert observation.value is not None
    assert observation.lower_ci is not None and observation.upper_ci is not None
    assert observation.lower_ci < observation.value < observation.upper_ci
    assert observation.period_label == "2022/23"
    assert observation.release.is_current
    assert observation.release.dataset.slug == "ons-els"
    assert satisfaction.polarity == "higher_better"
    assert satisfaction.source_organisation == "Office for National Statistics"
    assert satisfaction.release_date is not None
    assert report.rows_accepted > 1000
    # The line recorded is the line of the (sliced) file the value came from.
    with gzip.open(data_slice / "ons-els-indicators" / "observations.csv.gz", "rt") as handle:
        lines = handle.read().splitlines()
    assert "Satisfaction" in lines[observation.source_line - 1]
    assert "E06000001" in lines[observation.source_line - 1]


def test_ons_els_rows_for_geographies_we_do_not_hold_are_reported(data_slice):
    report = import_source(OnsElsSource(base=data_slice))

    reasons = {r["reason"] for r in report.rejected}
    assert "geography not held: ITL Level 3 regions" in reasons
    assert "geography not held: police force areas" in reasons
    assert report.rows_read == report.rows_accepted + report.rows_rejected


def test_reimporting_the_same_release_changes_nothing(data_slice):
    import_source(FuelPovertySource(base=data_slice))
    before = _state()

    again = import_source(FuelPovertySource(base=data_slice))

    assert again.status == "unchanged"
    assert "already imported" in again.message
    assert _state() == before


def test_a_new_release_supersedes_the_old_which_stays_queryable(data_slice, tmp_path):
    first = import_source(FuelPovertySource(base=data_slice))
    changed = tmp_path / "data"
    shutil.copytree(data_slice / "fuel-poverty-2010-2019", changed / "fuel-poverty-2010-2019")
    path = changed / "fuel-poverty-2010-2019" / "fuelpoverty_la_2010_2019.csv"
    path.write_text(
        path.read_text().replace(
            "Basildon,E07000066,East of England,13,", "Basildon,E07000066,East of England,14,"
        )
    )

    second = import_source(FuelPovertySource(base=changed))

    assert first.release_id is not None and second.release_id is not None
    assert second.release_id != first.release_id
    old = DatasetRelease.objects.get(pk=first.release_id)
    new = DatasetRelease.objects.get(pk=second.release_id)
    assert not old.is_current and new.is_current
    values = dict(
        Observation.objects.filter(
            place_id="E07000066", indicator__slug="fuel-poverty-lihc", period_start="2010-01-01"
        ).values_list("release_id", "value")
    )
    assert values == {first.release_id: 13.0, second.release_id: 14.0}


def test_a_failure_part_way_leaves_the_database_as_it_was(data_slice, monkeypatch):
    before = _state()
    calls = {"n": 0}
    original = ObservationWriter.write

    def fail_on_second_chunk(self, frame):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, frame)

    monkeypatch.setattr(ObservationWriter, "write", fail_on_second_chunk)

    with pytest.raises(RuntimeError, match="disk full"):
        import_source(FuelPovertySource(base=data_slice))

    assert _state() == before
    assert not Indicator.objects.filter(slug="fuel-poverty-lihc").exists()


def test_fuel_poverty_keeps_the_break_in_series_as_two_indicators(data_slice):
    import_source(FuelPovertySource(base=data_slice))

    barking_2019 = Observation.objects.get(
        place_id="E09000002", indicator__slug="fuel-poverty-lilee", period_start="2019-01-01"
    )
    assert barking_2019.value == pytest.approx(22.5, abs=0.05)
    assert not Observation.objects.filter(
        indicator__slug="fuel-poverty-lihc", period_start="2019-01-01"
    ).exists()


def test_pm25_keeps_local_values_and_reports_decile_breakdowns(data_slice):
    report = import_source(Pm25MortalitySource(base=data_slice))

    city = Observation.objects.get(
        place_id="E09000001",
        indicator__slug="pm25-attributable-mortality-new-method",
        period_start="2021-01-01",
    )
    assert city.value == pytest.approx(7.25, abs=0.01)
    assert report.rejection_reasons["breakdown by deprivation decile not held"] == 70


def test_waste_authorities_are_matched_by_name(data_slice):
    report = import_source(WasteSource(base=data_slice))

    assert Observation.objects.filter(
        place_id="E09000004", indicator__slug="waste-share-landfill"
    ).exists()  # "Bexley LB"
    reasons = {r["reason"] for r in report.rejected}
    assert (
        "unknown place name 'East London Waste Authority' (give a GSS code or a council name)"
        in reasons
    )


def test_iod_2025_councils_and_small_areas(data_slice):
    small_areas_load(base=data_slice, force=True)

    report = import_source(Iod2025Source(base=data_slice))

    blackpool = Observation.objects.get(
        place_id="E06000009", indicator__slug="iod2025-imd-average-score"
    )
    assert blackpool.value == pytest.approx(43.5, abs=0.1)
    lsoa = Place.objects.get(code="E01000001")
    assert lsoa.area_type == "lsoa"
    assert Observation.objects.filter(place=lsoa, indicator__slug="iod2025-lsoa-imd-score").exists()
    assert report.rows_rejected == 0
