"""Payments received for the firm's issued invoices: recorded by hand or imported from a bank
statement, deleted by a supervisor, each one written in the client's history.

An issued invoice never changes: what has been paid lives in :class:`invoicing.models.Payment`.
The payment status is a pure function of the amounts (:func:`payment_status`), summed in Python
(exact Decimals); the list's filter compares the same amounts in PostgreSQL (NUMERIC sums are
exact there) through :func:`with_payment_amounts`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients import history
from clients.models import HistoryEntry
from firms.models import Firm, User
from french_formats.money import french_amount
from invoicing import bank_statements
from invoicing.models import (
    MONEY,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentSource,
)

HISTORY_SUBJECT = "invoice"
MAX_PAYMENT = Decimal("1e10")
ZERO = Decimal("0.00")


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Brouillon")
    ISSUED = "issued", gettext_lazy("Émise, non payée")
    PARTLY_PAID = "partly_paid", gettext_lazy("Partiellement payée")
    PAID = "paid", gettext_lazy("Payée")
    OVERDUE = "overdue", gettext_lazy("En retard")


# --- Pure rules -------------------------------------------------------------------------------


def payment_status(
    *,
    issued: bool,
    total: Decimal,
    credited: Decimal,
    paid: Decimal,
    due_date: date | None,
    today: date,
) -> str:
    """The payment status of an invoice: nothing is left to pay (paid, credit notes included),
    something is left and the due date is past (overdue), else partly paid or issued."""
    if not issued:
        return PaymentStatus.DRAFT
    remaining = total - credited - paid
    if remaining <= 0:
        return PaymentStatus.PAID
    if due_date is not None and due_date < today:
        return PaymentStatus.OVERDUE
    return PaymentStatus.PARTLY_PAID if paid > 0 else PaymentStatus.ISSUED


def payment_problems(
    *,
    issued: bool,
    is_credit_note: bool,
    amount: Decimal | None,
    paid_on: date | None,
    remaining: Decimal,
    today: date,
) -> dict[str, str]:
    """Why a payment cannot be recorded, by field (empty when it can)."""
    problems: dict[str, str] = {}
    if not issued:
        problems["__all__"] = _("Une facture en brouillon ne peut pas recevoir de paiement.")
        return problems
    if is_credit_note:
        problems["__all__"] = _("Un avoir ne reçoit pas de paiement.")
        return problems
    if amount is None or amount <= 0:
        problems["amount"] = _("Le montant doit être positif.")
    elif amount != amount.quantize(Decimal("0.01")):
        problems["amount"] = _("Le montant s'écrit avec deux décimales au plus.")
    elif amount > remaining:
        problems["amount"] = (
            _("Ce paiement dépasse le reste dû (%(remaining)s).")
            % {"remaining": french_amount(max(remaining, ZERO))}
            if remaining > 0
            else _("Cette facture est déjà entièrement payée.")
        )
    if paid_on is None:
        problems["paid_on"] = _("Indiquez la date du paiement.")
    elif paid_on > today:
        problems["paid_on"] = _("La date du paiement ne peut pas être dans le futur.")
    return problems


def statement_keys(rows: Sequence[bank_statements.StatementRow], firm_id: int) -> list[str]:
    """One key per statement line: its date, amount and label, and its rank among identical
    lines (two equal transfers the same day are two payments). The same statement imported
    again gives the same keys."""
    seen: Counter[tuple] = Counter()
    keys = []
    for row in rows:
        identity = (row.day.isoformat(), str(row.amount), " ".join(row.label.split()))
        seen[identity] += 1
        text = "|".join((str(firm_id), *identity, str(seen[identity])))
        keys.append(hashlib.sha256(text.encode()).hexdigest())
    return keys


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    total: Decimal
    credited: Decimal
    paid: Decimal
    status: str

    @property
    def due(self) -> Decimal:
        return self.total - self.credited

    @property
    def remaining(self) -> Decimal:
        return max(self.total - self.credited - self.paid, ZERO)


def _amounts_of(firm_id: int, ids: list[int]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The credit notes and the payments of the invoices, in one query (UNION ALL of the amounts,
    summed in Python)."""
    if not ids:
        return {}, {}
    notes = (
        Invoice.objects.for_firm(firm_id)
        .filter(credited_invoice_id__in=ids, status=InvoiceStatus.ISSUED)
        .annotate(what=Value("credit"))
        .values_list("what", "credited_invoice_id", "total_incl_vat")
        .order_by()  # SQLite refuses an ORDER BY (the model's) inside a UNION
    )
    paid_rows = (
        Payment.objects.for_firm(firm_id)
        .filter(invoice_id__in=ids)
        .annotate(what=Value("payment"))
        .values_list("what", "invoice_id", "amount")
        .order_by()
    )
    credited: dict[int, Decimal] = {}
    paid: dict[int, Decimal] = {}
    for what, invoice_id, amount in notes.union(paid_rows, all=True):
        target = credited if what == "credit" else paid
        target[invoice_id] = target.get(invoice_id, ZERO) + Decimal(amount)
    return credited, paid


