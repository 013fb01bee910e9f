from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from datetime import timedelta

        from clients import bulk
        from clients.importing import job as import_jobs
        from clients.importing.services import DRY_RUN_JOB_KIND, IMPORT_JOB_KIND, READ_JOB_KIND
        from jobs.registry import register_job_kind

        # All three run again from the start without harm: the reading rebuilds what it makes,
        # the dry run writes nothing, the import upserts by SIREN. Each reports progress at
        # least every chunk of 500 rows (a few seconds); reading a file of the largest size
        # allowed takes well under a minute. (The client list's export is the exports app's.)
        register_job_kind(
            READ_JOB_KIND,
            _("Lecture d'un fichier de clients"),
            import_jobs.read_client_import,
            idempotent=True,
            stalled_after=timedelta(minutes=5),
        )
        register_job_kind(
            DRY_RUN_JOB_KIND,
            _("Vérification d'un import de clients"),
            import_jobs.plan_client_import,
            idempotent=True,
            stalled_after=timedelta(minutes=3),
        )
        register_job_kind(
            IMPORT_JOB_KIND,
            _("Import de clients"),
            import_jobs.import_clients,
            idempotent=True,
            stalled_after=timedelta(minutes=3),
        )
        bulk.register_bulk_action(bulk.REASSIGN)
