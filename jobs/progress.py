"""What a job function sees: its job, a way to report progress and to hand over its result."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import F
from django.db.models.functions import Least

from firms.tenancy import firm_scope
from jobs.models import Job


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
        self.job.total = total
        self._save(total=total, progress=0)

    def advance(self, steps: int = 1) -> None:
        """Count finished steps, committed at once so the progress bar moves."""
        self.job.progress = min(self.job.progress + steps, self.job.total)
        self._save(progress=Least(F("progress") + steps, F("total")))

    def save_result(self, *, name: str, content: bytes, summary: dict | None = None) -> None:
        with firm_scope(self.firm_id):
            self.job.result_file.save(name, ContentFile(content), save=False)
            self.job.result_name = name
            self.job.summary = summary or {}
            self._save(
                result_file=self.job.result_file.name, result_name=name, summary=self.job.summary
            )

    def save_summary(self, summary: dict) -> None:
        """Figures to show when the job ends, for a job that produces no file."""
        self.job.summary = summary
        self._save(summary=summary)

    def _save(self, **fields) -> None:
        with firm_scope(self.firm_id):
            Job.objects.for_firm(self.firm_id).filter(pk=self.job.pk).update(**fields)
