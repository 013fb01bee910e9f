"""Issuing: a draft becomes an invoice (or credit note) with a number, an immutable snapshot and
its PDF, all in one locked transaction.

The number is the next value of the firm's sequence for the prefix (``FA-2026-`` then six
digits), taken under a row lock (``select_for_update``) in the transaction that writes the
invoice: numbers are chronological, without gaps and never reused, even when two processes
issue at once; a failure anywhere (a refused check, the PDF) rolls the number back with the rest.
The issue date is the day of issuing, never earlier than the sequence's last one.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from french_formats.money import french_amount
from invoicing import amounts, vat_rules
from invoicing.document import (
    Address,
    InvoiceDocument,
    Line,
    OperationCategory,
    Party,
    PaymentTerms,
    TypeCode,
    VatCategory,
)
from invoicing.facturx import facturx_pdf
from invoicing.invoice_pdf import render_invoice_pdf
from invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    InvoicingSettings,
)
from invoicing.services import HISTORY_SUBJECT, credited_amount, invoicing_settings

SEQUENCE_DIGITS = 6


class IssueRefused(Exception):
    """Issuing is refused; the message (French) says what to complete or why."""


# --- What issuing needs ---------------------------------------------------------------------


def seller_problems(firm: Firm) -> list[str]:
    """What the firm profile lacks for an invoice's mandatory mentions."""
    missing = []
    if not firm.siren:
        missing.append("le SIREN")
    if not firm.vat_number:
        missing.append("le numéro de TVA intracommunautaire")
    if not (firm.address and firm.postal_code and firm.city):
        missing.append("l'adresse (rue, code postal, ville)")
    if not firm.legal_form:
        missing.append("la forme juridique")
    if firm.share_capital is None:
        missing.append("le capital social")
    if not firm.rcs_city:
        missing.append("la ville du RCS")
    if not firm.iban:
        missing.append("l'IBAN")
    return missing


def buyer_problems(client: Client) -> list[str]:
    """What the client's record lacks (a French company: its SIREN, the reform's new mention)."""
    missing = []
    if not client.siren:
        missing.append("le SIREN du client")
    if not client.company_name:
        missing.append("la raison sociale du client")
    return missing


def issue_refusal(firm: Firm, client: Client) -> str:
    """The French message that lists what is missing before issuing, or ""."""
    parts = []
    seller = seller_problems(firm)
    if seller:
        parts.append(
            "Complétez le profil du cabinet (Paramètres › Profil) : " + ", ".join(seller) + "."
        )
    buyer = buyer_problems(client)
    if buyer:
        parts.append("Complétez la fiche du client : " + ", ".join(buyer) + ".")
    return " ".join(parts)


# --- Numbers --------------------------------------------------------------------------------


def resolve_prefix(template: str, day: datetime.date) -> str:
    return template.replace("{year}", f"{day:%Y}")


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}{value:0{SEQUENCE_DIGITS}d}"


def _take_number(firm: Firm, prefix: str, today: datetime.date) -> str:
    """The sequence's next number, its row locked until the transaction ends."""
    sequences = InvoiceSequence.objects.for_firm(firm).select_for_update()
    sequence = sequences.filter(prefix=prefix).first()
    if sequence is None:
        try:
            with transaction.atomic():
                InvoiceSequence.objects.for_firm(firm).create(firm=firm, prefix=prefix)
        except IntegrityError:
            pass  # created meanwhile by another process
        sequence = sequences.get(prefix=prefix)
    if sequence.last_issue_date and today < sequence.last_issue_date:
        raise IssueRefused(
            f"La date du jour précède celle de la dernière facture {prefix}… émise "
            f"({sequence.last_issue_date:%d/%m/%Y}) : la numérotation doit rester "
            "chronologique. Vérifiez l'horloge du serveur."
        )
    number = format_number(prefix, sequence.next_value)
    InvoiceSequence.objects.for_firm(firm).filter(pk=sequence.pk).update(
        next_value=sequence.next_value + 1, last_issue_date=today
    )
    return number


