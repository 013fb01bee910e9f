from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from datetime import timedelta

        from clients.bulk import register_bulk_action
        from exports import bulk, jobs, services
        from jobs.registry import register_job_kind

        # Rebuilt from the start without harm; it reports progress after every chunk of a
        # thousand clients (well under a second each).
        register_job_kind(
            services.EXPORT_JOB_KIND,
            _("Export complet du portefeuille"),
            jobs.export_portfolio_job,
            idempotent=True,
            stalled_after=timedelta(minutes=2),
        )
        register_bulk_action(bulk.EXPORT)
