"""Links to the self-service questionnaire: issuing, revoking, and what a request through one
may do. Plain functions taking the acting user (``None`` for the client or the system)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clients import history
from clients.models import Client, HistoryEntry
from firms.models import User
from self_service import tokens
from self_service.models import ClientLink

HISTORY_SUBJECT = "self_service"
DEFAULT_DAYS = 30
MAX_DAYS = 366
# The key of a request's IP address in its history entry's changes.
IP_KEY = "ip"


@dataclass(frozen=True)
class IssuedLink:
    link: ClientLink
    # Absolute: settings.SITE_URL followed by /q/<token>/. Shown once: only its hash is kept.
    url: str


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def link_url(token: str) -> str:
    return site_url() + reverse("self_service:questionnaire", args=[token])


def issue_link(*, client: Client, user: User | None = None, days: int = DEFAULT_DAYS) -> IssuedLink:
    """A new link for the client, valid ``days`` days; the client's earlier links are revoked.

    Runs in its own atomic block (a savepoint inside the caller's transaction), so it may be
    called from a campaign's transaction: if that one rolls back, the link never existed and
    the previous ones stay valid.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_DAYS:
        raise ValueError(f"days must be an integer from 1 to {MAX_DAYS}")
    token = tokens.new_token()
    now = timezone.now()
    with transaction.atomic():
        revoked = (
            ClientLink.objects.for_firm(client.firm_id)
            .filter(client=client, revoked_at__isnull=True, expires_at__gt=now)
            .update(revoked_at=now)
        )
        link = ClientLink.objects.create(
            firm_id=client.firm_id,
            client=client,
            token_hash=tokens.token_hash(token),
            created_by=user,
            expires_at=now + timedelta(days=days),
        )
        summary = f"Lien du questionnaire client créé, valable jusqu'au {_date(link.expires_at)}"
        if revoked:
            summary += " (le lien précédent ne fonctionne plus)"
        history.record(
            client=client,
            actor=user,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=summary,
        )
    return IssuedLink(link=link, url=link_url(token))


def revoke_links(*, client: Client, user: User | None) -> int:
    """Revoke the client's links still valid; how many were."""
    now = timezone.now()
    with transaction.atomic():
        revoked = (
            ClientLink.objects.for_firm(client.firm_id)
            .filter(client=client, revoked_at__isnull=True, expires_at__gt=now)
            .update(revoked_at=now)
        )
        if revoked:
            history.record(
                client=client,
                actor=user,
                action=HistoryEntry.Action.UPDATED,
                subject=HISTORY_SUBJECT,
                summary="Lien du questionnaire client révoqué",
            )
    return revoked


def _date(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def purge_ips(*, firm, now=None) -> int:
    """Remove the IP addresses of the history entries written by requests through a link, once
    older than ``SELF_SERVICE_IP_RETENTION_DAYS`` (12 months); how many entries were changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SELF_SERVICE_IP_RETENTION_DAYS)
    entries = HistoryEntry.objects.for_firm(firm).filter(
        subject=HISTORY_SUBJECT, created_at__lt=cutoff, changes__has_key=IP_KEY
    )
    purged = 0
    with transaction.atomic():
        for entry in entries.select_for_update().only("pk", "changes"):
            entry.changes = {key: value for key, value in entry.changes.items() if key != IP_KEY}
            entry.save(update_fields=["changes"])
            purged += 1
    return purged
