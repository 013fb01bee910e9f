"""The Rapports tab of the client sheet (the versions, a new one generated in the background, each
PDF downloaded) and the page of a batch started from a client list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clients.models import Client
from clients.selectors import get_client_for_membership
from firms.parameters import parse_positive_int
from jobs.selectors import get_job_for_membership
from jobs.services import start_job
from reports import selectors
from reports.jobs import JOB_KIND


def client_reports(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The client's report versions; a POST starts the generation of a new one, whose progress
    the tab then follows (``?travail=<job id>``)."""
    client = get_client_for_membership(request.membership, client_id)
    if request.method == "POST":
        if client.status != Client.Status.ACTIVE:
            messages.error(request, _("Client archivé : restaurez-le pour générer un rapport."))
            return redirect("client_reports", firm_slug=firm_slug, client_id=client.pk)
        job = start_job(
            firm=request.firm,
            kind=JOB_KIND,
            requested_by=request.user,
            params={"client_ids": [client.pk]},
        )
        url = reverse("client_reports", args=[firm_slug, client.pk])
        return redirect(f"{url}?travail={job.pk}")
    job_id = parse_positive_int(request.GET.get("travail"))
    context = {
        "client": client,
        "tab": "reports",
        "reports": list(selectors.client_reports(request.firm, client)),
        "job": selectors.client_report_job(request.membership, client, job_id),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "reports/partials/reports_panel.html", context)
    return render(request, "reports/client_reports.html", context)


def report_document(
    request: HttpRequest, firm_slug: str, client_id: int, report_id: int
) -> HttpResponse:
    """A version's PDF: shown in the browser with ?apercu=1, downloaded otherwise."""
    client = get_client_for_membership(request.membership, client_id)
    report = selectors.get_report_for_client(request.firm, client, report_id)
    return pdf_response(report.document, report.file_name, inline=bool(request.GET.get("apercu")))


def pdf_response(file, name: str, *, inline: bool = False) -> HttpResponse:
    """A stored PDF, read at once so that no file stays open."""
    with file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def report_batch(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    """Reports generated from a client list: the progress, then how many, the clients left
    out and why, and the ZIP."""
    job = get_job_for_membership(request.membership, job_id)
    if job.kind != JOB_KIND:
        raise Http404
    context = {"job": job, "summary": job.summary or {}}
    template = "reports/partials/batch.html" if request.htmx else "reports/batch.html"
    return render(request, template, context)
