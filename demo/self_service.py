"""Demo self-service links: a few clients received their link, two of them sent answers that
wait for review on their sheet (and in Cartographie FE's "Réponses client à valider")."""

from __future__ import annotations

from collections.abc import Sequence

from clients.models import Client
from firms.models import Firm
from self_service import services

LINKS = 4
SENT = 2


def seed_self_service(*, firm: Firm, clients: Sequence[Client]) -> int:
    """Links for the first assigned clients, answers sent by two; returns how many were sent.
    Call inside the firm's scope."""
    chosen = [client for client in clients if client.assigned_to_id][:LINKS]
    sent = 0
    for index, client in enumerate(chosen):
        issued = services.issue_link(client=client, days=30)
        if index >= SENT:
            continue
        proposal = services.open_proposal(link=issued.link)
        services.log_request(link=issued.link, ip="192.0.2.10", what="questionnaire ouvert")
        services.save_draft_field(
            proposal=proposal, code="billing_emails", value=[f"factures{index + 1}@example.com"]
        )
        services.save_draft_field(
            proposal=proposal,
            code="signer",
            value={
                "civility": "Mme",
                "first_name": "Claire",
                "last_name": client.signer_last_name or "Martin",
                "email": f"direction{index + 1}@example.com",
                "mobile": "+33639981234",
            },
        )
        sent += 1 if services.submit_proposal(proposal=proposal) else 0
    return sent
