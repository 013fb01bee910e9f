from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Facturation"

    def ready(self) -> None:
        from clients.history import HistoryKind, register_history_kind
        from invoicing import batches, jobs, reminders, sending
        from jobs.registry import register_job_kind
        from outbox.signals import message_state_changed

        register_job_kind(
            jobs.RECURRING_JOB_KIND,
            _("Facturation des honoraires récurrents"),
            jobs.issue_recurring_invoices_job,
            # A rerun issues only the invoices not yet issued (one per engagement and period).
            idempotent=True,
        )
        register_job_kind(
            reminders.REMINDERS_JOB_KIND,
            _("Relance des factures en retard"),
            reminders.send_reminders_job,
            # A rerun reminds only the invoices not reminded within the interval.
            idempotent=True,
        )
        register_job_kind(
            batches.SEND_JOB_KIND,
            _("Envoi de factures"),
            batches.send_invoices_job,
            # A rerun sends only the invoices not yet sent (one delivery per invoice).
            idempotent=True,
            stalled_after=batches.STALLED_AFTER,
        )
        message_state_changed.connect(
            sending.mirror_message_state, dispatch_uid="invoicing_delivery_state"
        )
        register_history_kind(HistoryKind("invoices", _("Factures"), ("invoice",)))
