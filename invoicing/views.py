"""The firm's invoices: the list, a draft written and edited (lines with live totals), issued,
downloaded, credited; the client sheet's Factures tab with its recurring fees; the settings.

Every member reads the invoices of the clients they see; supervisors and administrators write
drafts, issue, credit and run the recurring fees; administrators edit the settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from clients.selectors import get_client_for_membership
from firms.access import require_admin, require_supervision
from firms.parameters import search_text
from french_formats.money import french_amount
from invoicing import issuing, payments, selectors, sending, services
from invoicing.forms import (
    EngagementForm,
    InvoiceFilterForm,
    InvoicingSettingsForm,
    LineFormSet,
    RecurringForm,
    TermsForm,
)
from invoicing.jobs import RECURRING_JOB_KIND
from invoicing.models import Engagement, Invoice, InvoiceImmutable
from jobs.services import start_job

PAGE_SIZE = 50
LINES_PREFIX = "lines"


# --- The list -------------------------------------------------------------------------------


def invoice_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    filters = (
        selectors.InvoiceFilters.from_form(form) if request.GET else selectors.InvoiceFilters()
    )
    invoices = selectors.filter_invoices(request.membership, filters)
    delivery = request.GET.get("envoi", "")
    invoices = sending.with_delivery_state(invoices, request.firm.pk, delivery)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "form": form if request.GET else InvoiceFilterForm(),
        "filtered": any(
            (
                filters.status,
                filters.payment,
                filters.client,
                filters.period_start,
                filters.period_end,
                delivery,
            )
        ),
        "balances": payments.balances(request.firm.pk, list(page.object_list)),
        "delivery_filter": delivery,
        "delivery_choices": sending.delivery_filter_choices(),
        "querystring": params.urlencode(),
        "recurring_form": RecurringForm() if request.membership.sees_whole_firm else None,
    }
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = "invoicing/partials/invoice_table.html" if partial else "invoicing/invoice_list.html"
    return render(request, template, context)


@require_supervision
def invoice_start(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """ "Nouvelle facture" from the list: the client is found by its SIREN or exact name."""
    query = search_text(request.GET.get("client"), max_length=200)
    if query:
        clients = Client.objects.visible_to(request.membership).filter(status=Client.Status.ACTIVE)
        found = list(clients.filter(siren=query.replace(" ", ""))[:2]) or list(
            clients.filter(company_name__iexact=query)[:2]
        )
        if len(found) == 1:
            return redirect("invoice_create", firm_slug=firm_slug, client_id=found[0].pk)
        messages.error(
            request,
            _(
                "Aucun client actif n'a ce SIREN ou ce nom exact : "
                "ouvrez sa fiche, onglet Factures."
            ),
        )
    return redirect("invoice_list", firm_slug=firm_slug)


# --- Drafts ---------------------------------------------------------------------------------


def _line_initial(lines) -> list[dict]:
    from french_formats.money import french_decimal

    return [
        {
            "description": line.description,
            "quantity": french_decimal(line.quantity),
            "unit_price": french_decimal(line.unit_price),
            "vat_rate": french_decimal(line.vat_rate),
            "vat_category": line.vat_category,
            "exemption_reason": line.exemption_reason,
        }
        for line in lines
    ]


def _editor(request: HttpRequest, *, client: Client, invoice: Invoice | None) -> HttpResponse:
    """The draft form (terms and lines), for a new draft or an existing one."""
    settings_row = services.invoicing_settings(request.firm)
    if request.method == "POST":
        data = request.POST.copy()
        if "add_line" in data:
            total = data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "")
            count = int(total) if total.isascii() and total.isdigit() and len(total) < 4 else 0
            # The new line comes empty: an untouched extra line is neither checked nor saved.
            data[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(min(count + 1, 200))
        terms_form = TermsForm(data)
        formset = LineFormSet(data, prefix=LINES_PREFIX, buyer_vat_number=client.vat_number)
        if "add_line" not in data and _valid(terms_form, formset):
            try:
                if invoice is None:
                    invoice = services.create_draft(
                        firm=request.firm,
                        client=client,
                        lines=formset.lines(),
                        terms=terms_form.terms(),
                        by=request.user,
                    )
                else:
                    services.update_draft(
                        firm=request.firm,
                        invoice=invoice,
                        lines=formset.lines(),
                        terms=terms_form.terms(),
                        by=request.user,
                    )
            except ValidationError as error:
                terms_form.add_error(None, error.messages)
            except InvoiceImmutable as error:
                messages.error(request, str(error))
                return redirect(
                    "invoice_detail", firm_slug=request.firm.slug, invoice_id=invoice.pk
                )
            else:
                messages.success(
                    request,
                    _("Brouillon enregistré : %(amount)s HT.")
                    % {"amount": french_amount(invoice.total_excl_vat)},
                )
                return redirect(
                    "invoice_detail", firm_slug=request.firm.slug, invoice_id=invoice.pk
                )
    else:
        if invoice is None:
            terms_form = TermsForm(
                initial={
                    "payment_terms_days": settings_row.payment_terms_days,
                    "operation_category": settings_row.default_operation_category,
                }
            )
            initial = [{"quantity": "1", "vat_rate": "20"}]
        else:
            terms_form = TermsForm(
                initial={
                    name: getattr(invoice, name)
                    for name in (
                        "payment_terms_days",
                        "operation_category",
                        "delivery_address",
                        "delivery_postal_code",
                        "delivery_city",
                        "note",
                    )
                }
            )
            initial = _line_initial(invoice.lines.all())
        formset = LineFormSet(
            prefix=LINES_PREFIX, initial=initial, buyer_vat_number=client.vat_number
        )
    context = {
        "client": client,
        "invoice": invoice,
        "terms_form": terms_form,
        "formset": formset,
        "totals": _totals(formset, client) if request.method == "POST" else _saved_totals(invoice),
        "refusal": issuing.issue_refusal(request.firm, client),
    }
    if request.htmx and "add_line" in request.POST:
        return render(request, "invoicing/partials/invoice_editor.html", context)
    return render(request, "invoicing/invoice_form.html", context)


def _valid(terms_form: TermsForm, formset) -> bool:
    terms_valid = terms_form.is_valid()
    return formset.is_valid() and terms_valid


def _totals(formset, client: Client):
    """The totals of the lines as typed, or None while a line cannot be read."""
    if not formset.is_valid():
        return None
    lines = formset.lines()
    try:
        services.check_lines(lines, client=client)
    except ValidationError:
        return None
    return services.preview_totals(lines)


def _saved_totals(invoice: Invoice | None):
    if invoice is None:
        return None
    return services.preview_totals(services.draft_lines_of(invoice))


@require_supervision
def invoice_create(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    if client.status != Client.Status.ACTIVE:
        messages.error(request, _("Ce client est archivé : restaurez-le pour le facturer."))
        return redirect("client_invoices", firm_slug=firm_slug, client_id=client.pk)
    return _editor(request, client=client, invoice=None)


@require_supervision
def invoice_edit(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    if not invoice.is_draft:
        messages.error(request, _("Une facture émise ne se modifie plus : émettez un avoir."))
        return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
    return _editor(request, client=invoice.client, invoice=invoice)


@require_supervision
@require_POST
def invoice_totals(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The live totals of the draft form (htmx), computed as issuing will compute them."""
    client = get_client_for_membership(request.membership, client_id)
    formset = LineFormSet(request.POST, prefix=LINES_PREFIX, buyer_vat_number=client.vat_number)
    try:
        totals = _totals(formset, client)
    except ValidationError:  # a management form that cannot be read
        totals = None
    return render(request, "invoicing/partials/invoice_totals.html", {"totals": totals})