# --- The snapshot ---------------------------------------------------------------------------


def seller_party(firm: Firm) -> Party:
    capital = "" if firm.share_capital is None else str(firm.share_capital)
    return Party(
        name=firm.name,
        address=Address(line1=firm.address, postal_code=firm.postal_code, city=firm.city),
        siren=firm.siren,
        vat_number=firm.vat_number,
        electronic_address=firm.siren,
        email=firm.email_reply_to,
        legal_form=firm.legal_form,
        share_capital=capital,
        rcs=f"RCS {firm.rcs_city} {_spaced_siren(firm.siren)}" if firm.rcs_city else "",
        phone=firm.phone,
    )


def buyer_party(client: Client) -> Party:
    emails = [*client.billing_emails, client.contact_email]
    return Party(
        name=client.company_name,
        address=Address(line1=client.address, postal_code=client.postal_code, city=client.city),
        siren=client.siren,
        vat_number=client.vat_number,
        electronic_address=client.siren,
        email=next((email for email in emails if email), ""),
    )


def _spaced_siren(siren: str) -> str:
    return " ".join(siren[index : index + 3] for index in range(0, len(siren), 3))


def payment_terms_text(days: int) -> str:
    return "Paiement à réception" if days == 0 else f"Paiement à {days} jours"


def build_document(
    *,
    firm: Firm,
    settings_row: InvoicingSettings,
    invoice: Invoice,
    lines: list[InvoiceLine],
    number: str,
    issue_date: datetime.date,
) -> InvoiceDocument:
    """The invoice as issued: seller and buyer as they are today, lines and exact amounts."""
    totals = amounts.compute_totals(
        amounts.LineAmounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            exemption_reason=line.exemption_reason,
        )
        for line in lines
    )
    document_lines = tuple(
        Line(
            position=position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_category=VatCategory(line.vat_category),
            vat_rate=line.vat_rate,
            net_amount=net,
            exemption_reason=line.exemption_reason,
        )
        for position, (line, net) in enumerate(zip(lines, totals.line_nets, strict=True), 1)
    )
    due_date = issue_date + datetime.timedelta(days=invoice.payment_terms_days)
    delivery = None
    if invoice.has_delivery_address:
        delivery = Address(
            line1=invoice.delivery_address,
            postal_code=invoice.delivery_postal_code,
            city=invoice.delivery_city,
        )
    credited = invoice.credited_invoice
    return InvoiceDocument(
        number=number,
        type_code=TypeCode(invoice.kind),
        issue_date=issue_date,
        seller=seller_party(firm),
        buyer=buyer_party(invoice.client),
        lines=document_lines,
        vat_breakdown=totals.vat_breakdown,
        total_excl_vat=totals.total_excl_vat,
        total_vat=totals.total_vat,
        total_incl_vat=totals.total_incl_vat,
        payment=PaymentTerms(
            due_date=due_date,
            terms_text=payment_terms_text(invoice.payment_terms_days),
            iban=firm.iban,
            bic=firm.bic,
            late_penalty_text=settings_row.late_penalty_text,
            recovery_indemnity_text=settings_row.recovery_indemnity_text,
            discount_text=settings_row.discount_text,
        ),
        operation_category=OperationCategory(invoice.operation_category),
        vat_on_debits=settings_row.vat_on_debits,
        delivery_address=delivery,
        preceding_invoice_number=credited.number if credited else "",
        preceding_invoice_date=credited.issue_date if credited else None,
        notes=(invoice.note,) if invoice.note else (),
    )


def invoice_pdf_bytes(document: InvoiceDocument, firm: Firm) -> bytes:
    """The stored PDF, the one place every issued PDF goes through: the PDF/A-3b visual
    rendered from the document, with the Factur-X EN 16931 CII XML of the same document
    embedded (``invoicing.facturx``; checked against the XSD on the way in)."""
    return facturx_pdf(document, render_invoice_pdf(document, firm))


