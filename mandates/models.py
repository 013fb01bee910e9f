"""Delegation mandates (mandats de délégation): what a client signs so that the firm may choose
and run its approved platform (plateforme agréée, PA) for it, and the firm's settings for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.storage import FirmFolder
from firms.tenancy import TenantModel


class MandateKind(models.TextChoices):
    # The client authorises the firm to choose and manage its PA: reception, issuing,
    # e-reporting, registration in the directory (annuaire).
    DELEGATION = "delegation", _("Mandat de délégation")
    # The client designates its PA in the directory.
    DESIGNATION = "designation", _("Désignation de la PA")


# The kind's part of a mandate's reference: SIREN-KIND-YYYYMMDD-n.
REFERENCE_CODES = {MandateKind.DELEGATION: "DEL", MandateKind.DESIGNATION: "DPA"}


class MandateStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    TO_SIGN = "to_sign", _("À signer")
    SENT = "sent", _("Envoyé pour signature")
    SIGNED = "signed", _("Signé")
    REFUSED = "refused", _("Refusé")
    EXPIRED = "expired", _("Expiré")
    CANCELLED = "cancelled", _("Annulé")


# A mandate still in progress: one of these at most per client and kind.
OPEN_STATUSES = (MandateStatus.DRAFT, MandateStatus.TO_SIGN, MandateStatus.SENT)


class Mandate(TenantModel):
    """One mandate of one client: its PDF (kept with its SHA-256), where it stands, and when and
    by whom each step was taken (the client's history has the same steps)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="mandates")
    kind = models.CharField(
        _("type"), max_length=20, choices=MandateKind.choices, default=MandateKind.DELEGATION
    )
    reference = models.CharField(_("référence"), max_length=40)
    status = models.CharField(
        _("statut"), max_length=20, choices=MandateStatus.choices, default=MandateStatus.DRAFT
    )
    platform_name = models.CharField(_("PA choisie"), max_length=200, blank=True)
    document = models.FileField(_("mandat (PDF)"), upload_to=FirmFolder("mandates"), blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    signed_document = models.FileField(
        _("mandat signé (PDF)"), upload_to=FirmFolder("mandates/signed"), blank=True
    )
    signed_document_sha256 = models.CharField(max_length=64, blank=True)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    refusal_reason = models.CharField(_("motif du refus"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When it entered its current status (the expiry counts from being sent).
    status_changed_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "reference"], name="mandate_unique_reference_per_firm"
            ),
            models.UniqueConstraint(
                fields=["firm", "client", "kind"],
                condition=models.Q(status__in=["draft", "to_sign", "sent"]),
                name="mandate_one_open_per_client_and_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "status_changed_at"], name="mandate_status"),
            models.Index(fields=["firm", "client", "kind"], name="mandate_client_kind"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MandateTemplate(TenantModel):
    """The firm's text of one kind of mandate, with its merge fields ({{ client.company_name }}…);
    without one, the default French text of ``mandates/default_texts.py`` is used."""

    kind = models.CharField(_("type"), max_length=20, choices=MandateKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("modèle de mandat")
        verbose_name_plural = _("modèles de mandat")
        constraints = [
            models.UniqueConstraint(fields=["firm", "kind"], name="mandate_template_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title


class MandateSettings(TenantModel):
    """The firm's choices for its mandates: where they are signed, how long a signature request
    lives, and the columns of its JeSignExpert export."""

    place = models.CharField(_("fait à"), max_length=100, blank=True)
    expiry_days = models.PositiveSmallIntegerField(
        _("expiration d'une demande de signature (jours)"),
        default=15,
        help_text=_("La durée de vie d'une collecte de signatures chez le prestataire."),
    )
    waiting_alert_days = models.PositiveSmallIntegerField(
        _("signaler les mandats en attente depuis (jours)"), default=7
    )
    # The JeSignExpert export: [{"header": "Reference", "value": "reference"}, …] and the date
    # format; see mandates/jesignexpert.py for the values and the defaults.
    export_columns = models.JSONField(_("colonnes de l'export"), default=list, blank=True)
    export_date_format = models.CharField(
        _("format des dates de l'export"), max_length=20, default="%d/%m/%Y"
    )

    class Meta:
        verbose_name = _("réglages des mandats")
        verbose_name_plural = _("réglages des mandats")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="mandate_settings_one_per_firm"),
        ]

    def __str__(self) -> str:
        return f"Réglages des mandats du cabinet {self.firm_id}"
