"""Celery wrappers: parse arguments, call the service, return a JSON-able report."""

from typing import Any

from celery import shared_task

from places.services import geography_load


@shared_task(bind=True, name="places.geography_load")
def geography_load_task(self: Any, force: bool = False) -> dict[str, Any]:
    report = geography_load(force=force)
    worker = "eager" if self.request.is_eager else self.request.hostname
    return {**report.as_dict(), "worker": worker}
