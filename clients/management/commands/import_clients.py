"""Import a client file from the command line, with the reading, checks and writes of the web
wizard (columns are guessed from the headers; no background job).

    python manage.py import_clients --firm SLUG FILE [--dry-run] [--json]

With ``--json`` it prints {"created": n, "updated": n, "rejected": [{"row": line, "errors":
{column: message}}]}; a row is its line in the file (header = 1) or its row in the sheet.
Exit status: 0 when the file was read, even if rows were rejected; 2 when it could not be read
at all (missing, too large, empty, not what it claims, a mandatory column missing).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.importing.applying import import_rows
from clients.importing.mapping import guess_mapping, missing_columns_message, missing_fields
from clients.importing.planning import CREATE, REJECT, UNCHANGED, UPDATE, ImportPlan
from clients.importing.reading import ImportFileError, Table, check_size, read_table
from firms.models import Firm

UNREADABLE = 2


class Command(BaseCommand):
    help = "Importe les clients d'un fichier CSV ou .xlsx dans un cabinet (mise à jour par SIREN)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("file", help="fichier .csv ou .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifier le fichier sans rien enregistrer"
        )
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, **options) -> None:
        firm = Firm.objects.filter(slug=options["firm"], is_active=True).first()
        if firm is None:
            raise CommandError(f"Aucun cabinet actif n'a l'identifiant « {options['firm']} ».")
        try:
            table = read_file(Path(options["file"]))
            mapping = guess_mapping(table.headers)
            if missing := missing_fields(mapping):
                raise ImportFileError(missing_columns_message(missing))
        except ImportFileError as error:
            if options["json"]:
                self.stdout.write(json.dumps({"error": str(error)}, ensure_ascii=False))
            raise CommandError(str(error), returncode=UNREADABLE) from error
        plan = import_rows(
            firm=firm, table=table, mapping=mapping, by=None, dry_run=options["dry_run"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(plan.as_command_output(), ensure_ascii=False))
        else:
            self._report(plan, table, dry_run=options["dry_run"])

    def _report(self, plan: ImportPlan, table: Table, *, dry_run: bool) -> None:
        counts = plan.counts()
        self.stdout.write(f"{table.description} · {len(plan.rows)} lignes de clients")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été enregistré.")
        verb = "à " if dry_run else ""
        self.stdout.write(
            f"{verb}créer : {counts[CREATE]} · {verb}mettre à jour : {counts[UPDATE]} · "
            f"inchangés : {counts[UNCHANGED]} · rejetés : {counts[REJECT]}".capitalize()
        )
        for row in plan.rejected:
            reasons = " ; ".join(f"{column} : {message}" for column, message in row.errors.items())
            self.stdout.write(f"Ligne {row.line} — {reasons}")


def read_file(path: Path) -> Table:
    if not path.is_file():
        raise ImportFileError(f"Fichier introuvable : {path}")
    check_size(path.stat().st_size)
    return read_table(path.read_bytes(), path.name)
