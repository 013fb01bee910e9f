"""Derive every stored obligation again, after a change of law (rules/law.py, the reasons).

    python manage.py recompute_obligations [--firm SLUG]

The obligations are stored so lists and the dashboard filter on them without recomputing; a
change of the rules makes them stale until this runs. Each client is recomputed in its own
transaction, inside its firm's scope.
"""

from django.core.management.base import BaseCommand

from clients.models import Client
from firms.command_arguments import firms_to_process
from firms.tenancy import firm_scope
from fiscal_questionnaire.services import recompute_obligations


class Command(BaseCommand):
    help = (
        "Recalcule les obligations FE enregistrées à partir des réponses "
        "(après un changement de loi)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--firm", help="Slug du cabinet (par défaut : tous les cabinets).")

    def handle(self, *args, firm: str | None = None, **options):
        for each in firms_to_process(firm):
            with firm_scope(each):
                client_ids = list(
                    Client.objects.for_firm(each)
                    .filter(fiscal_answers__isnull=False)
                    .distinct()
                    .values_list("pk", flat=True)
                )
            for client_id in client_ids:
                with firm_scope(each):
                    client = Client.objects.for_firm(each).get(pk=client_id)
                    recompute_obligations(firm=each, client=client)
            self.stdout.write(f"{each.name} : {len(client_ids)} clients recalculés.")
