"""E-mailing campaigns to the firm's clients: the campaign, each client it goes to (with the
outbox message that carries it) and the clients who asked for no more campaigns of a kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.tenancy import TenantModel
from outbox.models import OutboxMessage


class CampaignKind(models.TextChoices):
    """What a client unsubscribes from: a campaign of one kind never reaches a client who left
    that kind (invoices and reminders are not campaigns)."""

    INFORMATION = "information", _("Information sur la réforme")
    QUESTIONNAIRE = "questionnaire", _("Demande de questionnaire")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")


class Campaign(TenantModel):
    """One e-mailing: its text with merge keywords, who wrote it, from which list, and where it
    stands. Its recipients are fixed when it is created (the filtered set or the selection)."""

    kind = models.CharField(
        _("type de campagne"),
        max_length=20,
        choices=CampaignKind.choices,
        default=CampaignKind.INFORMATION,
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))
    include_link = models.BooleanField(_("inclure le lien du questionnaire"), default=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Where the recipients came from: {"source": "portfolio"|"clients", "scope": "all"|
    # "selected", "querystring": the list's filters, "clients": how many}.
    filter_snapshot = models.JSONField(_("filtre d'origine"), default=dict, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_started_at = models.DateTimeField(_("envoi lancé le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "-created_at"], name="campaign_firm_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "sending", "sent"]),
                name="campaign_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == CampaignStatus.DRAFT


class SkipReason(models.TextChoices):
    NO_EMAIL = "no_email", _("Pas d'adresse e-mail utilisable")
    UNSUBSCRIBED = "unsubscribed", _("Désabonné de ce type de campagne")
    ARCHIVED = "archived", _("Client archivé")


class CampaignRecipient(TenantModel):
    """One client of a campaign: the address it goes to and the outbox message that carries it
    (its delivery status is the message's), or why it was not sent. One per client and
    campaign: a rerun of the send finds the message already written and writes nothing."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(_("adresse e-mail"), max_length=254, blank=True)
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped_reason = models.CharField(
        _("non envoyé"), max_length=20, choices=SkipReason.choices, blank=True
    )
    # SHA-256 of the unsubscribe link's secret (the secret itself is only in the e-mail).
    unsubscribe_token_hash = models.CharField(max_length=64, blank=True)
    # The self-service questionnaire link sent with it (self_service.ClientLink), if any.
    questionnaire_link_id = models.BigIntegerField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "campaign", "client"], name="campaign_recipient_once_per_client"
            ),
        ]
        indexes = [
            models.Index(
                fields=["firm", "unsubscribe_token_hash"],
                condition=~models.Q(unsubscribe_token_hash=""),
                name="campaign_recipient_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.client_id}"


class Unsubscription(TenantModel):
    """A client who asked, through the link of a campaign's e-mail, for no more campaigns of
    this kind. Later campaigns skip it; the link's token hash says which e-mail it came from."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type de campagne"), max_length=20, choices=CampaignKind.choices)
    token_hash = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("désabonnement")
        verbose_name_plural = _("désabonnements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client", "kind"], name="unsubscription_once_per_client_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} ({self.kind})"


RECIPIENT_STATES = {
    "skipped": _("Non envoyé"),
    "pending": _("À envoyer"),
    **dict(OutboxMessage.State.choices),
}


def recipient_state(recipient: CampaignRecipient) -> str:
    """Where one recipient stands: not sent (and why), to send, or its e-mail's state."""
    if recipient.skipped_reason:
        return "skipped"
    if recipient.message_id is None:
        return "pending"
    return recipient.message.state
