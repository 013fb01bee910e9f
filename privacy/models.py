"""The record of what was done with a person's data: who exported or erased it and when, what
went (counts per table, never the erased values), and the rows a legal duty keeps with the day
the duty ends, for the nightly purge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel
from privacy.retention import DUTIES


class PersonAction(TenantModel):
    """One export or erasure of a person's data (the audit entry). It holds no personal data:
    not the name searched for, nor any value erased."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Effacement")

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("le"), default=timezone.now)
    # {"clients.client": 2, "clients.historyentry": 5, …}: rows erased or anonymised per table
    # (for an export, rows exported).
    rows = models.JSONField(default=dict, blank=True)
    files_deleted = models.PositiveIntegerField(default=0)
    retained_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("action sur des données personnelles")
        verbose_name_plural = _("actions sur des données personnelles")
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.performed_at:%Y-%m-%d}"

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class RetainedRow(TenantModel):
    """A row an erasure left unchanged because a legal duty keeps it, until ``until`` (None:
    not known yet, e.g. while the business relationship lasts). The nightly purge deletes the
    row and its files the day after its duty ends and dates ``purged_at``."""

    action = models.ForeignKey(PersonAction, on_delete=models.CASCADE, related_name="retained")
    table = models.CharField(max_length=100)  # "invoicing.invoice"
    object_id = models.PositiveBigIntegerField()
    duty = models.CharField(max_length=20)  # privacy.retention codes
    # "Facture FA-2026-000012", "Rapport de synthèse n° 3": what the row is, without personal data.
    description = models.CharField(max_length=200)
    until = models.DateField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["until", "id"]
        indexes = [models.Index(fields=["firm", "purged_at"], name="retained_row_open")]

    def __str__(self) -> str:
        return f"{self.table} {self.object_id}"

    @property
    def duty_label(self) -> str:
        duty = DUTIES.get(self.duty)
        return str(duty.label) if duty else self.duty
