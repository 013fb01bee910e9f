"""Drafts of invoices and credit notes: created, edited and deleted by the firm's supervisors and
administrators. Issuing (the number, the snapshot, the PDF) is in :mod:`invoicing.issuing`.

Every service checks the lines with the EN 16931 VAT rules (:mod:`invoicing.vat_rules`), computes
the amounts in Python (:mod:`invoicing.amounts`), owns its transaction and writes the client's
history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from french_formats.money import french_amount
from invoicing import amounts, vat_rules
from invoicing.models import (
    Engagement,
    Invoice,
    InvoiceImmutable,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoicingSettings,
    OperationChoice,
)

HISTORY_SUBJECT = "invoice"
MAX_LINES = 200
# The columns' ranges: quantity 12 digits with 4 decimals, unit price 14 with 4, amounts 14 with 2.
MAX_QUANTITY = Decimal("1e8")
MAX_UNIT_PRICE = Decimal("1e10")
MAX_AMOUNT = Decimal("1e12")
MAX_PAYMENT_DAYS = 60  # Code de commerce L441-10: 60 days from the invoice at most


@dataclass(frozen=True)
class DraftLine:
    description: str
    quantity: Decimal
    unit_price: Decimal  # excl. VAT
    vat_rate: Decimal  # percent
    vat_category: str = ""  # S when empty and the rate is above zero
    exemption_reason: str = ""


@dataclass(frozen=True)
class DraftTerms:
    """What a draft says besides its lines; ``None`` and "" take the firm's settings."""

    payment_terms_days: int | None = None
    operation_category: str = ""
    delivery_address: str = ""
    delivery_postal_code: str = ""
    delivery_city: str = ""
    note: str = ""


# --- Settings -------------------------------------------------------------------------------


