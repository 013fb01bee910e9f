from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Données personnelles"

    def ready(self) -> None:
        from jobs.registry import register_job_kind
        from privacy.export import FIRM_EXPORT_JOB_KIND, export_firm_job

        register_job_kind(
            FIRM_EXPORT_JOB_KIND,
            _("Export de toutes les données du cabinet"),
            export_firm_job,
            idempotent=True,
        )
