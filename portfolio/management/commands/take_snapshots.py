"""Take this week's portfolio snapshot of every active firm (or of the given firms)."""

from django.core.management.base import BaseCommand, CommandParser

from portfolio.snapshots import take_snapshots


class Command(BaseCommand):
    help = "Record this week's headline figures of the portfolio, per firm (progress chart)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", type=int, action="append", help="A firm id (repeatable).")

    def handle(self, *args, firm: list[int] | None, **options) -> None:
        taken = take_snapshots(firm_ids=firm)
        self.stdout.write(f"{taken} portfolio snapshot(s) taken.")
