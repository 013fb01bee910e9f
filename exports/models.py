"""The firm's settings of its exports."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel

DEFAULT_RETENTION_DAYS = 7
MAX_RETENTION_DAYS = 365


class ExportSettings(TenantModel):
    """How long the files of the firm's exports are kept; the job stays listed after that."""

    retention_days = models.PositiveSmallIntegerField(
        _("conservation des fichiers d'export (jours)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "Passé ce délai après la fin de l'export, le fichier est supprimé ; "
            "l'export reste listé dans les travaux."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages des exports")
        verbose_name_plural = _("réglages des exports")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="export_settings_one_per_firm"),
            models.CheckConstraint(
                condition=models.Q(retention_days__gte=1, retention_days__lte=MAX_RETENTION_DAYS),
                name="export_settings_retention_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Réglages des exports du cabinet {self.firm_id}"
