"""Celery wrappers: recompute a framework's scores (idempotent: unchanged inputs are skipped)."""

from typing import Any

from celery import shared_task

from frameworks.models import Framework
from scoring.adapters import COUNCILS, SMALL_AREAS
from scoring.services import scoring_recompute

SCOPES = {"tpi-2024": COUNCILS, "iod-small-areas": SMALL_AREAS}


@shared_task(bind=True, name="scoring.recompute", acks_late=True, max_retries=3)
def scoring_recompute_task(self: Any, framework_key: str) -> dict[str, Any]:
    framework = Framework.objects.get(key=framework_key)
    version = framework.versions.order_by("-version").first()
    if version is None:
        return {"framework": framework_key, "status": "no version"}
    run = scoring_recompute(version=version, scope=SCOPES.get(framework_key, COUNCILS))
    worker = "eager" if self.request.is_eager else self.request.hostname
    return {"framework": framework_key, "run": run.pk, "status": run.status, "worker": worker}
