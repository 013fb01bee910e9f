from __future__ import annotations

from collections.abc import Iterable

from clients.models import Client
from scoring.models import ClientScore


def attach_scores(firm_id: int, clients: Iterable[Client]) -> None:
    """Set ``client.score`` (a ClientScore or None) on each client, in one query."""
    clients = list(clients)
    scores = {
        score.client_id: score
        for score in ClientScore.objects.for_firm(firm_id).filter(
            client_id__in=[c.pk for c in clients]
        )
    }
    for client in clients:
        client.score = scores.get(client.pk)
