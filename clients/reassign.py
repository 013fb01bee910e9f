"""The bulk reassignment that both client lists offer (Clients and Cartographie FE): the checked
rows, or the whole filtered set, given to one collaborator (or to nobody)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from clients import services
from clients.forms import ReassignForm
from clients.models import Client


def handle_bulk_reassign(
    request: HttpRequest, *, back: str, filtered_set: Callable[[], QuerySet[Client]]
) -> HttpResponse:
    """Handle the bulk bar's POST (``assignee``, ``scope`` "all" or the ``selected`` ids), then
    go ``back`` to the list with a message. ``filtered_set``: the list's clients under its
    filters, for the "all" scope."""
    form = ReassignForm(request.POST, firm=request.firm)
    if not form.is_valid():
        messages.error(request, "Choisissez un collaborateur du cabinet.")
        return redirect(back)
    if request.POST.get("scope") == "all":
        ids = filtered_set().values("pk")
    else:
        ids = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    clients = Client.objects.visible_to(request.membership).filter(pk__in=ids)
    if not clients.exists():
        messages.warning(request, "Aucun client sélectionné.")
        return redirect(back)
    moved = services.reassign_clients(
        firm=request.firm,
        clients=clients.select_related("assigned_to"),
        collaborator=form.cleaned_data["assignee"],
        by=request.user,
    )
    who = form.cleaned_data["assignee"] or "personne"
    plural = "s" if moved > 1 else ""
    messages.success(request, f"{moved} client{plural} attribué{plural} à {who}.")
    return redirect(back)