# --- One invoice ----------------------------------------------------------------------------


def invoice_detail(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    context = {"invoice": invoice, "client": invoice.client}
    if invoice.is_draft:
        context["lines"] = list(invoice.lines.all())
        context["totals"] = _saved_totals(invoice)
        context["refusal"] = issuing.issue_refusal(request.firm, invoice.client)
    else:
        context["document"] = invoice.document
        context["credit_notes"] = list(
            invoice.credit_notes.all().order_by("created_at").only("pk", "number", "status")
        )
    return render(request, "invoicing/invoice_detail.html", context)


@require_supervision
@require_POST
def invoice_issue(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    try:
        issued = issuing.issue_invoice(firm=request.firm, invoice=invoice, by=request.user)
    except issuing.IssueRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(number)s émise : %(amount)s TTC.")
            % {"number": issued.number, "amount": french_amount(issued.total_incl_vat)},
        )
    return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)


@require_supervision
def invoice_delete(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    """A draft is deleted after a confirmation; an issued invoice never is."""
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    if not invoice.is_draft:
        messages.error(request, _("Une facture émise ne peut pas être supprimée."))
        return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
    if request.method == "POST":
        try:
            services.delete_draft(firm=request.firm, invoice=invoice, by=request.user)
        except InvoiceImmutable as error:
            messages.error(request, str(error))
            return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
        messages.success(request, _("Brouillon supprimé."))
        return redirect("client_invoices", firm_slug=firm_slug, client_id=invoice.client_id)
    return render(
        request,
        "invoicing/invoice_delete_confirm.html",
        {"invoice": invoice, "client": invoice.client},
    )


def invoice_pdf(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    """The stored PDF of an issued invoice (a draft has none)."""
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    if invoice.is_draft or not invoice.pdf:
        raise Http404
    return pdf_response(invoice, inline=bool(request.GET.get("apercu")))


def pdf_response(invoice: Invoice, *, inline: bool = False) -> HttpResponse:
    with invoice.pdf.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{invoice.number}.pdf"'
    return response


@require_supervision
@require_POST
def invoice_credit_note(request: HttpRequest, firm_slug: str, invoice_id: int) -> HttpResponse:
    """A draft credit note of the issued invoice, with its lines, to adjust and issue."""
    invoice = selectors.get_invoice_for_membership(request.membership, invoice_id)
    try:
        note = services.create_credit_note(firm=request.firm, invoice=invoice, by=request.user)
    except (InvoiceImmutable, ValidationError) as error:
        text = str(error) if isinstance(error, InvoiceImmutable) else " ".join(error.messages)
        messages.error(request, text)
        return redirect("invoice_detail", firm_slug=firm_slug, invoice_id=invoice.pk)
    messages.success(
        request,
        _("Avoir en brouillon sur la facture %(number)s : ajustez les lignes puis émettez-le.")
        % {"number": invoice.number},
    )
    return redirect("invoice_edit", firm_slug=firm_slug, invoice_id=note.pk)


@require_supervision
@require_POST
def invoice_recurring(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Invoice the recurring fees of a month, in the background."""
    form = RecurringForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Un mois au format AAAA-MM, par exemple 2026-12."))
        return redirect("invoice_list", firm_slug=firm_slug)
    job = start_job(
        firm=request.firm,
        kind=RECURRING_JOB_KIND,
        requested_by=request.user,
        params={"period": form.cleaned_data["period"]},
    )
    return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)


# --- The client's tab and its engagements ---------------------------------------------------


def client_invoices(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    return render(
        request,
        "invoicing/client_invoices.html",
        {
            "client": client,
            "tab": "invoices",
            "invoices": selectors.client_invoices(request.firm.pk, client),
            "owed": payments.client_balances(request.firm.pk, client.pk),
            "engagements": selectors.client_engagements(request.firm.pk, client),
            "engagement_form": EngagementForm() if request.membership.sees_whole_firm else None,
        },
    )


@require_supervision
def engagement_edit(
    request: HttpRequest, firm_slug: str, client_id: int, engagement_id: int | None = None
) -> HttpResponse:
    """Create (``engagement_id`` None) or edit a client's recurring fees."""
    client = get_client_for_membership(request.membership, client_id)
    engagement = (
        selectors.get_engagement_for_client(request.firm.pk, client, engagement_id)
        if engagement_id
        else Engagement(firm=request.firm, client=client, created_by=request.user)
    )
    form = EngagementForm(request.POST or None, instance=engagement)
    if request.method == "POST" and form.is_valid():
        services.save_engagement(firm=request.firm, engagement=form.instance, by=request.user)
        messages.success(request, _("Honoraires récurrents enregistrés."))
        return redirect("client_invoices", firm_slug=firm_slug, client_id=client.pk)
    return render(
        request,
        "invoicing/engagement_form.html",
        {"client": client, "tab": "invoices", "form": form, "engagement": engagement},
    )


@require_supervision
@require_POST
def engagement_stop(
    request: HttpRequest, firm_slug: str, client_id: int, engagement_id: int
) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    engagement = selectors.get_engagement_for_client(request.firm.pk, client, engagement_id)
    services.stop_engagement(firm=request.firm, engagement=engagement, by=request.user)
    messages.success(
        request, _("« %(name)s » arrêtés : plus aucune facture.") % {"name": engagement.description}
    )
    return redirect("client_invoices", firm_slug=firm_slug, client_id=client.pk)


# --- Settings -------------------------------------------------------------------------------


@require_admin
def invoicing_settings(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = InvoicingSettingsForm(
        request.POST or None, instance=services.invoicing_settings(request.firm)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réglages de facturation enregistrés."))
        return redirect("invoicing_settings", firm_slug=firm_slug)
    return render(
        request,
        "invoicing/settings.html",
        {
            "tab": "invoicing",
            "form": form,
            "missing": issuing.seller_problems(request.firm),
            "today": timezone.localdate(),
        },
    )
