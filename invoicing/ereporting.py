"""The firm's e-reporting lines, drawn from the documents it issued and the payments it received.

What the reform has the firm report to its platform, beside the invoices that travel through it
(REGULATION §1):

- **Transactions** not e-invoiced: sales to consumers and persons not liable to VAT (B2C), as
  daily totals per category of operation and VAT rate; sales to companies established abroad
  (international B2B), invoice by invoice and rate by rate.
- **Payments** received for services whose VAT is due on receipt (no option for VAT on debits):
  each payment, split across the invoice's VAT rates. Only the share bearing French VAT is
  reported; the lines of an invoice of goods and services are not told apart in the document,
  so its whole payment is reported with the category "both".

Credit notes count negative. Pure functions over ``InvoiceDocument``s; ``transactions_csv`` and
``payments_csv`` write the lines for a spreadsheet (``;``, UTF-8 with BOM, French headers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from clients.formulas import neutralise_formula
from invoicing.document import InvoiceDocument, OperationCategory, VatCategory
from invoicing.routing import BuyerFacts

CENT = Decimal("0.01")
ZERO = Decimal("0")


class BuyerKind(StrEnum):
    DOMESTIC_B2B = "b2b"  # e-invoiced through the platform, not e-reported
    CONSUMER = "b2c"  # consumers and persons not liable to VAT
    INTERNATIONAL_B2B = "b2b_international"


KIND_LABELS = {
    BuyerKind.DOMESTIC_B2B: "B2B France",
    BuyerKind.CONSUMER: "B2C",
    BuyerKind.INTERNATIONAL_B2B: "B2B international",
}
CATEGORY_LABELS = {
    OperationCategory.GOODS: "Biens",
    OperationCategory.SERVICES: "Services",
    OperationCategory.BOTH: "Biens et services",
}
# Categories whose tax is due in France and reported with the payments.
TAXED_CATEGORIES = (VatCategory.STANDARD,)


@dataclass(frozen=True)
class TransactionLine:
    """One line of the transactions report: a day's B2C total for a category and rate
    (``invoice_number`` empty), or one rate of one international invoice."""

    kind: BuyerKind
    day: date
    operation_category: OperationCategory
    vat_category: VatCategory
    vat_rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    document_count: int = 1
    invoice_number: str = ""
    is_credit_note: bool = False
    buyer_name: str = ""
    buyer_vat_number: str = ""
    buyer_country: str = ""


@dataclass(frozen=True)
class Payment:
    """A payment received for an issued document, VAT included (negative for a refund)."""

    document: InvoiceDocument
    received_on: date
    amount: Decimal


@dataclass(frozen=True)
class PaymentLine:
    """The share of one payment at one VAT rate: the amount received and the VAT it holds."""

    received_on: date
    invoice_number: str
    kind: BuyerKind
    buyer_name: str
    operation_category: OperationCategory
    vat_rate: Decimal
    amount_received: Decimal
    tax_amount: Decimal


def buyer_kind(document: InvoiceDocument, facts: BuyerFacts | None = None) -> BuyerKind:
    """Who the document was issued to. A buyer abroad is an international company when it has
    a VAT number, else a consumer. In France, the client's obligations decide when they are
    known (``facts``); otherwise a buyer with a SIREN counts as a company liable to VAT."""
    buyer = document.buyer
    country = buyer.address.country_code.strip().upper() or "FR"
    if country != "FR":
        return BuyerKind.INTERNATIONAL_B2B if buyer.vat_number.strip() else BuyerKind.CONSUMER
    known = facts.vat_liable_in_france if facts is not None else None
    if known is None:
        known = bool(buyer.siren.strip())
    return BuyerKind.DOMESTIC_B2B if known else BuyerKind.CONSUMER


def transaction_lines(
    documents: Iterable[InvoiceDocument],
    *,
    buyer_facts: Mapping[str, BuyerFacts] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[TransactionLine]:
    """The transactions to e-report among ``documents`` issued from ``start`` to ``end``
    (inclusive, open when ``None``): B2C as daily totals, international B2B per invoice.
    ``buyer_facts`` gives, by invoice number, what the client's obligations say of it."""
    facts = buyer_facts or {}
    consumer_totals: dict[tuple, list] = {}
    international: list[TransactionLine] = []
    for document in documents:
        if not _within(document.issue_date, start, end):
            continue
        kind = buyer_kind(document, facts.get(document.number))
        if kind == BuyerKind.DOMESTIC_B2B:
            continue
        sign = _sign(document)
        for subtotal in document.vat_breakdown:
            taxable = sign * subtotal.taxable_amount
            tax = sign * subtotal.tax_amount
            if kind == BuyerKind.INTERNATIONAL_B2B:
                international.append(
                    TransactionLine(
                        kind=kind,
                        day=document.issue_date,
                        operation_category=document.operation_category,
                        vat_category=subtotal.vat_category,
                        vat_rate=subtotal.vat_rate,
                        taxable_amount=taxable,
                        tax_amount=tax,
                        invoice_number=document.number,
                        is_credit_note=document.is_credit_note,
                        buyer_name=document.buyer.name,
                        buyer_vat_number=document.buyer.vat_number.strip(),
                        buyer_country=document.buyer.address.country_code.strip().upper(),
                    )
                )
                continue
            key = (
                document.issue_date,
                document.operation_category,
                subtotal.vat_category,
                subtotal.vat_rate.normalize(),
            )
            total = consumer_totals.setdefault(key, [ZERO, ZERO, set()])
            total[0] += taxable
            total[1] += tax
            total[2].add(document.number)
    consumer_lines = [
        TransactionLine(
            kind=BuyerKind.CONSUMER,
            day=day,
            operation_category=category,
            vat_category=vat_category,
            vat_rate=rate,
            taxable_amount=taxable,
            tax_amount=tax,
            document_count=len(numbers),
        )
        for (day, category, vat_category, rate), (taxable, tax, numbers) in consumer_totals.items()
    ]
    lines = consumer_lines + international
    return sorted(
        lines, key=lambda line: (line.day, line.kind != BuyerKind.CONSUMER, line.invoice_number)
    )


