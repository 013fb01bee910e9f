"""Campaigns: created from a client list, previewed, tested, sent through the outbox once per
client, and the unsubscribe links honoured.

A campaign's recipients are written when it is created: one row per client, with the address
it will go to or why it will not (no usable address, unsubscribed from the kind, archived).
The send is a job (:mod:`campaigns.jobs`) that takes the recipients still without a message,
one by one, each in its own transaction with its row locked: the outbox message, the
recipient's link to it and the client's history entry are written together, so a job run
again (a worker that died, a second click) writes nothing twice.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import content, links
from campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignRecipient,
    CampaignStatus,
    SkipReason,
    Unsubscription,
)
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from firms.parameters import parse_positive_int
from firms.tenancy import firm_scope
from jobs.services import start_job
from outbox.services import enqueue_email

EMAIL_KIND = "campaign"
TEST_EMAIL_KIND = "campaign_test"
SEND_JOB_KIND = "send_campaign"
HISTORY_SUBJECT = "campaign"
PREVIEW_CLIENTS = 3
MAX_RECIPIENTS = 20_000

# The unsubscribe link's token: the firm's id, a dot, 32 random bytes (256 bits) in base64url.
_TOKEN = re.compile(r"^([0-9]{1,19})\.([A-Za-z0-9_-]{43})$")

# --- Texts ---------------------------------------------------------------------------------

DEFAULT_SUBJECT = gettext_lazy("Facturation électronique : ce qui change pour {client}")
DEFAULT_BODY = gettext_lazy(
    "Bonjour {contact},\n\n"
    "La réforme de la facturation électronique arrive. Pour {client}, cela veut dire : "
    "{obligations}.\n\n"
    "- Plateforme agréée pour la réception : {pa_reception}\n"
    "- Plateforme agréée pour l'émission : {pa_emission}\n\n"
    "**{collaborateur}** reste à votre disposition pour en parler.\n\n"
    "Bien cordialement,\n{cabinet}"
)


class CampaignRefused(Exception):
    """The campaign cannot do that now; the message (French) says why."""


# --- Creating and editing ------------------------------------------------------------------


def create_campaign(
    *,
    firm: Firm,
    by: User,
    client_ids: Sequence[int],
    kind: str = CampaignKind.INFORMATION,
    subject: str = "",
    body: str = "",
    include_link: bool = False,
    filter_snapshot: dict | None = None,
) -> Campaign:
    """A draft campaign to these clients (the caller checked the member may see them), with
    one recipient row each. Texts default to the French model of the kind."""
    if not client_ids:
        raise CampaignRefused(_("Choisissez au moins un client."))
    if len(client_ids) > MAX_RECIPIENTS:
        raise CampaignRefused(
            _("Une campagne va à %(max)d clients au plus.") % {"max": MAX_RECIPIENTS}
        )
    if kind not in CampaignKind.values:
        raise CampaignRefused(_("Type de campagne inconnu."))
    subject = subject or str(DEFAULT_SUBJECT)
    body = body or str(DEFAULT_BODY)
    content.check_texts(subject=subject, body=body, include_link=include_link)
    with firm_scope(firm), transaction.atomic():
        clients = list(
            Client.objects.for_firm(firm).filter(pk__in=list(client_ids)).order_by("company_name")
        )
        campaign = Campaign.objects.create(
            firm=firm,
            kind=kind,
            subject=subject,
            body=body,
            include_link=include_link,
            created_by=by,
            filter_snapshot={**(filter_snapshot or {}), "clients": len(clients)},
        )
        unsubscribed = _unsubscribed(firm.pk, kind, [client.pk for client in clients])
        CampaignRecipient.objects.bulk_create(
            [
                CampaignRecipient(
                    firm=firm,
                    campaign=campaign,
                    client=client,
                    email=content.usable_email(client),
                    skipped_reason=_skip_reason(client, unsubscribed),
                )
                for client in clients
            ],
            batch_size=1000,
        )
    return campaign


def _unsubscribed(firm_id: int, kind: str, client_ids: list[int]) -> set[int]:
    return set(
        Unsubscription.objects.for_firm(firm_id)
        .filter(kind=kind, client_id__in=client_ids)
        .values_list("client_id", flat=True)
    )


def _skip_reason(client: Client, unsubscribed: set[int]) -> str:
    if client.status != Client.Status.ACTIVE:
        return SkipReason.ARCHIVED
    if client.pk in unsubscribed:
        return SkipReason.UNSUBSCRIBED
    if not content.usable_email(client):
        return SkipReason.NO_EMAIL
    return ""


def update_campaign(
    *, firm: Firm, campaign: Campaign, kind: str, subject: str, body: str, include_link: bool
) -> Campaign:
    """A draft's texts and options changed (the form checked them)."""
    content.check_texts(subject=subject, body=body, include_link=include_link)
    with firm_scope(firm), transaction.atomic():
        locked = _locked_draft(firm, campaign)
        kind_changed = locked.kind != kind
        locked.kind, locked.subject, locked.body = kind, subject, body
        locked.include_link = include_link
        locked.save(update_fields=["kind", "subject", "body", "include_link"])
        if kind_changed:
            refresh_skipped(firm=firm, campaign=locked)
    return locked


