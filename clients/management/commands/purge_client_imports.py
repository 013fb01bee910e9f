"""Delete the uploaded client files that are no longer needed (Celery beat runs it daily).

    python manage.py purge_client_imports [--days N]

A file goes ``CLIENT_IMPORT_RETENTION_DAYS`` (or N) days after its import's last step; the
import stays listed with its dry run and report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.importing.retention import purge_import_files


class Command(BaseCommand):
    help = "Supprime les fichiers d'import de clients conservés au-delà de la durée prévue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="durée de conservation en jours (par défaut CLIENT_IMPORT_RETENTION_DAYS)",
        )

    def handle(self, *args, **options) -> None:
        days = options["days"]
        if days is None:
            days = settings.CLIENT_IMPORT_RETENTION_DAYS
        if days < 1:
            raise CommandError("La durée de conservation doit être d'au moins un jour.")
        purged = purge_import_files(days=days)
        if not purged:
            self.stdout.write(f"Aucun fichier d'import de plus de {days} jours à supprimer.")
        else:
            plural = "s" if purged > 1 else ""
            self.stdout.write(
                f"{purged} fichier{plural} d'import supprimé{plural} "
                f"(inutilisé{plural} depuis plus de {days} jours)."
            )
