"""The firm's side: the link of a client (created, shown once, revoked), the review of the
answers it sent (on the client sheet, an htmx section), and the firm's choice of questions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clients.selectors import get_client_for_membership
from firms.access import require_admin
from self_service import fields, selectors, services
from self_service.models import FieldDecision, SelfServiceSettings

DECISIONS = {
    "accept": FieldDecision.ACCEPTED,
    "edit": FieldDecision.EDITED,
    "reject": FieldDecision.REJECTED,
}


def review_context(request: HttpRequest, client, *, issued_url: str = "", error: str = "") -> dict:
    firm = request.firm
    rows = selectors.review_rows(firm, client)
    # The catalogues feed the edit forms, only there when answers wait.
    catalogues = fields.Catalogues.of(firm) if rows else fields.Catalogues()
    return {
        "firm": firm,
        "client": client,
        "link": selectors.current_link(firm, client),
        "rows": rows,
        "issued_url": issued_url,
        "error": error,
        "products": sorted(catalogues.products.values(), key=lambda product: product.label),
        "platforms": sorted(catalogues.platforms.values(), key=lambda platform: platform.name),
        "civilities": fields.CIVILITIES,
    }


def _section(request: HttpRequest, client, **kwargs) -> HttpResponse:
    if request.htmx:
        return render(
            request, "self_service/partials/review.html", review_context(request, client, **kwargs)
        )
    if kwargs.get("error"):
        messages.error(request, kwargs["error"])
    return redirect("client_detail", firm_slug=request.firm.slug, client_id=client.pk)


def review(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The section of the client sheet: the link and the answers to review."""
    client = get_client_for_membership(request.membership, client_id)
    return render(request, "self_service/partials/review.html", review_context(request, client))


@require_POST
def create_link(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """A new link for the client (the previous one stops working), shown once."""
    client = get_client_for_membership(request.membership, client_id)
    if client.status != client.Status.ACTIVE:
        return _section(request, client, error=_("Un client archivé ne reçoit pas de lien."))
    days = services.choice_of(request.firm).link_days
    issued = services.issue_link(client=client, user=request.user, days=days)
    if not request.htmx:
        messages.success(request, _("Lien créé : %(url)s") % {"url": issued.url})
    return _section(request, client, issued_url=issued.url)


@require_POST
def revoke_link(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    services.revoke_links(client=client, user=request.user)
    if not request.htmx:
        messages.success(request, _("Le lien ne fonctionne plus."))
    return _section(request, client)


@require_POST
def decide(request: HttpRequest, firm_slug: str, client_id: int, field_id: int) -> HttpResponse:
    """Accept, edit or reject one answer the client sent."""
    client = get_client_for_membership(request.membership, client_id)
    field = selectors.get_field_for_client(request.firm, client, field_id)
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        return _section(request, client, error=_("Choisissez : accepter, modifier ou refuser."))
    edited = None
    if decision == FieldDecision.EDITED:
        try:
            edited = fields.parse(field.code, request.POST, fields.Catalogues.of(request.firm))
        except fields.FieldError as error:
            return _section(request, client, error=error.message)
    try:
        services.decide_field(
            firm=request.firm, field=field, decision=decision, by=request.user, edited=edited
        )
    except services.ReviewRefused as error:
        return _section(request, client, error=_(error.message))
    except fields.FieldError as error:
        return _section(request, client, error=error.message)
    return _section(request, client)


class ChoiceForm(forms.ModelForm):
    link_days = forms.IntegerField(
        label=gettext_lazy("Durée de validité d'un lien (jours)"), min_value=1, max_value=366
    )

    class Meta:
        model = SelfServiceSettings
        fields = [*services.CHOICE_FIELDS, "link_days"]


@require_admin
def settings_page(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """Which questions the firm's links show, and how long a link lives."""
    choice = services.choice_of(request.firm)
    form = ChoiceForm(request.POST or None, instance=choice)
    if request.method == "POST" and form.is_valid():
        services.save_choice(firm=request.firm, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Réglages du questionnaire client enregistrés."))
        return redirect("self_service_settings", firm_slug=firm_slug)
    return render(request, "self_service/settings.html", {"form": form, "tab": "self_service"})
