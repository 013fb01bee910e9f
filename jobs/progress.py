"""What a job function sees: its job, a way to report progress and to hand over its result.

Each report is the run's heartbeat and the moment it learns it must stop: the UPDATE applies only
while the job is still this run's (running, with the run's attempt number) and no cancellation
was asked for; otherwise :class:`JobStopped` is raised, which :func:`jobs.services.execute_job`
turns into the right ending.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from firms.tenancy import firm_scope
from jobs.models import Job


class JobStopped(Exception):
    """The run no longer owns its job: it was cancelled, or the sweeper took it for dead."""


@dataclass
class JobRun:
    job: Job

    @property
    def firm_id(self) -> int:
        return self.job.firm_id

    @property
    def params(self) -> dict:
        return self.job.params

    def set_total(self, total: int) -> None:
        self._save(total=total, progress=0)
        self.job.total, self.job.progress = total, 0

    def advance(self, steps: int = 1) -> None:
        """Count finished steps, committed at once so the progress bar moves."""
        self._save(progress=Least(F("progress") + steps, F("total")))
        self.job.progress = min(self.job.progress + steps, self.job.total)

    def save_result(self, *, name: str, content: bytes, summary: dict | None = None) -> None:
        with firm_scope(self.firm_id):
            self.job.result_file.save(name, ContentFile(content), save=False)
        try:
            self._save(
                result_file=self.job.result_file.name, result_name=name, summary=summary or {}
            )
        except JobStopped:
            self.job.result_file.delete(save=False)
            raise
        self.job.result_name, self.job.summary = name, summary or {}

    def save_summary(self, summary: dict) -> None:
        """Figures to show when the job ends, for a job that produces no file."""
        self._save(summary=summary)
        self.job.summary = summary

    def _save(self, **fields) -> None:
        with firm_scope(self.firm_id):
            saved = (
                Job.objects.for_firm(self.firm_id)
                .filter(
                    pk=self.job.pk,
                    status=Job.Status.RUNNING,
                    attempts=self.job.attempts,
                    cancel_requested_at__isnull=True,
                )
                .update(heartbeat_at=timezone.now(), **fields)
            )
        if not saved:
            raise JobStopped
