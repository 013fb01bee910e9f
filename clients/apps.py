from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients import bulk, jobs
        from clients.importing import job as import_jobs
        from clients.importing.services import DRY_RUN_JOB_KIND, IMPORT_JOB_KIND
        from jobs.registry import register_job_kind

        register_job_kind(
            "clients_csv_export", _("Export des clients (CSV)"), jobs.export_clients_csv
        )
        register_job_kind(
            DRY_RUN_JOB_KIND,
            _("Vérification d'un import de clients"),
            import_jobs.plan_client_import,
        )
        register_job_kind(IMPORT_JOB_KIND, _("Import de clients"), import_jobs.import_clients)
        bulk.register_bulk_action(bulk.REASSIGN)
