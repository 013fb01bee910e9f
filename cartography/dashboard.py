"""Reading the portfolio dashboard (Cartographie FE): the rows of a page, the headline figures of
the filtered set, and the geometry of the two server-side charts.

A page costs a fixed number of queries whatever the size of the portfolio: one aggregate for the
headline figures (which also gives the pagination its count), one for the rows with obligations,
score and platforms joined, and two small ones keyed by the page's ids (score breakdowns, software).
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
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cartography.models import (
    ClientSoftware,
    PlatformRole,
    PlatformStatus,
    PortfolioSnapshot,
    ReformReadiness,
)
from clients.models import Client
from clients.selectors import ClientFilters, filter_clients
from firms.models import Firm, Membership
from fiscal_questionnaire.models import SizeCategory
from scoring.models import ClientScore

PAGE_SIZE = 50

# A platform counts as "chosen" from this status on.
CHOSEN_STATUSES = (
    PlatformStatus.CHOSEN,
    PlatformStatus.CONTRACT_SIGNED,
    PlatformStatus.CONNECTED,
    PlatformStatus.TESTED,
)
STATUS_RANK = {status: rank for rank, status in enumerate(PlatformStatus.values, start=1)}
CHOSEN_RANK = STATUS_RANK[PlatformStatus.CHOSEN]

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
    "reception": ["reception_rank"],
    "issuing": ["issuing_rank"],
    "software": ["software_rank"],
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


def _platform_rank(alias: str) -> Case:
    return Case(
        *[When(**{f"{alias}__status": s}, then=Value(r)) for s, r in STATUS_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def annotate_portfolio(clients: QuerySet[Client], *, cutoff: datetime) -> QuerySet[Client]:
    """The columns of the dashboard as annotations, each a LEFT JOIN on a one-per-client row."""
    return clients.annotate(
        reception=FilteredRelation(
            "platforms", condition=Q(platforms__role=PlatformRole.RECEPTION)
        ),
        issuing=FilteredRelation("platforms", condition=Q(platforms__role=PlatformRole.ISSUING)),
    ).annotate(
        collaborator_name=F("assigned_to__full_name"),
        in_scope=F("obligations__in_scope"),
        complete=F("obligations__complete"),
        size_category=F("obligations__size_category"),
        must_receive=F("obligations__must_receive"),
        receive_from=F("obligations__receive_from"),
        must_issue=F("obligations__must_issue"),
        issue_from=F("obligations__issue_from"),
        e_reporting_transactions=F("obligations__e_reporting_transactions"),
        e_reporting_payments=F("obligations__e_reporting_payments"),
        e_reporting_from=F("obligations__e_reporting_transactions_from"),
        reception_status=F("reception__status"),
        reception_platform=F("reception__platform__name"),
        reception_rank=_platform_rank("reception"),
        issuing_status=F("issuing__status"),
        issuing_platform=F("issuing__platform__name"),
        issuing_rank=_platform_rank("issuing"),
        score_level=F("scores__level"),
        score_total=F("scores__total"),
        compliance=F("scores__compliance"),
        score_breakdown=F("scores__breakdown"),
        reviewed_on=Coalesce("last_reviewed_at", "created_at"),
        is_stale=Case(
            When(Q(last_reviewed_at__lt=cutoff), then=Value(1)),
            When(Q(last_reviewed_at__isnull=True, created_at__lt=cutoff), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def _with_software_rank(firm: Firm | int, clients: QuerySet[Client]) -> QuerySet[Client]:
    """The least ready of the client's software (0 not ready, 1 unknown, 2 ready; null if none).
    Only for sorting on the column: the page reads the software in its own small query."""
    rank = (
        ClientSoftware.objects.for_firm(firm)
        .filter(client_id=OuterRef("pk"))
        .annotate(
            rank=Case(
                When(product__reform_ready=ReformReadiness.YES, then=Value(2)),
                When(product__reform_ready=ReformReadiness.NO, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .values("client_id")
        .annotate(least=Min("rank"))
        .values("least")
    )
    return clients.annotate(software_rank=Subquery(rank, output_field=IntegerField()))


ISSUING_CHOSEN = Q(issuing_status__in=CHOSEN_STATUSES)
RECEPTION_CHOSEN = Q(reception_status__in=CHOSEN_STATUSES)
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
        clients = clients.filter(Q(e_reporting_transactions=True) | Q(e_reporting_payments=True))
    elif filters.obligation == "out_of_scope":
        clients = clients.filter(in_scope=False)
    elif filters.obligation == "undetermined":
        clients = clients.filter(Q(complete__isnull=True) | Q(complete=False))
    if filters.issuing_year:
        year = int(filters.issuing_year)
        clients = clients.filter(
            issue_from__gte=date(year, 1, 1), issue_from__lt=date(year + 1, 1, 1)
        )
    # On the ranks (never null), so a client without a platform is "missing", not unknown.
    if filters.platform == "reception_missing":
        clients = clients.filter(Q(must_receive__isnull=True) | Q(must_receive=True)).filter(
            reception_rank__lt=CHOSEN_RANK
        )
    elif filters.platform == "reception_chosen":
        clients = clients.filter(RECEPTION_CHOSEN)
    elif filters.platform == "issuing_missing":
        clients = clients.filter(must_issue=True, issuing_rank__lt=CHOSEN_RANK)
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
    "e_reporting_transactions",
    "e_reporting_payments",
    "e_reporting_from",
    "reception_status",
    "reception_platform",
    "issuing_status",
    "issuing_platform",
    "score_level",
    "score_total",
    "compliance",
    "score_breakdown",
)
STATUS_LABELS = dict(PlatformStatus.choices)
READINESS = {
    "ready": ("Prêts", "ok"),
    "not_ready": ("Pas prêt", "danger"),
    "unknown": ("À vérifier", "warn"),
    "none": ("Aucun logiciel", ""),
}


@dataclass
class DashboardRow:
    values: dict
    score: ClientScore | None = None
    readiness: str = "none"

    def __getattr__(self, name: str):
        try:
            return self.values[name]
        except KeyError as missing:
            raise AttributeError(name) from missing

    @property
    def readiness_label(self) -> tuple[str, str]:
        return READINESS[self.readiness]

    @property
    def reception_label(self) -> str:
        return STATUS_LABELS.get(self.values["reception_status"], "")

    @property
    def issuing_label(self) -> str:
        return STATUS_LABELS.get(self.values["issuing_status"], "")

    @property
    def reception_chosen(self) -> bool:
        return self.values["reception_status"] in CHOSEN_STATUSES

    @property
    def issuing_chosen(self) -> bool:
        return self.values["issuing_status"] in CHOSEN_STATUSES

    @property
    def e_reporting(self) -> bool | None:
        flags = (self.values["e_reporting_transactions"], self.values["e_reporting_payments"])
        if any(flags):
            return True
        return None if None in flags else False


def ordered(firm: Firm | int, clients: QuerySet[Client], sort: str) -> QuerySet[Client]:
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    order = []
    for name in SORT_FIELDS[key]:
        expression = F(name)
        order.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    if key == "name" and descending:
        return clients.order_by("-company_name", "-id")
    return clients.order_by(*order, "company_name", "id")


READINESS_BY_RANK = {None: "none", 0: "not_ready", 1: "unknown", 2: "ready"}


def page_rows(
    firm: Firm | int, clients: QuerySet[Client], *, sort: str, offset: int, limit: int = PAGE_SIZE
) -> list[DashboardRow]:
    """The rows of one page in one query: obligations, platforms and score (with the breakdown
    the badge shows) joined, the software readiness as a subquery evaluated for the page only."""
    rows = ordered(firm, _with_software_rank(firm, clients), sort)
    values = rows.values(*ROW_FIELDS, "software_rank")[offset : offset + limit]
    return [
        DashboardRow(
            values=row, score=_score(row), readiness=READINESS_BY_RANK[row["software_rank"]]
        )
        for row in values
    ]


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
    left, right, top, bottom = 36, CHART_WIDTH - 10, 10, 150
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
    gridlines = [{"y": round(bottom - (bottom - top) * p / 100), "label": p} for p in (0, 50, 100)]
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
