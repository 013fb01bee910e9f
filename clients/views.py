from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clients import history, services
from clients.bulk import bulk_actions_for, perform_bulk_action
from clients.concurrency import EditConflict
from clients.forms import ClientEditForm, ClientForm, firm_members
from clients.models import Client, HistoryEntry
from clients.naf import naf_label
from clients.selectors import (
    ClientFilters,
    filter_clients,
    get_client_for_membership,
    list_filters,
)

PAGE_SIZE = 50

# Tabs of the client sheet that later modules fill in; until then they say so.


def client_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    filters = ClientFilters.from_params(request.GET)
    clients = (
        filter_clients(request.membership, filters)
        .select_related("assigned_to")
        .prefetch_related("scores")
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        # One list for the collaborator filter and the bulk reassignment.
        "members": list(firm_members(request.firm)) if request.membership.sees_whole_firm else [],
        "bulk_actions": bulk_actions_for(request.membership),
        "list_filters": [(each, filters.value_of(each.name)) for each in list_filters()],
        "querystring": _querystring(request, exclude="page"),
    }
    template = (
        "clients/partials/client_table.html"
        if request.htmx and not request.htmx.boosted
        else "clients/client_list.html"
    )
    return render(request, template, context)


def _querystring(request: HttpRequest, *, exclude: str) -> str:
    params = request.GET.copy()
    params.pop(exclude, None)
    return params.urlencode()


def client_create(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = ClientForm(request.POST or None, firm=request.firm)
    if not request.membership.sees_whole_firm:
        form.fields["assigned_to"].disabled = True
        form.initial["assigned_to"] = request.user.pk
    if request.method == "POST" and form.is_valid():
        client = services.create_client(firm=request.firm, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Client « %(name)s » créé.") % {"name": client.company_name})
        return redirect("client_detail", firm_slug=firm_slug, client_id=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


def client_detail(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    recent = (
        HistoryEntry.objects.for_firm(request.firm)
        .filter(client=client)
        .select_related("actor")[:5]
    )
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "tab": "summary",
            "naf_label": naf_label(client.naf_code),
            "recent": recent,
        },
    )


def client_edit(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    form = _edit_form(request, request.POST or None, client)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(
                firm=request.firm,
                client=client,
                data=form.cleaned_data,
                by=request.user,
                loaded=form.loaded_values(),
            )
        except EditConflict as conflict:
            client = get_client_for_membership(request.membership, client_id)
            form = _form_after_conflict(request, form, client, conflict)
        else:
            messages.success(request, _("Fiche client enregistrée."))
            return redirect("client_detail", firm_slug=firm_slug, client_id=client.pk)
    # A rejected form must not leave the instance half-changed for the page around it.
    client = get_client_for_membership(request.membership, client_id) if form.is_bound else client
    return render(
        request, "clients/client_form.html", {"form": form, "client": client, "tab": "summary"}
    )


def _edit_form(request: HttpRequest, data, client: Client) -> ClientEditForm:
    form = ClientEditForm(data, instance=client, firm=request.firm)
    if not request.membership.sees_whole_firm:
        form.fields["assigned_to"].disabled = True  # only supervisors reassign
    return form


def _form_after_conflict(
    request: HttpRequest, form: ClientEditForm, client: Client, conflict: EditConflict
) -> ClientEditForm:
    """The form again over the values saved meanwhile: the person's own changes kept, every
    other field as it is now, each conflicting field with both values. Saved as it is, it
    keeps the person's values (they are now the ones loaded)."""
    now = _edit_form(request, None, client)
    data = form.data.copy()
    for name in Client.EDITABLE_FIELDS:
        if name not in conflict.changed:
            value = now[name].value()
            data[name] = "" if value is None else value
    data["loaded"] = now.initial["loaded"]
    again = _edit_form(request, data, client)
    again.is_valid()
    again.add_error(
        None,
        "Quelqu'un a modifié cette fiche pendant que vous la modifiiez : rien n'est enregistré. "
        "Vos modifications sont gardées ci-dessous, avec les siennes.",
    )
    for each in conflict.conflicts:
        again.add_error(each.field, each.message)
    return again


def client_archive(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """GET asks for confirmation; POST archives. Nothing is ever deleted."""
    client = get_client_for_membership(request.membership, client_id)
    if request.method == "POST":
        services.archive_client(firm=request.firm, client=client, by=request.user)
        messages.success(
            request,
            _("« %(name)s » est archivé. Vous pouvez le restaurer à tout moment.")
            % {"name": client.company_name},
        )
        return redirect("client_detail", firm_slug=firm_slug, client_id=client.pk)
    return render(
        request, "clients/client_archive_confirm.html", {"client": client, "tab": "summary"}
    )


@require_POST
def client_restore(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    services.restore_client(firm=request.firm, client=client, by=request.user)
    messages.success(
        request, _("« %(name)s » est de nouveau actif.") % {"name": client.company_name}
    )
    return redirect("client_detail", firm_slug=firm_slug, client_id=client.pk)


def client_history(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The timeline, filtered by kind (``?kind=fiscal``); htmx gets the timeline alone."""
    client = get_client_for_membership(request.membership, client_id)
    kind = request.GET.get("kind", "")
    if kind not in history.HISTORY_KINDS_BY_CODE:
        kind = ""
    entries = history.client_entries(request.firm.pk, client.pk, kind).select_related("actor")
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "page": page,
        "tab": "history",
        "kinds": history.HISTORY_KINDS,
        "kind": kind,
        "querystring": urlencode({"kind": kind}) if kind else "",
    }
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = (
        "clients/partials/history_timeline.html" if partial else "clients/client_history.html"
    )
    return render(request, template, context)


@require_POST
def client_bulk_action(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """A bulk action on the checked rows, or on the whole filtered list (the list's query
    string, posted along)."""
    querystring = request.POST.get("querystring", "")
    filters = ClientFilters.from_params(QueryDict(querystring))
    return perform_bulk_action(
        request,
        back=reverse("client_list", args=[firm_slug]) + "?" + querystring,
        filtered_set=filter_clients(request.membership, filters),
    )
