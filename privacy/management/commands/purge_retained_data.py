"""python manage.py purge_retained_data [--today YYYY-MM-DD]: what the nightly task does, now:
delete what erasures kept for a legal duty once the duty has ended. Prints
{"purged": n, "waiting": n, "failed": n}; exit status 2 on a malformed date."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms.command_arguments import BAD_INPUT
from privacy.purge import purge_retained_rows


class Command(BaseCommand):
    help = "Purge the data kept for a legal duty whose duty has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", default="", help="The day to purge as of (YYYY-MM-DD).")

    def handle(self, *args, today: str, **options) -> None:
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError("--today: YYYY-MM-DD.", returncode=BAD_INPUT) from error
        outcome = purge_retained_rows(today=day)
        self.stdout.write(
            json.dumps(
                {"purged": outcome.purged, "waiting": outcome.waiting, "failed": outcome.failed}
            )
        )
