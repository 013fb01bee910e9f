from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from firms.models import Membership
from firms.parameters import parse_positive_int, search_text

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
    clients = Client.objects.visible_to(membership).select_related("assigned_to")
    return get_object_or_404(clients, pk=client_id)


@dataclass(frozen=True)
class ListFilter:
    """A filter of the client lists that an app above adds in its AppConfig.ready() (the
    questionnaire's state, say): a URL parameter, its French labels and choices, and the
    condition it puts on a queryset of clients."""

    name: str
    label: str
    all_label: str  # the choice that filters nothing
    choices: Mapping[str, str]  # value -> French label
    apply: Callable[[QuerySet[Client], str], QuerySet[Client]]


_list_filters: dict[str, ListFilter] = {}


def register_list_filter(list_filter: ListFilter) -> None:
    if list_filter.name in _list_filters:
        raise RuntimeError(f"client list filter {list_filter.name!r} registered twice")
    _list_filters[list_filter.name] = list_filter


def list_filters() -> list[ListFilter]:
    return list(_list_filters.values())


@dataclass(frozen=True)
class ClientFilters:
    query: str = ""
    collaborator: str = ""  # a user id, "none" for unassigned, "" for everyone
    status: str = Client.Status.ACTIVE  # "" for every status
    tag: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # (name, value) of the registered list filters set
    sort: str = "name"

    @classmethod
    def from_params(cls, params) -> ClientFilters:
        status = params.get("status", Client.Status.ACTIVE)
        sort = params.get("sort", "name")
        return cls(
            query=search_text(params.get("q"), max_length=100),
            collaborator=search_text(params.get("collaborator"), max_length=20),
            status=status if status in {"", *Client.Status.values} else Client.Status.ACTIVE,
            tag=search_text(params.get("tag"), max_length=40),
            extra=tuple(
                (name, params.get(name))
                for name, list_filter in _list_filters.items()
                if params.get(name) in list_filter.choices
            ),
            sort=sort if sort in SORTS else "name",
        )

    @property
    def collaborator_id(self) -> int | None:
        """The collaborator filtered on, None when the filter is "", "none" or not an id."""
        return parse_positive_int(self.collaborator)

    def value_of(self, name: str) -> str:
        """The value of a registered list filter, "" when it is not set."""
        return dict(self.extra).get(name, "")

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.query
            or self.collaborator
            or self.tag
            or self.extra
            or self.status != Client.Status.ACTIVE
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
        if compact.isascii() and compact.isdigit():
            condition |= Q(siren__startswith=compact[:9]) | Q(siret__startswith=compact)
        clients = clients.filter(condition)
    if filters.collaborator == UNASSIGNED:
        clients = clients.filter(assigned_to__isnull=True)
    elif filters.collaborator_id is not None:
        clients = clients.filter(assigned_to_id=filters.collaborator_id)
    elif filters.collaborator:
        clients = clients.none()  # not an id: no collaborator has it
    if filters.tag:
        clients = with_tag(clients, filters.tag)
    for name, value in filters.extra:
        clients = _list_filters[name].apply(clients, value)
    return clients.order_by(*SORTS[filters.sort])
