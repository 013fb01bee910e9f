"""The Mandats tab of the client sheet, a batch generated from a client list, the mandates
waiting for a signature, the signed files uploaded in bulk, and the firm's mandate settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors import get_client_for_membership
from firms.access import require_admin, require_supervision
from jobs.selectors import get_job_for_membership
from mandates import selectors, services
from mandates.forms import (
    ExportColumnsForm,
    GenerateForm,
    MandateSettingsForm,
    MandateTextForm,
    RefusalForm,
    SignatureForm,
    SignedFilesForm,
)
from mandates.jesignexpert import columns_of
from mandates.jobs import BATCH_JOB_KIND
from mandates.models import Mandate, MandateKind, MandateStatus
from mandates.workflow import TransitionRefused

SIGNED_UPLOAD_MAX_BYTES = 200 * 1024 * 1024  # signed PDFs of one upload, all together


def client_mandates(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The client's mandates, the steps each one can take, and a new one generated."""
    client = get_client_for_membership(request.membership, client_id)
    form = GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate = services.generate_mandate(
                firm=request.firm, client=client, kind=form.cleaned_data["kind"], by=request.user
            )
        except TransitionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Mandat %(reference)s généré : il est à signer.")
                % {"reference": mandate.reference},
            )
        return redirect("client_mandates", firm_slug=firm_slug, client_id=client.pk)
    return render(
        request,
        "mandates/client_mandates.html",
        {
            "client": client,
            "tab": "mandates",
            "mandates": selectors.client_mandates(request.firm, client),
            "form": form,
            "signature_form": SignatureForm(),
            "refusal_form": RefusalForm(),
            "statuses": MandateStatus,
        },
    )


@require_POST
def mandate_step(
    request: HttpRequest, firm_slug: str, client_id: int, mandate_id: int, step: str
) -> HttpResponse:
    """One step of a mandate from the client sheet: sent, signed, refused, cancelled,
    regenerated. A step its status does not allow says so."""
    client = get_client_for_membership(request.membership, client_id)
    mandate = selectors.get_mandate_for_client(request.firm, client, mandate_id)
    back = redirect("client_mandates", firm_slug=firm_slug, client_id=client.pk)
    firm, user = request.firm, request.user
    try:
        if step == "sent":
            services.mark_sent(firm=firm, mandates=[mandate], by=user)
            messages.success(
                request, _("%(ref)s : envoyé pour signature.") % {"ref": mandate.reference}
            )
        elif step == "signed":
            form = SignatureForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _first_error(form))
                return back
            upload = form.cleaned_data["document"]
            if upload.size > services.SIGNED_PDF_MAX_BYTES:
                raise ValidationError(_("Le fichier dépasse 10 Mo."))
            services.record_signature(
                firm=firm,
                mandate=mandate,
                content=upload.read(),
                signed_on=form.cleaned_data["signed_on"],
                by=user,
            )
            messages.success(
                request, _("%(ref)s : signature enregistrée.") % {"ref": mandate.reference}
            )
        elif step == "refused":
            form = RefusalForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Indiquez le motif du refus."))
                return back
            services.record_refusal(
                firm=firm, mandate=mandate, reason=form.cleaned_data["reason"], by=user
            )
            messages.success(request, _("%(ref)s : refus enregistré.") % {"ref": mandate.reference})
        elif step == "cancelled":
            services.cancel_mandate(firm=firm, mandate=mandate, by=user)
            messages.success(request, _("%(ref)s : annulé.") % {"ref": mandate.reference})
        elif step == "regenerated":
            new = services.regenerate_mandate(firm=firm, mandate=mandate, by=user)
            messages.success(
                request,
                _("%(old)s annulé, %(new)s généré.")
                % {"old": mandate.reference, "new": new.reference},
            )
        else:
            raise Http404
    except TransitionRefused as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back


def mandate_document(
    request: HttpRequest, firm_slug: str, client_id: int, mandate_id: int, which: str
) -> HttpResponse:
    """The mandate's PDF (``which`` "document") or the signed one ("signed"): shown in the
    browser with ?apercu=1, downloaded otherwise."""
    client = get_client_for_membership(request.membership, client_id)
    mandate = selectors.get_mandate_for_client(request.firm, client, mandate_id)
    file = mandate.signed_document if which == "signed" else mandate.document
    if not file:
        raise Http404
    name = f"{mandate.reference}{'-signe' if which == 'signed' else ''}.pdf"
    return pdf_response(file, name, inline=bool(request.GET.get("apercu")))


