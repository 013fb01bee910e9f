"""The VAT category rules of EN 16931 that an invoice's lines must follow, checked at drafting.

Pure functions over plain data, French messages. UNCL 5305 categories:

- ``S`` standard rate: a rate above zero, one of the French rates (20, 10, 5.5, 2.1 %);
- ``Z`` zero rated, ``E`` exempt, ``AE`` reverse charge (autoliquidation), ``O`` not subject to
  VAT: rate 0;
- ``E`` needs its exemption reason (BR-E-10), e.g. "Exonération de TVA, article 261 du CGI";
- ``AE`` needs the buyer's VAT number (BR-AE-02..04);
- ``O`` cannot sit with any other category on one invoice (BR-O-11..14).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from invoicing.document import VatCategory

CATEGORIES = tuple(category.value for category in VatCategory)
FRENCH_RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))
CATEGORY_LABELS = {
    VatCategory.STANDARD: "S — taux normal ou réduit",
    VatCategory.ZERO: "Z — taux zéro",
    VatCategory.EXEMPT: "E — exonéré",
    VatCategory.REVERSE_CHARGE: "AE — autoliquidation",
    VatCategory.NOT_SUBJECT: "O — hors champ de la TVA",
}
# The exemption text a category carries when the person gives none (BT-120).
DEFAULT_EXEMPTION_REASONS = {
    VatCategory.REVERSE_CHARGE: "Autoliquidation",
    VatCategory.NOT_SUBJECT: "Non soumis à la TVA",
}


@dataclass(frozen=True)
class LineVat:
    vat_category: str  # "" when not given: S for a rate above zero
    vat_rate: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class Problem:
    line: int | None  # the line's index from 0, None for the invoice as a whole
    field: str
    message: str


def default_category(rate: Decimal) -> str:
    """The category of a line that names none: S above zero; at zero, the person must say."""
    return VatCategory.STANDARD.value if Decimal(rate) > 0 else ""


def parse_rate(value: object) -> Decimal | None:
    """A VAT rate as typed: "20", "5,5", "5.5 %"; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.replace("%", "").replace(",", ".").strip()
        if not text or len(text) > 10:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite() or number < 0 or number >= 100:
        return None
    return number


def check_line(line: LineVat, *, buyer_vat_number: str = "") -> list[tuple[str, str]]:
    """The problems of one line, as (field, French message)."""
    category = line.vat_category or default_category(line.vat_rate)
    rate = Decimal(line.vat_rate)
    if category not in CATEGORIES:
        if not category and rate == 0:
            return [
                (
                    "vat_category",
                    "Un taux de 0 % demande une catégorie de TVA : Z, E (exonéré, avec son "
                    "motif), AE (autoliquidation) ou O (hors champ).",
                )
            ]
        return [("vat_category", "Catégorie de TVA inconnue : S, Z, E, AE ou O.")]
    problems = []
    if category == VatCategory.STANDARD:
        if rate not in FRENCH_RATES:
            problems.append(
                (
                    "vat_rate",
                    "La catégorie S demande un taux français de TVA : 20 %, 10 %, 5,5 % ou 2,1 %.",
                )
            )
    elif rate != 0:
        problems.append(
            ("vat_rate", f"La catégorie {category} s'applique avec un taux de 0 %, pas {rate} %.")
        )
    if category == VatCategory.EXEMPT and not line.exemption_reason.strip():
        problems.append(
            (
                "exemption_reason",
                "Une ligne exonérée (E) indique le motif d'exonération, par exemple "
                "« Exonération de TVA, article 261 du CGI ».",
            )
        )
    if category == VatCategory.REVERSE_CHARGE and not buyer_vat_number:
        problems.append(
            (
                "vat_category",
                "L'autoliquidation (AE) demande le numéro de TVA intracommunautaire du client : "
                "complétez sa fiche.",
            )
        )
    return problems


def check_lines(lines: Sequence[LineVat], *, buyer_vat_number: str = "") -> list[Problem]:
    """Every problem of an invoice's lines, each line's first, then the mix of categories."""
    problems = [
        Problem(index, field, message)
        for index, line in enumerate(lines)
        for field, message in check_line(line, buyer_vat_number=buyer_vat_number)
    ]
    categories = {line.vat_category or default_category(line.vat_rate) for line in lines}
    if VatCategory.NOT_SUBJECT in categories and len(categories) > 1:
        problems.append(
            Problem(
                None,
                "vat_category",
                "Une ligne hors champ de la TVA (O) ne peut pas figurer sur la même facture que "
                "des lignes soumises à la TVA : faites deux factures.",
            )
        )
    return problems


def exemption_reason_for(category: str, given: str) -> str:
    """The exemption text stored on a line: the one given, or the category's own."""
    if category == VatCategory.STANDARD:
        return ""
    if category == VatCategory.ZERO:
        return given.strip()
    return given.strip() or DEFAULT_EXEMPTION_REASONS.get(VatCategory(category), "")
