"""The JeSignExpert export: the signing service's bulk mode takes an Excel file of signers, one
row a document, and the documents themselves. No public column list of the service exists, so
the columns are the firm's (``MandateSettings.export_columns``: header, value, order) with the
default below; the date format is the firm's too.

A mandate whose signer lacks an e-mail address or a valid mobile number (the service sends its
one-time code by SMS) is not exported: it is listed with the reason, for the collaborator to fix.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from firms.models import Firm, User
from firms.validators import clean_mobile_number
from mandates.models import Mandate, MandateSettings

SUBJECT_MAX = 45
MESSAGE_MAX = 4000


@dataclass(frozen=True)
class ExportContext:
    firm: Firm
    settings: MandateSettings
    preparer: User | None


# What a column may show: value code → (French label, how to read it from a mandate).
Reader = Callable[[Mandate, ExportContext], str]


def _signer_mobile(mandate: Mandate, context: ExportContext) -> str:
    return clean_mobile_number(mandate.client.signer_mobile)


def _accountant(attribute: str) -> Reader:
    def read(mandate: Mandate, context: ExportContext) -> str:
        accountant = mandate.client.assigned_to
        if accountant is None:
            return ""
        names = accountant.full_name.split(" ", 1)
        return {
            "last_name": names[-1],
            "first_name": names[0] if len(names) > 1 else "",
            "email": accountant.email,
        }[attribute]

    return read


VALUES: dict[str, tuple[str, Reader]] = {
    "reference": ("Référence du mandat", lambda m, c: m.reference),
    "file": ("Nom du fichier PDF", lambda m, c: f"{m.reference}.pdf"),
    "subject": (
        "Objet (45 caractères)",
        lambda m, c: f"{m.get_kind_display()} – {m.client.company_name}"[:SUBJECT_MAX],
    ),
    "message": (
        "Message au signataire",
        lambda m, c: (
            f"Bonjour,\n\nVoici le mandat « {m.get_kind_display()} » de {m.client.company_name} "
            f"à signer pour {c.firm.name}.\n\nCordialement,\n{c.firm.name}"
        )[:MESSAGE_MAX],
    ),
    "company_name": ("Raison sociale du client", lambda m, c: m.client.company_name),
    "siren": ("SIREN du client", lambda m, c: m.client.siren),
    "signer_civility": ("Civilité du signataire", lambda m, c: m.client.signer_civility),
    "signer_last_name": ("Nom du signataire", lambda m, c: m.client.signer_last_name),
    "signer_first_name": ("Prénom du signataire", lambda m, c: m.client.signer_first_name),
    "signer_email": ("E-mail du signataire", lambda m, c: m.client.signer_email),
    "signer_mobile": ("Mobile du signataire (+33…)", _signer_mobile),
    "signer_order": ("Ordre du signataire (1)", lambda m, c: "1"),
    "accountant_civility": ("Civilité de l'expert-comptable", lambda m, c: ""),
    "accountant_last_name": ("Nom de l'expert-comptable", _accountant("last_name")),
    "accountant_first_name": ("Prénom de l'expert-comptable", _accountant("first_name")),
    "accountant_email": ("E-mail de l'expert-comptable", _accountant("email")),
    "accountant_mobile": ("Mobile de l'expert-comptable", lambda m, c: ""),
    "accountant_order": (
        "Ordre de l'expert-comptable (2)",
        lambda m, c: "2" if m.client.assigned_to else "",
    ),
    "copy_emails": ("E-mails en copie", lambda m, c: c.firm.email_reply_to or ""),
    "preparer_email": (
        "E-mail du préparateur",
        lambda m, c: c.preparer.email if c.preparer else "",
    ),
    "date": ("Date du mandat", lambda m, c: m.created_at.strftime(c.settings.export_date_format)),
    "empty": ("(colonne vide)", lambda m, c: ""),
}

DEFAULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Reference", "reference"),
    ("Fichier", "file"),
    ("Objet", "subject"),
    ("Message", "message"),
    ("Raison_sociale", "company_name"),
    ("SIREN", "siren"),
    ("Signataire1_Civilite", "signer_civility"),
    ("Signataire1_Nom", "signer_last_name"),
    ("Signataire1_Prenom", "signer_first_name"),
    ("Signataire1_Email", "signer_email"),
    ("Signataire1_Mobile", "signer_mobile"),
    ("Signataire1_Ordre", "signer_order"),
    ("Signataire2_Civilite", "accountant_civility"),
    ("Signataire2_Nom", "accountant_last_name"),
    ("Signataire2_Prenom", "accountant_first_name"),
    ("Signataire2_Email", "accountant_email"),
    ("Signataire2_Mobile", "accountant_mobile"),
    ("Signataire2_Ordre", "accountant_order"),
    ("Copie_Emails", "copy_emails"),
    ("Preparateur_Email", "preparer_email"),
)


def columns_of(settings: MandateSettings) -> list[tuple[str, str]]:
    """The firm's columns (header, value code), or the default ones."""
    stored = [
        (str(column.get("header", "")), str(column.get("value", "")))
        for column in settings.export_columns or []
        if isinstance(column, dict)
    ]
    return [(header, value) for header, value in stored if header and value in VALUES] or list(
        DEFAULT_COLUMNS
    )


