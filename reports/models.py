"""Synthesis reports (rapports de synthèse): the written account of a client's situation that the
firm hands over to document its advice (devoir de conseil, the duty to advise).

Each report is an immutable numbered version: once stored, nothing in the application may change
or delete it. The model refuses ``save()`` of a stored row and ``delete()``, the queryset refuses
``update()`` and ``delete()``, and on PostgreSQL a trigger (migration 0001) refuses any UPDATE or
DELETE of a row, whoever sends it. The client and the author are protected for the same reason:
a client is archived, never deleted, and its reports stay as the proof of the advice given.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.storage import FirmFolder
from firms.tenancy import TenantManager, TenantModel, TenantQuerySet


class ImmutableReport(Exception):
    """A stored report version was about to be changed or deleted."""


class SynthesisReportQuerySet(TenantQuerySet):
    def update(self, **kwargs) -> int:
        raise ImmutableReport("a stored synthesis report is never updated")

    def delete(self):
        raise ImmutableReport("a stored synthesis report is never deleted")


class SynthesisReport(TenantModel):
    """One version of a client's synthesis report: its number (1, 2, … per client), when and by
    whom it was generated, the PDF with its SHA-256, and the data it was made from."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="synthesis_reports")
    number = models.PositiveIntegerField(_("numéro"))
    created_at = models.DateTimeField(_("généré le"), default=timezone.now)
    # None: generated from the command line.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.FileField(_("rapport (PDF)"), upload_to=FirmFolder("reports"), max_length=300)
    sha256 = models.CharField(_("SHA-256 du PDF"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    # What the PDF shows, as plain JSON (reports.snapshot): what the firm knew that day.
    snapshot = models.JSONField(_("données du rapport"))
    # The background job that generated it (a rerun of the job skips the clients it already
    # did); a plain number, so that nothing done to jobs ever touches a report.
    job_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = TenantManager.from_queryset(SynthesisReportQuerySet)()

    class Meta:
        verbose_name = _("rapport de synthèse")
        verbose_name_plural = _("rapports de synthèse")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client", "number"], name="synthesis_report_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="synthesis_report_number_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "job_id"], name="synthesis_report_job"),
        ]

    def __str__(self) -> str:
        return f"Rapport n° {self.number} ({self.client_id})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableReport(f"synthesis report {self.pk} is stored: it cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableReport(f"synthesis report {self.pk} is kept: it cannot be deleted")

    @property
    def file_name(self) -> str:
        """The name a download gets: ``<SIREN>-rapport-<n>.pdf``."""
        return f"{self.client.siren}-rapport-{self.number}.pdf"

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
