from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cartography.default_catalogue import read_platforms
from cartography.services import refresh_platforms
from firms.models import Firm


class Command(BaseCommand):
    help = (
        "Recharge la liste DGFiP des plateformes agréées (CSV liste;statut;nom_commercial;"
        "date_delivrance_immatriculation) dans le catalogue de chaque cabinet. Ajoute les "
        "nouvelles, met à jour les autres, désactive celles qui ont disparu ; ne supprime rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--firm", help="identifiant d'adresse (slug) d'un seul cabinet")

    def handle(self, *args, file: Path, firm: str | None = None, **options) -> None:
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            platforms = read_platforms(file)
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        if not platforms:
            raise CommandError("Aucune plateforme dans ce fichier : rien n'a été changé.")
        firms = Firm.objects.filter(is_active=True)
        if firm:
            firms = firms.filter(slug=firm)
        for each in firms:
            counts = refresh_platforms(firm=each, platforms=platforms)
            self.stdout.write(
                f"{each.slug} : {counts['created']} ajoutée(s), {counts['updated']} mise(s) à "
                f"jour, {counts['reactivated']} réactivée(s), {counts['deactivated']} désactivée(s)"
            )
