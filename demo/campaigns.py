"""A demo campaign: a draft to the first clients of the portfolio, ready to be previewed and
sent."""

from __future__ import annotations

from collections.abc import Sequence

from campaigns import services
from clients.models import Client
from firms.models import Firm, Membership, Role

HOW_MANY = 20


def seed_campaigns(*, firm: Firm, clients: Sequence[Client]) -> int:
    """One draft campaign to the first clients, written by the firm's first supervisor (or
    administrator); returns how many campaigns. Call inside the firm's scope."""
    members = Membership.objects.for_firm(firm).filter(is_active=True).select_related("user")
    author = (
        members.filter(role=Role.SUPERVISOR).order_by("pk").first()
        or members.filter(role=Role.ADMIN).order_by("pk").first()
    )
    if author is None or not clients:
        return 0
    services.create_campaign(
        firm=firm,
        by=author.user,
        client_ids=[client.pk for client in clients[:HOW_MANY]],
        filter_snapshot={"scope": "selected"},
    )
    return 1
