"""The catalogue pages of the firm's settings (administrators): software and platforms.

Both catalogues have the same four pages (the list with its add form, an entry edited in its row,
the merge of a duplicate, the activation toggle), written once below. What differs between them is
described in a ``CataloguePages``; ``cartography/urls.py`` gives each view the one it serves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartography import selectors, services
from cartography.forms import (
    MergeForm,
    PlatformForm,
    SoftwareProductForm,
    add_service_errors,
)
from cartography.models import Platform, SoftwareProduct
from firms.access import require_admin
from firms.models import Firm
from firms.parameters import search_text

Entry = SoftwareProduct | Platform
CATALOGUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class CataloguePages:
    """One catalogue as its pages show it. Templates get it as ``catalogue``."""

    key: str  # "software" or "platforms": the current tab of the catalogue navigation
    # "product" or "platform": the entry's keyword in the services, its id in the URLs
    # (``product_id``) and in the table (``product-12``).
    entry_name: str
    form: type[forms.Form]
    entries: Callable[..., QuerySet]
    get_entry: Callable[[Firm, int], Entry]  # a 404 for another firm's entry
    add: Callable[..., Entry]
    update: Callable[..., Entry]
    set_active: Callable[..., Entry]
    merge: Callable[..., int]
    # Messages: "{entry}" the entry added or merged, "{moved}" the client uses a merge moved.
    added: str
    merged: str
    search_fields: tuple[str, ...]  # what the list's search looks in
    columns: tuple[str, ...]  # the table's headers, in French
    list_template: str
    row_template: str
    # URL names, for the templates and the redirects.
    list_url: str
    edit_url: str
    merge_url: str
    toggle_url: str


SOFTWARE = CataloguePages(
    key="software",
    entry_name="product",
    form=SoftwareProductForm,
    entries=selectors.software_catalogue,
    get_entry=selectors.get_software_product,
    add=services.add_software_product,
    update=services.update_software_product,
    set_active=services.set_software_product_active,
    merge=services.merge_software_products,
    added=_("« {entry} » ajouté au catalogue."),
    merged=_("« {entry} » fusionné ; {moved} usage(s) client repris."),
    search_fields=("vendor", "name"),
    columns=(_("Logiciel"), _("Catégorie"), _("Réforme")),
    list_template="cartography/catalogue_software.html",
    row_template="cartography/partials/catalogue_software_row.html",
    list_url="catalogue_software",
    edit_url="catalogue_software_edit",
    merge_url="catalogue_software_merge",
    toggle_url="catalogue_software_toggle",
)

PLATFORMS = CataloguePages(
    key="platforms",
    entry_name="platform",
    form=PlatformForm,
    entries=selectors.platform_catalogue,
    get_entry=selectors.get_platform,
    add=services.add_platform,
    update=services.update_platform,
    set_active=services.set_platform_active,
    merge=services.merge_platforms,
    added=_("« {entry} » ajoutée au catalogue."),
    merged=_("« {entry} » fusionnée ; {moved} usage(s) client repris."),
    search_fields=("name",),
    columns=(_("Plateforme"), _("Immatriculation"), _("Date")),
    list_template="cartography/catalogue_platforms.html",
    row_template="cartography/partials/catalogue_platform_row.html",
    list_url="catalogue_platforms",
    edit_url="catalogue_platform_edit",
    merge_url="catalogue_platform_merge",
    toggle_url="catalogue_platform_toggle",
)


def _entry_in_url(
    request: HttpRequest, catalogue: CataloguePages, url_ids: dict[str, int]
) -> Entry:
    """The entry named in the URL by ``product_id`` or ``platform_id``; another firm's is a 404."""
    return catalogue.get_entry(request.firm, url_ids[f"{catalogue.entry_name}_id"])


def _page(
    request: HttpRequest, template: str, catalogue: CataloguePages, **context
) -> HttpResponse:
    return render(request, template, {"tab": "catalogues", "catalogue": catalogue, **context})


def _row(request: HttpRequest, catalogue: CataloguePages, entry: Entry) -> HttpResponse:
    context = {"catalogue": catalogue, "entry": entry}
    return render(request, catalogue.row_template, context)


