"""The Campagnes pages (supervisors and administrators): the list, one campaign (its text,
preview on three real clients, test send, send, recipients and funnel), and the public
unsubscribe page of the e-mails' link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import content, selectors, services
from campaigns.forms import CampaignForm
from campaigns.models import CampaignRecipient, recipient_state
from firms.access import require_supervision
from firms.services import site_url
from outbox.services import resolve_unknown

RECIPIENTS_PER_PAGE = 50


@require_supervision
def campaign_list(request: HttpRequest, firm_slug: str) -> HttpResponse:
    page = Paginator(selectors.campaigns_of(request.firm), 25).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {"page": page})


@require_supervision
def campaign_detail(request: HttpRequest, firm_slug: str, campaign_id: int) -> HttpResponse:
    """A draft: its form (saved by POST), preview and buttons. Sent: its recipients and funnel.
    htmx gets the sending's progress section only."""
    campaign = selectors.get_campaign(request.firm, campaign_id)
    form = None
    if campaign.is_draft:
        form = CampaignForm.for_campaign(campaign, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_campaign(firm=request.firm, campaign=campaign, **form.cleaned_data)
            except services.CampaignRefused as error:
                messages.error(request, str(error))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Campagne enregistrée."))
            return redirect("campaign_detail", firm_slug=firm_slug, campaign_id=campaign.pk)
    elif request.method == "POST":
        messages.error(request, _("Cette campagne est déjà envoyée : elle ne change plus."))
        return redirect("campaign_detail", firm_slug=firm_slug, campaign_id=campaign.pk)
    page = Paginator(selectors.recipients_of(request.firm, campaign), RECIPIENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(recipient, recipient_state(recipient)) for recipient in page]
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "rows": rows,
        "funnel": selectors.funnel_of(request.firm, campaign),
        "job": campaign.job,
        "merge_keys": [(f"{{{key}}}", meaning) for key, meaning in content.MERGE_KEYS.items()],
        "sendable": campaign.recipient_count - campaign.skipped_count,
        "previews": services.preview(firm=request.firm, campaign=campaign) if form else [],
    }
    if request.htmx and request.GET.get("section") == "sending":
        return render(request, "campaigns/partials/sending.html", context)
    return render(request, "campaigns/campaign_detail.html", context)


@require_supervision
def campaign_preview(request: HttpRequest, firm_slug: str, campaign_id: int) -> HttpResponse:
    """The e-mail as three real clients of the campaign would get it."""
    campaign = selectors.get_campaign(request.firm, campaign_id)
    previews = services.preview(firm=request.firm, campaign=campaign)
    template = (
        "campaigns/partials/preview.html" if request.htmx else "campaigns/campaign_preview.html"
    )
    return render(request, template, {"campaign": campaign, "previews": previews})


@require_supervision
@require_POST
def campaign_test(request: HttpRequest, firm_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.firm, campaign_id)
    try:
        address = services.send_test(firm=request.firm, campaign=campaign, by=request.user)
    except services.CampaignRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("E-mail de test envoyé à %(address)s.") % {"address": address})
    return redirect("campaign_detail", firm_slug=firm_slug, campaign_id=campaign.pk)


@require_supervision
@require_POST
def campaign_send(request: HttpRequest, firm_slug: str, campaign_id: int) -> HttpResponse:
    campaign = selectors.get_campaign(request.firm, campaign_id)
    try:
        services.start_sending(
            firm=request.firm, campaign=campaign, by=request.user, base_url=site_url(request)
        )
    except services.CampaignRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Envoi de la campagne lancé."))
    return redirect("campaign_detail", firm_slug=firm_slug, campaign_id=campaign.pk)


@require_supervision
@require_POST
def recipient_resolve(
    request: HttpRequest, firm_slug: str, campaign_id: int, recipient_id: int
) -> HttpResponse:
    """An uncertain e-mail of the campaign: a person says it arrived, or puts it back in the
    queue (the outbox records who decided)."""
    campaign = selectors.get_campaign(request.firm, campaign_id)
    recipient = (
        CampaignRecipient.objects.for_firm(request.firm)
        .filter(pk=recipient_id, campaign=campaign, message__isnull=False)
        .select_related("message")
        .first()
    )
    if recipient is None:
        raise Http404
    delivered = request.POST.get("delivered") == "1"
    if resolve_unknown(recipient.message, request.user, delivered):
        messages.success(
            request,
            _("E-mail marqué comme envoyé.") if delivered else _("E-mail remis en file d'envoi."),
        )
    else:
        messages.error(request, _("Cet e-mail n'est plus incertain : rien n'a été changé."))
    return redirect("campaign_detail", firm_slug=firm_slug, campaign_id=campaign.pk)


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the bottom of a campaign's e-mail: no login; a page that asks, a POST that
    records. Anything but a link we sent is a 404."""
    target = services.find_unsubscribe_target(token)
    if target is None:
        raise Http404
    done = target.already
    if request.method == "POST":
        services.unsubscribe(target)
        done = True
    return render(
        request,
        "campaigns/unsubscribe.html",
        {"target": target, "done": done, "sender": target.firm.name},
    )
