"""The columns of the full portfolio export, defined once for both writers (Excel and CSV).

Each column has its French header, the kind of cell it makes (text, number or date: the Excel
writer types the cell, the CSV writer formats it the French way), its width in Excel and the
key of its value in one client's row (a flat dict assembled by :mod:`exports.reading`) with the
function that turns the value into the cell. Headers stay in French whatever the interface
language: the file is meant for French spreadsheets and mail merges.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from django.utils import timezone

from cartography.models import (
    DigitalMaturity,
    InvoiceTool,
    PlatformRole,
    PlatformStatus,
    PurchaseEntry,
    SoftwareCategory,
)
from clients.models import Client
from fiscal_questionnaire.models import ReportingFrequency, SizeCategory
from fiscal_questionnaire.questions import QUESTIONS, AnswerKind
from mandates.models import MandateStatus
from scoring.models import ClientScore
from scoring.portfolio_facts import NOT_READY, READY, UNKNOWN

YES, NO = "Oui", "Non"


class CellKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """One column: its header, the key of its value in a row (a flat dict, see
    :mod:`exports.reading`), how that value becomes the cell, the kind of cell, its width."""

    header: str
    key: str
    convert: Callable[[object], object]
    kind: CellKind = CellKind.TEXT
    width: int = 16

    def value(self, row: Mapping) -> object:
        return self.convert(row.get(self.key))


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def as_text(value: object) -> str:
    return "" if value is None else str(value)


def yes_no(value: object) -> str:
    if value is None:
        return ""
    return YES if value else NO


def as_date(value: object) -> date | None:
    """A date for a date cell: a datetime counts by its day in the firm's time zone."""
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


