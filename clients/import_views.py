"""The import wizard: 1. upload, 2. columns, 3. dry run, 4. confirm, then the job's result.

Nothing is written to the clients before step 4; the upload and the dry run are kept on a
:class:`clients.models.ClientImport` between steps. The reading of the file and the dry run are
background jobs: the upload only keeps the file and shows the reading's progress until the
columns can be chosen; step 2 launches the dry run and shows its progress until the review can be
shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from clients.importing import services
from clients.importing.forms import MappingForm, UploadForm
from clients.importing.mapping import FIELD_LABELS, REQUIRED_FIELDS, mapping_from_json
from clients.importing.planning import ACTIONS, CREATE, REJECT, UPDATE
from clients.models import ClientImport
from firms.access import require_supervision
from jobs.models import Job
from jobs.selectors import get_job_for_membership

REVIEW_PAGE_SIZE = 100
ALL = "all"
BEFORE_REVIEW = (
    ClientImport.Status.READING,
    ClientImport.Status.UPLOADED,
    ClientImport.Status.CHECKING,
)


@require_supervision
def client_import(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = services.create_import(
            firm=request.firm,
            by=request.user,
            filename=form.cleaned_data["file"].name,
            content=form.content,
        )
        return redirect("client_import_reading", firm_slug=firm_slug, import_id=upload.pk)
    return render(
        request,
        "clients/import/upload.html",
        {
            "form": form,
            "step": 1,
            "fields": FIELD_LABELS.values(),
            "required": [FIELD_LABELS[name] for name in REQUIRED_FIELDS],
        },
    )


@require_supervision
def client_import_reading(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    """The reading job's progress; htmx polls the status below the bar, which sends the browser
    on to the columns as soon as the file is read, or says why it could not be."""
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.status != ClientImport.Status.READING or upload.read_job_id is None:
        return _step_redirect(request, upload)
    job = get_job_for_membership(request.membership, upload.read_job_id)
    if _moved_on_meanwhile(upload, job, ClientImport.Status.READING):
        return _step_redirect(request, upload)
    context = {"upload": upload, "job": job, "step": 1}
    if request.htmx:
        return render(request, "clients/import/partials/reading_status.html", context)
    return render(request, "clients/import/reading.html", context)


@require_supervision
def client_import_mapping(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.status in (ClientImport.Status.READING, ClientImport.Status.STARTED):
        return _step_redirect(request, upload)
    form = MappingForm(
        request.POST or None,
        headers=upload.headers,
        samples=upload.samples,
        mapping=mapping_from_json(upload.mapping),
    )
    if request.method == "POST" and upload.is_purged:
        messages.error(request, services.purged_message(upload))
        return redirect("client_import", firm_slug=firm_slug)
    if request.method == "POST" and form.is_valid():
        services.start_dry_run(
            firm=request.firm, upload=upload, mapping=form.mapping, by=request.user
        )
        return redirect("client_import_dry_run", firm_slug=firm_slug, import_id=upload.pk)
    return render(
        request, "clients/import/mapping.html", {"form": form, "upload": upload, "step": 2}
    )


@require_supervision
def client_import_dry_run(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    """The dry run job's progress; htmx polls the status below the bar, which sends the browser
    on to the review as soon as the dry run is recorded, or offers a way out if it failed."""
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.status != ClientImport.Status.CHECKING or upload.dry_run_job_id is None:
        return _step_redirect(request, upload)
    job = get_job_for_membership(request.membership, upload.dry_run_job_id)
    if _moved_on_meanwhile(upload, job, ClientImport.Status.CHECKING):
        return _step_redirect(request, upload)
    context = {"upload": upload, "job": job, "step": 3}
    if request.htmx:
        return render(request, "clients/import/partials/dry_run_status.html", context)
    return render(request, "clients/import/dry_run.html", context)


@require_supervision
def client_import_review(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    """The dry run: every row with what it will do or why it is rejected."""
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.status in BEFORE_REVIEW:
        return _step_redirect(request, upload)
    counts = upload.dry_run["counts"]
    # Rejected rows first, when there are some: they are what the user must act on.
    show = request.GET.get("show") or (REJECT if counts[REJECT] else ALL)
    if show not in ACTIONS:
        show = ALL
    rows = [row for row in upload.dry_run["rows"] if show in (ALL, row["action"])]
    page = Paginator(rows, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/import/review.html",
        {
            "upload": upload,
            "step": 3,
            "counts": counts,
            "total": sum(counts.values()),
            "importable": counts[CREATE] + counts[UPDATE],
            "show": show,
            "page": page,
            "querystring": f"show={show}",
        },
    )


@require_supervision
@require_POST
def client_import_confirm(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.status in BEFORE_REVIEW:
        return _step_redirect(request, upload)
    if upload.is_purged and upload.status == ClientImport.Status.CHECKED:
        messages.error(request, services.purged_message(upload))
        return redirect("client_import_review", firm_slug=firm_slug, import_id=upload.pk)
    counts = upload.dry_run["counts"]
    if not counts[CREATE] + counts[UPDATE]:
        messages.error(request, _("Aucune ligne à importer : corrigez le fichier d'abord."))
        return redirect("client_import_review", firm_slug=firm_slug, import_id=upload.pk)
    if services.start_import(firm=request.firm, upload=upload, by=request.user) is None:
        messages.info(request, _("Cet import est déjà lancé."))
    return redirect("client_import_result", firm_slug=firm_slug, import_id=upload.pk)


@require_supervision
def client_import_result(request: HttpRequest, firm_slug: str, import_id: int) -> HttpResponse:
    """The job's progress, then the summary; htmx polls both as one section until the job ends."""
    upload = services.get_import_for_firm(request.firm, import_id)
    if upload.job_id is None:
        return redirect("client_import_review", firm_slug=firm_slug, import_id=upload.pk)
    job = get_job_for_membership(request.membership, upload.job_id)
    context = {"upload": upload, "job": job, "step": 4}
    if request.htmx:
        return render(request, "clients/import/partials/result_live.html", context)
    return render(request, "clients/import/result.html", context)


def _moved_on_meanwhile(upload: ClientImport, job: Job, status: str) -> bool:
    """The job records the import's next step before it finishes: a job read as finished after
    the import was read at ``status`` may have moved the import on in between. Read it again,
    or the page would stop polling on a step that is already over."""
    if not job.is_finished:
        return False
    upload.refresh_from_db()
    return upload.status != status


def _step_redirect(request: HttpRequest, upload: ClientImport) -> HttpResponse:
    """To the page of the step the import is at; an htmx poll is sent there as a whole page."""
    name = {
        ClientImport.Status.READING: "client_import_reading",
        ClientImport.Status.UPLOADED: "client_import_mapping",
        ClientImport.Status.CHECKING: "client_import_dry_run",
        ClientImport.Status.CHECKED: "client_import_review",
        ClientImport.Status.STARTED: "client_import_result",
    }[ClientImport.Status(upload.status)]
    kwargs = {"firm_slug": request.firm.slug, "import_id": upload.pk}
    if upload.status == ClientImport.Status.CHECKING and upload.dry_run_job_id is None:
        name = "client_import_mapping"  # its job was deleted: choose the columns again
    if upload.status == ClientImport.Status.READING and upload.read_job_id is None:
        name, kwargs = "client_import", {"firm_slug": request.firm.slug}  # upload it again
    url = reverse(name, kwargs=kwargs)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
