"""The headline figures of a filtered set, in one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from cartography.dashboard.filters import DETERMINED, ISSUING_CHOSEN, RECEPTION_CHOSEN
from clients.models import Client


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
