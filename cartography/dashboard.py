"""Reading the portfolio dashboard (Cartographie FE): the rows of a page, the headline figures of
the filtered set, and the geometry of the two server-side charts.

Everything the dashboard filters, sorts and counts on is a column of the client or of its
PortfolioFacts row (its score's figures and the facts they were computed from, a narrow table
written with the score), so the work over the whole filtered set is one join of two narrow
tables. A page costs a fixed number of queries whatever the size of the portfolio: one aggregate
for the headline figures (which also gives the pagination its count), one for the ids of the
page, one joining those fifty rows alone to their platforms and their score's breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from cartography.models import (
    PlatformRole,
    PlatformStatus,
    PortfolioSnapshot,
)
from clients.models import Client
from clients.selectors import ClientFilters, filter_clients
from firms.models import Firm, Membership
from fiscal_questionnaire.models import SizeCategory
from scoring.models import ClientScore
from scoring.portfolio_facts import NOT_READY, PLATFORM_STAGES, READY, UNKNOWN

PAGE_SIZE = 50

# A platform counts as "chosen" from this stage on (scoring.portfolio_facts.PLATFORM_STAGES).
CHOSEN_STATUSES = (
    PlatformStatus.CHOSEN,
    PlatformStatus.CONTRACT_SIGNED,
    PlatformStatus.CONNECTED,
    PlatformStatus.TESTED,
)
CHOSEN_STAGE = PLATFORM_STAGES[PlatformStatus.CHOSEN]

URGENCY_CHOICES = {
    "high": "Élevée",
    "medium": "Moyenne",
    "low": "Faible",
    "none": "Non calculée",
}
SIZE_CHOICES = {**{value: value for value in SizeCategory.values}, "unknown": "Non déterminée"}
OBLIGATION_CHOICES = {
    "receive": "Réception obligatoire",
    "issue": "Émission obligatoire",
    "e_reporting": "E-reporting",
    "out_of_scope": "Hors champ",
    "undetermined": "Obligations à déterminer",
}
ISSUING_YEAR_CHOICES = {"2026": "Émission dès 2026", "2027": "Émission en 2027"}
PLATFORM_CHOICES = {
    "reception_missing": "PA de réception à choisir",
    "reception_chosen": "PA de réception choisie",
    "issuing_missing": "PA d'émission à choisir (émission due)",
    "issuing_chosen": "PA d'émission choisie",
}

# Sort key -> the annotations ordered on; every order ends on (company_name, id) to be stable.
SORT_FIELDS = {
    "name": [],
    "collaborator": ["collaborator_name"],
    "size": ["size_category"],
    "receive": ["receive_from"],
    "issue": ["issue_from"],
    "e_reporting": ["e_reporting_from"],
    "reception": ["reception_stage"],
    "issuing": ["issuing_stage"],
    "software": ["software_readiness"],
    "compliance": ["compliance"],
    "urgency": ["score_total"],
    "reviewed": ["reviewed_on"],
}
DEFAULT_SORT = "-urgency"


@dataclass(frozen=True)
class DashboardFilters:
    query: str = ""
    collaborator: str = ""
    questionnaire: str = ""
    urgency: str = ""
    size: str = ""
    obligation: str = ""
    issuing_year: str = ""
    platform: str = ""
    stale: bool = False
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params) -> DashboardFilters:
        base = ClientFilters.from_params(params)

        def choice(name: str, choices: dict) -> str:
            value = params.get(name, "")
            return value if value in choices else ""

        sort = params.get("sort", DEFAULT_SORT)
        return cls(
            query=base.query,
            collaborator=base.collaborator,
            questionnaire=base.questionnaire,
            urgency=choice("urgency", URGENCY_CHOICES),
            size=choice("size", SIZE_CHOICES),
            obligation=choice("obligation", OBLIGATION_CHOICES),
            issuing_year=choice("issuing_year", ISSUING_YEAR_CHOICES),
            platform=choice("platform", PLATFORM_CHOICES),
            stale=params.get("stale") == "1",
            sort=sort if sort.removeprefix("-") in SORT_FIELDS else DEFAULT_SORT,
        )

    @property
    def is_filtered(self) -> bool:
        return any(
            [
                self.query,
                self.collaborator,
                self.questionnaire,
                self.urgency,
                self.size,
                self.obligation,
                self.issuing_year,
                self.platform,
                self.stale,
            ]
        )


def stale_cutoff(firm: Firm, *, now: datetime | None = None) -> datetime:
    """Reviewed before this moment (or created before it and never reviewed): stale."""
    return (now or timezone.now()) - relativedelta(months=firm.stale_after_months)


def annotate_portfolio(clients: QuerySet[Client], *, cutoff: datetime) -> QuerySet[Client]:
    """The columns the dashboard filters, sorts and counts on: the client's own and its facts'
    (one LEFT JOIN, the facts being unique per client), and the collaborator's name."""
    return clients.annotate(
        collaborator_name=F("assigned_to__full_name"),
        in_scope=F("facts__in_scope"),
        complete=F("facts__obligations_complete"),
        size_category=NullIf("facts__size_category", Value("")),  # undecided sorts last
        must_receive=F("facts__must_receive"),
        receive_from=F("facts__receive_from"),
        must_issue=F("facts__must_issue"),
        issue_from=F("facts__issue_from"),
        e_reporting=F("facts__e_reporting"),
        e_reporting_from=F("facts__e_reporting_from"),
        reception_stage=Coalesce("facts__reception_stage", 0),
        issuing_stage=Coalesce("facts__issuing_stage", 0),
        software_readiness=F("facts__software_readiness"),
        score_level=F("facts__level"),
        score_total=F("facts__total"),
        compliance=F("facts__compliance"),
        reviewed_on=Coalesce("last_reviewed_at", "created_at"),
        is_stale=Case(
            When(Q(last_reviewed_at__lt=cutoff), then=Value(1)),
            When(Q(last_reviewed_at__isnull=True, created_at__lt=cutoff), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


ISSUING_CHOSEN = Q(issuing_stage__gte=CHOSEN_STAGE)
RECEPTION_CHOSEN = Q(reception_stage__gte=CHOSEN_STAGE)
DETERMINED = Q(complete=True)


def apply_dashboard_filters(
    clients: QuerySet[Client], filters: DashboardFilters
) -> QuerySet[Client]:
    """The dashboard's own filters, on the annotations (so no second join is made)."""
    if filters.urgency == "none":
        clients = clients.filter(score_level__isnull=True)
    elif filters.urgency:
        clients = clients.filter(score_level=filters.urgency)
    if filters.size == "unknown":
        clients = clients.filter(Q(size_category__isnull=True) | Q(size_category=""))
    elif filters.size:
        clients = clients.filter(size_category=filters.size)
    if filters.obligation == "receive":
        clients = clients.filter(must_receive=True)
    elif filters.obligation == "issue":
        clients = clients.filter(must_issue=True)
    elif filters.obligation == "e_reporting":
        clients = clients.filter(e_reporting=True)
    elif filters.obligation == "out_of_scope":
        clients = clients.filter(in_scope=False)
    elif filters.obligation == "undetermined":
        clients = clients.filter(Q(complete__isnull=True) | Q(complete=False))
    if filters.issuing_year:
        year = int(filters.issuing_year)
        clients = clients.filter(
            issue_from__gte=date(year, 1, 1), issue_from__lt=date(year + 1, 1, 1)
        )
    # On the stages (never null), so a client without a platform is "missing", not unknown.
    if filters.platform == "reception_missing":
        clients = clients.filter(Q(must_receive__isnull=True) | Q(must_receive=True)).filter(
            reception_stage__lt=CHOSEN_STAGE
        )
    elif filters.platform == "reception_chosen":
        clients = clients.filter(RECEPTION_CHOSEN)
    elif filters.platform == "issuing_missing":
        clients = clients.filter(must_issue=True, issuing_stage__lt=CHOSEN_STAGE)
    elif filters.platform == "issuing_chosen":
        clients = clients.filter(ISSUING_CHOSEN)
    if filters.stale:
        clients = clients.filter(is_stale=1)
    return clients


def portfolio_clients(membership: Membership, filters: DashboardFilters) -> QuerySet[Client]:
    """The member's active clients matching the filters, with the dashboard's annotations,
    unordered. Also what "the whole filtered set" of a bulk action means."""
    base = filter_clients(
        membership,
        ClientFilters(
            query=filters.query,
            collaborator=filters.collaborator if membership.sees_whole_firm else "",
            questionnaire=filters.questionnaire,
        ),
    ).order_by()
    clients = annotate_portfolio(base, cutoff=stale_cutoff(membership.firm))
    return apply_dashboard_filters(clients, filters)


# --- Headline figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadlineFigures:
    clients: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    unscored: int = 0
    determined: int = 0
    reception_pa: int = 0
    issuing_due: int = 0
    issuing_pa: int = 0
    stale: int = 0
    average_compliance: int | None = None

    @staticmethod
    def _percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def determined_percent(self) -> int | None:
        return self._percent(self.determined, self.clients)

    @property
    def reception_percent(self) -> int | None:
        return self._percent(self.reception_pa, self.clients)

    @property
    def issuing_percent(self) -> int | None:
        return self._percent(self.issuing_pa, self.issuing_due)


def headline_figures(clients: QuerySet[Client]) -> HeadlineFigures:
    """The figures of an annotated set (annotate_portfolio), in one aggregate query."""
    figures = clients.aggregate(
        clients=Count("pk"),
        high=Count("pk", filter=Q(score_level="high")),
        medium=Count("pk", filter=Q(score_level="medium")),
        low=Count("pk", filter=Q(score_level="low")),
        unscored=Count("pk", filter=Q(score_level__isnull=True)),
        determined=Count("pk", filter=DETERMINED),
        reception_pa=Count("pk", filter=RECEPTION_CHOSEN),
        issuing_due=Count("pk", filter=Q(must_issue=True)),
        issuing_pa=Count("pk", filter=Q(must_issue=True) & ISSUING_CHOSEN),
        stale=Count("pk", filter=Q(is_stale=1)),
        average_compliance=Avg("compliance"),
    )
    average = figures.pop("average_compliance")
    return HeadlineFigures(
        **figures, average_compliance=None if average is None else round(average)
    )


# --- The rows of a page -------------------------------------------------------------------------

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
    "must_receive",
    "receive_from",
    "must_issue",
    "issue_from",
    "e_reporting",
    "e_reporting_from",
    "reception_status",
    "reception_platform",
    "issuing_status",
    "issuing_platform",
    "software_readiness",
    "score_level",
    "score_total",
    "compliance",
    "score_breakdown",
)
STATUS_LABELS = dict(PlatformStatus.choices)
READINESS = {
    READY: ("Prêts", "ok"),
    NOT_READY: ("Pas prêt", "danger"),
    UNKNOWN: ("À vérifier", "warn"),
    None: ("Aucun logiciel", ""),
}


def dashboard_row(values: dict) -> dict:
    """A row as the table reads it: the queried values with the score for the badge and the
    labels worked out, all plain dictionary keys (the fastest lookup for templates)."""
    reception, issuing = values["reception_status"], values["issuing_status"]
    return {
        **values,
        "score": _score(values),
        "has_software": values["software_readiness"] is not None,
        "readiness_label": READINESS[values["software_readiness"]],
        "reception_label": STATUS_LABELS.get(reception, ""),
        "issuing_label": STATUS_LABELS.get(issuing, ""),
        "reception_chosen": reception in CHOSEN_STATUSES,
        "issuing_chosen": issuing in CHOSEN_STATUSES,
    }


def ordered(clients: QuerySet[Client], sort: str, *, reverse: bool = False) -> QuerySet[Client]:
    """In the order of a sort key of SORT_FIELDS ("-" descending, empty values last), ties by
    name then id so that pages never overlap. ``reverse``: the exact mirror of that order (so the
    end of the list can be read from its start)."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    ties_descending = key == "name" and descending
    # (column, descending, may be null)
    terms = [(name, descending, True) for name in SORT_FIELDS[key]]
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


def page_rows(
    firm: Firm,
    clients: QuerySet[Client],
    *,
    sort: str,
    offset: int,
    limit: int = PAGE_SIZE,
    count: int | None = None,
) -> list[dict]:
    """The rows of one page in two queries: the page's ids chosen on the filtered set (client
    and facts only: sorted, sliced), then those rows alone joined to their platforms and to the
    score's breakdown that the urgency badge shows. ``count``, the size of ``clients`` (from the
    headline figures of the same filtered set), lets the second half be read from its end."""
    if count is not None and offset >= count:
        return []
    if count is not None and offset + limit / 2 > count / 2:
        # Past the middle, read the list backwards: sorting for the top of a reversed list stays
        # cheap where a large OFFSET would sort (nearly) everything.
        start = max(count - offset - limit, 0)
        backwards = ordered(clients, sort, reverse=True).values_list("pk", flat=True)
        page_ids = list(backwards[start : count - offset])[::-1]
    else:
        forwards = ordered(clients, sort).values_list("pk", flat=True)
        page_ids = list(forwards[offset : offset + limit])
    if not page_ids:
        return []
    page = Client.objects.for_firm(firm).filter(pk__in=page_ids)
    rows = annotate_portfolio(page, cutoff=stale_cutoff(firm)).annotate(
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
    return [dashboard_row(by_id[pk]) for pk in page_ids]


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
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @classmethod
    def for_request(cls, raw: str | None, count: int) -> PageInfo:
        number = int(raw) if raw and raw.isdigit() else 1
        last = max(1, ceil(count / PAGE_SIZE))
        return cls(number=min(max(number, 1), last), count=count)


# --- Charts (SVG geometry, drawn by templates) --------------------------------------------------

CHART_WIDTH = 420
CHART_HEIGHT = 180
URGENCY_COLOURS = {"high": "#b42318", "medium": "#a15c00", "low": "#147a4a", "none": "#a0aec0"}


def urgency_bars(figures: HeadlineFigures) -> list[dict]:
    counts = {
        "high": figures.high,
        "medium": figures.medium,
        "low": figures.low,
        "none": figures.unscored,
    }
    top = max(counts.values()) or 1
    slot = CHART_WIDTH / len(counts)
    bars = []
    for index, (level, count) in enumerate(counts.items()):
        height = round(130 * count / top)
        bars.append(
            {
                "level": level,
                "label": URGENCY_CHOICES[level],
                "count": count,
                "percent": round(100 * count / figures.clients) if figures.clients else 0,
                "x": round(index * slot + slot * 0.2),
                "width": round(slot * 0.6),
                "y": 150 - height,
                "height": height,
                "colour": URGENCY_COLOURS[level],
                "centre": round(index * slot + slot / 2),
            }
        )
    return bars


PROGRESS_SERIES = (
    ("determined_percent", "Obligations déterminées", "#1f4fd1"),
    ("reception_percent", "PA de réception choisie", "#147a4a"),
    ("issuing_percent", "PA d'émission (si due)", "#a15c00"),
)


def progress_chart(snapshots: list[PortfolioSnapshot]) -> dict:
    """Lines of percentages (0–100 %) over the weekly snapshots, oldest first."""
    left, right, top, bottom = 46, CHART_WIDTH - 10, 10, 150
    count = len(snapshots)
    step = (right - left) / (count - 1) if count > 1 else 0
    xs = [
        round(left + index * step) if count > 1 else (left + right) // 2 for index in range(count)
    ]
    series = []
    for attribute, label, colour in PROGRESS_SERIES:
        points = []
        for x, snapshot in zip(xs, snapshots, strict=True):
            value = getattr(snapshot, attribute)
            if value is not None:
                points.append(
                    {"x": x, "y": round(bottom - (bottom - top) * value / 100), "value": value}
                )
        series.append(
            {
                "label": label,
                "colour": colour,
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "last": points[-1]["value"] if points else None,
            }
        )
    gridlines = [
        {"y": round(bottom - (bottom - top) * p / 100), "label": p, "x1": left, "x2": right}
        for p in (0, 50, 100)
    ]
    ticks = []
    if count:
        every = max(1, ceil(count / 6))
        ticks = [
            {"x": xs[i], "label": snapshots[i].taken_on.strftime("%d/%m")}
            for i in range(0, count, every)
        ]
    return {"series": series, "gridlines": gridlines, "ticks": ticks, "count": count}


def recent_snapshots(firm: Firm | int, *, weeks: int = 26) -> list[PortfolioSnapshot]:
    since = timezone.localdate() - timedelta(weeks=weeks)
    snapshots = PortfolioSnapshot.objects.for_firm(firm).filter(taken_on__gte=since)
    return list(snapshots.order_by("taken_on"))
