"""Write the full export of a firm's portfolio to a file.

    python manage.py export_portfolio --firm SLUG [--format xlsx|csv] [--filter "QUERYSTRING"]
        --out FILE

The same file as the web export. ``--filter`` takes the URL parameters of the portfolio page
(Cartographie FE), e.g. ``"urgency=high&size=PME&sort=-compliance"``: an unknown parameter or
value is refused rather than silently ignored. Prints ``{"rows": n, "format": …, "out": …}``.
Exit status 2 with a message on bad input: an unknown firm, a bad format or filter, a path
that cannot be written.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports import services
from exports.reading import filter_errors
from firms.command_arguments import BAD_INPUT, active_firm


class Command(BaseCommand):
    help = "Écrit l'export complet du portefeuille d'un cabinet (Excel ou CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument(
            "--format", default=services.DEFAULT_FORMAT, help="xlsx (par défaut) ou csv"
        )
        parser.add_argument(
            "--filter",
            default="",
            help="paramètres d'adresse de la Cartographie FE (urgency=high&size=PME…)",
        )
        parser.add_argument("--out", required=True, help="fichier à écrire")

    def handle(self, *args, **options) -> None:
        export_format = options["format"]
        if export_format not in services.FORMATS:
            raise CommandError(
                f"Format « {export_format} » inconnu : xlsx ou csv.", returncode=BAD_INPUT
            )
        firm = active_firm(options["firm"])
        querystring = options["filter"] or ""
        errors = filter_errors(firm, querystring)
        if errors:
            raise CommandError("Filtre refusé : " + " ".join(errors), returncode=BAD_INPUT)
        out = Path(options["out"])
        try:
            # Opened before the work, so that a path that cannot be written stops at once.
            with out.open("wb") as file:
                membership = services.firm_wide_membership(firm)
                client_ids = services.export_client_ids(
                    membership, {"source": "portfolio", "querystring": querystring}
                )
                export = services.write_export(firm.pk, client_ids, export_format=export_format)
                file.write(export.content)
        except OSError as error:
            raise CommandError(
                f"Impossible d'écrire « {out} » : {error.strerror or error}.", returncode=BAD_INPUT
            ) from error
        self.stdout.write(
            json.dumps(
                {"rows": export.rows, "format": export_format, "out": str(out)},
                ensure_ascii=False,
            )
        )