def check_columns(columns: Sequence[tuple[str, str]]) -> None:
    """The rules of a firm's column template: known values, headers unique and present."""
    errors = []
    headers = [header.strip() for header, _ in columns]
    if not columns:
        errors.append("Gardez au moins une colonne.")
    if any(not header for header in headers):
        errors.append("Chaque colonne a un en-tête.")
    if len(set(headers)) != len(headers):
        errors.append("Deux colonnes ont le même en-tête.")
    unknown = [value for _, value in columns if value not in VALUES]
    if unknown:
        errors.append("Valeur inconnue : " + ", ".join(unknown))
    if "reference" not in {value for _, value in columns}:
        errors.append("La référence du mandat doit figurer dans l'export (les PDF la portent).")
    if errors:
        raise ValidationError(errors)


def exclusion_reason(mandate: Mandate) -> str:
    """Why a mandate cannot be sent through the signing service, or ""."""
    client = mandate.client
    if not client.signer_email:
        return "Le signataire n'a pas d'adresse e-mail."
    if not client.signer_last_name:
        return "Le nom du signataire manque."
    try:
        if not clean_mobile_number(client.signer_mobile):
            return "Le signataire n'a pas de numéro de mobile (code de signature par SMS)."
    except ValidationError:
        return "Le numéro de mobile du signataire n'est pas valable."
    if not mandate.document:
        return "Le PDF du mandat n'est pas encore généré."
    return ""


@dataclass(frozen=True)
class Export:
    workbook: bytes  # the .xlsx
    documents: bytes  # the ZIP of <Reference>.pdf
    exported: list[Mandate]
    excluded: list[tuple[Mandate, str]]


def build_export(
    *, firm: Firm, mandates: Iterable[Mandate], preparer: User | None = None
) -> Export:
    """The Excel file and the ZIP of the documents for the mandates that can be exported."""
    settings = MandateSettings.objects.for_firm(firm).first() or MandateSettings(firm=firm)
    context = ExportContext(firm=firm, settings=settings, preparer=preparer)
    columns = columns_of(settings)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Signataires")
    sheet.append([_text_cell(sheet, header) for header, _ in columns])
    archive_buffer = io.BytesIO()
    exported, excluded = [], []
    with zipfile.ZipFile(archive_buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for mandate in mandates:
            reason = exclusion_reason(mandate)
            if reason:
                excluded.append((mandate, reason))
                continue
            sheet.append(
                [_text_cell(sheet, VALUES[value][1](mandate, context)) for _, value in columns]
            )
            with mandate.document.open("rb") as document:
                archive.writestr(f"{mandate.reference}.pdf", document.read())
            exported.append(mandate)
    workbook_buffer = io.BytesIO()
    workbook.save(workbook_buffer)
    return Export(
        workbook=workbook_buffer.getvalue(),
        documents=archive_buffer.getvalue(),
        exported=exported,
        excluded=excluded,
    )


def _text_cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """Every cell is typed as text, so that a value starting with "=" (a client named
    "=HYPERLINK(…)") is never a formula, and "+33…" stays as written."""
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    return cell
