"""Starting, running, cancelling, rerunning and sweeping jobs. The Celery tasks are thin shells
around :func:`execute_job` and :func:`sweep_stalled_jobs`.

Every change of state is one conditional UPDATE (exactly-once claiming): a job is claimed by one
run only, from the queue (pending, or interrupted and requeued); a running job is finished only by
the run that owns it (same attempt number); the sweeper acts only on a run whose heartbeat is the
one it saw. Whoever loses the race does nothing.

A job's task is published when the transaction that queued it commits, through
:func:`jobs.broker.publish` (bounded, never raises): with the broker down, the request answers
and the job stays pending; the sweeper hands over again the jobs queued for longer than
:data:`REDISPATCH_AFTER` (their task was never published, or was lost with a dead worker or a
restarted broker), and a duplicate task does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs import broker
from jobs.models import FILE_DELETED_AT, Job
from jobs.progress import JobRun, JobStopped
from jobs.registry import DEFAULT_STALLED_AFTER, get_job_kind, job_kinds

logger = logging.getLogger(__name__)

QUEUED = (Job.Status.PENDING, Job.Status.INTERRUPTED)
# A job still queued this long after its task was handed to the broker is handed over again;
# then after as long as it has been queued (a long queue is not flooded with copies), up to
# REDISPATCH_LONGEST.
REDISPATCH_AFTER = timedelta(minutes=2)
REDISPATCH_LONGEST = timedelta(minutes=15)
SWEEP_BATCH = 500
STALLED_NOT_RESUMABLE = (
    "Le travail s'est interrompu (arrêt du processus de traitement) et ne peut pas reprendre "
    "seul sans risque de le faire deux fois : relancez-le si besoin."
)
STALLED_TWICE = (
    "Le travail s'est interrompu deux fois (arrêt du processus de traitement) : il n'est plus "
    "relancé automatiquement. Relancez-le, ou prévenez l'équipe technique si cela se reproduit."
)
STOPPED_BEFORE_CANCEL = "Annulé : le travail s'est arrêté avant de prendre en compte l'annulation."


class JobError(Exception):
    """A failure whose message is meant for the user (in French)."""


def start_job(*, firm: Firm, kind: str, requested_by: User, params: dict | None = None) -> Job:
    """Record a job and hand it to the worker once the surrounding transaction commits."""
    get_job_kind(kind)  # an unknown kind fails here, not in the worker
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.create(
            firm=firm,
            kind=kind,
            params=params or {},
            requested_by=requested_by,
            queued_at=now,
            enqueued_at=now,
        )
        _enqueue_on_commit(job)
    return job


def execute_job(*, firm_id: int, job_id: int) -> None:
    """Run a job once. Only a queued job is claimed: a duplicate delivery, or the delivery of a
    job cancelled meanwhile, does nothing; a job whose worker died stays running until the
    sweeper requeues or fails it (see :func:`sweep_stalled_jobs`)."""
    now = timezone.now()
    with firm_scope(firm_id):
        claimed = (
            Job.objects.for_firm(firm_id)
            .filter(pk=job_id, status__in=QUEUED)
            .update(
                status=Job.Status.RUNNING,
                attempts=F("attempts") + 1,
                started_at=Coalesce(F("started_at"), now),
                heartbeat_at=now,
                progress=0,
                error="",
            )
        )
        if not claimed:
            return
        job = Job.objects.for_firm(firm_id).get(pk=job_id)
    try:
        get_job_kind(job.kind).run(JobRun(job))
    except JobStopped:
        _stopped(job)
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


def cancel_job(*, firm: Firm, job: Job, by: User) -> bool:
    """Cancel a queued job at once, or ask a running one to stop at its next progress update.
    False when the job was already finished or being cancelled."""
    now = timezone.now()
    with firm_scope(firm):
        jobs = Job.objects.for_firm(firm).filter(pk=job.pk)
        cancelled = jobs.filter(status__in=QUEUED).update(
            status=Job.Status.CANCELLED,
            cancel_requested_at=now,
            finished_at=now,
            error=_cancelled_by(by),
        )
        if cancelled:
            logger.info("job %s of firm %s cancelled by user %s", job.pk, firm.pk, by.pk)
            return True
        asked = jobs.filter(status=Job.Status.RUNNING, cancel_requested_at__isnull=True).update(
            cancel_requested_at=now, error=_cancelled_by(by)
        )
    if asked:
        logger.info("job %s of firm %s: cancellation asked by user %s", job.pk, firm.pk, by.pk)
    return bool(asked)


def rerun_job(*, firm: Firm, job: Job, by: User) -> bool:
    """Put a failed, interrupted or cancelled job back in the queue with the same parameters
    (its kind's function starts again from the beginning). False when it is not in such a
    state any more (already rerun, say, by a double click), or when its kind was retired."""
    if job.kind not in job_kinds():
        return False
    now = timezone.now()
    with firm_scope(firm), transaction.atomic():
        rerun = (
            Job.objects.for_firm(firm)
            .filter(
                pk=job.pk,
                status__in=[Job.Status.FAILED, Job.Status.INTERRUPTED, Job.Status.CANCELLED],
            )
            .update(
                status=Job.Status.PENDING,
                progress=0,
                total=0,
                error="",
                summary={},
                result_file="",
                result_name="",
                interruptions=0,
                heartbeat_at=None,
                cancel_requested_at=None,
                finished_at=None,
                queued_at=now,
                enqueued_at=now,
            )
        )
        if not rerun:
            return False
        if job.result_file:
            stale = job.result_file.name
            transaction.on_commit(lambda: job.result_file.storage.delete(stale))
        _enqueue_on_commit(job)
    logger.info("job %s of firm %s rerun by user %s", job.pk, firm.pk, by.pk)
    return True


def delete_result_file(*, job: Job, now: datetime | None = None) -> bool:
    """Delete a finished job's file (kept for a limited time, an export's say): the job stays,
    its summary saying when the file went. The job is claimed with a conditional UPDATE on the
    file it had, and the file deleted in the same transaction: a rerun meanwhile, or a failure
    to delete, leaves it as it was."""
    if not job.result_file:
        return False
    now = now or timezone.now()
    name = job.result_file.name
    with firm_scope(job.firm_id), transaction.atomic():
        claimed = (
            Job.objects.for_firm(job.firm_id)
            .filter(pk=job.pk, result_file=name, status=Job.Status.SUCCEEDED)
            .update(
                result_file="",
                summary={**(job.summary or {}), FILE_DELETED_AT: now.isoformat()},
            )
        )
        if claimed:
            job.result_file.storage.delete(name)
    if claimed:
        logger.info("job %s of firm %s: file %s deleted", job.pk, job.firm_id, name)
    return bool(claimed)


@dataclass
class Sweep:
    requeued: int = 0
    failed: int = 0
    cancelled: int = 0
    # Queued jobs whose task was handed to the broker again.
    redispatched: int = 0


def sweep_stalled_jobs(
    *,
    now: datetime | None = None,
    stalled_after: timedelta | None = None,
    redispatch_after: timedelta = REDISPATCH_AFTER,
    redispatch_longest: timedelta = REDISPATCH_LONGEST,
) -> Sweep:
    """Find the running jobs whose heartbeat has not moved for their kind's ``stalled_after``
    (their worker died or hangs) and end their run: requeued once when the kind is idempotent
    (status interrupted), failed with a message otherwise, cancelled if that was asked. A run
    that was only slow learns at its next progress update that it lost its job, and stops.

    Then hand over again the queued jobs (pending, or interrupted and requeued) that no worker
    claimed: their task was never published (broker down) or was lost (a worker killed with
    it, a broker restarted without its queue). The first time ``redispatch_after`` after it was
    handed over, then after as long as the job has been queued, up to ``redispatch_longest``:
    a job only waiting its turn in a long queue gets a few copies, each of which does nothing.

    ``stalled_after``, when given, replaces every kind's own time (the fault suite's short
    delays)."""
    now = now or timezone.now()
    kinds = job_kinds()
    sweep = Sweep()
    _sweep_stalled(sweep, kinds, now=now, stalled_after=stalled_after)
    _redispatch_queued(
        sweep, now=now, after=redispatch_after, longest=max(redispatch_longest, redispatch_after)
    )
    return sweep


def redispatch_due(
    *, now: datetime, queued_at: datetime, enqueued_at: datetime, after: timedelta, longest
) -> bool:
    """Whether a job queued since ``queued_at``, last handed to the broker at ``enqueued_at``,
    is handed over again now."""
    wait = max(after, min(longest, enqueued_at - queued_at))
    return now - enqueued_at >= wait


def _sweep_stalled(sweep: Sweep, kinds: dict, *, now: datetime, stalled_after) -> None:
    if stalled_after is not None:
        shortest = stalled_after
    else:
        shortest = min([kind.stalled_after for kind in kinds.values()] + [DEFAULT_STALLED_AFTER])
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        with firm_scope(firm_id):
            candidates = list(
                Job.objects.for_firm(firm_id)
                .filter(status=Job.Status.RUNNING)
                .alias(last_sign=Coalesce("heartbeat_at", "started_at", "created_at"))
                .filter(last_sign__lt=now - shortest)
            )
        for job in candidates:
            kind = kinds.get(job.kind)
            limit = kind.stalled_after if kind else DEFAULT_STALLED_AFTER
            if stalled_after is not None:
                limit = stalled_after
            last_sign = job.heartbeat_at or job.started_at or job.created_at
            if last_sign >= now - limit:
                continue
            outcome = _end_stalled_run(job, idempotent=bool(kind and kind.idempotent), now=now)
            if outcome:
                setattr(sweep, outcome, getattr(sweep, outcome) + 1)


def _redispatch_queued(sweep: Sweep, *, now: datetime, after: timedelta, longest) -> None:
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        with firm_scope(firm_id), transaction.atomic():
            jobs = Job.objects.for_firm(firm_id)
            overdue = list(
                jobs.filter(status__in=QUEUED)
                .alias(handed_over=Coalesce("enqueued_at", "created_at"))
                .filter(handed_over__lte=now - after)
                .order_by("handed_over")
                .values_list("pk", "created_at", "queued_at", "enqueued_at")[:SWEEP_BATCH]
            )
            taken = []
            for pk, created_at, queued_at, enqueued_at in overdue:
                due = redispatch_due(
                    now=now,
                    queued_at=queued_at or created_at,
                    enqueued_at=enqueued_at or created_at,
                    after=after,
                    longest=longest,
                )
                if due and jobs.filter(pk=pk, status__in=QUEUED, enqueued_at=enqueued_at).update(
                    enqueued_at=now
                ):
                    taken.append(pk)
            if taken:
                transaction.on_commit(_publisher([(firm_id, pk) for pk in taken]))
                logger.warning(
                    "%d job(s) of firm %s still queued, handed to the broker again: %s",
                    len(taken),
                    firm_id,
                    taken,
                )
                sweep.redispatched += len(taken)


def _end_stalled_run(job: Job, *, idempotent: bool, now: datetime) -> str:
    """One conditional UPDATE on the run as it was seen; returns what was done, or ""."""
    with firm_scope(job.firm_id), transaction.atomic():
        seen = Job.objects.for_firm(job.firm_id).filter(
            pk=job.pk,
            status=Job.Status.RUNNING,
            attempts=job.attempts,
            heartbeat_at=job.heartbeat_at,
        )
        if job.cancel_requested_at:
            done = seen.update(
                status=Job.Status.CANCELLED, finished_at=now, error=STOPPED_BEFORE_CANCEL
            )
            outcome = "cancelled"
        elif idempotent and job.interruptions == 0:
            done = seen.update(
                status=Job.Status.INTERRUPTED,
                interruptions=F("interruptions") + 1,
                heartbeat_at=now,
                queued_at=now,
                enqueued_at=now,
            )
            if done:
                _enqueue_on_commit(job)
            outcome = "requeued"
        else:
            message = STALLED_TWICE if idempotent else STALLED_NOT_RESUMABLE
            done = seen.update(status=Job.Status.FAILED, finished_at=now, error=message)
            outcome = "failed"
    if not done:
        return ""
    logger.warning(
        "job %s (%s) of firm %s stalled since %s: %s",
        job.pk,
        job.kind,
        job.firm_id,
        job.heartbeat_at,
        outcome,
    )
    return outcome


def _stopped(job: Job) -> None:
    """The run found it no longer owned its job: if a cancellation is why, the job ends here;
    otherwise the sweeper has already given it to another run or failed it."""
    with firm_scope(job.firm_id):
        Job.objects.for_firm(job.firm_id).filter(
            pk=job.pk,
            status=Job.Status.RUNNING,
            attempts=job.attempts,
            cancel_requested_at__isnull=False,
        ).update(status=Job.Status.CANCELLED, finished_at=timezone.now())


def _finish(job: Job, status: str, *, error: str = "") -> None:
    with firm_scope(job.firm_id):
        Job.objects.for_firm(job.firm_id).filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts
        ).update(status=status, error=error, finished_at=timezone.now())


def _enqueue_on_commit(job: Job) -> None:
    """Hand the job to the worker when the transaction commits; with the broker down the job
    stays pending (the sweeper hands it over later) and the caller goes on at once."""
    transaction.on_commit(_publisher([(job.firm_id, job.pk)]))


def _publisher(jobs: list[tuple[int, int]]):
    def publish() -> None:
        from jobs.tasks import run_job

        calls = [broker.TaskCall(run_job, args=(firm_id, job_id)) for firm_id, job_id in jobs]
        broker.publish(calls, what="job(s)")

    return publish


def _cancelled_by(user: User) -> str:
    return f"Annulé à la demande de {user}."
