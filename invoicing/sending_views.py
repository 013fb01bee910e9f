"""Sending the invoices: the page of invoices to send (with the collection of billing
addresses), a batch started, the settings and their preview on a real invoice, an uncertain
e-mail resolved. Every member sees the page for the clients they see; supervisors and
administrators send and resolve; administrators edit the settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from firms.access import require_admin, require_supervision
from firms.parameters import parse_positive_int
from invoicing import batches, selectors, sending
from invoicing.models import DeliveryState, InvoiceBatch, InvoiceDelivery, InvoiceStatus
from invoicing.sending_forms import SendingSettingsForm
from outbox.models import OutboxMessage
from outbox.services import resolve_unknown

SHOWN = 200
CHASED = 30


def sending_home(request: HttpRequest, firm_slug: str) -> HttpResponse:
    settings_row = sending.sending_settings(request.firm)
    issuing_date = sending.firm_issuing_date(settings_row)
    delivered = InvoiceDelivery.objects.for_firm(request.firm).exclude(state=DeliveryState.FAILED)
    invoices = list(
        selectors.invoices_visible_to(request.membership)
        .filter(status=InvoiceStatus.ISSUED)
        .exclude(pk__in=delivered.values("invoice_id"))
        .select_related("client")
        .prefetch_related("client__obligations")
        .order_by("-issue_date", "-number")[:SHOWN]
    )
    rows = [
        {"invoice": invoice, "route": sending.route_of(invoice, settings_row, issuing_date)}
        for invoice in invoices
    ]
    clients = Client.objects.visible_to(request.membership)
    context = {
        "settings_row": settings_row,
        "issuing_date": issuing_date,
        "answers_missing": issuing_date is None,
        "rows": rows,
        "collection": sending.collection_progress(clients),
        "to_chase": list(sending.paper_clients(clients)[:CHASED]),
        "batches": list(
            InvoiceBatch.objects.for_firm(request.firm).select_related("job", "created_by")[:10]
        )
        if request.membership.sees_whole_firm
        else [],
    }
    return render(request, "invoicing/sending/home.html", context)


@require_supervision
@require_POST
def sending_start(request: HttpRequest, firm_slug: str) -> HttpResponse:
    ids = [parse_positive_int(value) for value in request.POST.getlist("invoice")[:5000]]
    ids = [pk for pk in ids if pk]
    visible = set(
        selectors.invoices_visible_to(request.membership)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    try:
        batch = batches.start_batch(
            firm=request.firm, by=request.user, invoice_ids=[pk for pk in ids if pk in visible]
        )
    except sending.BatchRefused as error:
        messages.error(request, str(error))
        return redirect("invoice_sending", firm_slug=firm_slug)
    messages.success(
        request,
        _("Envoi de %(count)d facture(s) lancé.") % {"count": len(batch.invoice_ids)},
    )
    return redirect("job_detail", firm_slug=firm_slug, job_id=batch.job_id)


@require_admin
def sending_settings_view(request: HttpRequest, firm_slug: str) -> HttpResponse:
    settings_row = sending.sending_settings(request.firm)
    form = SendingSettingsForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réglages d'envoi enregistrés."))
        return redirect("invoice_sending_settings", firm_slug=firm_slug)
    obligations = sending.firm_obligations(settings_row)
    return render(
        request,
        "invoicing/sending/settings.html",
        {
            "tab": "invoicing",
            "form": form,
            "issuing_date": sending.firm_issuing_date(settings_row),
            "obligations": obligations,
        },
    )


@require_admin
def sending_preview(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The e-mail as the firm's settings write it, on a real issued invoice."""
    settings_row = sending.sending_settings(request.firm)
    issued = selectors.invoices_visible_to(request.membership).filter(status=InvoiceStatus.ISSUED)
    wanted = parse_positive_int(request.GET.get("facture"))
    invoice = (issued.filter(pk=wanted).first() if wanted else None) or issued.order_by(
        "-issue_date", "-number"
    ).select_related("client").first()
    content = None
    memo = ""
    if invoice is not None:
        content = sending.email_content(settings_row, invoice, request.firm)
    if settings_row.memo_text.strip():
        memo = sending.merge.render_template(
            settings_row.memo_text, sending.memo_values(settings_row, request.firm)
        )
    return render(
        request,
        "invoicing/sending/preview.html",
        {
            "tab": "invoicing",
            "invoice": invoice,
            "content": content,
            "memo": memo,
            "memo_active": sending.memo_active(settings_row, timezone.localdate()),
            "settings_row": settings_row,
        },
    )


@require_supervision
@require_POST
def delivery_resolve(
    request: HttpRequest, firm_slug: str, invoice_id: int, delivery_id: int
) -> HttpResponse:
    """An uncertain e-mail: a person says it arrived, or puts it back in the queue."""
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    delivery = (
        InvoiceDelivery.objects.for_firm(request.firm)
        .filter(pk=delivery_id, invoice=invoice, message__isnull=False)
        .first()
    )
    if delivery is None:
        raise Http404
    message = OutboxMessage.objects.for_firm(request.firm).get(pk=delivery.message_id)
    delivered = request.POST.get("delivered") == "1"
    if resolve_unknown(message, request.user, delivered):
        messages.success(
            request,
            _("E-mail marqué comme envoyé.") if delivered else _("E-mail remis en file d'envoi."),
        )
    else:
        messages.error(request, _("Cet e-mail n'est plus incertain : rien n'a été changé."))
    return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
