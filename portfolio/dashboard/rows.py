"""The rows of a page: ordered, sliced, read forwards or from the end of the list, and joined to
their platforms and score breakdown for those rows alone; the pagination."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cartography.models import PlatformRole, PlatformStatus
from clients.models import Client
from firms.models import Firm
from firms.parameters import parse_positive_int
from portfolio.dashboard.filters import (
    CHOSEN_STAGE,
    SIZE_LABELS,
    SORT_FIELDS,
    annotate_portfolio,
    stale_cutoff,
    with_collaborator_name,
)
from scoring.models import ClientScore
from scoring.portfolio_facts import NOT_READY, OBLIGATION_FACTS, PLATFORM_STAGES, READY, UNKNOWN

PAGE_SIZE = 50

ROW_FIELDS = (
    "pk",
    "company_name",
    "siren",
    "assigned_to_id",
    "collaborator_name",
    "last_reviewed_at",
    "is_stale",
    "in_scope",
    "complete",
    "size_category",
    *OBLIGATION_FACTS,
    "reception_status",
    "reception_platform",
    "issuing_status",
    "issuing_platform",
    "software_readiness",
    "mandate_status",
    "score_level",
    "score_total",
    "compliance",
    "score_breakdown",
)
STATUS_LABELS = dict(PlatformStatus.choices)
READINESS = {
    READY: (_("Prêts"), "ok"),
    NOT_READY: (_("Pas prêt"), "danger"),
    UNKNOWN: (_("À vérifier"), "warn"),
    None: (_("Aucun logiciel"), ""),
}


def dashboard_row(values: dict) -> dict:
    """A row as the table reads it: the queried values with the score for the badge and the
    labels worked out, all plain dictionary keys (the fastest lookup for templates)."""
    reception, issuing = values["reception_status"], values["issuing_status"]
    return {
        **values,
        "score": _score(values),
        "size_label": SIZE_LABELS.get(values["size_category"], ""),
        "has_software": values["software_readiness"] is not None,
        "readiness_label": READINESS[values["software_readiness"]],
        "reception_label": STATUS_LABELS.get(reception, ""),
        "issuing_label": STATUS_LABELS.get(issuing, ""),
        "reception_chosen": PLATFORM_STAGES.get(reception, 0) >= CHOSEN_STAGE,
        "issuing_chosen": PLATFORM_STAGES.get(issuing, 0) >= CHOSEN_STAGE,
    }


def ordered(
    clients: QuerySet[Client], sort: str, *, reverse: bool = False, scored_only: bool = False
) -> QuerySet[Client]:
    """In the order of a sort key of SORT_FIELDS ("-" descending, empty values last), ties by
    name then id so that pages never overlap. ``reverse``: the exact mirror of that order (so the
    end of the list can be read from its start). ``scored_only``: for a set of scored clients
    sorted on a key of SCORED_FIRST (never empty there), the same order without the placement of
    empty values, which an index in either direction gives."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    if "collaborator_name" in SORT_FIELDS[key]:
        clients = with_collaborator_name(clients)
    ties_descending = key == "name" and descending
    # (column, descending, may be null)
    terms = [(name, descending, not scored_only) for name in SORT_FIELDS[key]]
    terms += [("company_name", ties_descending, False), ("id", ties_descending, False)]
    order = []
    for name, desc, nullable in terms:
        desc = desc != reverse
        if nullable:  # empty values at the end of the list: first when it is read backwards
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
            order.append(F(name).desc(**nulls) if desc else F(name).asc(**nulls))
        else:
            order.append(F(name).desc() if desc else F(name).asc())
    return clients.order_by(*order)


# Sort keys on a column that every PortfolioFacts row holds, indexed with the firm
# (scoring.PortfolioFacts.Meta.indexes): the list is the scored clients in the column's order,
# then the clients without a score (no facts row), by name. Each part of a page is read on its
# own: the scored clients by walking the index in either direction (a few rows read for any
# page, where the whole set used to be joined and sorted), the others, usually none, apart.
SCORED_FIRST = {"urgency"}


