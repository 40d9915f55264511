"""Shared fixtures: the real ONS geography is loaded once per test session."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from places.services import geography_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real geography into the test database once; tests roll back around it."""
    with django_db_blocker.unblock():
        geography_load(force=True)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _login_throttle_reset():
    """Every test client is 127.0.0.1: failed sign-ins in one test must not lock out the next."""
    from partnerships.auth_backends import login_failures_clear_all

    login_failures_clear_all()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def data_dir():
    return settings.TPI_DATA_DIR


@pytest.fixture
def eager_celery(monkeypatch):
    """Run tasks in-process even when CI points Celery at a real worker: the worker cannot
    see a test's uncommitted rows."""
    from tpi_site.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
