from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    name = "mandates"
    verbose_name = "Mandats"

    def ready(self) -> None:
        from clients.bulk import register_bulk_action
        from clients.history import HistoryKind, register_history_kind
        from jobs.registry import register_job_kind
        from mandates import bulk, jobs

        register_job_kind(
            jobs.BATCH_JOB_KIND,
            _("Génération de mandats et export JeSignExpert"),
            jobs.generate_mandates_job,
            # A rerun skips the clients that got their mandate and renders the drafts left.
            idempotent=True,
        )
        register_bulk_action(bulk.GENERATE)
        register_history_kind(HistoryKind("mandates", _("Mandats"), ("mandate",)))
