"""The client's personal self-service questionnaire link, and what the client did with it.

The one place that knows the self-service app (``self_service``): a campaign asks here for a
link to put in its e-mail (``{lien_questionnaire}``) and for the funnel of the links it sent:
opened (the link's first opening), submitted (its answers sent), reviewed (a proposal of the
link reviewed by the firm).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from clients.models import Client
from firms.models import User
from self_service import services as self_service
from self_service.models import ClientLink, Proposal


@dataclass(frozen=True)
class QuestionnaireLink:
    link_id: int
    url: str


@dataclass(frozen=True)
class LinkFunnel:
    opened: int
    submitted: int
    reviewed: int


def issue(*, client: Client, user: User | None) -> QuestionnaireLink:
    """A new personal link for the client (its earlier links stop working), valid as long as
    the firm's self-service settings say, written in the caller's transaction."""
    days = self_service.choice_of(client.firm_id).link_days
    issued = self_service.issue_link(client=client, user=user, days=days)
    return QuestionnaireLink(link_id=issued.link.pk, url=issued.url)


def funnel(*, firm_id: int, link_ids) -> LinkFunnel:
    """How many of these links (ids, or a query of ids) were opened, submitted and reviewed."""
    figures = (
        ClientLink.objects.for_firm(firm_id)
        .filter(pk__in=link_ids)
        .aggregate(
            opened=Count("pk", filter=Q(first_opened_at__isnull=False)),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
    )
    reviewed = (
        Proposal.objects.for_firm(firm_id)
        .filter(link_id__in=link_ids, reviewed_at__isnull=False)
        .values("link_id")
        .distinct()
        .count()
    )
    return LinkFunnel(opened=figures["opened"], submitted=figures["submitted"], reviewed=reviewed)
