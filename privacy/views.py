from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firms.access import require_admin
from jobs.models import Job
from jobs.services import start_job
from privacy.export import FIRM_EXPORT_JOB_KIND


@require_admin
def firm_data(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The firm's data: the full export, and what erasure means."""
    exports = (
        Job.objects.for_firm(request.firm)
        .filter(kind=FIRM_EXPORT_JOB_KIND)
        .select_related("requested_by")
        .order_by("-created_at")[:10]
    )
    return render(request, "privacy/firm_data.html", {"exports": exports, "tab": "data"})


@require_admin
@require_POST
def firm_data_export(request: HttpRequest, firm_slug: str) -> HttpResponse:
    job = start_job(firm=request.firm, kind=FIRM_EXPORT_JOB_KIND, requested_by=request.user)
    return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)