def balances(
    firm_id: int, invoices: Sequence[Invoice], today: date | None = None
) -> dict[int, Balance]:
    """The balance of each invoice (two queries whatever their number; exact sums)."""
    today = today or timezone.localdate()
    ids = [invoice.pk for invoice in invoices]
    credited, paid = _amounts_of(firm_id, ids)
    result = {}
    for invoice in invoices:
        if invoice.is_credit_note:
            continue
        amounts = {
            "total": invoice.total_incl_vat,
            "credited": credited.get(invoice.pk, ZERO),
            "paid": paid.get(invoice.pk, ZERO),
        }
        status = payment_status(
            issued=not invoice.is_draft, due_date=invoice.due_date, today=today, **amounts
        )
        result[invoice.pk] = Balance(status=status, **amounts)
    return result


def balance_of(invoice: Invoice, today: date | None = None) -> Balance | None:
    return balances(invoice.firm_id, [invoice], today).get(invoice.pk)


def with_payment_amounts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """The invoices with ``amount_paid``, ``amount_credited`` and ``amount_remaining``
    (exact on PostgreSQL), for filtering the list by payment status."""
    payments = Payment.objects.filter(  # scoping: bound to each outer invoice's firm.
        firm_id=OuterRef("firm_id"), invoice=OuterRef("pk")
    )
    payments = payments.order_by().values("invoice")
    notes = Invoice.objects.filter(  # scoping: bound to each outer invoice's firm.
        firm_id=OuterRef("firm_id"), credited_invoice=OuterRef("pk"), status=InvoiceStatus.ISSUED
    ).order_by()
    paid = Coalesce(
        Subquery(payments.annotate(total=Sum("amount")).values("total")[:1]),
        Value(ZERO),
        output_field=DecimalField(**MONEY),
    )
    credited = Coalesce(
        Subquery(
            notes.values("credited_invoice")
            .annotate(total=Sum("total_incl_vat"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=DecimalField(**MONEY),
    )
    return invoices.annotate(amount_paid=paid, amount_credited=credited).annotate(
        amount_remaining=F("total_incl_vat") - F("amount_credited") - F("amount_paid")
    )


def filter_by_payment_status(
    invoices: QuerySet[Invoice], status: str, today: date | None = None
) -> QuerySet[Invoice]:
    """The invoices of one payment status, the same rule as :func:`payment_status`."""
    if status not in PaymentStatus.values:
        return invoices
    today = today or timezone.localdate()
    if status == PaymentStatus.DRAFT:
        return invoices.filter(status=InvoiceStatus.DRAFT)
    invoices = with_payment_amounts(
        invoices.filter(status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE)
    )
    if status == PaymentStatus.PAID:
        return invoices.filter(amount_remaining__lte=0)
    invoices = invoices.filter(amount_remaining__gt=0)
    if status == PaymentStatus.OVERDUE:
        return invoices.filter(due_date__lt=today)
    not_due = invoices.filter(Q(due_date__gte=today) | Q(due_date__isnull=True))
    if status == PaymentStatus.PARTLY_PAID:
        return not_due.filter(amount_paid__gt=0)
    return not_due.filter(amount_paid=0)


def payments_of(invoice: Invoice) -> QuerySet[Payment]:
    return (
        Payment.objects.for_firm(invoice.firm_id)
        .filter(invoice=invoice)
        .select_related("created_by")
        .order_by("paid_on", "id")
    )


def get_payment(invoice: Invoice, payment_id: int) -> Payment:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(payments_of(invoice), pk=payment_id)


def open_invoices(firm: Firm | int) -> list[bank_statements.OpenInvoice]:
    """The issued invoices with something left to pay, with that amount (for matching)."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    invoices = list(
        Invoice.objects.for_firm(firm_id).filter(
            status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE
        )
    )
    found = balances(firm_id, invoices)
    return [
        bank_statements.OpenInvoice(id=invoice.pk, number=invoice.number, amount_due=remaining)
        for invoice in invoices
        if (remaining := found[invoice.pk].remaining) > 0
    ]


# --- Writing ----------------------------------------------------------------------------------


def record_payment(
    *,
    firm: Firm,
    invoice: Invoice,
    paid_on: date | None,
    amount: Decimal | None,
    method: str = PaymentMethod.TRANSFER,
    reference: str = "",
    by: User | None,
    source: str = PaymentSource.MANUAL,
    statement_key: str = "",
    statement_line: int | None = None,
    today: date | None = None,
) -> Payment:
    """Record a payment of an issued invoice, checked against what is left to pay with the
    invoice locked (two payments at once never overpay it). ValidationError by field."""
    today = today or timezone.localdate()
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    if amount is not None and not -MAX_PAYMENT < amount < MAX_PAYMENT:
        raise ValidationError({"amount": _("Le montant dépasse la limite.")})
    with transaction.atomic():
        locked = Invoice.objects.for_firm(firm).select_for_update(of=("self",)).get(pk=invoice.pk)
        balance = balance_of(locked, today)
        remaining = balance.remaining if balance else ZERO
        problems = payment_problems(
            issued=not locked.is_draft,
            is_credit_note=locked.is_credit_note,
            amount=amount,
            paid_on=paid_on,
            remaining=remaining,
            today=today,
        )
        if problems:
            raise ValidationError(problems)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    firm=firm,
                    invoice=locked,
                    paid_on=paid_on,
                    amount=amount,
                    method=method,
                    reference=reference.strip()[:500],
                    source=source,
                    statement_key=statement_key,
                    statement_line=statement_line,
                    created_by=by,
                )
        except IntegrityError:
            raise ValidationError(
                {"__all__": _("Cette ligne de relevé a déjà été enregistrée.")}
            ) from None
        history.record(
            client=invoice.client,
            actor=by,
            action=HistoryEntry.Action.CREATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"Paiement de {french_amount(amount)} reçu le {paid_on:%d/%m/%Y} sur la facture "
                f"{locked.number} ({PaymentMethod(method).label.lower()})"
            ),
        )
    return payment


def delete_payment(*, firm: Firm, payment: Payment, by: User | None) -> None:
    """A payment recorded by mistake is deleted (by a supervisor), and the history says so."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("client")
            .get(pk=payment.invoice_id)
        )
        deleted, _count = Payment.objects.for_firm(firm).filter(pk=payment.pk).delete()
        if not deleted:
            return
        history.record(
            client=invoice.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"Paiement de {french_amount(payment.amount)} du {payment.paid_on:%d/%m/%Y} "
                f"supprimé de la facture {invoice.number}"
            ),
        )


# --- Bank statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedPayment:
    """A credit of the statement, with the invoice it pays, or why not."""

    match: bank_statements.PaymentMatch
    key: str
    already_imported: bool
    invoice: Invoice | None

    @property
    def row(self) -> bank_statements.StatementRow:
        return self.match.row

    @property
    def acceptable(self) -> bool:
        """Proposed for recording: matched, not imported before, not more than what is due."""
        return (
            self.invoice is not None
            and not self.already_imported
            and self.row.amount <= self.match.invoice.amount_due
        )


def propose_payments(firm: Firm, content: bytes) -> list[ProposedPayment]:
    """The credits of a statement matched to the open invoices (StatementError if the file
    cannot be read)."""
    rows = bank_statements.read_statement(content)
    keys = statement_keys(rows, firm.pk)
    known = set(
        Payment.objects.for_firm(firm)
        .filter(statement_key__in=keys)
        .values_list("statement_key", flat=True)
    )
    matches = bank_statements.match_payments(rows, open_invoices(firm))
    wanted = {match.invoice.id for match in matches if match.invoice}
    invoices = Invoice.objects.for_firm(firm).select_related("client").in_bulk(wanted)
    return [
        ProposedPayment(
            match=match,
            key=key,
            already_imported=key in known,
            invoice=invoices.get(match.invoice.id) if match.invoice else None,
        )
        for match, key in zip(matches, keys, strict=True)
    ]


@dataclass
class ImportResult:
    recorded: int = 0
    total: Decimal = ZERO
    skipped: int = 0  # imported before


def import_payments(
    *, firm: Firm, content: bytes, accepted_lines: Iterable[int], by: User | None
) -> ImportResult:
    """Record the accepted lines of a statement, all in one transaction: a line refused
    (overpayment…) records nothing and names the line; lines imported before are skipped."""
    accepted = set(accepted_lines)
    result = ImportResult()
    with transaction.atomic():
        for proposal in propose_payments(firm, content):
            if proposal.row.line not in accepted:
                continue
            if proposal.already_imported:
                result.skipped += 1
                continue
            if proposal.invoice is None:
                continue
            try:
                record_payment(
                    firm=firm,
                    invoice=proposal.invoice,
                    paid_on=proposal.row.day,
                    amount=proposal.row.amount,
                    method=PaymentMethod.TRANSFER,
                    reference=proposal.row.label,
                    by=by,
                    source=PaymentSource.BANK_IMPORT,
                    statement_key=proposal.key,
                    statement_line=proposal.row.line,
                )
            except ValidationError as error:
                raise ValidationError(
                    _("Ligne %(line)s : %(reason)s")
                    % {"line": proposal.row.line, "reason": " ".join(error.messages)}
                ) from None
            result.recorded += 1
            result.total += proposal.row.amount
    return result


def client_balances(firm_id: int, client_id: int, today: date | None = None) -> dict:
    """What a client owes: the remaining amount of its issued invoices, and of those overdue."""
    invoices = list(
        Invoice.objects.for_firm(firm_id).filter(
            client_id=client_id, status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE
        )
    )
    found = balances(firm_id, invoices, today)
    owed = sum((balance.remaining for balance in found.values()), ZERO)
    overdue = sum((b.remaining for b in found.values() if b.status == PaymentStatus.OVERDUE), ZERO)
    return {"owed": owed, "overdue": overdue, "by_invoice": found}
