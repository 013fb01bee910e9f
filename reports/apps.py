from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Rapports"

    def ready(self) -> None:
        from clients.bulk import register_bulk_action
        from clients.history import HistoryKind, register_history_kind
        from jobs.registry import register_job_kind
        from reports import bulk, jobs

        register_job_kind(
            jobs.JOB_KIND,
            _("Rapports de synthèse"),
            jobs.synthesis_reports_job,
            # A rerun skips the clients the job already gave a version to.
            idempotent=True,
            # One report takes about a second at most; a stop of three minutes is a dead worker.
            stalled_after=timedelta(minutes=3),
        )
        register_bulk_action(bulk.GENERATE)
        register_history_kind(HistoryKind("reports", _("Rapports"), ("report",)))
