"""Write the JeSignExpert export of every mandate to sign of a firm.

    python manage.py export_mandates --firm SLUG --out DIR

Writes DIR/jesignexpert.xlsx and DIR/documents.zip (the same files as the web export) and prints
{"exported": n, "excluded": [{"reference": …, "reason": …}]}. Exit status 2 with a message when
the firm does not exist or DIR cannot be written.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from mandates.jesignexpert import build_export
from mandates.models import Mandate, MandateStatus


class Command(BaseCommand):
    help = "Écrit l'export JeSignExpert (Excel et PDF) des mandats à signer d'un cabinet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("--out", required=True, help="dossier où écrire les deux fichiers")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"Impossible d'écrire dans « {out} » : {error.strerror}.", returncode=BAD_INPUT
            ) from error
        with firm_scope(firm):
            mandates = (
                Mandate.objects.for_firm(firm)
                .filter(status=MandateStatus.TO_SIGN)
                .select_related("client", "client__assigned_to")
                .order_by("client__company_name", "id")
            )
            export = build_export(firm=firm, mandates=mandates)
        (out / "jesignexpert.xlsx").write_bytes(export.workbook)
        (out / "documents.zip").write_bytes(export.documents)
        self.stdout.write(
            json.dumps(
                {
                    "exported": len(export.exported),
                    "excluded": [
                        {"reference": mandate.reference, "reason": reason}
                        for mandate, reason in export.excluded
                    ],
                },
                ensure_ascii=False,
            )
        )
