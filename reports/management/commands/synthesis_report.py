"""Generate a new version of a client's synthesis report and write its PDF.

    python manage.py synthesis_report --firm SLUG --client SIREN --out FILE.pdf

Prints {"client": SIREN, "number": n, "sha256": …, "out": FILE}. Exit status 2 with a message
for an unknown firm or client, an archived client, or a file that cannot be written.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.models import Client
from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from pdf import PdfRenderError
from reports import services


class Command(BaseCommand):
    help = "Génère une nouvelle version du rapport de synthèse d'un client et écrit son PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("--client", required=True, metavar="SIREN", help="SIREN du client")
        parser.add_argument("--out", required=True, type=Path, help="fichier PDF à écrire")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        siren = "".join(options["client"].split())
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"Le dossier de « {out} » n'existe pas.", returncode=BAD_INPUT)
        with firm_scope(firm):
            client = Client.objects.for_firm(firm).filter(siren=siren).first()
            if client is None:
                raise CommandError(
                    f"Aucun client du cabinet « {firm.slug} » n'a le SIREN « {siren} ».",
                    returncode=BAD_INPUT,
                )
            try:
                report = services.generate_report(firm=firm, client=client, by=None)
            except (services.ReportRefused, PdfRenderError) as error:
                raise CommandError(str(error), returncode=BAD_INPUT) from error
            with report.document.open("rb") as stored:
                content = stored.read()
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(
                f"Impossible d'écrire « {out} » : {error.strerror}.", returncode=BAD_INPUT
            ) from error
        self.stdout.write(
            json.dumps(
                {
                    "client": client.siren,
                    "number": report.number,
                    "sha256": report.sha256,
                    "out": str(out),
                },
                ensure_ascii=False,
            )
        )