def _row_form(
    request: HttpRequest, catalogue: CataloguePages, entry: Entry, form: forms.Form
) -> HttpResponse:
    firm_slug = request.firm.slug
    context = {
        "form": form,
        "row_id": f"{catalogue.entry_name}-{entry.pk}",
        "list_url": reverse(catalogue.list_url, args=[firm_slug]),
        "edit_url": reverse(catalogue.edit_url, args=[firm_slug, entry.pk]),
    }
    return render(request, "cartography/partials/catalogue_row_form.html", context)


@require_admin
def catalogue_list(request: HttpRequest, firm_slug: str, catalogue: CataloguePages) -> HttpResponse:
    form = catalogue.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = catalogue.add(firm=request.firm, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, catalogue.added.format(entry=entry))
            return redirect(catalogue.list_url, firm_slug=firm_slug)
    query = search_text(request.GET.get("q"), max_length=100)
    entries = selectors.search_entries(
        catalogue.entries(request.firm, include_inactive=True), query, catalogue.search_fields
    )
    page = Paginator(entries, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": page.object_list,
        "query": query,
        "querystring": urlencode({"q": query}) if query else "",
    }
    if request.htmx and request.method == "GET":
        return render(
            request,
            "cartography/partials/catalogue_entries.html",
            {"catalogue": catalogue, **context},
        )
    return _page(request, catalogue.list_template, catalogue, form=form, **context)


@require_admin
def catalogue_edit(
    request: HttpRequest, firm_slug: str, catalogue: CataloguePages, **url_ids: int
) -> HttpResponse:
    """Edit one catalogue entry: in place in its table row with htmx, or on its own page."""
    entry = _entry_in_url(request, catalogue, url_ids)
    if request.htmx and request.method == "GET" and request.GET.get("annuler"):
        return _row(request, catalogue, entry)
    initial = {name: getattr(entry, name) for name in catalogue.form.base_fields}
    form = catalogue.form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # The services name the entry after its kind: product=… or platform=….
            catalogue.update(
                firm=request.firm,
                data=form.cleaned_data,
                by=request.user,
                **{catalogue.entry_name: entry},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return _row(request, catalogue, entry)
            messages.success(request, _("Catalogue enregistré."))
            return redirect(catalogue.list_url, firm_slug=firm_slug)
    if request.htmx:
        return _row_form(request, catalogue, entry, form)
    return _page(request, "cartography/catalogue_edit.html", catalogue, form=form, entry=entry)


@require_admin
def catalogue_merge(
    request: HttpRequest, firm_slug: str, catalogue: CataloguePages, **url_ids: int
) -> HttpResponse:
    """GET asks which entry to keep and confirms; POST merges."""
    duplicate = _entry_in_url(request, catalogue, url_ids)
    others = catalogue.entries(request.firm).exclude(pk=duplicate.pk)
    form = MergeForm(request.POST or None, queryset=others)
    if request.method == "POST" and form.is_valid():
        moved = catalogue.merge(
            firm=request.firm,
            kept=form.cleaned_data["kept"],
            duplicate=duplicate,
            by=request.user,
        )
        messages.success(request, catalogue.merged.format(entry=duplicate, moved=moved))
        return redirect(catalogue.list_url, firm_slug=firm_slug)
    return _page(request, "cartography/catalogue_merge.html", catalogue, form=form, entry=duplicate)


@require_admin
def catalogue_toggle(
    request: HttpRequest, firm_slug: str, catalogue: CataloguePages, **url_ids: int
) -> HttpResponse:
    """GET confirms; POST deactivates an active entry or reactivates an inactive one."""
    entry = _entry_in_url(request, catalogue, url_ids)
    if request.method == "POST":
        catalogue.set_active(
            firm=request.firm,
            active=not entry.is_active,
            by=request.user,
            **{catalogue.entry_name: entry},
        )
        messages.success(request, _("Catalogue enregistré."))
        return redirect(catalogue.list_url, firm_slug=firm_slug)
    return _page(request, "cartography/catalogue_toggle.html", catalogue, entry=entry)
