"""Invoice documents as the firm issues them, for the Factur-X, routing and e-reporting tests.

``invoice(...)`` builds a complete, consistent ``InvoiceDocument``: the VAT breakdown and the
totals are computed from the lines the way the invoicing service does (per category and rate,
rounded half up to the cent), so that a test changes only what it is about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from invoicing.document import (
    Address,
    InvoiceDocument,
    Line,
    OperationCategory,
    Party,
    PaymentTerms,
    TypeCode,
    VatCategory,
    VatSubtotal,
)

CENT = Decimal("0.01")

SELLER = Party(
    name="Cabinet Lambert & Associés",
    address=Address(line1="12 rue de la République", postal_code="69002", city="Lyon"),
    siren="732829320",
    vat_number="FR44732829320",
    email="facturation@lambert-associes.fr",
    legal_form="SAS",
    share_capital="50000",
    rcs="RCS Lyon 732 829 320",
    phone="04 72 00 00 00",
)

FRENCH_COMPANY = Party(
    name="Boulangerie Martin SARL",
    address=Address(line1="3 place du Marché", postal_code="38000", city="Grenoble"),
    siren="542107651",
    vat_number="FR40542107651",
    email="compta@boulangerie-martin.fr",
)

EU_COMPANY = Party(
    name="Müller Steuerberatung GmbH",
    address=Address(line1="Hauptstraße 5", postal_code="10115", city="Berlin", country_code="DE"),
    vat_number="DE136695976",
    email="rechnung@mueller-steuer.de",
)

CONSUMER = Party(
    name="Jeanne Durand",
    address=Address(line1="8 rue des Lilas", postal_code="75011", city="Paris"),
    email="jeanne.durand@example.fr",
)

PAYMENT = PaymentTerms(
    due_date=date(2026, 12, 31),
    terms_text="Paiement à 30 jours",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    late_penalty_text=(
        "En cas de retard de paiement, pénalités au taux de trois fois le taux d'intérêt légal."
    ),
    recovery_indemnity_text=(
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €."
    ),
    discount_text="Pas d'escompte pour paiement anticipé.",
)


def line(
    description: str,
    quantity: str,
    unit_price: str,
    *,
    category: VatCategory = VatCategory.STANDARD,
    rate: str = "20",
    reason: str = "",
) -> Line:
    """A line without its position (given by ``invoice``), its net amount computed."""
    net = (Decimal(quantity) * Decimal(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Line(
        position=0,
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        vat_category=category,
        vat_rate=Decimal(rate),
        net_amount=net,
        exemption_reason=reason,
    )


def invoice(
    *lines: Line,
    number: str = "F2026-0001",
    buyer: Party = FRENCH_COMPANY,
    category: OperationCategory = OperationCategory.SERVICES,
    **changes: object,
) -> InvoiceDocument:
    """An invoice of the firm to ``buyer`` for ``lines`` (one line of bookkeeping at 20 %
    when none is given); ``changes`` replace any other field of the document."""
    lines = lines or (line("Tenue de la comptabilité, décembre 2026", "1", "450.00"),)
    numbered = tuple(replace(item, position=index) for index, item in enumerate(lines, 1))
    breakdown = vat_breakdown(numbered)
    total_excl_vat = sum((item.taxable_amount for item in breakdown), Decimal("0"))
    total_vat = sum((item.tax_amount for item in breakdown), Decimal("0"))
    document = InvoiceDocument(
        number=number,
        type_code=TypeCode.INVOICE,
        issue_date=date(2026, 12, 1),
        seller=SELLER,
        buyer=buyer,
        lines=numbered,
        vat_breakdown=breakdown,
        total_excl_vat=total_excl_vat,
        total_vat=total_vat,
        total_incl_vat=total_excl_vat + total_vat,
        payment=PAYMENT,
        operation_category=category,
    )
    return replace(document, **changes)


def credit_note(*lines: Line, **changes: object) -> InvoiceDocument:
    """A credit note for the invoice F2026-0001 of 1 Nov 2026."""
    values: dict[str, object] = {
        "number": "A2026-0001",
        "type_code": TypeCode.CREDIT_NOTE,
        "preceding_invoice_number": "F2026-0001",
        "preceding_invoice_date": date(2026, 11, 1),
    }
    values.update(changes)
    return invoice(*lines, **values)


def vat_breakdown(lines: tuple[Line, ...]) -> tuple[VatSubtotal, ...]:
    taxable: dict[tuple[VatCategory, Decimal], Decimal] = defaultdict(Decimal)
    reasons: dict[tuple[VatCategory, Decimal], str] = {}
    for item in lines:
        key = (item.vat_category, item.vat_rate)
        taxable[key] += item.net_amount
        reasons.setdefault(key, item.exemption_reason)
    return tuple(
        VatSubtotal(
            vat_category=category,
            vat_rate=rate,
            taxable_amount=amount,
            tax_amount=(amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP),
            exemption_reason=reasons[(category, rate)],
        )
        for (category, rate), amount in taxable.items()
    )
