from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients.models import Client
from clients.selectors import get_client_for_membership
from firms.access import require_supervision
from jobs.services import start_job


def client_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    clients = Client.objects.visible_to(request.membership).filter(status=Client.Status.ACTIVE)
    query = request.GET.get("q", "").strip()
    if query:
        clients = clients.filter(
            Q(company_name__icontains=query)
            | Q(siren__startswith=query.replace(" ", ""))
            | Q(contact_name__icontains=query)
        )
    clients = clients.select_related("assigned_to").order_by("company_name", "id")
    page = Paginator(clients, 50).get_page(request.GET.get("page"))
    template = "clients/partials/client_table.html" if request.htmx else "clients/client_list.html"
    return render(request, template, {"page": page, "query": query})


def client_detail(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    return render(request, "clients/client_detail.html", {"client": client})


@require_supervision
@require_POST
def client_export(request: HttpRequest, firm_slug: str) -> HttpResponse:
    job = start_job(firm=request.firm, kind="clients_csv_export", requested_by=request.user)
    return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)
