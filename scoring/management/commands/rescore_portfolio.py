"""Score every client again with its firm's grid in force, after a change of the scoring rules.

    python manage.py rescore_portfolio [--firm SLUG]

Scores are stored so lists and the dashboard filter on them without recomputing; a change of
the engine (scoring/engine/) or of the default grid makes them stale until this runs. Saving a
grid in the editor does the same for one firm, in the background.
"""

from django.core.management.base import BaseCommand

from firms.command_arguments import firms_to_process
from scoring.engine.wording import count_of
from scoring.services import rescore_portfolio


class Command(BaseCommand):
    help = (
        "Recalcule le score de tous les clients avec la grille en vigueur "
        "(après un changement des règles de score)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--firm", help="Slug du cabinet (par défaut : tous les cabinets).")

    def handle(self, *args, firm: str | None = None, **options):
        for each in firms_to_process(firm):
            count = rescore_portfolio(firm_id=each.pk)
            scored = count_of(count, "client recalculé", "clients recalculés")
            self.stdout.write(f"{each.name} : {scored}.")
