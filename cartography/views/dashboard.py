"""Cartographie FE, the portfolio dashboard, and its bulk reassignment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cartography import dashboard as dashboard_selectors
from clients.forms import firm_members
from clients.views import handle_bulk_reassign
from firms.access import require_supervision


def dashboard(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Cartographie FE: the portfolio (or the collaborator's own) with its figures and charts.
    Filters live in the URL; an htmx request gets the results section only."""
    filters = dashboard_selectors.DashboardFilters.from_params(request.GET)
    clients = dashboard_selectors.portfolio_clients(request.membership, filters)
    figures = dashboard_selectors.headline_figures(clients)
    page = dashboard_selectors.PageInfo.for_request(request.GET.get("page"), figures.clients)
    rows = dashboard_selectors.page_rows(
        request.firm, clients, sort=filters.sort, offset=page.offset, count=page.count
    )
    querystring = _without(request.GET, "page")
    context = {
        "filters": filters,
        "figures": figures,
        "page": page,
        "rows": rows,
        "columns": _dashboard_columns(request, filters),
        "querystring": querystring,
        "page_link": f"?{querystring}&page=" if querystring else "?page=",
        "bars": dashboard_selectors.urgency_bars(figures),
        "progress": dashboard_selectors.progress_chart(
            dashboard_selectors.recent_snapshots(request.firm)
        ),
        "members": list(firm_members(request.firm)) if request.membership.sees_whole_firm else [],
        "choices": {
            "urgency": dashboard_selectors.URGENCY_CHOICES,
            "size": dashboard_selectors.SIZE_CHOICES,
            "obligation": dashboard_selectors.OBLIGATION_CHOICES,
            "issuing_year": dashboard_selectors.ISSUING_YEAR_CHOICES,
            "platform": dashboard_selectors.PLATFORM_CHOICES,
        },
        "section": "cartography",
    }
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = "cartography/dashboard/results.html" if partial else "cartography/dashboard.html"
    return render(request, template, context)


# Sortable columns of the dashboard table, in order; None: not sortable.
DASHBOARD_COLUMNS = (
    ("name", "Client"),
    ("urgency", "Urgence"),
    ("compliance", "Conformité"),
    ("collaborator", "Collaborateur"),
    ("size", "Catégorie"),
    ("receive", "Réception"),
    ("issue", "Émission"),
    ("e_reporting", "E‑reporting"),  # non-breaking hyphen
    ("reception", "PA réception"),
    ("issuing", "PA émission"),
    ("software", "Logiciels"),
    (None, "Mandat"),
    ("reviewed", "Dernière revue"),
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
    for key, label in DASHBOARD_COLUMNS:
        column = {"key": key, "label": label, "url": "", "arrow": "", "aria_sort": "none"}
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


@require_supervision
@require_POST
def dashboard_reassign(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Bulk reassignment from the dashboard: the checked rows, or the whole filtered set."""
    querystring = request.POST.get("querystring", "")
    filters = dashboard_selectors.DashboardFilters.from_params(QueryDict(querystring))
    return handle_bulk_reassign(
        request,
        back=reverse("cartography_dashboard", args=[firm_slug]) + "?" + querystring,
        filtered_set=dashboard_selectors.portfolio_clients(request.membership, filters),
    )