def refresh_skipped(*, firm: Firm, campaign: Campaign) -> None:
    """A draft's recipients read again: an address given since, an unsubscription since."""
    recipients = list(
        CampaignRecipient.objects.for_firm(firm)
        .filter(campaign=campaign, message__isnull=True)
        .select_related("client")
    )
    unsubscribed = _unsubscribed(firm.pk, campaign.kind, [r.client_id for r in recipients])
    changed = []
    for recipient in recipients:
        email = content.usable_email(recipient.client)
        reason = _skip_reason(recipient.client, unsubscribed)
        if (email, reason) != (recipient.email, recipient.skipped_reason):
            recipient.email, recipient.skipped_reason = email, reason
            changed.append(recipient)
    CampaignRecipient.objects.for_firm(firm).bulk_update(
        changed, ["email", "skipped_reason"], batch_size=1000
    )


def _locked_draft(firm: Firm, campaign: Campaign) -> Campaign:
    locked = Campaign.objects.for_firm(firm).select_for_update(of=("self",)).get(pk=campaign.pk)
    if locked.status != CampaignStatus.DRAFT:
        raise CampaignRefused(_("Cette campagne est déjà envoyée : elle ne change plus."))
    return locked


# --- Previews and the test send ------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    client: Client
    email: str
    content: content.EmailContent


def preview(*, firm: Firm, campaign: Campaign, count: int = PREVIEW_CLIENTS) -> list[Preview]:
    """The e-mail as ``count`` real clients of the campaign would get it (those with an
    address first); the links are placeholders."""
    with firm_scope(firm):
        recipients = list(
            CampaignRecipient.objects.for_firm(firm)
            .filter(campaign=campaign)
            .order_by("skipped_reason", "pk")
            .values_list("client_id", "email")[:count]
        )
        clients = {
            client.pk: client
            for client in content.with_merge_data(
                Client.objects.for_firm(firm).filter(pk__in=[pk for pk, _ in recipients]), firm
            )
        }
        return [
            Preview(
                client=clients[client_id],
                email=email,
                content=_placeholder_content(campaign, clients[client_id], firm),
            )
            for client_id, email in recipients
            if client_id in clients
        ]


def _placeholder_content(campaign: Campaign, client: Client, firm: Firm) -> content.EmailContent:
    values = content.merge_values(client, firm, link_url=str(content.LINK_PLACEHOLDER))
    return content.render_email(
        campaign, values, firm=firm, unsubscribe_url=str(content.UNSUBSCRIBE_PLACEHOLDER)
    )


def send_test(*, firm: Firm, campaign: Campaign, by: User) -> str:
    """The e-mail of the campaign's first client, sent to the member's own address through the
    outbox, its subject marked as a test. Returns the address."""
    shown = preview(firm=firm, campaign=campaign, count=1)
    if not shown:
        raise CampaignRefused(_("Cette campagne n'a aucun client."))
    email = shown[0].content
    with firm_scope(firm), transaction.atomic():
        enqueue_email(
            firm=firm,
            kind=TEST_EMAIL_KIND,
            to=by.email,
            subject=_("[Test] %(subject)s") % {"subject": email.subject},
            text_body=email.text,
            html_body=email.html,
            related=campaign,
            created_by=by,
        )
    return by.email


# --- Sending -------------------------------------------------------------------------------


def start_sending(*, firm: Firm, campaign: Campaign, by: User, base_url: str) -> Campaign:
    """Draft → sending, and the job that writes the e-mails. Only once: a second click finds
    the campaign sending and is refused."""
    with firm_scope(firm), transaction.atomic():
        locked = _locked_draft(firm, campaign)
        refresh_skipped(firm=firm, campaign=locked)
        job = start_job(
            firm=firm,
            kind=SEND_JOB_KIND,
            requested_by=by,
            params={"campaign": locked.pk, "base_url": base_url},
        )
        locked.status = CampaignStatus.SENDING
        locked.job = job
        locked.sent_by = by
        locked.send_started_at = timezone.now()
        locked.save(update_fields=["status", "job", "sent_by", "send_started_at"])
    return locked


