"""Real national data for the bespoke-framework tests: only the releases Healthy housing
reads (ONS ELS, fuel poverty, IoD 2025 council summaries), loaded once per module.

Imported by the test modules that need it (``from tests.frameworks.healthy_housing_data
import national_data``); the IoD small-area file is cut to its header, since bespoke
frameworks are scored for councils.
"""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from indicators.importing import import_source
from indicators.sources.fuel_poverty import FuelPovertySource
from indicators.sources.iod import Iod2025Source
from indicators.sources.ons_els import OnsElsSource


def copy_national_files(base: Path) -> Path:
    real = Path(settings.TPI_DATA_DIR)
    for folder in ("ons-els-indicators", "fuel-poverty-2010-2019"):
        shutil.copytree(real / folder, base / folder)
    iod = base / "iod-deprivation"
    iod.mkdir()
    for name in ("imd2025_england_ltla24.csv", "imd2019_england_ltla23_subdomains.csv"):
        shutil.copy(real / "iod-deprivation" / name, iod)
    with (real / "iod-deprivation" / "imd2025_england_lsoa21.csv").open() as src:
        (iod / "imd2025_england_lsoa21.csv").write_text(src.readline())
    return base


def import_national(base: Path) -> None:
    for source in (OnsElsSource(base=base), Iod2025Source(base=base), FuelPovertySource(base=base)):
        import_source(source)


def wipe_catalogue() -> None:
    """Remove everything these tests commit, leaving the session's geography."""
    from django.contrib.auth import get_user_model

    from frameworks.models import Framework, FrameworkNode, FrameworkVersion
    from indicators.models import Dataset, DatasetRelease, ImportJob, Indicator, Observation
    from partnerships.models import (
        AuditEvent,
        Membership,
        Organisation,
        Outcome,
        Partnership,
    )
    from scoring.models import Score, ScoreDriver, ScoreFlag, ScoringRun

    for model in (
        Score,
        ScoreDriver,
        ScoreFlag,
        ScoringRun,
        Outcome,
        FrameworkNode,
        FrameworkVersion,
        Framework,
        Observation,
        ImportJob,
        DatasetRelease,
        Indicator,
        Dataset,
        AuditEvent,
        Membership,
        Partnership,
        Organisation,
    ):
        model.objects.all().delete()
    get_user_model().objects.all().delete()


@pytest.fixture(scope="module")
def national_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """Import the real releases once per module (committed), then wipe them."""
    files = copy_national_files(tmp_path_factory.mktemp("national"))
    with django_db_blocker.unblock():
        import_national(files)
    yield files
    with django_db_blocker.unblock():
        wipe_catalogue()
