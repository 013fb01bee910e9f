"""Create (and optionally issue) a firm's invoices from a JSON file, all or nothing.

    python manage.py create_invoices --firm SLUG FILE.json

The file holds ``[{"client_siren": "…", "lines": [{"description": …, "quantity": "1",
"unit_price": "150.00", "vat_rate": "20", "vat_category": "S", "exemption_reason": ""}],
"issue": true}]`` (``vat_category`` and ``exemption_reason`` are optional: S when the rate is
above zero). Prints ``[{"number": …, "total_excl_vat": "…", "total_incl_vat": "…"}]`` (a draft
has a null number). A bad item gives exit status 2 and a message naming the item and the field;
then nothing is created (one transaction).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.exceptions import ValidationError as PayloadError

from clients.models import Client
from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from invoicing import issuing, services
from invoicing.api import draft_from_payload


class BadItem(Exception):
    pass


class Command(BaseCommand):
    help = "Crée (et émet) les factures d'un cabinet décrites dans un fichier JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("file", help="le fichier JSON (- pour l'entrée standard)")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        items = _read(options["file"])
        results = []
        try:
            with firm_scope(firm), transaction.atomic():
                settings_row = services.invoicing_settings(firm)
                defaults = {
                    "payment_terms_days": settings_row.payment_terms_days,
                    "operation_category": settings_row.default_operation_category,
                }
                for number, item in enumerate(items, start=1):
                    results.append(_create(firm, number, item, defaults))
        except BadItem as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from error
        self.stdout.write(json.dumps(results, ensure_ascii=False))


def _read(name: str) -> list:
    try:
        text = sys_stdin_text() if name == "-" else Path(name).read_text(encoding="utf-8")
        items = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"Fichier illisible : {error}", returncode=BAD_INPUT) from error
    if not isinstance(items, list):
        raise CommandError("Le fichier doit contenir une liste JSON.", returncode=BAD_INPUT)
    return items


def sys_stdin_text() -> str:
    import sys

    return sys.stdin.read()


def _create(firm, number: int, item: object, defaults: dict) -> dict:
    where = f"Élément {number}"
    if not isinstance(item, dict):
        raise BadItem(f"{where} : un objet JSON est attendu.")
    siren = item.get("client_siren")
    if not isinstance(siren, str) or not siren.strip():
        raise BadItem(f"{where}, client_siren : indiquez le SIREN du client.")
    client = Client.objects.for_firm(firm).filter(siren=siren.replace(" ", "")).first()
    if client is None:
        raise BadItem(f"{where}, client_siren : aucun client du cabinet n'a le SIREN {siren}.")
    issue = item.get("issue", False)
    if not isinstance(issue, bool):
        raise BadItem(f"{where}, issue : true ou false.")
    try:
        lines, terms = draft_from_payload(item, client=client, defaults=defaults)
    except PayloadError as error:
        raise BadItem(f"{where}, {_fields(error.detail)}") from error
    try:
        invoice = services.create_draft(firm=firm, client=client, lines=lines, terms=terms, by=None)
        if issue:
            invoice = issuing.issue_invoice(firm=firm, invoice=invoice, by=None)
    except ValidationError as error:
        raise BadItem(f"{where}, {_fields(error.message_dict)}") from error
    except issuing.IssueRefused as error:
        raise BadItem(f"{where}, issue : {error}") from error
    return {
        "number": invoice.number or None,
        "total_excl_vat": str(invoice.total_excl_vat),
        "total_incl_vat": str(invoice.total_incl_vat),
    }


def _fields(detail) -> str:
    if isinstance(detail, dict):
        return " ; ".join(
            f"{name} : {' '.join(str(message) for message in _as_list(messages))}"
            for name, messages in detail.items()
        )
    return " ".join(str(message) for message in _as_list(detail))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]
