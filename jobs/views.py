from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from jobs import health as health_checks
from jobs import services
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


@require_POST
def job_cancel(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    """Whoever may follow a job (its requester, supervisors and administrators) may cancel it."""
    job = get_job_for_membership(request.membership, job_id)
    if not services.cancel_job(firm=request.firm, job=job, by=request.user):
        messages.info(request, "Ce travail est déjà terminé ou en cours d'annulation.")
    return _after_action(request, job_id)


@require_POST
def job_rerun(request: HttpRequest, firm_slug: str, job_id: int) -> HttpResponse:
    """Put a failed, interrupted or cancelled job back in the queue with the same parameters."""
    job = get_job_for_membership(request.membership, job_id)
    if not services.rerun_job(firm=request.firm, job=job, by=request.user):
        messages.info(request, "Ce travail n'est plus à relancer : il a déjà repris.")
    if request.htmx:
        # The page around the job (an import step) follows it again only once reloaded.
        return HttpResponseClientRefresh()
    return _after_action(request, job_id)


def _after_action(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx swaps the job's progress component in place; a plain form goes back to the page it
    came from (the list) or to the job's page."""
    job = get_job_for_membership(request.membership, job_id)
    if request.htmx:
        return render(request, "jobs/partials/job_progress.html", {"job": job})
    back = request.POST.get("next", "")
    # Only a path of this site: redirect() would read any other word as a view's name.
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect(back)
    return redirect("job_detail", firm_slug=request.firm.slug, job_id=job.pk)


@never_cache
@require_GET
@transaction.non_atomic_requests
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the compose file: no login, no firm data. 200 while the database
    answers (the other checks may be failing: the body says which), 503 when it does not."""
    checks = health_checks.run_checks()
    database_ok = checks["database"].ok
    if all(check.ok for check in checks.values()):
        status = "ok"
    else:
        status = "degraded" if database_ok else "failing"
    return JsonResponse(
        {"status": status, "checks": {name: check.as_dict() for name, check in checks.items()}},
        status=200 if database_ok else 503,
    )
