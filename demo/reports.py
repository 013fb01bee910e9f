"""Demo synthesis reports: the first clients of the portfolio have one, the very first two
versions, so that the Rapports tab shows a history."""

from __future__ import annotations

from collections.abc import Sequence

from clients.models import Client
from firms.models import Firm, User
from reports import services

FIRST = 3  # PDFs take a moment each


def seed_reports(*, firm: Firm, clients: Sequence[Client]) -> int:
    """Reports for the first clients (by their collaborator); returns how many. Call inside the
    firm's scope."""
    chosen = [client for client in clients if client.assigned_to_id][:FIRST]
    authors = {
        user.pk: user for user in User.objects.filter(pk__in=[c.assigned_to_id for c in chosen])
    }
    stationery = services.firm_stationery(firm)
    count = 0
    for index, client in enumerate(chosen):
        for _ in range(2 if index == 0 else 1):
            services.generate_report(
                firm=firm,
                client=client,
                by=authors.get(client.assigned_to_id),
                stationery=stationery,
            )
            count += 1
    return count
