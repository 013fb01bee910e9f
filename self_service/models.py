"""The clients' self-service questionnaire: a personal link that a client opens without logging
in, the answers it proposes, and what the firm chose to ask through it.

The link's raw token is never stored: only its SHA-256 (``token_hash``), which the public page
looks the link up by. What the client submits waits as a :class:`Proposal`, one row per field
(:class:`ProposedField`), until a collaborator accepts, edits or rejects each of them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.tenancy import TenantModel

LINK_TOKEN_SETTING = "app.link_token"  # noqa: S105 (a setting name)


class LinkState(models.TextChoices):
    ACTIVE = "active", _("Actif")
    EXPIRED = "expired", _("Expiré")
    REVOKED = "revoked", _("Révoqué")


class ClientLink(TenantModel):
    """A signed, single-client, expiring link to the self-service questionnaire."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="self_service_links")
    # SHA-256 (hex) of the token of the URL; the token itself is shown once and never stored.
    # Found without a firm by its index; unique within the firm, like every tenant key (256
    # random bits never meet across firms either).
    token_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("ouvert la première fois le"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("dernière ouverture"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    # A public request knows no firm: it finds its link by the token's hash, which it sets as
    # this transaction-local setting (self_service.services.find_link); only that row shows.
    rls_extra_visibility = f"token_hash = NULLIF(current_setting('{LINK_TOKEN_SETTING}', true), '')"

    class Meta:
        verbose_name = _("lien client")
        verbose_name_plural = _("liens client")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "client", "-created_at"], name="link_client")]
        constraints = [
            models.UniqueConstraint(fields=["firm", "token_hash"], name="link_unique_token")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.created_at:%Y-%m-%d}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.expires_at <= now:
            return LinkState.EXPIRED
        return LinkState.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.state() == LinkState.ACTIVE


class Proposal(TenantModel):
    """What a client answers through one link: a draft while it types (``submitted_at`` empty),
    then submitted, then reviewed once every field has been accepted, edited or rejected."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="proposals")
    link = models.ForeignKey(ClientLink, on_delete=models.CASCADE, related_name="proposals")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("revu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponses du client")
        verbose_name_plural = _("réponses des clients")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "link"], name="proposal_one_per_link"),
        ]
        indexes = [
            models.Index(fields=["firm", "client", "reviewed_at"], name="proposal_client_review"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.created_at:%Y-%m-%d}"

    @property
    def waits_for_review(self) -> bool:
        return self.submitted_at is not None and self.reviewed_at is None


class FieldDecision(models.TextChoices):
    PENDING = "pending", _("À valider")
    ACCEPTED = "accepted", _("Accepté")
    EDITED = "edited", _("Modifié puis accepté")
    REJECTED = "rejected", _("Refusé")


class ProposedField(TenantModel):
    """One answer the client proposes. ``code`` is a field of ``self_service.fields``
    (``q:<question code>``, ``software``, ``platform``, ``billing_emails``, ``signer``);
    ``value`` the JSON value the client gave, ``applied_value`` the one the reviewer kept."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(max_length=60)
    value = models.JSONField(null=True, blank=True)
    decision = models.CharField(
        max_length=20, choices=FieldDecision.choices, default=FieldDecision.PENDING
    )
    applied_value = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "proposal", "code"], name="proposed_field_one_per_code"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SelfServiceSettings(TenantModel):
    """Which questions the firm's links show (all of them by default)."""

    questionnaire = models.BooleanField(_("le questionnaire fiscal"), default=True)
    software = models.BooleanField(_("le logiciel de facturation"), default=True)
    platform = models.BooleanField(_("la plateforme agréée (PA) choisie"), default=True)
    billing_emails = models.BooleanField(_("les e-mails de facturation"), default=True)
    signer = models.BooleanField(_("le représentant légal (pour le mandat)"), default=True)
    link_days = models.PositiveSmallIntegerField(
        _("durée de validité d'un lien (jours)"), default=30
    )

    class Meta:
        verbose_name = _("réglages du questionnaire client")
        verbose_name_plural = _("réglages du questionnaire client")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="self_service_settings_one_per_firm"),
        ]

    def __str__(self) -> str:
        return f"self-service settings {self.firm_id}"
