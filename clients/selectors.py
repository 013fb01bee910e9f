from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from firms.models import Membership
from fiscal_questionnaire.selectors import QUESTIONNAIRE_STATES, with_questionnaire_state

SORTS = {
    "name": ("company_name", "id"),
    "-name": ("-company_name", "-id"),
    "siren": ("siren",),
    "-siren": ("-siren",),
    "city": ("city", "company_name", "id"),
    "-city": ("-city", "company_name", "id"),
    "collaborator": ("assigned_to__full_name", "company_name", "id"),
    "-collaborator": ("-assigned_to__full_name", "company_name", "id"),
    "reviewed": ("last_reviewed_at", "company_name", "id"),
    "-reviewed": ("-last_reviewed_at", "company_name", "id"),
}
UNASSIGNED = "none"


def get_client_for_membership(membership: Membership, client_id: int) -> Client:
    """A client the member may see; any other (another firm's, or not assigned to a
    collaborator) is a 404, the same answer as a client that does not exist."""
    return get_object_or_404(Client.objects.visible_to(membership), pk=client_id)


@dataclass(frozen=True)
class ClientFilters:
    query: str = ""
    collaborator: str = ""  # a user id, "none" for unassigned, "" for everyone
    status: str = Client.Status.ACTIVE  # "" for every status
    tag: str = ""
    questionnaire: str = ""  # a key of QUESTIONNAIRE_STATES, "" for every client
    sort: str = "name"

    @classmethod
    def from_params(cls, params) -> ClientFilters:
        status = params.get("status", Client.Status.ACTIVE)
        sort = params.get("sort", "name")
        questionnaire = params.get("questionnaire", "")
        return cls(
            query=params.get("q", "").strip()[:100],
            collaborator=params.get("collaborator", "").strip(),
            status=status if status in {"", *Client.Status.values} else Client.Status.ACTIVE,
            tag=params.get("tag", "").strip()[:40],
            questionnaire=questionnaire if questionnaire in QUESTIONNAIRE_STATES else "",
            sort=sort if sort in SORTS else "name",
        )


def with_tag(clients: QuerySet[Client], tag: str) -> QuerySet[Client]:
    """Clients carrying a tag (an element of their JSON list of tags)."""
    if connection.vendor == "postgresql":
        return clients.filter(tags__contains=[tag])
    # SQLite has no JSON containment: match the element as it is serialised.
    return clients.filter(tags__icontains=f'"{tag}"')


def filter_clients(membership: Membership, filters: ClientFilters) -> QuerySet[Client]:
    clients = Client.objects.visible_to(membership)
    if filters.status:
        clients = clients.filter(status=filters.status)
    if filters.query:
        compact = filters.query.replace(" ", "")
        condition = Q(company_name__icontains=filters.query) | Q(
            contact_name__icontains=filters.query
        )
        if compact.isdigit():
            condition |= Q(siren__startswith=compact[:9]) | Q(siret__startswith=compact)
        clients = clients.filter(condition)
    if filters.collaborator == UNASSIGNED:
        clients = clients.filter(assigned_to__isnull=True)
    elif filters.collaborator.isdigit():
        clients = clients.filter(assigned_to_id=int(filters.collaborator))
    if filters.tag:
        clients = with_tag(clients, filters.tag)
    if filters.questionnaire:
        clients = with_questionnaire_state(clients, filters.questionnaire)
    return clients.order_by(*SORTS[filters.sort])
