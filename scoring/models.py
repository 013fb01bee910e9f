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
