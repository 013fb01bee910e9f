"""The headline figures kept between views, per firm, member scope and filter shape.

Counting the whole filtered set is most of a dashboard view at 100,000 clients. On PostgreSQL the
figures are kept in the cache under the firm's *write state*: how many rows of PortfolioWrite the
firm has, and the sum of their ids. Statement-level triggers insert one such row for each
transaction that writes a row the figures count (clients, their facts and obligations,
self-service proposals), so the state changes with every committed write and a kept value is
never read after a write it does not show:

- the state is read before the figures are counted, so the figures are at least as recent as
  the state they are kept under;
- a transaction still running when the state was read commits later with its row, and the state
  read after that differs: its ids are new, never reused;
- the nightly deletion of rows older than a day removes ids lower than any of a running
  transaction's, and kept values live an hour at most, so a deletion never brings an earlier state
  back with other data (a state only repeats when nothing was written);
- a request that has itself written does not keep what it counts (its row is not committed).

Time also changes the figures: a client becomes *stale* when its last review passes the firm's
delay. Each kept value carries the moment the first client of the set will, and is counted again
from then on.

On SQLite (the embedded default, a few thousand clients at most) the figures are counted at each
view.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db import connection
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from clients.models import Client
from firms.models import Firm, Membership
from firms.tenancy import firm_scope
from portfolio.dashboard.figures import (
    HeadlineFigures,
    figure_aggregates,
    figures_of,
    headline_figures,
)
from portfolio.dashboard.filters import DashboardFilters
from portfolio.models import PortfolioWrite

logger = logging.getLogger(__name__)

# The longest a value is kept, whatever happens (shorter than the day after which the write log
# is trimmed: see the module's docstring).
KEEP_SECONDS = 3600
# Write log rows older than this are deleted (no transaction lasts that long).
TRIM_AFTER = timedelta(days=1)
KEY_PREFIX = "portfolio-figures"
# Part of every key: raise it when what the figures count changes (their aggregates, the filters'
# rules), so that a deployment never reads figures its predecessor counted.
FIGURES_VERSION = 1


@dataclass(frozen=True)
class WriteState:
    rows: int
    id_sum: int
    # False inside a transaction that has written: what it counts is not committed.
    clean: bool


def write_state(firm_id: int) -> WriteState:
    """The firm's write state (under its scope: row-level security shows its rows only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(id), 0), pg_current_xact_id_if_assigned() IS NULL "
            "FROM portfolio_portfoliowrite WHERE firm_id = %s",
            [firm_id],
        )
        rows, id_sum, clean = cursor.fetchone()
    return WriteState(rows=rows, id_sum=int(id_sum), clean=clean)


def cache_key(membership: Membership, filters: DashboardFilters, state: WriteState) -> str:
    """Per database, version of the figures, firm, write state, member scope (the whole firm, or a
    collaborator's own clients), stale delay and filters (the sort changes no figure)."""
    scope = "firm" if membership.sees_whole_firm else f"user:{membership.user_id}"
    shape = repr(
        (
            connection.settings_dict["NAME"],
            replace(filters, sort=""),
            scope,
            membership.firm.stale_after_months,
        )
    )
    digest = hashlib.sha256(shape.encode()).hexdigest()[:32]
    return (
        f"{KEY_PREFIX}:{FIGURES_VERSION}:{membership.firm_id}:{state.rows}:{state.id_sum}:{digest}"
    )


def kept_headline_figures(
    membership: Membership, filters: DashboardFilters, clients: QuerySet[Client]
) -> HeadlineFigures:
    """headline_figures(clients) for portfolio_clients(membership, filters), kept between views
    while nothing they count changes."""
    # Only stale clients pass the filter "to review": the one that turns stale next is not in
    # the set, so when its figures change is not known from them.
    if connection.vendor != "postgresql" or filters.stale:
        return headline_figures(clients)
    state = write_state(membership.firm_id)
    key = cache_key(membership, filters, state)
    now = timezone.now()
    kept = _cache_get(key) if state.clean else MISSING
    if isinstance(kept, dict) and (kept["fresh_until"] is None or now < kept["fresh_until"]):
        return kept["figures"]
    values = clients.aggregate(
        **figure_aggregates(), next_review=Min("reviewed_on", filter=Q(is_stale=0))
    )
    figures = figures_of(values)
    if state.clean and kept is not UNREACHABLE:
        fresh_until = _first_stale_moment(membership, values["next_review"])
        _cache_set(key, {"figures": figures, "fresh_until": fresh_until}, now, fresh_until)
    return figures


def _first_stale_moment(membership: Membership, next_review: datetime | None) -> datetime | None:
    """When the client of the set reviewed longest ago, and not stale yet, becomes stale: not
    before its review plus the delay (month arithmetic only brings that moment earlier)."""
    if next_review is None:
        return None
    return next_review + relativedelta(months=membership.firm.stale_after_months)


MISSING, UNREACHABLE = object(), object()


def _cache_get(key: str):
    """The kept value, MISSING, or UNREACHABLE (then nothing is written to it either: a cache
    that does not answer costs one timeout, not two)."""
    try:
        return cache.get(key, MISSING)
    except Exception:  # the cache is a shortcut: without it, the figures are counted
        logger.warning("the cache could not be read; the figures are counted", exc_info=True)
        return UNREACHABLE


def _cache_set(key: str, value: dict, now: datetime, fresh_until: datetime | None) -> None:
    timeout = KEEP_SECONDS
    if fresh_until is not None:
        timeout = max(1, min(timeout, int((fresh_until - now).total_seconds())))
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("the cache could not be written", exc_info=True)


def trim_write_log(*, now: datetime | None = None) -> int:
    """Delete every firm's write log rows older than TRIM_AFTER (nightly). Returns how many."""
    cutoff = (now or timezone.now()) - TRIM_AFTER
    deleted = 0
    for firm_id in Firm.objects.values_list("pk", flat=True):
        with firm_scope(firm_id):
            deleted += (
                PortfolioWrite.objects.for_firm(firm_id).filter(written_at__lt=cutoff).delete()[0]
            )
    return deleted
