"""The Cartographie tab of the client sheet.

Every htmx request gets the section it changed; the same URLs answer plain form posts with a
redirect or the whole page, so everything works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartography import selectors, services
from cartography.forms import (
    ClientPlatformForm,
    ClientSoftwareForm,
    DigitalProfileForm,
    add_service_errors,
)
from cartography.models import PROFILE_CODES, PlatformRole
from clients.models import Client
from clients.selectors import get_client_for_membership
from firms.parameters import parse_positive_int, search_text


def _context(request: HttpRequest, client: Client, **overrides) -> dict:
    cartography = selectors.client_cartography(request.firm, client)
    context = {
        "client": client,
        "tab": "cartography",
        "cartography": cartography,
        "catalogue": list(selectors.software_catalogue(request.firm)),
        "add_form": ClientSoftwareForm(firm=request.firm),
        "editing": None,
        "edit_form": None,
        "platform_forms": _platform_forms(request, cartography),
        "profile_form": DigitalProfileForm(
            initial=DigitalProfileForm.initial_from(cartography.answers)
        ),
    }
    context.update(overrides)
    return context


def _platform_forms(request: HttpRequest, cartography) -> list[ClientPlatformForm]:
    """A form per role, their selects listing the catalogue read once."""
    options = selectors.platform_options(request.firm)
    return [
        _platform_form(request, role, cartography.platforms[role], options=options)
        for role in PlatformRole.values
    ]


def _platform_form(
    request: HttpRequest, role: str, current, data=None, options=None
) -> ClientPlatformForm:
    initial = {}
    if current is not None:
        initial = {"platform": current.platform_id, "status": current.status}
    form = ClientPlatformForm(
        data, firm=request.firm, role=role, current=current, initial=initial, options=options
    )
    form.current = current
    return form


def _section(request: HttpRequest, client: Client, section: str, **overrides) -> HttpResponse:
    """The changed section for htmx, the whole tab otherwise."""
    template = (
        "cartography/partials/section_update.html"
        if request.htmx
        else "cartography/client_cartography.html"
    )
    status = overrides.pop("status", 200)
    context = _context(request, client, section_template=f"cartography/partials/{section}.html")
    context.update(overrides)
    return render(request, template, context, status=status)


def client_cartography(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    return _section(request, client, "cartography")


def client_software_add(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """POST adds; GET with ?product= shows the add form with a catalogue entry picked (the
    suggestions of the autocomplete are links to it)."""
    client = get_client_for_membership(request.membership, client_id)
    if request.method != "POST":
        form = ClientSoftwareForm(firm=request.firm)
        product_id = parse_positive_int(request.GET.get("product"))
        if product_id is not None:
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
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(
                    request, _("Logiciel « %(label)s » ajouté.") % {"label": item.label}
                )
                return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
            return _section(request, client, "software")
    return _section(request, client, "software", add_form=form)


def software_search(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """Suggestions from the firm's catalogue for what is typed in the software field."""
    client = get_client_for_membership(request.membership, client_id)
    query = search_text(request.GET.get("label") or request.GET.get("q"), max_length=100)
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
                add_service_errors(form, error)
            else:
                if not request.htmx:
                    messages.success(request, _("Logiciel enregistré."))
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
        messages.success(request, _("Logiciel « %(label)s » retiré.") % {"label": item.label})
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
        return _platform_answer(request, client, firm_slug, _("Plateforme retirée."))
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
        return _platform_answer(request, client, firm_slug, _("Plateforme enregistrée."))
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
        messages.success(request, _("Profil numérique enregistré."))
        return redirect("client_cartography", firm_slug=firm_slug, client_id=client.pk)
    return _section(request, client, "profile", profile_form=form, profile_saved=saved)
