"""Reading mandates."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients.models import Client
from firms.models import Firm, Membership
from mandates.models import Mandate, MandateStatus


def client_mandates(firm: Firm | int, client: Client) -> QuerySet[Mandate]:
    return Mandate.objects.for_firm(firm).filter(client=client).select_related("created_by")


def get_mandate_for_client(firm: Firm | int, client: Client, mandate_id: int) -> Mandate:
    """One of the client's mandates; another's (or another firm's) is a 404."""
    mandates = Mandate.objects.for_firm(firm).filter(client=client).select_related("client")
    return get_object_or_404(mandates, pk=mandate_id)


def mandates_visible_to(membership: Membership) -> QuerySet[Mandate]:
    clients = Client.objects.visible_to(membership)
    return Mandate.objects.for_firm(membership.firm_id).filter(client__in=clients)


def waiting_for_signature(membership: Membership, *, days: int) -> QuerySet[Mandate]:
    """Mandates to sign or sent for more than ``days`` days, the oldest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        mandates_visible_to(membership)
        .filter(status__in=[MandateStatus.TO_SIGN, MandateStatus.SENT], status_changed_at__lt=since)
        .select_related("client", "client__assigned_to")
        .order_by("status_changed_at", "id")
    )
