"""Celery wrappers around import jobs."""

from celery import shared_task

from indicators.jobs import import_job_execute


@shared_task(name="indicators.import_job", acks_late=True)
def import_job_task(job_id: int) -> dict[str, object]:
    job = import_job_execute(job_id)
    return {"job": job.pk, "status": job.status, "accepted": job.rows_accepted}
