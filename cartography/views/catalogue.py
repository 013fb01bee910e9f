"""The catalogue pages of the firm's settings (administrators): software and platforms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cartography import selectors, services
from cartography.forms import (
    MergeForm,
    PlatformForm,
    SoftwareProductForm,
    add_service_errors,
)
from firms.access import require_admin


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
            add_service_errors(form, error)
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
            add_service_errors(form, error)
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
            add_service_errors(form, error)
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
            add_service_errors(form, error)
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
