"""The headline figures of a filtered set, in one aggregate query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from django.db.models import Avg, Count, Q, QuerySet

from clients.models import Client
from portfolio.dashboard.filters import DETERMINED, ISSUING_CHOSEN, RECEPTION_CHOSEN
from portfolio.models import CoveragePercentages
from self_service.selectors import waiting_answers


@dataclass(frozen=True)
class HeadlineFigures(CoveragePercentages):
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
    # Clients whose answers, sent through their self-service link, wait for review.
    client_answers: int = 0
    average_compliance: int | None = None


def headline_figures(clients: QuerySet[Client]) -> HeadlineFigures:
    """The figures of an annotated set (annotate_portfolio), in one aggregate query."""
    return figures_of(clients.aggregate(**figure_aggregates()))


def figure_aggregates() -> dict:
    """The aggregates of headline_figures, to be evaluated with others in one query."""
    return {
        "clients": Count("pk"),
        "high": Count("pk", filter=Q(score_level="high")),
        "medium": Count("pk", filter=Q(score_level="medium")),
        "low": Count("pk", filter=Q(score_level="low")),
        "unscored": Count("pk", filter=Q(score_level__isnull=True)),
        "determined": Count("pk", filter=DETERMINED),
        "reception_pa": Count("pk", filter=RECEPTION_CHOSEN),
        "issuing_due": Count("pk", filter=Q(must_issue=True)),
        "issuing_pa": Count("pk", filter=Q(must_issue=True) & ISSUING_CHOSEN),
        "stale": Count("pk", filter=Q(is_stale=1)),
        "client_answers": Count("pk", filter=Q(waiting_answers())),
        "average_compliance": Avg("compliance"),
    }


def figures_of(values: dict) -> HeadlineFigures:
    """The HeadlineFigures of the values of figure_aggregates (other keys ignored)."""
    figures = {name: values[name] for name in _FIGURE_NAMES}
    average = figures.pop("average_compliance")
    return HeadlineFigures(
        **figures, average_compliance=None if average is None else round(average)
    )


_FIGURE_NAMES = tuple(field.name for field in fields(HeadlineFigures))


# Figures shown above the table that the weekly snapshots do not keep.
NOT_IN_SNAPSHOTS = frozenset({"client_answers"})


def snapshot_values(figures: HeadlineFigures) -> dict:
    """The figures a PortfolioSnapshot keeps."""
    return {name: value for name, value in asdict(figures).items() if name not in NOT_IN_SNAPSHOTS}