# --- Issuing --------------------------------------------------------------------------------


def issue_invoice(
    *, firm: Firm, invoice: Invoice, by: User | None, today: datetime.date | None = None
) -> Invoice:
    """Number the draft, freeze its snapshot and store its PDF with its SHA-256.

    Refused (``IssueRefused``, French message) while the firm profile or the client's record
    lacks a mandatory mention, when a line breaks the VAT rules, or when the draft was issued
    meanwhile."""
    today = today or timezone.localdate()
    settings_row = invoicing_settings(firm)
    with transaction.atomic():
        locked = (
            Invoice.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("client", "credited_invoice")
            .filter(pk=invoice.pk)
            .first()
        )
        if locked is None or locked.status != InvoiceStatus.DRAFT:
            raise IssueRefused("Cette facture est déjà émise.")
        refusal = issue_refusal(firm, locked.client)
        if refusal:
            raise IssueRefused(refusal)
        lines = list(InvoiceLine.objects.for_firm(firm).filter(invoice=locked))
        _check_lines(locked, lines)
        prefix_template = (
            settings_row.credit_note_prefix
            if locked.kind == InvoiceKind.CREDIT_NOTE
            else settings_row.number_prefix
        )
        number = _take_number(firm, resolve_prefix(prefix_template, today), today)
        document = build_document(
            firm=firm,
            settings_row=settings_row,
            invoice=locked,
            lines=lines,
            number=number,
            issue_date=today,
        )
        _check_credit(firm, locked, document)
        content = invoice_pdf_bytes(document, firm)
        locked.pdf.save(f"{number}.pdf", ContentFile(content), save=False)
        locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
        locked.number = number
        locked.status = InvoiceStatus.ISSUED
        locked.issue_date = today
        locked.due_date = document.payment.due_date
        locked.total_excl_vat = document.total_excl_vat
        locked.total_vat = document.total_vat
        locked.total_incl_vat = document.total_incl_vat
        locked.document = document.as_dict()
        locked.issued_by = by
        locked.issued_at = timezone.now()
        locked.save()
        what = "Avoir" if locked.is_credit_note else "Facture"
        history.record(
            client=locked.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"{what} {number} émise : {french_amount(document.total_incl_vat)} TTC"
                + (
                    f" (sur la facture {document.preceding_invoice_number})"
                    if locked.is_credit_note
                    else ""
                )
            ),
        )
    return locked


def _check_lines(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    if not lines:
        raise IssueRefused("Ajoutez au moins une ligne avant d'émettre.")
    problems = vat_rules.check_lines(
        [
            vat_rules.LineVat(line.vat_category, line.vat_rate, line.exemption_reason)
            for line in lines
        ],
        buyer_vat_number=invoice.client.vat_number,
    )
    if problems:
        raise IssueRefused(" ".join(problem.message for problem in problems))


def _check_credit(firm: Firm, invoice: Invoice, document: InvoiceDocument) -> None:
    if document.total_incl_vat <= 0:
        raise IssueRefused("Le total d'une facture ou d'un avoir doit être positif.")
    if not invoice.is_credit_note:
        return
    credited = invoice.credited_invoice
    if credited is None or credited.status != InvoiceStatus.ISSUED:
        raise IssueRefused("Un avoir se rapporte à une facture émise.")
    already = credited_amount(firm, credited, excluding=invoice.pk)
    left = credited.total_incl_vat - already
    if document.total_incl_vat > left:
        raise IssueRefused(
            f"L'avoir ({french_amount(document.total_incl_vat)} TTC) dépasse ce qui reste à "
            f"créditer sur la facture {credited.number} ({french_amount(max(left, Decimal(0)))})."
        )
