from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Score d'urgence")

    def ready(self) -> None:
        from cartography.signals import equipment_changed
        from clients.signals import clients_created
        from fiscal_questionnaire.signals import obligations_changed
        from jobs.registry import register_job_kind
        from mandates.signals import mandate_status_changed
        from scoring import jobs, services

        register_job_kind(
            "rescore_portfolio",
            _("Recalcul des scores du portefeuille"),
            jobs.rescore_portfolio_job,
            idempotent=True,  # scoring again gives the same scores
        )
        # A score reads the client, its obligations, its equipment and its mandates: whatever
        # changes them, the score follows in the same transaction.
        clients_created.connect(services.score_new_clients)
        for signal in (
            obligations_changed,
            equipment_changed,
            mandate_status_changed,
        ):
            signal.connect(services.rescore_changed_clients)
