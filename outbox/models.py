from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel


class OutboxMessage(TenantModel):
    """One e-mail to send, written in the transaction of what it is about, sent exactly once.

    Every change of state is a conditional UPDATE in :mod:`outbox.services`: a delivery claims a
    queued, due message (``attempts`` + 1, ``sending``), and only that attempt records how it
    ended. A connection lost after the message was handed to the server makes it ``unknown``:
    a person decides (:func:`outbox.services.resolve_unknown`), nothing resends it alone."""

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente d'envoi")
        SENDING = "sending", _("Envoi en cours")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec de l'envoi")
        UNKNOWN = "unknown", _("Envoi incertain, à vérifier")

    kind = models.CharField(_("type"), max_length=30)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.QUEUED)
    # Header values, built by firms.emails.address_header when the message was written.
    from_email = models.CharField(_("expéditeur"), max_length=400)
    reply_to = models.JSONField(_("adresses de réponse"), default=list, blank=True)
    to = models.JSONField(_("destinataires"), default=list)
    subject = models.CharField(_("objet"), max_length=500)
    text_body = models.TextField(_("texte"))
    html_body = models.TextField(_("texte HTML"), blank=True)
    # The Message-ID header, the same on every attempt: a receiving server or a person can
    # tell a message from a copy of it.
    message_id = models.CharField(_("identifiant du message"), max_length=255)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # When the next attempt is due (the sweeper moves it to the present when it hands an
    # overdue message to the worker again).
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    # When the current or last attempt claimed the message.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The server's reply, or what went wrong, in French.
    last_error = models.TextField(_("dernière erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    # What the message is about, for the app that wrote it: "invoicing.invoice" and a pk.
    related_type = models.CharField(max_length=100, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["firm", "-created_at"], name="outbox_firm_recent"),
            models.Index(fields=["firm", "related_type", "related_id"], name="outbox_related"),
            # The sweeper and deliver_pending: due queued messages, stuck sending ones.
            models.Index(
                fields=["firm", "next_attempt_at"],
                condition=models.Q(state="queued"),
                name="outbox_queued_due",
            ),
            models.Index(
                fields=["firm", "claimed_at"],
                condition=models.Q(state="sending"),
                name="outbox_sending_since",
            ),
        ]
        constraints = [
            # A uuid: unique everywhere; within the firm for the database, like every key.
            models.UniqueConstraint(fields=["firm", "message_id"], name="outbox_unique_message_id"),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "sending", "sent", "failed", "unknown"]),
                name="outbox_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.SENT, self.State.FAILED)


def _attachment_path(attachment: OutboxAttachment, filename: str) -> str:
    # A folder of its own per file: two invoices named facture.pdf never meet.
    name = get_valid_filename(PurePath(filename).name) or "piece-jointe"
    return f"outbox/{attachment.firm_id}/{uuid.uuid4().hex}/{name}"


class OutboxAttachment(TenantModel):
    """A file sent with a message, stored when the message is written."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    mimetype = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class OutboxEvent(TenantModel):
    """One change of a message's state: the delivery history, with who acted when a person
    did (an uncertain message marked sent or put back in the queue)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="events")
    previous_state = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=10, choices=OutboxMessage.State.choices)
    attempt = models.PositiveSmallIntegerField(default=0)
    detail = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.previous_state or '-'} → {self.state}"
