"""Payments read from a bank statement and matched to the firm's open invoices.

Plain functions: :func:`read_statement` reads the CSV export of a French bank (a date, a label and
either one signed amount or separate debit and credit columns; ``;`` or ``,`` or tab separated;
UTF-8 or Windows-1252; amounts with a decimal comma), and :func:`match_payments` pairs each credit
with the invoice it pays: the invoice whose number appears in the label, else the only open invoice
of exactly that amount. Anything doubtful stays unmatched, with the reason, for a person to settle.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from french_formats.numbers import parse_french_decimal

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
MAX_STATEMENT_ROWS = 20_000

# Normalised header → the column it names. Banks spell them many ways.
DATE_HEADERS = {"date", "date operation", "date de l'operation", "date comptable", "date valeur"}
DATE_HEADERS |= {"date de valeur", "date d'operation"}
LABEL_HEADERS = {"libelle", "libelle operation", "libelle de l'operation", "intitule"}
LABEL_HEADERS |= {"description", "detail", "details", "motif", "reference", "libelle simplifie"}
AMOUNT_HEADERS = {"montant", "montant eur", "montant (eur)", "montant en euros", "somme"}
CREDIT_HEADERS = {"credit", "credit eur", "credit (eur)", "credits"}
DEBIT_HEADERS = {"debit", "debit eur", "debit (eur)", "debits"}
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


class StatementError(ValueError):
    """A statement that cannot be read at all; the message is for the user."""


@dataclass(frozen=True)
class StatementRow:
    line: int  # in the file, the header being line 1
    day: date
    label: str
    amount: Decimal  # positive for a credit


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    number: str
    amount_due: Decimal


@dataclass(frozen=True)
class PaymentMatch:
    row: StatementRow
    invoice: OpenInvoice | None
    reason: str  # why it was matched, or why it was not

    @property
    def matched(self) -> bool:
        return self.invoice is not None


def read_statement(content: bytes) -> list[StatementRow]:
    """The credit rows of a statement, in file order. Debits (and zero rows) are left out: they are
    not payments received. Raises :class:`StatementError` naming the line or column at fault."""
    if len(content) > MAX_STATEMENT_BYTES:
        raise StatementError(_("Le relevé dépasse 5 Mo."))
    text = _decode(content)
    lines = text.splitlines()
    if not lines:
        raise StatementError(_("Le relevé est vide."))
    dialect = _dialect(lines[0])
    reader = csv.reader(io.StringIO(text), dialect)
    header = [_normalise(cell) for cell in next(reader)]
    columns = _columns(header)
    rows = []
    for line_number, cells in enumerate(reader, start=2):
        if line_number > MAX_STATEMENT_ROWS + 1:
            raise StatementError(_("Le relevé dépasse 20 000 lignes."))
        if not any(cell.strip() for cell in cells):
            continue
        row = _row(line_number, cells, columns)
        if row.amount > 0:
            rows.append(row)
    return rows


def match_payments(
    rows: Iterable[StatementRow], open_invoices: Sequence[OpenInvoice]
) -> list[PaymentMatch]:
    """Each credit with the invoice it pays, or none with the reason. An invoice is paid by one
    row at most within a statement when it is matched on its amount alone."""
    by_compact_number = {_compact(invoice.number): invoice for invoice in open_invoices}
    taken: set[int] = set()
    matches = []
    for row in rows:
        label = _compact(row.label)
        named = [
            invoice
            for compact, invoice in by_compact_number.items()
            if compact and _cites(label, compact)
        ]
        if len(named) == 1:
            invoice = named[0]
            if row.amount == invoice.amount_due:
                reason = _("numéro et montant")
            elif row.amount < invoice.amount_due:
                reason = _("numéro ; paiement partiel")
            else:
                reason = _("numéro ; montant supérieur au reste dû")
            matches.append(PaymentMatch(row, invoice, reason))
            taken.add(invoice.id)
            continue
        if len(named) > 1:
            matches.append(PaymentMatch(row, None, _("plusieurs numéros de facture cités")))
            continue
        same_amount = [
            invoice
            for invoice in open_invoices
            if invoice.amount_due == row.amount and invoice.id not in taken
        ]
        if len(same_amount) == 1:
            matches.append(PaymentMatch(row, same_amount[0], _("montant")))
            taken.add(same_amount[0].id)
        elif same_amount:
            matches.append(PaymentMatch(row, None, _("plusieurs factures ouvertes de ce montant")))
        else:
            matches.append(PaymentMatch(row, None, _("aucune facture ouverte correspondante")))
    return matches


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _dialect(first_line: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,\t")
    except csv.Error:
        return csv.excel if first_line.count(",") > first_line.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def _normalise(header: str) -> str:
    without_accents = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return " ".join(without_accents.lower().replace("’", "'").split())


def _columns(header: list[str]) -> dict[str, int]:
    def find(names: set[str]) -> int | None:
        return next((index for index, cell in enumerate(header) if cell in names), None)

    columns = {
        "date": find(DATE_HEADERS),
        "label": find(LABEL_HEADERS),
        "amount": find(AMOUNT_HEADERS),
        "credit": find(CREDIT_HEADERS),
        "debit": find(DEBIT_HEADERS),
    }
    if columns["date"] is None:
        raise StatementError(_("Colonne de date introuvable (en-tête « Date » attendu)."))
    if columns["label"] is None:
        raise StatementError(_("Colonne de libellé introuvable (en-tête « Libellé » attendu)."))
    if columns["amount"] is None and columns["credit"] is None:
        raise StatementError(
            _("Colonne de montant introuvable (en-tête « Montant » ou « Crédit » attendu).")
        )
    return {name: index for name, index in columns.items() if index is not None}


def _row(line_number: int, cells: list[str], columns: dict[str, int]) -> StatementRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    day = _date(cell("date"))
    if day is None:
        raise StatementError(
            _("Ligne %(line)s : date illisible « %(value)s ».")
            % {"line": line_number, "value": cell("date")[:40]}
        )
    if "amount" in columns:
        amount = _amount(cell("amount"), line_number)
    else:
        amount = _amount(cell("credit"), line_number, blank_is_zero=True)
        amount -= _amount(cell("debit"), line_number, blank_is_zero=True).copy_abs()
    return StatementRow(line=line_number, day=day, label=cell("label")[:500], amount=amount)


def _date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _amount(text: str, line_number: int, *, blank_is_zero: bool = False) -> Decimal:
    if not text and blank_is_zero:
        return Decimal(0)
    # Cents at most, and no multiplier: "1,5 M€" is not how a bank writes an amount.
    has_words = any(char.isalpha() for char in text.lower().replace("eur", ""))
    amount = None if has_words else parse_french_decimal(text)
    if amount is None or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= 10**10:
        raise StatementError(
            _("Ligne %(line)s : montant illisible « %(value)s ».")
            % {"line": line_number, "value": text[:40]}
        )
    return amount.quantize(Decimal("0.01"))


def _cites(label: str, number: str) -> bool:
    """Whether a compacted label holds the number, not merely the start of a longer one."""
    start = label.find(number)
    while start != -1:
        end = start + len(number)
        if end == len(label) or not label[end].isdigit():
            return True
        start = label.find(number, start + 1)
    return False


_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")


def _compact(text: str) -> str:
    """ "FA-2026-000123" and "fa 2026 000123" compare equal."""
    return _NOT_ALPHANUMERIC.sub("", text.lower())
