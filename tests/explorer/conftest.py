"""Explorer tests reuse the real scored run; the app and its URLs are added if the lead has
not wired them in yet."""

import pytest
from django.urls import include, path

from tests.scoring.conftest import data_dir, scored_ids, scored_run, tpi_version  # noqa: F401
from tpi_site.urls import urlpatterns as site_urlpatterns


def _wired() -> bool:
    return any(getattr(p, "namespace", None) == "explorer" for p in site_urlpatterns)


urlpatterns = (
    site_urlpatterns
    if _wired()
    else [
        *site_urlpatterns,
        path("", include(("explorer.map_urls", "explorer"), namespace="explorer")),
    ]
)


@pytest.fixture(autouse=True)
def _explorer_wired(settings):
    if "explorer" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "explorer"]
    settings.ROOT_URLCONF = "tests.explorer.conftest"
