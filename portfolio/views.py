"""Cartographie FE, the portfolio dashboard, and the bulk actions on its rows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clients.bulk import bulk_actions_for, perform_bulk_action
from clients.forms import firm_members
from portfolio import dashboard as dashboard_selectors


def dashboard(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Cartographie FE: the portfolio (or the collaborator's own) with its figures and charts.
    Filters live in the URL; an htmx request gets the results section only."""
    filters = dashboard_selectors.DashboardFilters.from_params(request.GET)
    clients = dashboard_selectors.portfolio_clients(request.membership, filters)
    figures = dashboard_selectors.kept_headline_figures(request.membership, filters, clients)
    page = dashboard_selectors.PageInfo.for_request(request.GET.get("page"), figures.clients)
    rows = dashboard_selectors.page_rows(
        request.firm,
        clients,
        sort=filters.sort,
        offset=page.offset,
        count=page.count,
        unscored=figures.unscored,
    )
    querystring = _without(request.GET, "page")
    context = {
        "filters": filters,
        "figures": figures,
        "page": page,
        "rows": rows,
        "columns": _dashboard_columns(request, filters),
        "querystring": querystring,
        "bars": dashboard_selectors.urgency_bars(figures),
        "progress": dashboard_selectors.progress_chart(
            dashboard_selectors.recent_snapshots(request.firm),
            # The chart is the whole firm's: the figures of this very page stand for this week
            # when they are the whole firm's too.
            live=figures
            if request.membership.sees_whole_firm and not filters.is_filtered
            else None,
        ),
        "client_answers_waiting": dict(filters.extra).get("client_answers") == "waiting",
        "members": list(firm_members(request.firm)) if request.membership.sees_whole_firm else [],
        "bulk_actions": bulk_actions_for(request.membership),
        "choices": dashboard_selectors.CHOICE_FILTERS,
    }
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = "portfolio/results.html" if partial else "portfolio/dashboard.html"
    return render(request, template, context)


# Columns of the dashboard table, in order: sort key (None: not sortable), label, and whether the
# column gives way on screens narrower than 1280 px (the table then fits 1024 px).
DASHBOARD_COLUMNS = (
    ("name", _("Client"), False),
    ("urgency", _("Urgence"), False),
    ("compliance", _("Conformité"), False),
    ("collaborator", _("Collaborateur"), False),
    ("size", _("Catégorie"), True),
    ("receive", _("Réception"), False),
    ("issue", _("Émission"), False),
    ("e_reporting", _("E‑reporting"), True),  # non-breaking hyphen
    ("reception", _("PA réception"), False),
    ("issuing", _("PA émission"), False),
    ("software", _("Logiciels"), False),
    ("mandate", _("Mandat"), True),
    ("reviewed", _("Dernière revue"), False),
)


def _without(params, *names: str) -> str:
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _dashboard_columns(request: HttpRequest, filters) -> list[dict]:
    """Each header's link: sorts by the column, reversed when it already sorts by it."""
    columns = []
    base = request.GET.copy()
    base.pop("page", None)
    for key, label, optional in DASHBOARD_COLUMNS:
        column = {
            "key": key,
            "label": label,
            "optional": optional,
            "url": "",
            "arrow": "",
            "aria_sort": "none",
        }
        if key:
            params = base.copy()
            params["sort"] = f"-{key}" if filters.sort == key else key
            column["url"] = "?" + params.urlencode()
            if filters.sort == key:
                column.update(arrow="↑", aria_sort="ascending")
            elif filters.sort == f"-{key}":
                column.update(arrow="↓", aria_sort="descending")
        columns.append(column)
    return columns


@require_POST
def bulk_action(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """A bulk action from the dashboard: the checked rows, or the whole filtered set."""
    querystring = request.POST.get("querystring", "")
    filters = dashboard_selectors.DashboardFilters.from_params(QueryDict(querystring))
    return perform_bulk_action(
        request,
        back=reverse("portfolio_dashboard", args=[firm_slug]) + "?" + querystring,
        filtered_set=dashboard_selectors.portfolio_clients(request.membership, filters),
    )
