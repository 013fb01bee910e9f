from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from firms.access import require_admin
from jobs.models import Job
from jobs.services import start_job
from privacy.export import FIRM_EXPORT_JOB_KIND
from privacy.models import PersonAction, RetainedRow
from privacy.person_actions import PersonRefused, erase_person, export_person
from privacy.persons import find_person, parse_query


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


@require_admin
@require_GET
def persons(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """A person's data: search by name and/or e-mail, where they appear, what a legal duty
    keeps; export and erasure; the record of past actions."""
    searched = "nom" in request.GET or "email" in request.GET
    context: dict = {"tab": "data", "searched": searched, "values": _values(request.GET)}
    status = 200
    if searched:
        try:
            query = parse_query(request.GET.get("nom"), request.GET.get("email"))
        except ValidationError as error:
            context["errors"] = error.message_dict
            status = 400
        else:
            context["query"] = query
            context["finding"] = finding = find_person(request.firm, query)
            context["identifiers"] = finding.identifiers.all()
            context["querystring"] = urlencode({"nom": query.name, "email": query.email})
    if request.htmx:
        # htmx swaps only a 2xx answer: the messages of a refused search must show.
        return render(request, "privacy/partials/person_results.html", context)
    context["actions"] = PersonAction.objects.for_firm(request.firm).select_related("performed_by")[
        :20
    ]
    context["retained_rows"] = RetainedRow.objects.for_firm(request.firm).filter(
        purged_at__isnull=True
    )[:50]
    return render(request, "privacy/persons.html", context, status=status)


@require_admin
@require_GET
def person_export(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Everything the firm holds about the person, as a JSON download."""
    try:
        query = parse_query(request.GET.get("nom"), request.GET.get("email"))
    except ValidationError as error:
        return HttpResponse(
            json.dumps({"detail": error.message_dict}, ensure_ascii=False),
            status=400,
            content_type="application/json",
        )
    data = export_person(firm=request.firm, query=query, by=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = f"donnees-personne-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_admin
@require_POST
def person_erase(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Erase or anonymise the person, after the name (or e-mail) is typed again."""
    values = _values(request.POST)
    try:
        query = parse_query(request.POST.get("nom"), request.POST.get("email"))
    except ValidationError as error:
        context = {"tab": "data", "searched": True, "values": values, "errors": error.message_dict}
        return render(request, "privacy/persons.html", context, status=400)
    try:
        result = erase_person(
            firm=request.firm,
            query=query,
            confirmation=request.POST.get("confirmation", ""),
            by=request.user,
        )
    except PersonRefused as refusal:
        context = {
            "tab": "data",
            "searched": True,
            "values": values,
            "query": query,
            "finding": (finding := find_person(request.firm, query)),
            "identifiers": finding.identifiers.all(),
            "querystring": urlencode({"nom": query.name, "email": query.email}),
            "refusal": str(refusal),
        }
        return render(request, "privacy/persons.html", context, status=400)
    action = result.action
    messages.success(
        request,
        _(
            "Données effacées ou anonymisées : %(rows)s ligne(s), %(files)s fichier(s). "
            "%(kept)s ligne(s) conservée(s) au titre d'une obligation légale."
        )
        % {"rows": action.total_rows, "files": action.files_deleted, "kept": action.retained_count},
    )
    return redirect(reverse("person_data", kwargs={"firm_slug": firm_slug}))


def _values(data) -> dict[str, str]:
    return {key: str(data.get(key, ""))[:300].replace("\x00", "") for key in ("nom", "email")}
