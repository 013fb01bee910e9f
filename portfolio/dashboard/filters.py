"""The dashboard's filtered set: its filters (from the URL), its columns as annotations on
clients and their PortfolioFacts, and the sort keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartography.models import PlatformStatus
from clients.models import Client
from clients.selectors import ClientFilters, filter_clients
from firms.models import Firm, Membership
from fiscal_questionnaire.models import SizeCategory
from scoring.portfolio_facts import PLATFORM_STAGES

# A platform counts as "chosen" from this stage on (scoring.portfolio_facts.PLATFORM_STAGES).
CHOSEN_STAGE = PLATFORM_STAGES[PlatformStatus.CHOSEN]

URGENCY_CHOICES = {
    "high": _("Élevée"),
    "medium": _("Moyenne"),
    "low": _("Faible"),
    "none": _("Non calculée"),
}
# The size categories in the filter and the table: the usual short names, and the microentreprise
# under the one label it has everywhere else.
SIZE_LABELS = {
    SizeCategory.GE: _("GE"),
    SizeCategory.ETI: _("ETI"),
    SizeCategory.PME: _("PME"),
    SizeCategory.MICRO: SizeCategory.MICRO.label,
}
SIZE_CHOICES = {**SIZE_LABELS, "unknown": _("Non déterminée")}
OBLIGATION_CHOICES = {
    "receive": _("Réception obligatoire"),
    "issue": _("Émission obligatoire"),
    "e_reporting": _("E-reporting"),
    "out_of_scope": _("Hors champ"),
    "undetermined": _("Obligations à déterminer"),
}
ISSUING_YEAR_CHOICES = {"2026": _("Émission dès 2026"), "2027": _("Émission en 2027")}
PLATFORM_CHOICES = {
    "reception_missing": _("PA de réception à choisir"),
    "reception_chosen": _("PA de réception choisie"),
    "issuing_missing": _("PA d'émission à choisir (émission due)"),
    "issuing_chosen": _("PA d'émission choisie"),
}
MANDATE_CHOICES = {
    "none": _("Mandat : aucun"),
    "to_sign": _("Mandat à signer"),
    "sent": _("Mandat envoyé pour signature"),
    "signed": _("Mandat signé"),
    "closed": _("Mandat refusé, expiré ou annulé"),
}
# The dashboard's filters that take one of a set of choices: URL parameter -> its choices.
CHOICE_FILTERS = {
    "urgency": URGENCY_CHOICES,
    "size": SIZE_CHOICES,
    "obligation": OBLIGATION_CHOICES,
    "issuing_year": ISSUING_YEAR_CHOICES,
    "platform": PLATFORM_CHOICES,
    "mandate": MANDATE_CHOICES,
}
# A filter value -> the statuses of scoring.inputs.mandate_statuses it keeps.
MANDATE_FILTERS = {
    "none": ("",),
    "to_sign": ("draft", "to_sign"),
    "sent": ("sent",),
    "signed": ("signed",),
    "closed": ("refused", "expired", "cancelled"),
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
    "mandate": ["mandate_status"],
}
DEFAULT_SORT = "-urgency"


@dataclass(frozen=True)
class DashboardFilters:
    query: str = ""
    collaborator: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # the registered client list filters set
    urgency: str = ""
    size: str = ""
    obligation: str = ""
    issuing_year: str = ""
    platform: str = ""
    mandate: str = ""
    stale: bool = False
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params) -> DashboardFilters:
        base = ClientFilters.from_params(params)

        def choice(name: str) -> str:
            value = params.get(name, "")
            return value if value in CHOICE_FILTERS[name] else ""

        sort = params.get("sort", DEFAULT_SORT)
        return cls(
            query=base.query,
            collaborator=base.collaborator,
            extra=base.extra,
            urgency=choice("urgency"),
            size=choice("size"),
            obligation=choice("obligation"),
            issuing_year=choice("issuing_year"),
            platform=choice("platform"),
            mandate=choice("mandate"),
            stale=params.get("stale") == "1",
            sort=sort if sort.removeprefix("-") in SORT_FIELDS else DEFAULT_SORT,
        )

    @property
    def is_filtered(self) -> bool:
        return any(
            [
                self.query,
                self.collaborator,
                self.extra,
                self.urgency,
                self.size,
                self.obligation,
                self.issuing_year,
                self.platform,
                self.mandate,
                self.stale,
            ]
        )


def stale_cutoff(firm: Firm, *, now: datetime | None = None) -> datetime:
    """Reviewed before this moment (or created before it and never reviewed): stale."""
    return (now or timezone.now()) - relativedelta(months=firm.stale_after_months)


def annotate_portfolio(clients: QuerySet[Client], *, cutoff: datetime) -> QuerySet[Client]:
    """The columns the dashboard filters, sorts and counts on: the client's own and its facts'
    (one LEFT JOIN, the facts being unique per client). The collaborator's name, a join of its
    own, is added where it is shown or sorted on (with_collaborator_name)."""
    return clients.annotate(
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
        mandate_status=Coalesce("facts__mandate_status", Value("")),
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


def with_collaborator_name(clients: QuerySet[Client]) -> QuerySet[Client]:
    return clients.annotate(collaborator_name=F("assigned_to__full_name"))


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
    if filters.mandate:
        clients = clients.filter(mandate_status__in=MANDATE_FILTERS[filters.mandate])
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
            extra=filters.extra,
        ),
    ).order_by()
    clients = annotate_portfolio(base, cutoff=stale_cutoff(membership.firm))
    return apply_dashboard_filters(clients, filters)