def page_rows(
    firm: Firm,
    clients: QuerySet[Client],
    *,
    sort: str,
    offset: int,
    limit: int = PAGE_SIZE,
    count: int | None = None,
    unscored: int | None = None,
) -> list[dict]:
    """The rows of one page in two queries: the page's ids chosen on the filtered set (client
    and facts only: sorted, sliced), then those rows alone joined to their platforms and to the
    score's breakdown that the urgency badge shows. ``count``, the size of ``clients`` (from the
    headline figures of the same filtered set), lets the second half be read from its end;
    ``unscored``, how many of them have no score (the same figures), lets a key of SCORED_FIRST
    read the scored clients alone."""
    if count is not None and offset >= count:
        return []
    if count is not None and unscored is not None and sort.removeprefix("-") in SCORED_FIRST:
        scored = count - unscored
        with_score = clients.filter(score_level__isnull=False)
        page_ids = _ids_between(
            ordered(with_score, sort, scored_only=True),
            ordered(with_score, sort, reverse=True, scored_only=True),
            start=offset,
            stop=min(offset + limit, scored),
            size=scored,
        )
        if offset + limit > scored and unscored:
            without_score = clients.filter(score_level__isnull=True)
            page_ids += _ids_between(
                ordered(without_score, sort),
                ordered(without_score, sort, reverse=True),
                start=max(offset - scored, 0),
                stop=offset + limit - scored,
                size=unscored,
            )
    elif count is not None:
        page_ids = _ids_between(
            ordered(clients, sort),
            ordered(clients, sort, reverse=True),
            start=offset,
            stop=offset + limit,
            size=count,
        )
    else:
        page_ids = list(
            ordered(clients, sort).values_list("pk", flat=True)[offset : offset + limit]
        )
    if not page_ids:
        return []
    page = Client.objects.for_firm(firm).filter(pk__in=page_ids)
    rows = with_collaborator_name(annotate_portfolio(page, cutoff=stale_cutoff(firm))).annotate(
        reception=FilteredRelation(
            "platforms", condition=Q(platforms__role=PlatformRole.RECEPTION)
        ),
        issuing=FilteredRelation("platforms", condition=Q(platforms__role=PlatformRole.ISSUING)),
        reception_status=F("reception__status"),
        reception_platform=F("reception__platform__name"),
        issuing_status=F("issuing__status"),
        issuing_platform=F("issuing__platform__name"),
        score_breakdown=F("scores__breakdown"),
    )
    by_id = {row["pk"]: row for row in rows.values(*ROW_FIELDS)}
    # In the order of the ids; a client deleted between the two queries is simply not shown.
    return [dashboard_row(by_id[pk]) for pk in page_ids if pk in by_id]


def _ids_between(
    forwards: QuerySet[Client], backwards: QuerySet[Client], *, start: int, stop: int, size: int
) -> list[int]:
    """The ids at positions [start, stop) of a list of ``size`` clients, given in its order and
    in the reverse one. Past the middle the list is read backwards: sorting for the top of a
    reversed list stays cheap where a large OFFSET would sort (nearly) everything."""
    stop = min(stop, size)
    if start >= stop:
        return []
    if start + (stop - start) / 2 > size / 2:
        reversed_ids = backwards.values_list("pk", flat=True)[size - stop : size - start]
        return list(reversed_ids)[::-1]
    return list(forwards.values_list("pk", flat=True)[start:stop])


def _score(row: dict) -> ClientScore | None:
    """The score as the urgency badge reads it (an unsaved instance: never written back)."""
    if row["score_level"] is None:
        return None
    return ClientScore(
        client_id=row["pk"],
        level=row["score_level"],
        total=row["score_total"],
        compliance=row["compliance"],
        breakdown=row["score_breakdown"] or [],
    )


@dataclass(frozen=True)
class PageInfo:
    """Offset pagination whose count comes from the headline figures (no second COUNT)."""

    number: int
    count: int
    size: int = PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.count / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def start_index(self) -> int:
        return self.offset + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.offset + self.size, self.count)

    @property
    def paginator(self) -> PageInfo:
        """Itself: the pagination partial reads a Django Page's ``page.paginator.count``."""
        return self

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @classmethod
    def for_request(cls, raw: str | None, count: int) -> PageInfo:
        number = parse_positive_int(raw) or 1
        last = max(1, ceil(count / PAGE_SIZE))
        return cls(number=min(max(number, 1), last), count=count)
