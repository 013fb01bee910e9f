"""The weekly snapshot of the portfolio's headline figures (the dashboard's progress chart)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from clients.models import Client
from firms.models import Firm
from firms.tenancy import firm_scope
from portfolio.dashboard import annotate_portfolio, headline_figures, stale_cutoff
from portfolio.dashboard.figures import snapshot_values
from portfolio.models import PortfolioSnapshot, week_of


def take_portfolio_snapshot(*, firm: Firm, today: date | None = None) -> PortfolioSnapshot:
    """Record this week's figures of the firm's active clients; again the same week, replace
    them (so a retried or duplicated task run changes nothing twice)."""
    taken_on = week_of(today or timezone.localdate())
    with firm_scope(firm):
        clients = Client.objects.for_firm(firm).filter(status=Client.Status.ACTIVE)
        figures = headline_figures(annotate_portfolio(clients, cutoff=stale_cutoff(firm)))
        snapshot, _ = PortfolioSnapshot.objects.for_firm(firm).update_or_create(
            firm=firm, taken_on=taken_on, defaults=snapshot_values(figures)
        )
    return snapshot


def take_snapshots(*, firm_ids: list[int] | None = None) -> int:
    """Snapshot the given active firms (all of them when None); returns how many."""
    firms = Firm.objects.filter(is_active=True).order_by("pk")
    if firm_ids is not None:
        firms = firms.filter(pk__in=firm_ids)
    taken = 0
    for firm in firms:
        take_portfolio_snapshot(firm=firm)
        taken += 1
    return taken
