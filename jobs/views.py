from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jobs.selectors import get_job_for_membership, jobs_visible_to


def job_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    jobs = jobs_visible_to(request.membership).select_related("requested_by")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page})


def job_detail(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    """The progress component; htmx polls it until the job is finished."""
    job = get_job_for_membership(request.membership, job_id)
    template = "jobs/partials/job_progress.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    job = get_job_for_membership(request.membership, job_id)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)
