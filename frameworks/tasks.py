"""Celery wrapper: execute one queued scoring run of a bespoke framework.

The run row is created first (by ``frameworks.bespoke.bespoke_framework_score``) so its
page can show the status from the moment it is queued; the task only executes it.
"""

from typing import Any

from celery import shared_task

from scoring.models import ScoringRun
from scoring.services import scoring_run_execute


@shared_task(bind=True, name="frameworks.bespoke_score", acks_late=True, max_retries=3)
def bespoke_scoring_task(self: Any, run_id: int) -> dict[str, Any]:
    if not ScoringRun.objects.filter(pk=run_id).exists():
        return {"run": run_id, "status": "gone"}
    run = scoring_run_execute(run_id=run_id)
    worker = "eager" if self.request.is_eager else self.request.hostname
    return {"run": run.pk, "requested": run_id, "status": run.status, "worker": worker}