def pending_recipient_ids(firm: Firm, campaign: Campaign) -> list[int]:
    return list(
        CampaignRecipient.objects.for_firm(firm)
        .filter(campaign=campaign, message__isnull=True, skipped_reason="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_to_recipient(
    *, firm: Firm, campaign: Campaign, recipient_id: int, by: User | None, base_url: str
) -> str:
    """Write one client's e-mail, if it has none yet: "sent" (queued in the outbox), "skipped"
    (unsubscribed or without an address since), or "" (done before)."""
    with firm_scope(firm), transaction.atomic():
        recipient = (
            CampaignRecipient.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .filter(pk=recipient_id, campaign=campaign, message__isnull=True, skipped_reason="")
            .first()
        )
        if recipient is None:
            return ""
        client = content.with_merge_data(
            Client.objects.for_firm(firm).filter(pk=recipient.client_id), firm
        ).get()
        reason = _skip_reason(client, _unsubscribed(firm.pk, campaign.kind, [client.pk]))
        if reason:
            recipient.skipped_reason = reason
            recipient.save(update_fields=["skipped_reason"])
            _record(client, by, _skipped_summary(campaign, reason))
            return "skipped"
        link_url = ""
        if campaign.include_link:
            issued = links.issue(client=client, user=by)
            recipient.questionnaire_link_id = issued.link_id
            link_url = issued.url
        raw_token = new_unsubscribe_token(firm.pk)
        email = content.render_email(
            campaign,
            content.merge_values(client, firm, link_url=link_url),
            firm=firm,
            unsubscribe_url=base_url + reverse("campaign_unsubscribe", args=[raw_token]),
        )
        address = content.usable_email(client)
        message = enqueue_email(
            firm=firm,
            kind=EMAIL_KIND,
            to=address,
            subject=email.subject,
            text_body=email.text,
            html_body=email.html,
            related=recipient,
            created_by=by,
        )
        recipient.email = address
        recipient.message = message
        recipient.unsubscribe_token_hash = token_hash(raw_token)
        recipient.enqueued_at = timezone.now()
        recipient.save(
            update_fields=[
                "email",
                "message",
                "unsubscribe_token_hash",
                "questionnaire_link_id",
                "enqueued_at",
            ]
        )
        _record(
            client,
            by,
            _("Campagne « %(subject)s » envoyée à %(email)s")
            % {"subject": campaign.subject, "email": address},
        )
    return "sent"


def finish_sending(*, firm: Firm, campaign: Campaign) -> None:
    with firm_scope(firm):
        Campaign.objects.for_firm(firm).filter(
            pk=campaign.pk, status=CampaignStatus.SENDING
        ).update(status=CampaignStatus.SENT, sent_at=timezone.now())


def _skipped_summary(campaign: Campaign, reason: str) -> str:
    return _("Campagne « %(subject)s » non envoyée : %(reason)s") % {
        "subject": campaign.subject,
        "reason": SkipReason(reason).label,
    }


def _record(client: Client, by: User | None, summary: str) -> None:
    history.record(
        client=client,
        actor=by,
        action=HistoryEntry.Action.UPDATED,
        subject=HISTORY_SUBJECT,
        summary=summary[:250],
    )


# --- Unsubscribing -------------------------------------------------------------------------


def new_unsubscribe_token(firm_id: int) -> str:
    return f"{firm_id}.{secrets.token_urlsafe(32)}"


def token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass(frozen=True)
class UnsubscribeTarget:
    firm: Firm
    recipient: CampaignRecipient
    kind: str
    already: bool

    @property
    def kind_label(self) -> str:
        return str(CampaignKind(self.kind).label)


def find_unsubscribe_target(raw_token: str) -> UnsubscribeTarget | None:
    """What an unsubscribe link is about, or None for a link that is no link of ours."""
    match = _TOKEN.match(raw_token or "")
    if not match:
        return None
    firm_id = parse_positive_int(match.group(1))
    firm = Firm.objects.filter(pk=firm_id, is_active=True).first() if firm_id else None
    if firm is None:
        return None
    with firm_scope(firm):
        recipient = (
            CampaignRecipient.objects.for_firm(firm)
            .filter(unsubscribe_token_hash=token_hash(raw_token))
            .select_related("campaign", "client")
            .first()
        )
        if recipient is None:
            return None
        kind = recipient.campaign.kind
        already = (
            Unsubscription.objects.for_firm(firm)
            .filter(client_id=recipient.client_id, kind=kind)
            .exists()
        )
    return UnsubscribeTarget(firm=firm, recipient=recipient, kind=kind, already=already)


def unsubscribe(target: UnsubscribeTarget) -> bool:
    """Record the client's wish (once per kind); False when it was recorded already."""
    firm = target.firm
    with firm_scope(firm), transaction.atomic():
        _row, created = Unsubscription.objects.for_firm(firm).get_or_create(
            firm=firm,
            client_id=target.recipient.client_id,
            kind=target.kind,
            defaults={
                "token_hash": target.recipient.unsubscribe_token_hash,
                "recipient": target.recipient,
            },
        )
        if created:
            _record(
                target.recipient.client,
                None,
                _("Désabonnement des campagnes « %(kind)s », par le lien de l'e-mail")
                % {"kind": target.kind_label},
            )
    return created
