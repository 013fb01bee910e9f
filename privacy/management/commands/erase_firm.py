"""python manage.py erase_firm --firm SLUG --confirm SLUG: erases a firm completely (see
privacy.erasure). Prints what went as JSON; exit 2 on an unknown firm or a confirmation that
does not repeat the slug."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms.command_arguments import BAD_INPUT
from firms.models import Firm
from privacy.erasure import erase_firm


class Command(BaseCommand):
    help = "Erase a firm and all of its data, files and users of no other firm. Irreversible."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="The firm's slug.")
        parser.add_argument(
            "--confirm", required=True, help="The firm's slug again: nothing happens otherwise."
        )

    def handle(self, *args, firm: str, confirm: str, **options) -> None:
        target = Firm.objects.filter(slug=firm).first()
        if target is None:
            raise CommandError(f"No firm {firm!r}.", returncode=BAD_INPUT)
        if confirm != firm:
            raise CommandError("--confirm must repeat the firm's slug.", returncode=BAD_INPUT)
        erasure = erase_firm(target)
        self.stdout.write(
            json.dumps(
                {
                    "firm": erasure.firm_name,
                    "rows": erasure.total_rows,
                    "tables": erasure.rows,
                    "files": erasure.files,
                    "users": erasure.users,
                },
                ensure_ascii=False,
            )
        )
