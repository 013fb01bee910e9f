"""Create the mandates to sign of a firm's clients (with their PDFs).

    python manage.py generate_mandates --firm SLUG [--kind delegation] (--all | --client SIREN…)

Prints {"generated": n, "skipped": [{"siren": …, "reason": …}]}: clients that already have a
mandate of that kind in progress, archived ones, and SIRENs the firm does not know. Exit status
2 with a message on bad input (unknown firm or kind, no client named).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.models import Client
from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from mandates import services
from mandates.models import MandateKind


class Command(BaseCommand):
    help = "Génère les mandats à signer des clients d'un cabinet (PDF compris)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument(
            "--kind", default=MandateKind.DELEGATION, help="delegation ou designation"
        )
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--all", action="store_true", help="tous les clients actifs")
        chosen.add_argument("--client", nargs="+", metavar="SIREN", help="les clients de ces SIREN")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        if options["kind"] not in MandateKind.values:
            raise CommandError(
                f"Type de mandat inconnu : « {options['kind']} » (delegation ou designation).",
                returncode=BAD_INPUT,
            )
        skipped = []
        with firm_scope(firm):
            clients = Client.objects.for_firm(firm)
            if options["all"]:
                clients = clients.filter(status=Client.Status.ACTIVE)
            else:
                wanted = [siren.replace(" ", "") for siren in options["client"]]
                clients = clients.filter(siren__in=wanted)
                known = set(clients.values_list("siren", flat=True))
                skipped += [
                    {"siren": siren, "reason": "Aucun client du cabinet n'a ce SIREN."}
                    for siren in wanted
                    if siren not in known
                ]
            created, not_created = services.create_mandates(
                firm=firm,
                client_ids=list(clients.values_list("pk", flat=True)),
                kind=options["kind"],
                by=None,
            )
            for mandate in created:
                services.render_mandate(firm=firm, mandate=mandate, by=None)
        skipped += [{"siren": item.client.siren, "reason": item.reason} for item in not_created]
        self.stdout.write(
            json.dumps({"generated": len(created), "skipped": skipped}, ensure_ascii=False)
        )