def invoicing_settings(firm: Firm | int) -> InvoicingSettings:
    """The firm's invoice settings, created with the defaults the first time they are needed."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    found = InvoicingSettings.objects.for_firm(firm_id).first()
    if found is None:
        found, _ = InvoicingSettings.objects.for_firm(firm_id).get_or_create(firm_id=firm_id)
    return found


# --- Checks ---------------------------------------------------------------------------------


def check_lines(lines: Sequence[DraftLine], *, client: Client) -> None:
    """A draft's lines, as EN 16931 and the columns allow them; a ValidationError lists every
    problem, "Ligne 2 : …"."""
    messages = []
    if not lines:
        messages.append("Ajoutez au moins une ligne.")
    if len(lines) > MAX_LINES:
        messages.append(f"Une facture compte {MAX_LINES} lignes au plus.")
    for number, line in enumerate(lines, start=1):
        if not line.description.strip():
            messages.append(f"Ligne {number} : indiquez la désignation.")
        if not 0 < line.quantity < MAX_QUANTITY:
            messages.append(f"Ligne {number} : la quantité doit être positive.")
        if not 0 <= line.unit_price < MAX_UNIT_PRICE:
            messages.append(f"Ligne {number} : le prix unitaire HT doit être positif ou nul.")
        elif abs(line.quantity * line.unit_price) >= MAX_AMOUNT:
            messages.append(f"Ligne {number} : le montant dépasse la limite.")
    vat_lines = [
        vat_rules.LineVat(line.vat_category, line.vat_rate, line.exemption_reason) for line in lines
    ]
    for problem in vat_rules.check_lines(vat_lines, buyer_vat_number=client.vat_number):
        prefix = f"Ligne {problem.line + 1} : " if problem.line is not None else ""
        messages.append(prefix + problem.message)
    if messages:
        raise ValidationError({"lines": messages})


def preview_totals(lines: Sequence[DraftLine]) -> amounts.Totals:
    """The amounts of lines being typed (the live totals of the draft form)."""
    return amounts.compute_totals(_line_amounts(lines))


def _line_amounts(lines: Sequence[DraftLine]) -> list[amounts.LineAmounts]:
    result = []
    for line in lines:
        category = line.vat_category or vat_rules.default_category(line.vat_rate)
        result.append(
            amounts.LineAmounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_category=category,
                vat_rate=line.vat_rate,
                exemption_reason=vat_rules.exemption_reason_for(category, line.exemption_reason),
            )
        )
    return result


def _check_terms(terms: DraftTerms) -> None:
    errors = {}
    days = terms.payment_terms_days
    if days is not None and not 0 <= days <= MAX_PAYMENT_DAYS:
        errors["payment_terms_days"] = "Le délai de paiement va de 0 à 60 jours."
    if terms.operation_category and terms.operation_category not in OperationChoice.values:
        errors["operation_category"] = "Catégorie d'opération inconnue : goods, services ou both."
    if errors:
        raise ValidationError(errors)


# --- Drafts ---------------------------------------------------------------------------------


def create_draft(
    *,
    firm: Firm,
    client: Client,
    lines: Sequence[DraftLine],
    by: User | None,
    terms: DraftTerms = DraftTerms(),
    kind: str = InvoiceKind.INVOICE,
    credited_invoice: Invoice | None = None,
    engagement: Engagement | None = None,
    period: str = "",
) -> Invoice:
    """A new draft for the client (an invoice, or a credit note of ``credited_invoice``)."""
    if client.status != Client.Status.ACTIVE:
        raise ValidationError({"client": "Ce client est archivé : restaurez-le pour le facturer."})
    check_lines(lines, client=client)
    _check_terms(terms)
    settings_row = invoicing_settings(firm)
    with transaction.atomic():
        invoice = Invoice(
            firm=firm,
            client=client,
            kind=kind,
            credited_invoice=credited_invoice,
            engagement=engagement,
            period=period,
            created_by=by,
        )
        _apply_terms(invoice, terms, settings_row)
        invoice.save()
        _write_lines(firm, invoice, lines)
        what = "Avoir" if kind == InvoiceKind.CREDIT_NOTE else "Facture"
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.CREATED,
            subject=HISTORY_SUBJECT,
            summary=f"{what} en brouillon : {french_amount(invoice.total_excl_vat)} HT",
        )
    return invoice


def update_draft(
    *,
    firm: Firm,
    invoice: Invoice,
    lines: Sequence[DraftLine],
    by: User | None,
    terms: DraftTerms = DraftTerms(),
) -> Invoice:
    """Replace a draft's lines and terms; refused once it is issued."""
    check_lines(lines, client=invoice.client)
    _check_terms(terms)
    settings_row = invoicing_settings(firm)
    with transaction.atomic():
        locked = _lock_draft(firm, invoice)
        _apply_terms(locked, terms, settings_row)
        locked.save()
        InvoiceLine.objects.for_firm(firm).filter(invoice=locked).delete()
        _write_lines(firm, locked, lines)
        history.record(
            client=invoice.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=f"Brouillon modifié : {french_amount(locked.total_excl_vat)} HT",
        )
    locked.client = invoice.client
    return locked


def delete_draft(*, firm: Firm, invoice: Invoice, by: User | None) -> None:
    """A draft may be deleted; an issued invoice never is."""
    with transaction.atomic():
        locked = _lock_draft(firm, invoice)
        total = locked.total_excl_vat
        locked.delete()
        history.record(
            client=invoice.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=f"Brouillon supprimé ({french_amount(total)} HT)",
        )


def create_credit_note(*, firm: Firm, invoice: Invoice, by: User | None) -> Invoice:
    """A draft credit note of an issued invoice, with its lines (to edit for a partial
    credit), referencing its number and date."""
    if invoice.status != InvoiceStatus.ISSUED or invoice.is_credit_note or not invoice.document:
        raise InvoiceImmutable("Seule une facture émise peut faire l'objet d'un avoir.")
    if credited_amount(firm, invoice) >= invoice.total_incl_vat:
        raise InvoiceImmutable(f"La facture {invoice.number} est déjà entièrement créditée.")
    lines = [
        DraftLine(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
            vat_category=line["vat_category"],
            exemption_reason=line.get("exemption_reason", ""),
        )
        for line in invoice.document["lines"]
    ]
    delivery = invoice.document.get("delivery_address") or {}
    terms = DraftTerms(
        payment_terms_days=0,
        operation_category=invoice.document["operation_category"],
        delivery_address=delivery.get("line1", ""),
        delivery_postal_code=delivery.get("postal_code", ""),
        delivery_city=delivery.get("city", ""),
        note=f"Avoir sur la facture {invoice.number}",
    )
    return create_draft(
        firm=firm,
        client=invoice.client,
        lines=lines,
        by=by,
        terms=terms,
        kind=InvoiceKind.CREDIT_NOTE,
        credited_invoice=invoice,
    )


