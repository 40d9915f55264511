"""Real data for scoring tests: the national releases (LSOA files cut short)."""

import csv
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from frameworks.definitions import load_definition
from frameworks.services import framework_sync_definition
from indicators.importing import import_source
from indicators.sources.fuel_poverty import FuelPovertySource
from indicators.sources.iod import Iod2025Source
from indicators.sources.ons_els import OnsElsSource
from indicators.sources.sdg import Pm25MortalitySource, WasteSource
from places.services import small_areas_load
from scoring import services


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The real files, with the LSOA files cut to 500 rows (councils are scored here)."""
    real = Path(settings.TPI_DATA_DIR)
    base = tmp_path_factory.mktemp("data")
    for folder in ("ons-els-indicators", "ons-sdg-extracts", "fuel-poverty-2010-2019"):
        shutil.copytree(real / folder, base / folder)
    iod = base / "iod-deprivation"
    iod.mkdir()
    shutil.copy(real / "iod-deprivation" / "imd2025_england_ltla24.csv", iod)
    for name in (
        "imd2025_england_lsoa21.csv",
        "imd2019_england_lsoa11.csv",
        "imd2019_wales_lsoa11.csv",
    ):
        with (real / "iod-deprivation" / name).open() as src, (iod / name).open("w") as dst:
            for index, line in enumerate(src):
                if index > 500:
                    break
                dst.write(line)
    (base / "mysociety-uk-ruc").mkdir()
    with (
        (real / "mysociety-uk-ruc" / "composite_ruc_lsoa.csv").open() as src,
        (base / "mysociety-uk-ruc" / "composite_ruc_lsoa.csv").open("w") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(reader))
    return base


def _load_and_score(data_dir):
    small_areas_load(base=data_dir, force=True)
    for source in (
        OnsElsSource(base=data_dir),
        Iod2025Source(base=data_dir),
        Pm25MortalitySource(base=data_dir),
        WasteSource(base=data_dir),
        FuelPovertySource(base=data_dir),
    ):
        import_source(source)
    version, _ = framework_sync_definition(load_definition("tpi_2024"), is_index=True)
    run = services.scoring_recompute(version=version, robustness=True)
    return version.pk, run.pk


def _wipe() -> None:
    from frameworks.models import Framework, FrameworkNode, FrameworkVersion
    from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation
    from places.models import AreaType, Place
    from scoring.models import Score, ScoreDriver, ScoreFlag, ScoringRun

    for model in (
        Score,
        ScoreDriver,
        ScoreFlag,
        ScoringRun,
        FrameworkNode,
        FrameworkVersion,
        Framework,
        Observation,
        ImportJob,
        DatasetRelease,
        Indicator,
        Dataset,
    ):
        model.objects.all().delete()
    Place.objects.filter(area_type=AreaType.LSOA).delete()


@pytest.fixture(scope="module")
def scored_ids(django_db_setup, django_db_blocker, data_dir):
    """Import the real releases and score TPI 2024 once per module (committed), then wipe."""
    with django_db_blocker.unblock():
        ids = _load_and_score(data_dir)
    yield ids
    with django_db_blocker.unblock():
        _wipe()


@pytest.fixture
def tpi_version(scored_ids, db):
    from frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(pk=scored_ids[0])


@pytest.fixture
def scored_run(scored_ids, db):
    from scoring.models import ScoringRun

    return ScoringRun.objects.get(pk=scored_ids[1])
