"""Create a firm and invite its first administrator (an operator's command).

    python manage.py create_firm --name NAME --admin-email EMAIL [--slug SLUG] [--site-url URL]

Prints the administrator's invitation link (also sent by e-mail). Exit status 2 on bad input
(empty name, invalid e-mail address, slug already taken).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.urls import reverse

from firms.models import Firm, Role
from firms.services import create_firm, invitation_token, invite_member
from firms.tenancy import firm_scope

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Crée un cabinet et invite son premier administrateur (affiche le lien d'invitation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="raison sociale du cabinet")
        parser.add_argument("--admin-email", required=True, help="e-mail de l'administrateur")
        parser.add_argument("--slug", default="", help="identifiant d'adresse (sinon tiré du nom)")
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000",
            help="adresse publique de l'application, pour le lien",
        )

    def handle(self, *args, **options) -> None:
        email = options["admin_email"].strip().lower()
        slug = options["slug"].strip()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(
                f"Adresse e-mail invalide : « {email} ».", returncode=BAD_INPUT
            ) from error
        if slug:
            try:
                validate_slug(slug)
            except ValidationError as error:
                raise CommandError(
                    f"Identifiant d'adresse invalide : « {slug} ».", returncode=BAD_INPUT
                ) from error
            if Firm.objects.filter(slug=slug).exists():
                raise CommandError(f"L'identifiant « {slug} » est déjà pris.", returncode=BAD_INPUT)
        site_url = options["site_url"].rstrip("/")
        try:
            with transaction.atomic():
                firm = create_firm(name=options["name"], slug=slug)
                with firm_scope(firm):
                    invitation = invite_member(
                        firm=firm, email=email, role=Role.ADMIN, by=None, base_url=site_url
                    )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=BAD_INPUT) from error
        link = site_url + reverse("accept_invitation", args=[invitation_token(invitation)])
        self.stdout.write(f"Cabinet « {firm.name} » créé ({firm.slug}).")
        self.stdout.write(f"Invitation de l'administrateur {email} : {link}")
