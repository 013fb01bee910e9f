"""The Cartographie tab of the client sheet, and the catalogue pages of the firm's settings.

Every htmx request gets the section it changed; the same URLs answer plain form posts with a
redirect or the whole page, so everything works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cartography import dashboard as dashboard_selectors
from cartography import selectors, services
from cartography.forms import (
    ClientPlatformForm,
    ClientSoftwareForm,
    DigitalProfileForm,
    MergeForm,
    PlatformForm,
    SoftwareProductForm,
)
from cartography.models import PROFILE_CODES, PlatformRole
from clients import services as client_services
from clients.forms import ReassignForm, firm_members
from clients.models import Client
from clients.selectors import get_client_for_membership
from firms.access import require_admin, require_supervision


def dashboard(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Cartographie FE: the portfolio (or the collaborator's own) with its figures and charts.
    Filters live in the URL; an htmx request gets the results section only."""
    filters = dashboard_selectors.DashboardFilters.from_params(request.GET)
    clients = dashboard_selectors.portfolio_clients(request.membership, filters)
    figures = dashboard_selectors.headline_figures(clients)
    page = dashboard_selectors.PageInfo.for_request(request.GET.get("page"), figures.clients)
    rows = dashboard_selectors.page_rows(
        request.firm, clients, sort=filters.sort, offset=page.offset
    )
    context = {
        "filters": filters,
        "figures": figures,
        "page": page,
        "rows": rows,
        "columns": _dashboard_columns(request, filters),
        "querystring": _without(request.GET, "page"),
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
    ("e_reporting", "E-reporting"),
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
    back = reverse("cartography_dashboard", args=[firm_slug]) + "?" + querystring
    form = ReassignForm(request.POST, firm=request.firm)
    if not form.is_valid():
        messages.error(request, "Choisissez un collaborateur du cabinet.")
        return redirect(back)
    if request.POST.get("scope") == "all":
        filters = dashboard_selectors.DashboardFilters.from_params(QueryDict(querystring))
        ids = dashboard_selectors.portfolio_clients(request.membership, filters).values("pk")
    else:
        ids = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    clients = Client.objects.visible_to(request.membership).filter(pk__in=ids)
    if not clients.exists():
        messages.warning(request, "Aucun client sélectionné.")
        return redirect(back)
    moved = client_services.reassign_clients(
        firm=request.firm,
        clients=clients.select_related("assigned_to"),
        collaborator=form.cleaned_data["assignee"],
        by=request.user,
    )
    who = form.cleaned_data["assignee"] or "personne"
    plural = "s" if moved > 1 else ""
    messages.success(request, f"{moved} client{plural} attribué{plural} à {who}.")
    return redirect(back)


# --- The client's tab ---------------------------------------------------------------------------


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _context(request: HttpRequest, client: Client, **overrides) -> dict:
    selectors.ensure_catalogues(request.firm)
    cartography = selectors.client_cartography(request.firm, client)
    context = {
        "client": client,
        "tab": "cartography",
        "cartography": cartography,
        "catalogue": list(selectors.software_catalogue(request.firm)),
        "add_form": ClientSoftwareForm(firm=request.firm),
        "editing": None,
        "edit_form": None,
        "platform_forms": [
            _platform_form(request, role, cartography.platforms[role])
            for role in PlatformRole.values
        ],
        "profile_form": DigitalProfileForm(
            initial=DigitalProfileForm.initial_from(cartography.answers)
        ),
    }
    context.update(overrides)
    return context


def _platform_form(request: HttpRequest, role: str, current, data=None) -> ClientPlatformForm:
    initial = {}
    if current is not None:
        initial = {"platform": current.platform_id, "status": current.status}
    form = ClientPlatformForm(data, firm=request.firm, role=role, current=current, initial=initial)
    form.current = current
    return form


def _section(request: HttpRequest, client: Client, section: str, **overrides) -> HttpResponse:
    """The changed section for htmx, the whole tab otherwise."""
    template = (
        f"cartography/partials/{section}.html"
        if request.htmx
        else "cartography/client_cartography.html"
    )
    status = overrides.pop("status", 200)
    return render(request, template, _context(request, client, **overrides), status=status)


def client_cartography(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    return _section(request, client, "cartography")


def client_software_add(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """POST adds; GET with ?product= shows the add form with a catalogue entry picked (the
    suggestions of the autocomplete are links to it)."""
    client = get_client_for_membership(request.membership, client_id)
    if request.method != "POST":
        form = ClientSoftwareForm(firm=request.firm)
        product_id = request.GET.get("product", "")
        if product_id.isdigit():
            product = selectors.software_catalogue(request.firm).filter(pk=product_id).first()
            if product is not None:
                form = ClientSoftwareForm(
                    firm=request.firm,
                    initial={
                        "product": product.pk,
                        "label": product.label,
                        "category": product.category,
                    },
                )
                form.picked = product
        return _section(request, client, "software", add_form=form)
    form = ClientSoftwareForm(request.POST, firm=request.firm)
    if form.is_valid():
        try:
            item = services.add_client_software(
                firm=request.firm, client=client, data=form.service_data(), by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Logiciel « {item.label} » ajouté.")
                return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
            return _section(request, client, "software")
    return _section(request, client, "software", add_form=form)


def software_search(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """Suggestions from the firm's catalogue for what is typed in the software field."""
    client = get_client_for_membership(request.membership, client_id)
    query = (request.GET.get("label") or request.GET.get("q") or "").strip()[:100]
    results = selectors.search_software(request.firm, query) if len(query) >= 2 else []
    return render(
        request,
        "cartography/partials/software_suggestions.html",
        {"client": client, "results": results, "query": query},
    )


def client_software_edit(
    request: HttpRequest, firm_slug: str, client_id: int, software_id: int
) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    item = selectors.get_client_software(request.firm, client, software_id)
    if request.method == "POST":
        form = ClientSoftwareForm(request.POST, firm=request.firm)
        if form.is_valid():
            try:
                services.update_client_software(
                    firm=request.firm, item=item, data=form.service_data(), by=request.user
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if not request.htmx:
                    messages.success(request, "Logiciel enregistré.")
                    return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
                return _section(request, client, "software")
    else:
        form = ClientSoftwareForm(
            firm=request.firm,
            initial={
                "product": item.product_id,
                "label": item.label,
                "vendor": item.vendor,
                "category": item.category,
                "version": item.version,
                "used_for_issuing": item.used_for_issuing,
                "used_for_receiving": item.used_for_receiving,
            },
        )
    return _section(request, client, "software", editing=item.pk, edit_form=form)


def client_software_remove(
    request: HttpRequest, firm_slug: str, client_id: int, software_id: int
) -> HttpResponse:
    """GET asks for confirmation (without JavaScript); POST removes."""
    client = get_client_for_membership(request.membership, client_id)
    item = selectors.get_client_software(request.firm, client, software_id)
    if request.method == "POST":
        services.remove_client_software(firm=request.firm, item=item, by=request.user)
        if request.htmx:
            return _section(request, client, "software")
        messages.success(request, f"Logiciel « {item.label} » retiré.")
        return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
    return render(
        request,
        "cartography/software_remove_confirm.html",
        {"client": client, "item": item, "tab": "cartography"},
    )


@require_POST
def client_platform_set(
    request: HttpRequest, firm_slug: str, client_id: int, role: str
) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    if role not in PlatformRole.values:
        raise Http404
    cartography = selectors.client_cartography(request.firm, client)
    current = cartography.platforms[role]
    if request.POST.get("clear"):
        services.clear_client_platform(firm=request.firm, client=client, role=role, by=request.user)
        return _platform_answer(request, client, firm_slug, "Plateforme retirée.")
    form = _platform_form(request, role, current, data=request.POST)
    if form.is_valid():
        services.set_client_platform(
            firm=request.firm,
            client=client,
            role=role,
            platform=form.cleaned_data["platform"],
            status=form.cleaned_data["status"],
            on=form.cleaned_data["on"],
            by=request.user,
        )
        return _platform_answer(request, client, firm_slug, "Plateforme enregistrée.")
    forms = [
        form if other == role else _platform_form(request, other, cartography.platforms[other])
        for other in PlatformRole.values
    ]
    return _section(request, client, "platforms", platform_forms=forms)


def _platform_answer(request, client, firm_slug, text) -> HttpResponse:
    if request.htmx:
        return _section(request, client, "platforms")
    messages.success(request, text)
    return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)


@require_POST
def client_profile_save(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """Saves the answers posted: one field at a time from htmx (each field posts itself on
    change), or the whole form without JavaScript."""
    client = get_client_for_membership(request.membership, client_id)
    answers = {code: request.POST[code] for code in PROFILE_CODES if code in request.POST}
    form = DigitalProfileForm(request.POST)
    form.is_valid()  # the choices; numbers are parsed by the service
    saved = False
    try:
        services.save_digital_profile(
            firm=request.firm, client=client, answers=answers, by=request.user
        )
        saved = True
    except ValidationError as error:
        for code, errors in error.message_dict.items():
            if code in form.fields:
                form.add_error(code, errors)
    if request.htmx and len(answers) == 1:
        code = next(iter(answers))
        return render(
            request,
            "cartography/partials/profile_field.html",
            {"client": client, "field": form[code], "saved": saved},
        )
    if saved and not request.htmx:
        messages.success(request, "Profil numérique enregistré.")
        return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
    return _section(request, client, "profile", profile_form=form, profile_saved=saved)


# --- The firm's catalogues (administrators) -----------------------------------------------------


def _row_form(
    request: HttpRequest, form, *, row_id: str, list_name: str, edit_name: str, entry_id: int
) -> HttpResponse:
    firm_slug = request.firm.slug
    context = {
        "form": form,
        "row_id": row_id,
        "list_url": reverse(list_name, args=[firm_slug]),
        "edit_url": reverse(edit_name, args=[firm_slug, entry_id]),
    }
    return render(request, "cartography/partials/catalogue_row_form.html", context)


@require_admin
def catalogue_software(request: HttpRequest, firm_slug: str) -> HttpResponse:
    selectors.ensure_catalogues(request.firm)
    form = SoftwareProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.add_software_product(
                firm=request.firm, data=form.cleaned_data, by=request.membership
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"« {product.label} » ajouté au catalogue.")
            return redirect("catalogue_software", firm_slug=firm_slug)
    products = selectors.software_catalogue(request.firm, include_inactive=True)
    return render(
        request,
        "cartography/catalogue_software.html",
        {"products": products, "form": form, "tab": "catalogues", "catalogue": "software"},
    )


@require_admin
def catalogue_software_edit(request: HttpRequest, firm_slug: str, product_id: int) -> HttpResponse:
    """Edit one catalogue entry: in place in its table row with htmx, or on its own page."""
    product = selectors.get_software_product(request.firm, product_id)
    row = {"product": product}
    if request.htmx and request.method == "GET" and request.GET.get("annuler"):
        return render(request, "cartography/partials/catalogue_software_row.html", row)
    initial = {
        name: getattr(product, name) for name in ("vendor", "name", "category", "reform_ready")
    } | {"notes": product.notes}
    form = SoftwareProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_software_product(
                firm=request.firm, product=product, data=form.cleaned_data, by=request.membership
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return render(request, "cartography/partials/catalogue_software_row.html", row)
            messages.success(request, "Catalogue enregistré.")
            return redirect("catalogue_software", firm_slug=firm_slug)
    if request.htmx:
        return _row_form(
            request,
            form,
            row_id=f"product-{product.pk}",
            list_name="catalogue_software",
            edit_name="catalogue_software_edit",
            entry_id=product.pk,
        )
    return render(
        request,
        "cartography/catalogue_edit.html",
        {"form": form, "entry": product, "tab": "catalogues", "catalogue": "software"},
    )


@require_admin
def catalogue_software_merge(request: HttpRequest, firm_slug: str, product_id: int) -> HttpResponse:
    """GET asks which entry to keep and confirms; POST merges."""
    duplicate = selectors.get_software_product(request.firm, product_id)
    others = selectors.software_catalogue(request.firm).exclude(pk=duplicate.pk)
    form = MergeForm(request.POST or None, queryset=others)
    if request.method == "POST" and form.is_valid():
        moved = services.merge_software_products(
            firm=request.firm,
            kept=form.cleaned_data["kept"],
            duplicate=duplicate,
            by=request.membership,
        )
        messages.success(
            request, f"« {duplicate.label} » fusionné ; {moved} usage(s) client repris."
        )
        return redirect("catalogue_software", firm_slug=firm_slug)
    return render(
        request,
        "cartography/catalogue_merge.html",
        {"form": form, "entry": duplicate, "tab": "catalogues", "catalogue": "software"},
    )


@require_admin
def catalogue_software_toggle(
    request: HttpRequest, firm_slug: str, product_id: int
) -> HttpResponse:
    product = selectors.get_software_product(request.firm, product_id)
    if request.method == "POST":
        services.set_software_product_active(
            firm=request.firm, product=product, active=not product.is_active, by=request.membership
        )
        messages.success(request, "Catalogue enregistré.")
        return redirect("catalogue_software", firm_slug=firm_slug)
    return render(
        request,
        "cartography/catalogue_toggle.html",
        {"entry": product, "tab": "catalogues", "catalogue": "software"},
    )


@require_admin
def catalogue_platforms(request: HttpRequest, firm_slug: str) -> HttpResponse:
    selectors.ensure_catalogues(request.firm)
    form = PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform = services.add_platform(
                firm=request.firm, data=form.cleaned_data, by=request.membership
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"« {platform} » ajoutée au catalogue.")
            return redirect("catalogue_platforms", firm_slug=firm_slug)
    platforms = selectors.platform_catalogue(request.firm, include_inactive=True)
    return render(
        request,
        "cartography/catalogue_platforms.html",
        {"platforms": platforms, "form": form, "tab": "catalogues", "catalogue": "platforms"},
    )


@require_admin
def catalogue_platform_edit(request: HttpRequest, firm_slug: str, platform_id: int) -> HttpResponse:
    """Edit one catalogue entry: in place in its table row with htmx, or on its own page."""
    platform = selectors.get_platform(request.firm, platform_id)
    row = {"platform": platform}
    if request.htmx and request.method == "GET" and request.GET.get("annuler"):
        return render(request, "cartography/partials/catalogue_platform_row.html", row)
    form = PlatformForm(
        request.POST or None, initial={"name": platform.name, "notes": platform.notes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_platform(
                firm=request.firm, platform=platform, data=form.cleaned_data, by=request.membership
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return render(request, "cartography/partials/catalogue_platform_row.html", row)
            messages.success(request, "Catalogue enregistré.")
            return redirect("catalogue_platforms", firm_slug=firm_slug)
    if request.htmx:
        return _row_form(
            request,
            form,
            row_id=f"platform-{platform.pk}",
            list_name="catalogue_platforms",
            edit_name="catalogue_platform_edit",
            entry_id=platform.pk,
        )
    return render(
        request,
        "cartography/catalogue_edit.html",
        {"form": form, "entry": platform, "tab": "catalogues", "catalogue": "platforms"},
    )


@require_admin
def catalogue_platform_merge(
    request: HttpRequest, firm_slug: str, platform_id: int
) -> HttpResponse:
    duplicate = selectors.get_platform(request.firm, platform_id)
    others = selectors.platform_catalogue(request.firm).exclude(pk=duplicate.pk)
    form = MergeForm(request.POST or None, queryset=others)
    if request.method == "POST" and form.is_valid():
        moved = services.merge_platforms(
            firm=request.firm,
            kept=form.cleaned_data["kept"],
            duplicate=duplicate,
            by=request.membership,
        )
        messages.success(request, f"« {duplicate} » fusionnée ; {moved} usage(s) client repris.")
        return redirect("catalogue_platforms", firm_slug=firm_slug)
    return render(
        request,
        "cartography/catalogue_merge.html",
        {"form": form, "entry": duplicate, "tab": "catalogues", "catalogue": "platforms"},
    )


@require_admin
def catalogue_platform_toggle(
    request: HttpRequest, firm_slug: str, platform_id: int
) -> HttpResponse:
    platform = selectors.get_platform(request.firm, platform_id)
    if request.method == "POST":
        services.set_platform_active(
            firm=request.firm,
            platform=platform,
            active=not platform.is_active,
            by=request.membership,
        )
        messages.success(request, "Catalogue enregistré.")
        return redirect("catalogue_platforms", firm_slug=firm_slug)
    return render(
        request,
        "cartography/catalogue_toggle.html",
        {"entry": platform, "tab": "catalogues", "catalogue": "platforms"},
    )
