"""Import jobs: a file saved, a task dispatched after commit, progress, the report kept.

Progress lives in the cache (Redis in production) because the import's own writes are
inside one transaction that nobody else can see until it commits.
"""

import logging
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from indicators.importing import ImportRejectedError, Source, import_source
from indicators.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

PROGRESS_TTL = 6 * 3600


class FileFormatError(ValueError):
    """The file as a whole cannot be read (type, size, encoding, header...)."""


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """Rows done and total: live from the cache while running, from the row afterwards."""
    done, total = job.rows_done, job.rows_total
    if job.status in {ImportStatus.PENDING, ImportStatus.RUNNING}:
        live = cache.get(_progress_key(job.pk))
        if live:
            done, total = live
    percent = min(100, round(100 * done / total)) if total else None
    return {"status": job.status, "rows_done": done, "rows_total": total, "percent": percent}


def import_job_create(
    *,
    kind: str,
    uploaded_file: UploadedFile | None = None,
    options: dict[str, Any] | None = None,
    user: Any = None,
    partnership: Any = None,
) -> ImportJob:
    """Save the file and queue the import to run once this transaction commits.

    ``partnership`` owns a local upload: its dataset, and who may see the job. Callers check
    the person's role first (``partnerships.visibility.require_role``)."""
    from indicators.tasks import import_job_task

    job = ImportJob(
        kind=kind,
        options=options or {},
        created_by=user if user and user.pk else None,
        partnership=partnership,
    )
    if uploaded_file is not None:
        job.original_name = Path(uploaded_file.name or "upload").name[:255]
        job.file.save(job.original_name, uploaded_file, save=False)
    job.save()
    transaction.on_commit(lambda: import_job_task.delay(job.pk))
    return job


def source_for_job(job: ImportJob) -> Source:
    """The adapter that reads this job's file."""
    from indicators.sources.registry import source_for

    return source_for(job)


def import_job_execute(job_id: int) -> ImportJob:
    """Run one job; whatever happens, the job row ends with a status and a report."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in {ImportStatus.PENDING, ImportStatus.RUNNING}:
        return job  # already finished: a retried task must not import twice
    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int | None) -> None:
        cache.set(_progress_key(job.pk), (done, total), PROGRESS_TTL)

    try:
        source = source_for_job(job)
        total = source.estimate_rows()
        job.rows_total = total
        progress(0, total)
        report = import_source(source, progress=progress)
    except FileFormatError as error:
        job.status = ImportStatus.REJECTED
        job.error = str(error)
        job.report = {"status": "rejected", "message": str(error), "rejected": []}
    except ImportRejectedError as rejected:
        job.status = ImportStatus.REJECTED
        job.error = rejected.report.message
        job.report = rejected.report.as_dict()
        job.rows_done = rejected.report.rows_read
        job.rows_rejected = rejected.report.rows_rejected
        job.rows_accepted = 0
    except Exception as error:
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.error = f"{type(error).__name__}: {error}"
        job.report = {"status": "failed", "message": job.error, "rejected": []}
    else:
        job.status = ImportStatus.UNCHANGED if report.status == "unchanged" else ImportStatus.DONE
        job.report = report.as_dict()
        job.rows_done = report.rows_read
        job.rows_accepted = report.rows_accepted
        job.rows_rejected = report.rows_rejected
        job.release_id = report.release_id
        job.dataset_id = job.dataset_id or (
            job.release.dataset_id if job.release_id and job.release else None
        )
    job.finished_at = timezone.now()
    job.save()
    cache.delete(_progress_key(job.pk))
    return job
