"""The code a demo account's authenticator app would show now, for trying the demo without a
phone. Demo accounts only (@demo.pilote-fe.fr)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms import two_factor
from firms.command_arguments import BAD_INPUT
from firms.models import User

DEMO_DOMAIN = "@demo.pilote-fe.fr"


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        email = email.strip().lower()
        if not email.endswith(DEMO_DOMAIN):
            raise CommandError(f"Only demo accounts ({DEMO_DOMAIN}).", returncode=BAD_INPUT)
        user = User.objects.filter(email=email).first()
        device = two_factor.totp_device(user) if user else None
        if device is None:
            raise CommandError(f"{email} has no second factor.", returncode=BAD_INPUT)
        self.stdout.write(two_factor.current_code(device))
