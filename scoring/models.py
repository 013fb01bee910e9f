from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.tenancy import TenantModel


class ScoringGrid(TenantModel):
    """One version of a firm's scoring grid. Saving an edited grid adds a version; the highest
    version is the one in force. ``data`` is the engine's JSON form (scoring.engine.grid)."""

    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grille de score")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "version"], name="scoring_grid_unique_version"),
        ]

    def __str__(self) -> str:
        return f"Grille v{self.version}"


class ClientScore(TenantModel):
    """A client's urgency score as last computed, stored so lists filter and sort on it."""

    class Level(models.TextChoices):
        LOW = "low", _("Faible")
        MEDIUM = "medium", _("Moyenne")
        HIGH = "high", _("Élevée")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="scores")
    total = models.PositiveIntegerField(_("points"))
    level = models.CharField(_("urgence"), max_length=10, choices=Level.choices)
    compliance = models.PositiveSmallIntegerField(_("conformité (%)"))
    # [{"criterion", "label", "answer", "points"}], highest points first.
    breakdown = models.JSONField(default=list)
    # [{"code", "label", "applies", "met"}]
    checkpoints = models.JSONField(default=list)
    grid_version = models.PositiveIntegerField(_("version de la grille"))
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("score")
        constraints = [
            models.UniqueConstraint(fields=["firm", "client"], name="score_one_per_client"),
        ]
        indexes = [
            models.Index(fields=["firm", "level", "total"], name="score_firm_level"),
            models.Index(fields=["firm", "compliance"], name="score_firm_compliance"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.total} ({self.level})"


class PortfolioFacts(TenantModel):
    """One narrow row per client: its score's figures and the facts they were computed from
    (scoring.portfolio_facts), written with the score by the same service. The portfolio
    dashboard and its snapshots filter, sort and count on this table; the wide ClientScore
    (breakdown, checkpoints) is read only for the rows shown."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="facts")
    level = models.CharField(max_length=10, choices=ClientScore.Level.choices)
    total = models.PositiveIntegerField()
    compliance = models.PositiveSmallIntegerField()
    size_category = models.CharField(max_length=5, blank=True)
    in_scope = models.BooleanField(null=True)
    obligations_complete = models.BooleanField(default=False)
    must_receive = models.BooleanField(null=True)
    receive_from = models.DateField(null=True)
    must_issue = models.BooleanField(null=True)
    issue_from = models.DateField(null=True)
    e_reporting = models.BooleanField(null=True)
    e_reporting_from = models.DateField(null=True)
    # 0 without a platform, then the rank of its status (scoring.portfolio_facts.PLATFORM_STAGES).
    reception_stage = models.PositiveSmallIntegerField(default=0)
    issuing_stage = models.PositiveSmallIntegerField(default=0)
    # The least ready of the client's software: 0 not ready, 1 unknown, 2 ready; null: none.
    software_readiness = models.PositiveSmallIntegerField(null=True)
    # Where the delegation mandate stands (scoring.inputs.mandate_statuses); "" without one.
    mandate_status = models.CharField(max_length=20, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("faits du portefeuille")
        verbose_name_plural = _("faits du portefeuille")
        constraints = [
            models.UniqueConstraint(fields=["firm", "client"], name="facts_one_per_client"),
        ]
        # The dashboard's default order (by urgency) walks this index for any page
        # (portfolio.dashboard.rows.SCORED_FIRST).
        indexes = [models.Index(fields=["firm", "total"], name="facts_firm_total")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.total} ({self.level})"
