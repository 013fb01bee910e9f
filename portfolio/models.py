"""The portfolio's history: one snapshot of its headline figures a week."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel


class CoveragePercentages:
    """The shares the dashboard shows, for the live figures and the weekly snapshots alike:
    obligations determined and reception platforms chosen among all clients, issuing
    platforms chosen among the clients that must issue."""

    clients: int
    determined: int
    reception_pa: int
    issuing_due: int
    issuing_pa: int

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


def week_of(day: date) -> date:
    """The Monday of the day's week: one snapshot per firm and week."""
    return day - timedelta(days=day.weekday())


class PortfolioSnapshot(CoveragePercentages, TenantModel):
    """The portfolio's headline figures one week (active clients, whole firm), taken by the weekly
    task, so the dashboard can draw the progress over time. Taking it again the same week
    replaces that week's figures."""

    taken_on = models.DateField(_("semaine du"))
    clients = models.PositiveIntegerField(default=0)
    high = models.PositiveIntegerField(default=0)
    medium = models.PositiveIntegerField(default=0)
    low = models.PositiveIntegerField(default=0)
    unscored = models.PositiveIntegerField(default=0)
    determined = models.PositiveIntegerField(default=0)
    reception_pa = models.PositiveIntegerField(default=0)
    issuing_due = models.PositiveIntegerField(default=0)
    issuing_pa = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    average_compliance = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instantané du portefeuille")
        verbose_name_plural = _("instantanés du portefeuille")
        ordering = ["taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "taken_on"], name="portfolio_snapshot_one_per_week"
            ),
        ]

    def __str__(self) -> str:
        return f"Portefeuille au {self.taken_on}"


class PortfolioWrite(TenantModel):
    """One row per database transaction that wrote rows the dashboard's headline figures count
    (clients, their facts and obligations, self-service proposals), inserted by statement-level
    triggers on those tables (PostgreSQL; portfolio/migrations/0002_portfolio_writes.py).

    The rows the dashboard can see, counted and summed, tell it whether anything changed since it
    kept a firm's figures (portfolio/dashboard/kept_figures.py). Rows older than a day are
    deleted every night.

    No foreign key constraint: deleting a firm deletes its clients, and the triggers note those
    deletions after the log's own rows were collected; erase_firm deletes the log by firm."""

    firm = models.ForeignKey(
        "firms.Firm", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    xact = models.BigIntegerField(editable=False)
    written_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "xact"], name="portfolio_write_one_per_xact"),
        ]
        indexes = [models.Index(fields=["firm", "id"], name="portfolio_write_firm_id")]

    def __str__(self) -> str:
        return f"Écriture {self.xact}"
