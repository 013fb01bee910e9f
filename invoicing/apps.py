from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Facturation"

    def ready(self) -> None:
        from clients.history import HistoryKind, register_history_kind
        from invoicing import jobs
        from jobs.registry import register_job_kind

        register_job_kind(
            jobs.RECURRING_JOB_KIND,
            _("Facturation des honoraires récurrents"),
            jobs.issue_recurring_invoices_job,
            # A rerun issues only the invoices not yet issued (one per engagement and period).
            idempotent=True,
        )
        register_history_kind(HistoryKind("invoices", _("Factures"), ("invoice",)))
