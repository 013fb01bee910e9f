from __future__ import annotations

from django.shortcuts import get_object_or_404

from clients.models import Client
from firms.models import Membership


def get_client_for_membership(membership: Membership, client_id: int) -> Client:
    """A client the member may see; any other (another firm's, or not assigned to a
    collaborator) is a 404, the same answer as a client that does not exist."""
    return get_object_or_404(Client.objects.visible_to(membership), pk=client_id)
