"""Create a new self-service link for a client (its previous link stops working).

    python manage.py client_link --firm SLUG --client SIREN [--days N]

Prints what was done, then the link's absolute URL alone on the last line (from SITE_URL,
http://127.0.0.1:8000 by default). Exit status 2 with a message for an unknown firm or SIREN,
an archived client, or days that are not a whole number from 1 to 366.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clients.models import Client
from firms.command_arguments import BAD_INPUT, active_firm
from firms.parameters import parse_positive_int
from firms.tenancy import firm_scope
from self_service import services


class Command(BaseCommand):
    help = "Crée un nouveau lien de questionnaire pour un client (l'ancien ne fonctionne plus)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("--client", required=True, metavar="SIREN", help="SIREN du client")
        parser.add_argument(
            "--days",
            default=None,
            metavar="N",
            help="durée de validité en jours (celle des réglages du cabinet, 30 par défaut)",
        )

    def handle(self, *args, **options) -> None:
        days = None
        if options["days"] is not None:
            days = parse_positive_int(options["days"].strip(), maximum=services.MAX_DAYS)
            if days is None:
                raise CommandError(
                    f"--days attend un nombre entier de jours de 1 à {services.MAX_DAYS}, "
                    f"pas « {options['days']} ».",
                    returncode=BAD_INPUT,
                )
        firm = active_firm(options["firm"])
        siren = "".join(options["client"].split())
        with firm_scope(firm):
            client = Client.objects.for_firm(firm).filter(siren=siren).first()
            if client is None:
                raise CommandError(
                    f"Aucun client du cabinet « {firm.slug} » n'a le SIREN « {siren} ».",
                    returncode=BAD_INPUT,
                )
            if client.status != Client.Status.ACTIVE:
                raise CommandError(
                    f"Le client « {client.company_name} » est archivé.", returncode=BAD_INPUT
                )
            if days is None:
                days = services.choice_of(firm).link_days
            issued = services.issue_link(client=client, days=days)
        expires = timezone.localtime(issued.link.expires_at).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(
            f"Lien créé pour {client.company_name} ({client.siren}), valable jusqu'au {expires} ;"
            " le lien précédent ne fonctionne plus."
        )
        self.stdout.write(issued.url)
