"""Starting and running jobs. The Celery task is a thin shell around :func:`execute_job`."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.progress import JobRun
from jobs.registry import get_job_kind

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class JobError(Exception):
    """A failure whose message is meant for the user (in French)."""


def start_job(*, firm: Firm, kind: str, requested_by: User, params: dict | None = None) -> Job:
    """Record a job and hand it to the worker once the surrounding transaction commits."""
    from jobs.tasks import run_job

    get_job_kind(kind)  # an unknown kind fails here, not in the worker
    with transaction.atomic():
        job = Job.objects.create(
            firm=firm, kind=kind, params=params or {}, requested_by=requested_by
        )
        transaction.on_commit(lambda: run_job.delay(firm.pk, job.pk))
    return job


def execute_job(*, firm_id: int, job_id: int) -> None:
    """Run a job once. A duplicate delivery of a finished job does nothing; a job whose worker
    died mid-way is claimed again and redone from the start (job functions are idempotent)."""
    with firm_scope(firm_id):
        claimed = (
            Job.objects.for_firm(firm_id)
            .filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING])
            .update(
                status=Job.Status.RUNNING,
                attempts=F("attempts") + 1,
                started_at=Coalesce(F("started_at"), timezone.now()),
                progress=0,
            )
        )
        if not claimed:
            return
        job = Job.objects.for_firm(firm_id).get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        _finish(job, Job.Status.FAILED, error=f"Abandonné après {MAX_ATTEMPTS} tentatives.")
        return
    try:
        get_job_kind(job.kind).run(JobRun(job))
    except JobError as error:
        _finish(job, Job.Status.FAILED, error=str(error))
    except Exception:
        logger.exception("job %s (%s) of firm %s failed", job.pk, job.kind, firm_id)
        _finish(
            job, Job.Status.FAILED, error="Erreur inattendue : l'équipe technique est prévenue."
        )
        raise
    else:
        _finish(job, Job.Status.SUCCEEDED)


def _finish(job: Job, status: str, *, error: str = "") -> None:
    with firm_scope(job.firm_id):
        Job.objects.for_firm(job.firm_id).filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=status, error=error, finished_at=timezone.now()
        )
