from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel

# The key of a job's summary that says when its file was deleted (jobs.services.delete_result_file).
FILE_DELETED_AT = "file_deleted_at"


class Job(TenantModel):
    """One piece of long work (export, PDF, rescoring, e-mail batch) and its visible progress.

    Every change of state is a conditional UPDATE in :mod:`jobs.services` or
    :mod:`jobs.progress`: a run owns its job while the row is running with the run's
    ``attempts`` number, so a duplicate delivery, a cancellation or the sweeper of stalled jobs
    (which requeues or fails a run whose ``heartbeat_at`` stopped moving) never lets two runs
    act on one job."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        SUCCEEDED = "succeeded", _("Terminé")
        FAILED = "failed", _("Échec")
        # Stalled (its worker died) and put back in the queue once, being of an idempotent kind.
        INTERRUPTED = "interrupted", _("Interrompu")
        CANCELLED = "cancelled", _("Annulé")

    kind = models.CharField(max_length=50)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True, max_length=300)
    result_name = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Runs claimed so far; also the token of the current run.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Times the sweeper found the job stalled and put it back in the queue.
    interruptions = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The run's last sign of life: its claim, then each progress update.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When it last entered the queue (created, rerun, or requeued by the sweeper), and when its
    # task was last handed to the broker (or meant to be). The sweeper hands a job still queued
    # long after that over again (its task was lost with a dead worker or a restarted broker,
    # or never published while the broker was down), waiting longer each time.
    queued_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Asked for while running: the run stops at its next progress update.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["firm", "-created_at"], name="job_firm_recent"),
            models.Index(
                fields=["firm", "heartbeat_at"],
                condition=models.Q(status="running"),
                name="job_running_heartbeat",
            ),
            models.Index(
                fields=["firm", "enqueued_at"],
                condition=models.Q(status__in=["pending", "interrupted"]),
                name="job_queued_enqueued",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=models.F("total")) | models.Q(total=0),
                name="job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        from jobs.registry import job_kinds

        kind = job_kinds().get(self.kind)
        # A kind no longer registered (an export replaced by another) is still listed.
        if kind is None:
            return _("Travail d'un type retiré (%(kind)s)") % {"kind": self.kind}
        return kind.label

    @property
    def is_kind_retired(self) -> bool:
        from jobs.registry import job_kinds

        return self.kind not in job_kinds()

    @property
    def file_deleted_at(self) -> datetime | None:
        """When the job's file was deleted at the end of its retention (None while kept)."""
        value = self.summary.get(FILE_DELETED_AT) if isinstance(self.summary, dict) else None
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def can_rerun(self) -> bool:
        rerunnable = (self.Status.FAILED, self.Status.INTERRUPTED, self.Status.CANCELLED)
        return self.status in rerunnable and not self.is_kind_retired

    @property
    def can_cancel(self) -> bool:
        active = (self.Status.PENDING, self.Status.RUNNING, self.Status.INTERRUPTED)
        return self.status in active and self.cancel_requested_at is None

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.progress / self.total))


class WorkerHeartbeat(models.Model):
    """The last time each worker ran the periodic heartbeat task: the health check's proof that a
    worker consumes the queue. Holds no firm data."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
