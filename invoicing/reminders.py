"""Reminders of overdue invoices, sent through the outbox with the invoice's PDF.

The firm writes the subject and the text with merge keywords (:data:`REMINDER_KEYS`, checked
when saved); an invoice is reminded once its due date is ``days_after_due`` days past, then at
most once per ``interval_days`` (each reminder is recorded). Clients without a billing e-mail
are listed in the job's summary, never skipped silently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import history
from clients.models import HistoryEntry
from firms.models import Firm, User
from firms.tenancy import firm_scope
from french_formats.money import french_amount
from invoicing import payments
from invoicing.models import Invoice, PaymentReminder, ReminderSettings
from jobs.progress import JobRun
from outbox.merge import render_template, render_template_html
from outbox.services import Attachment, enqueue_email

REMINDERS_JOB_KIND = "send_reminders"
MESSAGE_KIND = "invoice_reminder"
HISTORY_SUBJECT = "invoice"

# The keywords of the reminder's subject and text, with what they become.
REMINDER_KEYS = {
    "client": _("la raison sociale du client"),
    "numero": _("le numéro de la facture"),
    "date_facture": _("sa date d'émission"),
    "echeance": _("sa date d'échéance"),
    "montant": _("son montant TTC"),
    "reste_du": _("le montant restant dû"),
    "jours_retard": _("le nombre de jours de retard"),
    "cabinet": _("le nom du cabinet"),
}


def reminder_settings(firm: Firm | int) -> ReminderSettings:
    firm_id = firm if isinstance(firm, int) else firm.pk
    found = ReminderSettings.objects.for_firm(firm_id).first()
    if found is None:
        found, _ = ReminderSettings.objects.for_firm(firm_id).get_or_create(firm_id=firm_id)
    return found


def is_due_for_reminder(
    *,
    status: str,
    due_date: date | None,
    last_reminder: date | None,
    today: date,
    days_after_due: int,
    interval_days: int,
) -> bool:
    """Whether an invoice gets a reminder today (pure)."""
    if status != payments.PaymentStatus.OVERDUE or due_date is None:
        return False
    if today < due_date + timedelta(days=days_after_due):
        return False
    return last_reminder is None or today >= last_reminder + timedelta(days=max(interval_days, 1))


def merge_values(firm: Firm, invoice: Invoice, balance: payments.Balance, today: date) -> dict:
    return {
        "client": invoice.client.company_name,
        "numero": invoice.number,
        "date_facture": invoice.issue_date.strftime("%d/%m/%Y") if invoice.issue_date else "",
        "echeance": invoice.due_date.strftime("%d/%m/%Y") if invoice.due_date else "",
        "montant": french_amount(invoice.total_incl_vat),
        "reste_du": french_amount(balance.remaining),
        "jours_retard": (today - invoice.due_date).days if invoice.due_date else 0,
        "cabinet": firm.name,
    }


def invoices_to_remind(firm: Firm, today: date) -> list[Invoice]:
    """The overdue invoices whose reminder is due today, oldest due date first."""
    settings_row = reminder_settings(firm)
    overdue = payments.filter_by_payment_status(
        Invoice.objects.for_firm(firm), payments.PaymentStatus.OVERDUE, today
    )
    candidates = list(overdue.select_related("client").order_by("due_date", "number"))
    last = _last_reminders(firm.pk, [invoice.pk for invoice in candidates])
    found = payments.balances(firm.pk, candidates, today)
    return [
        invoice
        for invoice in candidates
        if is_due_for_reminder(
            status=found[invoice.pk].status,
            due_date=invoice.due_date,
            last_reminder=last.get(invoice.pk),
            today=today,
            days_after_due=settings_row.days_after_due,
            interval_days=settings_row.interval_days,
        )
    ]


def _last_reminders(firm_id: int, invoice_ids: list[int]) -> dict[int, date]:
    last: dict[int, date] = {}
    rows = PaymentReminder.objects.for_firm(firm_id).filter(invoice_id__in=invoice_ids)
    for invoice_id, sent_on in rows.values_list("invoice_id", "sent_on"):
        if invoice_id not in last or sent_on > last[invoice_id]:
            last[invoice_id] = sent_on
    return last


@dataclass
class ReminderResult:
    sent: list[str] = field(default_factory=list)  # invoice numbers
    without_email: list[str] = field(default_factory=list)  # "number — client"
    skipped: int = 0  # reminded meanwhile, or paid


def remind_invoice(
    *, firm: Firm, invoice: Invoice, by: User | None, today: date, result: ReminderResult
) -> None:
    """One reminder, in its own transaction with the invoice locked: the check of the last
    reminder and the message are written together (a rerun never reminds twice)."""
    settings_row = reminder_settings(firm)
    with transaction.atomic():
        locked = (
            Invoice.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("client")
            .get(pk=invoice.pk)
        )
        balance = payments.balance_of(locked, today)
        last = _last_reminders(firm.pk, [locked.pk]).get(locked.pk)
        if balance is None or not is_due_for_reminder(
            status=balance.status,
            due_date=locked.due_date,
            last_reminder=last,
            today=today,
            days_after_due=settings_row.days_after_due,
            interval_days=settings_row.interval_days,
        ):
            result.skipped += 1
            return
        recipients = [address for address in locked.client.billing_emails or [] if address]
        if not recipients:
            result.without_email.append(f"{locked.number} — {locked.client.company_name}")
            return
        values = merge_values(firm, locked, balance, today)
        attachments = []
        if locked.pdf:
            with locked.pdf.open("rb") as stored:
                attachments.append(
                    Attachment(f"{locked.number}.pdf", stored.read(), "application/pdf")
                )
        message = enqueue_email(
            firm=firm,
            kind=MESSAGE_KIND,
            to=recipients,
            subject=render_template(settings_row.subject_template, values),
            text_body=render_template(settings_row.body_template, values),
            html_body=render_template_html(settings_row.body_template, values),
            attachments=attachments,
            related=locked,
            created_by=by,
        )
        PaymentReminder.objects.create(
            firm=firm,
            invoice=locked,
            sent_on=today,
            amount_due=balance.remaining,
            message=message,
            created_by=by,
        )
        history.record(
            client=locked.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"Relance de la facture {locked.number} envoyée à {', '.join(recipients)} "
                f"(reste dû {french_amount(balance.remaining)})"
            ),
        )
    result.sent.append(locked.number)


def send_reminders(*, firm: Firm, by: User | None, today: date | None = None) -> ReminderResult:
    """Remind every overdue invoice that is due for it (outside a job: tests, commands)."""
    today = today or timezone.localdate()
    result = ReminderResult()
    for invoice in invoices_to_remind(firm, today):
        remind_invoice(firm=firm, invoice=invoice, by=by, today=today, result=result)
    return result


def send_reminders_job(run: JobRun) -> None:
    """The job started from the invoice list: one invoice at a time, with its progress."""
    today = date.fromisoformat(run.params["today"]) if run.params.get("today") else None
    today = today or timezone.localdate()
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        invoices = invoices_to_remind(firm, today)
    run.set_total(len(invoices))
    result = ReminderResult()
    for invoice in invoices:
        with firm_scope(run.firm_id):
            remind_invoice(firm=firm, invoice=invoice, by=by, today=today, result=result)
        run.advance()
    run.save_summary(asdict(result))


def last_reminders_of(invoice: Invoice):
    return PaymentReminder.objects.for_firm(invoice.firm_id).filter(invoice=invoice)