def pdf_response(file, name: str, *, inline: bool = False) -> HttpResponse:
    """A stored PDF (10 MB at most), read at once so that no file stays open."""
    with file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def mandate_batch(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    """A batch generated from a client list: its progress, then what was exported, what was
    not and why, the download, and the batch marked as sent."""
    job = get_job_for_membership(request.membership, job_id)
    if job.kind != BATCH_JOB_KIND:
        raise Http404
    summary = job.summary or {}
    batch = Mandate.objects.for_firm(request.firm).filter(pk__in=summary.get("exported", []))
    if request.method == "POST":
        if not request.membership.sees_whole_firm:
            raise Http404
        sent = services.mark_sent(
            firm=request.firm, mandates=list(batch.select_related("client")), by=request.user
        )
        messages.success(
            request, _("%(count)s mandat(s) marqué(s) envoyé(s) pour signature.") % {"count": sent}
        )
        return redirect("mandate_batch", firm_slug=firm_slug, job_id=job.pk)
    context = {
        "job": job,
        "summary": summary,
        "to_send": batch.filter(status=MandateStatus.TO_SIGN).count(),
        "sent": batch.filter(status=MandateStatus.SENT).count(),
    }
    template = "mandates/partials/batch.html" if request.htmx else "mandates/batch.html"
    return render(request, template, context)


def mandates_waiting(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Mandates waiting for a signature for more than the firm's alert delay."""
    days = services.mandate_settings(request.firm).waiting_alert_days
    return render(
        request,
        "mandates/waiting.html",
        {"mandates": selectors.waiting_for_signature(request.membership, days=days), "days": days},
    )


@require_supervision
def signed_files_upload(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The signed PDFs downloaded from the signing service, matched by their reference."""
    form = SignedFilesForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        if not uploads:
            messages.error(request, _("Choisissez les PDF signés, ou une archive ZIP."))
        elif sum(upload.size for upload in uploads) > SIGNED_UPLOAD_MAX_BYTES:
            messages.error(request, _("Déposez au plus 200 Mo à la fois."))
        else:
            try:
                files = [
                    item
                    for upload in uploads
                    for item in services.signed_files_from_upload(upload.name, upload.read())
                ]
                result = services.record_signed_files(
                    firm=request.firm, files=files, by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
    return render(request, "mandates/signed_upload.html", {"form": form, "result": result})


@require_admin
def mandate_settings(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The firm's texts of each kind of mandate, its signature place and delays."""
    settings_row = services.mandate_settings(request.firm)
    settings_form = MandateSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=settings_row
    )
    text_forms = {}
    for kind in MandateKind:
        title, body = services.mandate_text(request.firm, kind)
        posted = request.POST if request.POST.get("form") == kind.value else None
        text_forms[kind] = MandateTextForm(
            posted, prefix=kind.value, initial={"title": title, "body": body}
        )
    columns_form = ExportColumnsForm(
        request.POST if request.POST.get("form") == "columns" else None,
        initial={"columns": ExportColumnsForm.as_text(columns_of(settings_row))},
    )
    if request.method == "POST":
        if columns_form.is_bound and columns_form.is_valid():
            settings_row.export_columns = columns_form.cleaned_data["columns"]
            settings_row.save(update_fields=["export_columns"])
            messages.success(request, _("Colonnes de l'export enregistrées."))
            return redirect("mandate_settings", firm_slug=firm_slug)
        if settings_form.is_bound and settings_form.is_valid():
            settings_form.save()
            messages.success(request, _("Réglages des mandats enregistrés."))
            return redirect("mandate_settings", firm_slug=firm_slug)
        for kind, form in text_forms.items():
            if form.is_bound and form.is_valid():
                try:
                    services.save_mandate_text(
                        firm=request.firm, kind=kind, by=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_error("body", error.message_dict["body"])
                else:
                    messages.success(
                        request, _("Texte du « %(kind)s » enregistré.") % {"kind": kind.label}
                    )
                    return redirect("mandate_settings", firm_slug=firm_slug)
    return render(
        request,
        "mandates/settings.html",
        {
            "tab": "mandates",
            "settings_form": settings_form,
            "columns_form": columns_form,
            "text_forms": text_forms.items(),
        },
    )


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]
