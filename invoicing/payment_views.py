"""Payments of an invoice (its Paiements section, htmx), the bank statement import with its
preview, the reminder settings and the reminders job.

Every member sees the payments of the invoices they see; supervisors and administrators record
and delete them, import statements and start the reminders; administrators edit the reminder
settings."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firms.access import require_admin, require_supervision
from french_formats.money import french_amount
from invoicing import payments, reminders, selectors
from invoicing.bank_statements import StatementError
from invoicing.models import Invoice
from invoicing.payment_forms import PaymentForm, ReminderSettingsForm, StatementForm
from jobs.services import start_job

SECTION = "invoicing/payments/section.html"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def section_context(request: HttpRequest, invoice: Invoice, form: PaymentForm | None = None):
    """What the Paiements section of an invoice shows (four queries)."""
    balance = payments.balance_of(invoice)
    can_write = request.membership is not None and request.membership.sees_whole_firm
    return {
        "invoice": invoice,
        "balance": balance,
        "payments": list(payments.payments_of(invoice)) if balance else [],
        "reminders": list(reminders.last_reminders_of(invoice)[:5]) if balance else [],
        "payment_form": (form or PaymentForm()) if can_write and balance else None,
        "can_write": can_write,
    }


def invoice_payments(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    return render(request, SECTION, section_context(request, invoice))


@require_supervision
@require_POST
def payment_create(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = payments.record_payment(
                firm=request.firm,
                invoice=invoice,
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(None if field == "__all__" else field, problems)
        else:
            messages.success(
                request,
                _("Paiement de %(amount)s enregistré.") % {"amount": french_amount(payment.amount)},
            )
            if request.htmx:
                return render(request, SECTION, section_context(request, invoice))
            return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
    if request.htmx:
        return render(request, SECTION, section_context(request, invoice, form))
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, problem)
    return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)


@require_supervision
def payment_delete(
    request: HttpRequest, firm_slug: str, invoice_id: int, payment_id: int
) -> HttpResponse:
    """A payment is deleted after a confirmation; the client's history records it."""
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    payment = payments.get_payment(invoice, payment_id)
    if request.method == "POST":
        payments.delete_payment(firm=request.firm, payment=payment, by=request.user)
        messages.success(request, _("Paiement supprimé."))
        return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
    return render(
        request,
        "invoicing/payments/payment_delete_confirm.html",
        {"invoice": invoice, "client": invoice.client, "payment": payment},
    )


# --- Bank statements --------------------------------------------------------------------------


def _statement_path(firm_id: int, token: str) -> str:
    return f"bank_statements/{firm_id}/{token}.csv"


@require_supervision
def bank_import(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Upload a statement, then see each credit with the invoice it would pay."""
    form = StatementForm(request.POST or None, request.FILES or None)
    context = {"form": form, "proposals": None}
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["statement"].read()
        try:
            proposals = payments.propose_payments(request.firm, content)
        except StatementError as error:
            form.add_error("statement", str(error))
        else:
            token = uuid.uuid4().hex
            default_storage.save(_statement_path(request.firm.pk, token), ContentFile(content))
            context.update(
                proposals=proposals,
                token=token,
                acceptable=sum(1 for proposal in proposals if proposal.acceptable),
            )
    return render(request, "invoicing/payments/bank_import.html", context)


@require_supervision
@require_POST
def bank_import_confirm(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Record the accepted lines, all or nothing; a line imported before is never recorded
    again."""
    token = request.POST.get("token", "")
    path = _statement_path(request.firm.pk, token) if _TOKEN.match(token) else ""
    if not path or not default_storage.exists(path):
        messages.error(request, _("Relevé introuvable : importez-le de nouveau."))
        return redirect("bank_import", firm_slug=firm_slug)
    lines = {
        int(value)
        for value in request.POST.getlist("line")
        if value.isascii() and value.isdigit() and len(value) < 7
    }
    with default_storage.open(path, "rb") as stored:
        content = stored.read()
    try:
        result = payments.import_payments(
            firm=request.firm, content=content, accepted_lines=lines, by=request.user
        )
    except (ValidationError, StatementError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("Rien n'a été enregistré. %(reason)s") % {"reason": text})
        return redirect("bank_import", firm_slug=firm_slug)
    default_storage.delete(path)
    messages.success(
        request,
        _("%(count)s paiement(s) enregistré(s), %(total)s ; %(skipped)s déjà importé(s).")
        % {
            "count": result.recorded,
            "total": french_amount(result.total),
            "skipped": result.skipped,
        },
    )
    return redirect("invoice_list", firm_slug=firm_slug)


# --- Reminders --------------------------------------------------------------------------------


@require_admin
def reminder_settings(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = ReminderSettingsForm(
        request.POST or None, instance=reminders.reminder_settings(request.firm)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réglages des relances enregistrés."))
        return redirect("reminder_settings", firm_slug=firm_slug)
    return render(
        request,
        "invoicing/payments/reminder_settings.html",
        {"tab": "invoicing", "form": form, "keys": reminders.REMINDER_KEYS},
    )


@require_supervision
@require_POST
def reminders_start(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Remind the overdue invoices in the background."""
    job = start_job(
        firm=request.firm, kind=reminders.REMINDERS_JOB_KIND, requested_by=request.user, params={}
    )
    return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)
