from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cartography.services import install_default_catalogues
from firms.models import Firm


class Command(BaseCommand):
    help = "Ajoute aux catalogues des cabinets les logiciels et plateformes agréées par défaut."

    def add_arguments(self, parser):
        parser.add_argument("--firm", help="identifiant d'adresse (slug) d'un seul cabinet")

    def handle(self, *args, firm: str | None = None, **options) -> None:
        firms = Firm.objects.filter(is_active=True)
        if firm:
            firms = firms.filter(slug=firm)
            if not firms.exists():
                raise CommandError(f"Aucun cabinet « {firm} ».")
        for each in firms:
            software, platforms = install_default_catalogues(each)
            self.stdout.write(f"{each.slug} : {software} logiciel(s), {platforms} plateforme(s)")