def payment_lines(
    payments: Iterable[Payment],
    *,
    buyer_facts: Mapping[str, BuyerFacts] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[PaymentLine]:
    """The payments to e-report among ``payments`` received from ``start`` to ``end``: those
    for services (or goods and services) whose VAT is due on receipt, each split across the
    document's taxed VAT rates in proportion to their amounts VAT included."""
    facts = buyer_facts or {}
    lines: list[PaymentLine] = []
    for payment in payments:
        document = payment.document
        if not _within(payment.received_on, start, end) or not vat_due_on_receipt(document):
            continue
        shares = _split(payment.amount, document)
        kind = buyer_kind(document, facts.get(document.number))
        for rate, amount in shares:
            tax = (amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
            lines.append(
                PaymentLine(
                    received_on=payment.received_on,
                    invoice_number=document.number,
                    kind=kind,
                    buyer_name=document.buyer.name,
                    operation_category=document.operation_category,
                    vat_rate=rate,
                    amount_received=amount,
                    tax_amount=tax,
                )
            )
    return sorted(lines, key=lambda line: (line.received_on, line.invoice_number, -line.vat_rate))


def vat_due_on_receipt(document: InvoiceDocument) -> bool:
    """Services (alone or with goods) without the option for VAT on debits."""
    return document.operation_category != OperationCategory.GOODS and not document.vat_on_debits


TRANSACTION_HEADERS = (
    "Type",
    "Date",
    "N° de facture",
    "Document",
    "Client",
    "N° TVA du client",
    "Pays",
    "Catégorie d'opération",
    "Catégorie de TVA",
    "Taux de TVA (%)",
    "Base HT (€)",
    "TVA (€)",
    "Nombre de documents",
)
PAYMENT_HEADERS = (
    "Date d'encaissement",
    "N° de facture",
    "Type",
    "Client",
    "Catégorie d'opération",
    "Taux de TVA (%)",
    "Montant encaissé TTC (€)",
    "dont TVA (€)",
)


def transactions_csv(lines: Iterable[TransactionLine]) -> bytes:
    rows = (
        (
            KIND_LABELS[line.kind],
            _day(line.day),
            neutralise_formula(line.invoice_number),
            ("Avoir" if line.is_credit_note else "Facture") if line.invoice_number else "",
            neutralise_formula(line.buyer_name),
            neutralise_formula(line.buyer_vat_number),
            line.buyer_country,
            CATEGORY_LABELS[line.operation_category],
            line.vat_category.value,
            _rate(line.vat_rate),
            _money(line.taxable_amount),
            _money(line.tax_amount),
            str(line.document_count),
        )
        for line in lines
    )
    return _csv(TRANSACTION_HEADERS, rows)


def payments_csv(lines: Iterable[PaymentLine]) -> bytes:
    rows = (
        (
            _day(line.received_on),
            neutralise_formula(line.invoice_number),
            KIND_LABELS[line.kind],
            neutralise_formula(line.buyer_name),
            CATEGORY_LABELS[line.operation_category],
            _rate(line.vat_rate),
            _money(line.amount_received),
            _money(line.tax_amount),
        )
        for line in lines
    )
    return _csv(PAYMENT_HEADERS, rows)


def _split(amount: Decimal, document: InvoiceDocument) -> list[tuple[Decimal, Decimal]]:
    """(rate, share of ``amount``) for each taxed rate; the shares add up to the rounded
    proportion of the amount that those rates represent (the rounding left on the largest)."""
    if not document.total_incl_vat:
        return []
    gross_by_rate: dict[Decimal, Decimal] = {}
    for subtotal in document.vat_breakdown:
        if subtotal.vat_category in TAXED_CATEGORIES and subtotal.vat_rate > 0:
            rate = subtotal.vat_rate.normalize()
            gross = subtotal.taxable_amount + subtotal.tax_amount
            gross_by_rate[rate] = gross_by_rate.get(rate, ZERO) + gross
    if not gross_by_rate:
        return []
    total = document.total_incl_vat
    shares = {
        rate: (amount * gross / total).quantize(CENT, rounding=ROUND_HALF_UP)
        for rate, gross in gross_by_rate.items()
    }
    expected = (amount * sum(gross_by_rate.values()) / total).quantize(CENT, rounding=ROUND_HALF_UP)
    largest = max(gross_by_rate, key=lambda rate: abs(gross_by_rate[rate]))
    shares[largest] += expected - sum(shares.values())
    return sorted(shares.items(), key=lambda item: -item[0])


def _sign(document: InvoiceDocument) -> int:
    # A credit note counts negative; one already written with negative amounts stays so.
    return -1 if document.is_credit_note and document.total_incl_vat >= 0 else 1


def _within(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _money(value: Decimal) -> str:
    # French decimal comma, no thousands separator: a spreadsheet reads it as a number.
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def _rate(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _csv(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
