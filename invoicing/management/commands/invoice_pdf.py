"""Write the stored PDF of an issued invoice or credit note.

    python manage.py invoice_pdf --firm SLUG NUMBER --out FILE.pdf

Exit status 2 for an unknown firm or number, or a draft (which has no PDF).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from invoicing.models import Invoice, InvoiceStatus


class Command(BaseCommand):
    help = "Écrit le PDF enregistré d'une facture émise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("number", help="le numéro de la facture, par exemple FA-2026-000123")
        parser.add_argument("--out", required=True, help="le fichier PDF à écrire")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        with firm_scope(firm):
            invoice = Invoice.objects.for_firm(firm).filter(number=options["number"]).first()
            if invoice is None or invoice.status != InvoiceStatus.ISSUED or not invoice.pdf:
                raise CommandError(
                    f"Aucune facture émise du cabinet n'a le numéro « {options['number']} ».",
                    returncode=BAD_INPUT,
                )
            with invoice.pdf.open("rb") as stored:
                content = stored.read()
        try:
            Path(options["out"]).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Écriture impossible : {error}", returncode=BAD_INPUT) from error
        self.stdout.write(f"{options['out']} ({len(content)} octets)")