def credited_amount(firm: Firm | int, invoice: Invoice, *, excluding: int | None = None) -> Decimal:
    """The total incl. VAT of the invoice's issued credit notes (summed in Python: exact)."""
    notes = Invoice.objects.for_firm(firm).filter(
        credited_invoice=invoice, status=InvoiceStatus.ISSUED
    )
    if excluding:
        notes = notes.exclude(pk=excluding)
    return sum(notes.values_list("total_incl_vat", flat=True), Decimal("0.00"))


def draft_lines_of(invoice: Invoice) -> list[DraftLine]:
    return [
        DraftLine(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            vat_category=line.vat_category,
            exemption_reason=line.exemption_reason,
        )
        for line in InvoiceLine.objects.for_firm(invoice.firm_id).filter(invoice=invoice)
    ]


def _lock_draft(firm: Firm, invoice: Invoice) -> Invoice:
    locked = (
        Invoice.objects.for_firm(firm)
        .select_for_update(of=("self",))
        .filter(pk=invoice.pk, status=InvoiceStatus.DRAFT)
        .first()
    )
    if locked is None:
        raise InvoiceImmutable(
            "Cette facture est émise : elle ne peut plus être modifiée ni supprimée."
        )
    return locked


def _apply_terms(invoice: Invoice, terms: DraftTerms, settings_row: InvoicingSettings) -> None:
    invoice.payment_terms_days = (
        settings_row.payment_terms_days
        if terms.payment_terms_days is None
        else terms.payment_terms_days
    )
    invoice.operation_category = terms.operation_category or settings_row.default_operation_category
    invoice.delivery_address = terms.delivery_address.strip()[:250]
    invoice.delivery_postal_code = terms.delivery_postal_code.strip()[:10]
    invoice.delivery_city = terms.delivery_city.strip()[:100]
    invoice.note = terms.note.strip()[:500]


def _write_lines(firm: Firm, invoice: Invoice, lines: Sequence[DraftLine]) -> None:
    totals = preview_totals(lines)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            firm=firm,
            invoice=invoice,
            position=position,
            description=line.description.strip()[:500],
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_category=line.vat_category or vat_rules.default_category(line.vat_rate),
            vat_rate=line.vat_rate,
            exemption_reason=vat_rules.exemption_reason_for(
                line.vat_category or vat_rules.default_category(line.vat_rate),
                line.exemption_reason,
            )[:250],
            net_amount=net,
        )
        for position, (line, net) in enumerate(zip(lines, totals.line_nets, strict=True), 1)
    )
    invoice.total_excl_vat = totals.total_excl_vat
    invoice.total_vat = totals.total_vat
    invoice.total_incl_vat = totals.total_incl_vat
    Invoice.objects.for_firm(firm).filter(pk=invoice.pk, status=InvoiceStatus.DRAFT).update(
        total_excl_vat=totals.total_excl_vat,
        total_vat=totals.total_vat,
        total_incl_vat=totals.total_incl_vat,
    )


# --- Engagements ----------------------------------------------------------------------------


def save_engagement(*, firm: Firm, engagement: Engagement, by: User | None) -> Engagement:
    """Create or change a client's recurring fees (checked by the form: amount, French rate)."""
    created = engagement.pk is None
    with transaction.atomic():
        engagement.firm = firm
        engagement.save()
        history.record(
            client=engagement.client,
            actor=by,
            action=HistoryEntry.Action.CREATED if created else HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"Honoraires récurrents {'créés' if created else 'modifiés'} : "
                f"{engagement.description} ({french_amount(engagement.amount)} HT, "
                f"{engagement.get_periodicity_display().lower()})"
            ),
        )
    return engagement


def stop_engagement(*, firm: Firm, engagement: Engagement, by: User | None) -> Engagement:
    """No more invoices from this engagement (those issued stay)."""
    from django.utils import timezone

    with transaction.atomic():
        Engagement.objects.for_firm(firm).filter(pk=engagement.pk).update(
            is_active=False, stopped_at=timezone.now()
        )
        engagement.is_active = False
        history.record(
            client=engagement.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=f"Honoraires récurrents arrêtés : {engagement.description}",
        )
    return engagement