def as_number(value: object) -> int | float | Decimal | None:
    if type(value) in (int, float, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return value


def as_list(value: object) -> str:
    return " ; ".join(str(item) for item in value) if isinstance(value, list) else ""


def labelled(labels: Mapping[str, str]) -> Callable[[object], str]:
    """A stored code as its French label (an unknown code as it is)."""

    def convert(value: object) -> str:
        if value is None or value == "":
            return ""
        return labels.get(value, str(value))

    return convert


def key(*path: str) -> str:
    """The key of a value in a flat row: "obligations.receive_from"."""
    return ".".join(path)


def text(header: str, *path: str, width: int = 16) -> Column:
    return Column(header, key(*path), as_text, width=width)


def choice(header: str, labels: Mapping[str, str], *path: str, width: int = 16) -> Column:
    return Column(header, key(*path), labelled(labels), width=width)


def boolean(header: str, *path: str, width: int = 12) -> Column:
    return Column(header, key(*path), yes_no, width=width)


def number(header: str, *path: str, width: int = 12) -> Column:
    return Column(header, key(*path), as_number, CellKind.NUMBER, width)


def day(header: str, *path: str, width: int = 12) -> Column:
    return Column(header, key(*path), as_date, CellKind.DATE, width)


def listed(header: str, *path: str, width: int = 30) -> Column:
    return Column(header, key(*path), as_list, width=width)


def answer_column(question) -> Column:
    """A question of the fiscal questionnaire: Oui/Non, the choice's label, or the number."""
    width = min(max(len(question.label) // 2, 14), 40)
    if question.kind is AnswerKind.NUMBER:
        return number(question.label, "answers", question.code, width=width)
    if question.kind is AnswerKind.BOOLEAN:
        return boolean(question.label, "answers", question.code, width=width)
    labels = {each.value: each.label for each in question.choices}
    return choice(question.label, labels, "answers", question.code, width=width)


def software_column(category: str, label: str) -> Column:
    return listed(f"Logiciels : {label}", "software", category, width=26)


def platform_columns(role: str, label: str) -> list[Column]:
    statuses = _labels(PlatformStatus.choices)
    return [
        text(f"PA {label}", "platforms", role, "name", width=24),
        choice(f"Statut PA {label}", statuses, "platforms", role, "status", width=16),
        day(f"Statut PA {label} depuis le", "platforms", role, "since", width=14),
    ]


READINESS_LABELS = {
    READY: "Prêts",
    NOT_READY: "Pas prêt",
    UNKNOWN: "À vérifier",
}
MANDATE_LABELS = {"": "Aucun", **_labels(MandateStatus.choices)}


def _readiness(value: object) -> str:
    return READINESS_LABELS.get(value, "Aucun logiciel")


def _mandate(value: object) -> str:
    return MANDATE_LABELS.get(value or "", str(value or ""))


def build_columns() -> list[Column]:
    """Every column, in the order of the file. Built once (labels read in French)."""
    sizes = _labels(SizeCategory.choices)
    return [
        # The client sheet.
        text("Raison sociale", "company_name", width=32),
        text("SIREN", "siren", width=11),
        text("SIRET du siège", "siret", width=16),
        text("Code NAF/APE", "naf_code", width=9),
        text("Forme juridique", "legal_form", width=14),
        text("TVA intracommunautaire", "vat_number", width=16),
        text("Adresse", "address", width=32),
        text("Code postal", "postal_code", width=9),
        text("Ville", "city", width=18),
        text("Clôture de l'exercice", "fiscal_year_end", width=9),
        text("Contact principal", "contact_name", width=22),
        text("E-mail du contact", "contact_email", width=28),
        text("Téléphone du contact", "contact_phone", width=16),
        choice("Civilité du signataire", _labels(Client.Civility.choices), "signer_civility"),
        text("Nom du signataire", "signer_last_name", width=18),
        text("Prénom du signataire", "signer_first_name", width=16),
        text("E-mail du signataire", "signer_email", width=28),
        text("Mobile du signataire", "signer_mobile", width=16),
        listed("E-mails de facturation", "billing_emails", width=34),
        choice("Envoi des factures", _labels(Client.Delivery.choices), "invoice_delivery"),
        text("Collaborateur", "collaborator", width=20),
        choice("Statut", _labels(Client.Status.choices), "status", width=9),
        listed("Étiquettes", "tags", width=20),
        day("Dernière revue", "last_reviewed_at"),
        day("Créé le", "created_at"),
        # Score, urgency, compliance, mandate.
        number("Points", "score", "total", width=8),
        choice("Urgence", _labels(ClientScore.Level.choices), "score", "level", width=10),
        number("Conformité (%)", "score", "compliance", width=10),
        Column("Mandat de délégation", "mandate_status", _mandate, width=20),
        # The obligations and their dates.
        boolean("Dans le champ de la réforme", "obligations", "in_scope", width=14),
        choice("Catégorie d'entreprise", sizes, "obligations", "size_category", width=20),
        boolean("Réception obligatoire", "obligations", "must_receive"),
        day("Réception à partir du", "obligations", "receive_from"),
        boolean("Émission obligatoire", "obligations", "must_issue"),
        day("Émission à partir du", "obligations", "issue_from"),
        boolean("E-reporting des transactions", "obligations", "e_reporting_transactions"),
        day(
            "E-reporting des transactions à partir du",
            "obligations",
            "e_reporting_transactions_from",
        ),
        boolean("E-reporting des paiements", "obligations", "e_reporting_payments"),
        day("E-reporting des paiements à partir du", "obligations", "e_reporting_payments_from"),
        choice(
            "Fréquence de l'e-reporting",
            _labels(ReportingFrequency.choices),
            "obligations",
            "e_reporting_frequency",
        ),
        boolean("Chorus Pro", "obligations", "chorus_pro", width=10),
        boolean("Questionnaire complet", "obligations", "complete"),
        # The questionnaire's answers.
        *(answer_column(question) for question in QUESTIONS),
        # The software per category and their readiness.
        *(software_column(value, str(label)) for value, label in SoftwareCategory.choices),
        Column("Logiciels prêts pour la réforme", "software_readiness", _readiness, width=14),
        # The approved platforms and their statuses.
        *platform_columns(PlatformRole.RECEPTION, "réception"),
        *platform_columns(PlatformRole.ISSUING, "émission"),
        # The digital profile.
        choice(
            "Production des factures aujourd'hui",
            _labels(InvoiceTool.choices),
            "profile",
            "invoice_tool",
            width=22,
        ),
        number("Factures émises par mois", "profile", "invoices_issued_per_month"),
        number("Factures reçues par mois", "profile", "invoices_received_per_month"),
        number("Part des factures reçues sur papier (%)", "profile", "paper_share_received"),
        choice(
            "Saisie des factures d'achat",
            _labels(PurchaseEntry.choices),
            "profile",
            "purchase_entry",
            width=20,
        ),
        boolean("Flux bancaires automatiques", "profile", "bank_feed"),
        boolean("Caisse / point de vente", "profile", "has_pos"),
        choice(
            "Maturité numérique", _labels(DigitalMaturity.choices), "profile", "digital_maturity"
        ),
    ]
