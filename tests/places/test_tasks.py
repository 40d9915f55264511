"""The geography load as a Celery task: eager without REDIS_URL, on a real worker in CI."""

import pytest
from django.conf import settings

from places.models import Place
from places.tasks import geography_load_task


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_geography_load_task_loads_real_geography():
    result = geography_load_task.delay(force=True)
    report = result.get(timeout=settings.TPI_TEST_CELERY_TIMEOUT)

    assert report["skipped"] is False
    assert report["counts"]["england_lower_tier_2024"] == 296
    assert Place.objects.valid_in(2024).filter(nation="E", is_upper_tier=True).count() == 153
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert report["worker"] == "eager"
    else:
        # It ran in a separate worker process that reached the same database.
        assert report["worker"] != "eager"
        assert "@" in report["worker"]  # a worker node name, e.g. ci-worker@host
