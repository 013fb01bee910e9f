"""Reading campaigns: the firm's list with its figures, one campaign, its recipients and funnel."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from campaigns import links
from campaigns.models import Campaign, CampaignRecipient
from firms.models import Firm


def _figures(prefix: str = "") -> dict:
    """Counts of a campaign's recipients by where they stand (``prefix``: the path from the
    counted rows to the recipients)."""
    state = f"{prefix}message__state"
    recipient = f"{prefix}pk" if prefix else "pk"
    skipped = f"{prefix}skipped_reason"
    return {
        "recipient_count": Count(recipient),
        "skipped_count": Count(recipient, filter=~Q(**{skipped: ""})),
        "waiting_count": Count(
            recipient,
            filter=Q(**{skipped: ""})
            & (
                Q(**{f"{prefix}message__isnull": True})
                | Q(**{f"{state}__in": ["queued", "sending"]})
            ),
        ),
        "sent_count": Count(recipient, filter=Q(**{state: "sent"})),
        "failed_count": Count(recipient, filter=Q(**{state: "failed"})),
        "unknown_count": Count(recipient, filter=Q(**{state: "unknown"})),
    }


def campaigns_of(firm: Firm) -> QuerySet[Campaign]:
    """The firm's campaigns, the latest first, each with its figures (one query)."""
    return (
        Campaign.objects.for_firm(firm)
        .select_related("created_by")
        .annotate(**_figures("recipients__"))
        .order_by("-created_at", "-id")
    )


def get_campaign(firm: Firm, campaign_id: int) -> Campaign:
    """One of the firm's campaigns with its figures; any other id is a 404."""
    return get_object_or_404(campaigns_of(firm).select_related("job", "sent_by"), pk=campaign_id)


def recipients_of(firm: Firm, campaign: Campaign) -> QuerySet[CampaignRecipient]:
    """The campaign's recipients with their client and message, those not sent first."""
    return (
        CampaignRecipient.objects.for_firm(firm)
        .filter(campaign=campaign)
        .select_related("client", "message")
        .order_by("-skipped_reason", "client__company_name", "pk")
    )


@dataclass(frozen=True)
class Funnel:
    recipients: int
    sent: int
    opened: int | None
    submitted: int | None
    reviewed: int | None

    @property
    def with_link(self) -> bool:
        return self.opened is not None


def funnel_of(firm: Firm, campaign: Campaign) -> Funnel:
    """Sent, then, for a campaign with the questionnaire link, opened, submitted, reviewed
    (None without the link)."""
    sent = getattr(campaign, "sent_count", None)
    if sent is None:
        sent = (
            CampaignRecipient.objects.for_firm(firm)
            .filter(campaign=campaign, message__state="sent")
            .count()
        )
    found = None
    if campaign.include_link:
        link_ids = (
            CampaignRecipient.objects.for_firm(firm)
            .filter(campaign=campaign, questionnaire_link_id__isnull=False)
            .values("questionnaire_link_id")
        )
        found = links.funnel(firm_id=firm.pk, link_ids=link_ids)
    return Funnel(
        recipients=getattr(campaign, "recipient_count", 0),
        sent=sent,
        opened=found.opened if found else None,
        submitted=found.submitted if found else None,
        reviewed=found.reviewed if found else None,
    )
