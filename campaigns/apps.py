from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campagnes"

    def ready(self) -> None:
        from campaigns import bulk, jobs, services
        from clients.bulk import register_bulk_action
        from clients.history import HistoryKind, register_history_kind
        from jobs.registry import register_job_kind

        register_job_kind(
            services.SEND_JOB_KIND,
            _("Envoi d'une campagne"),
            jobs.send_campaign_job,
            # A rerun writes only the e-mails not yet written (one per client and campaign).
            idempotent=True,
            stalled_after=jobs.STALLED_AFTER,
        )
        register_bulk_action(bulk.NEW_CAMPAIGN)
        register_history_kind(HistoryKind("campaigns", _("Campagnes"), (services.HISTORY_SUBJECT,)))
