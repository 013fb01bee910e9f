"""Links to the self-service questionnaire: issuing, revoking, and what a request through one
may do. Plain functions taking the acting user (``None`` for the client or the system)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients import history
from clients.models import Client, HistoryEntry
from firms.models import User
from self_service import fields, tokens
from self_service.models import (
    LINK_TOKEN_SETTING,
    ClientLink,
    FieldDecision,
    Proposal,
    ProposedField,
    SelfServiceSettings,
)

HISTORY_SUBJECT = "self_service"
DEFAULT_DAYS = 30
MAX_DAYS = 366
# The key of a request's IP address in its history entry's changes.
IP_KEY = "ip"
CHOICE_FIELDS = ("questionnaire", "software", "platform", "billing_emails", "signer")


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
        revoked = _revoke_valid_links(client, now)
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
        revoked = _revoke_valid_links(client, now)
        if revoked:
            history.record(
                client=client,
                actor=user,
                action=HistoryEntry.Action.UPDATED,
                subject=HISTORY_SUBJECT,
                summary="Lien du questionnaire client révoqué",
            )
    return revoked


def _revoke_valid_links(client: Client, now) -> int:
    return (
        ClientLink.objects.for_firm(client.firm_id)
        .filter(client=client, revoked_at__isnull=True, expires_at__gt=now)
        .update(revoked_at=now)
    )


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


# --- Requests through a link (the client, no login) ----------------------------------------


def find_link(token: object) -> ClientLink | None:
    """The link of a token, whatever its state, looked up outside any firm; None for a token
    that is malformed or unknown. On PostgreSQL the lookup sees only the row of that hash
    (``ClientLink.rls_extra_visibility``)."""
    if not tokens.well_formed(token):
        return None
    digest = tokens.token_hash(token)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [LINK_TOKEN_SETTING, digest])
        link = (
            ClientLink.objects.filter(token_hash=digest)  # scoping: by the token, any firm
            .select_related("firm")
            .first()
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [LINK_TOKEN_SETTING])
        return link


def log_request(*, link: ClientLink, ip: str | None, what: str, now=None) -> None:
    """Write a request through the link in the client's history, with its IP; the first and
    the last opening on the link. Inside the link's firm scope."""
    now = now or timezone.now()
    updates = {"last_opened_at": now}
    if link.first_opened_at is None:
        updates["first_opened_at"] = now
    ClientLink.objects.for_firm(link.firm_id).filter(pk=link.pk).update(**updates)
    for name, value in updates.items():
        setattr(link, name, value)
    history.entry(
        client=link.client,
        actor=None,
        action=HistoryEntry.Action.UPDATED,
        subject=HISTORY_SUBJECT,
        summary=f"Lien client : {what}"[:250],
        changes={IP_KEY: {"label": "adresse IP", "from": "", "to": ip or "inconnue"}},
    ).save()


def open_proposal(*, link: ClientLink) -> Proposal:
    """The link's proposal (a draft until submitted), created at the first visit."""
    proposal, _created = Proposal.objects.get_or_create(
        firm_id=link.firm_id, link=link, defaults={"client_id": link.client_id}
    )
    return proposal


def choice_of(firm) -> SelfServiceSettings:
    """The firm's choice of questions (the defaults until an administrator saves one)."""
    return SelfServiceSettings.objects.for_firm(firm).first() or SelfServiceSettings(
        firm_id=firm if isinstance(firm, int) else firm.pk
    )


def save_choice(*, firm, data: dict, by: User) -> SelfServiceSettings:
    choice = choice_of(firm)
    for name in CHOICE_FIELDS:
        setattr(choice, name, bool(data.get(name)))
    if "link_days" in data:
        choice.link_days = data["link_days"]
    choice.save()
    return choice


class ProposalClosed(Exception):
    """The proposal was already sent: the link shows it, it no longer changes."""


def draft_values(proposal: Proposal) -> dict[str, object]:
    return dict(
        ProposedField.objects.for_firm(proposal.firm_id)
        .filter(proposal=proposal)
        .values_list("code", "value")
    )


def save_draft_field(*, proposal: Proposal, code: str, value: object) -> None:
    """Keep what the client answered for one field (``None`` removes it)."""
    if proposal.submitted_at is not None:
        raise ProposalClosed
    with transaction.atomic():
        fields = ProposedField.objects.for_firm(proposal.firm_id).filter(proposal=proposal)
        if value is None:
            fields.filter(code=code).delete()
            return
        updated = fields.filter(code=code).update(value=value, updated_at=timezone.now())
        if not updated:
            ProposedField.objects.create(
                firm_id=proposal.firm_id, proposal=proposal, code=code, value=value
            )


def submit_proposal(*, proposal: Proposal, now=None) -> int:
    """Send the client's answers to the firm: those that differ from the client's current
    values wait for review; the rest are dropped. How many wait (0: nothing was sent)."""
    if proposal.submitted_at is not None:
        raise ProposalClosed
    now = now or timezone.now()
    client = proposal.client
    with transaction.atomic():
        current = fields.Current.of(proposal.firm_id, client)
        catalogues = fields.Catalogues.of(proposal.firm_id)
        rows = list(ProposedField.objects.for_firm(proposal.firm_id).filter(proposal=proposal))
        same = [
            row.pk
            for row in rows
            if fields.shown(row.code, row.value, catalogues).lower()
            == current.shown_value(row.code, catalogues).lower()
        ]
        ProposedField.objects.for_firm(proposal.firm_id).filter(pk__in=same).delete()
        waiting = len(rows) - len(same)
        if not waiting:
            return 0
        proposal.submitted_at = now
        proposal.save(update_fields=["submitted_at"])
        ClientLink.objects.for_firm(proposal.firm_id).filter(pk=proposal.link_id).update(
            submitted_at=now
        )
        history.record(
            client=client,
            actor=None,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=f"Le client a envoyé ses réponses ({waiting} à valider)",
        )
    return waiting


# --- The firm's review -------------------------------------------------------------------


class ReviewRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def waiting_proposals(firm):
    """The proposals sent and not yet wholly reviewed."""
    return Proposal.objects.for_firm(firm).filter(
        submitted_at__isnull=False, reviewed_at__isnull=True
    )


def decide_field(
    *,
    firm,
    field: ProposedField,
    decision: str,
    by: User,
    edited: object = None,
    now=None,
) -> ProposedField:
    """Accept, edit (``edited``: the value kept instead) or reject one proposed field.

    Accepting writes the value through the service a collaborator's own edit calls, in the
    same transaction; once every field of the proposal is decided, it is reviewed."""
    if decision not in (FieldDecision.ACCEPTED, FieldDecision.EDITED, FieldDecision.REJECTED):
        raise ReviewRefused("Décision inconnue.")
    now = now or timezone.now()
    with transaction.atomic():
        field = (
            ProposedField.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("proposal__client")
            .get(pk=field.pk)
        )
        proposal = field.proposal
        if proposal.submitted_at is None:
            raise ReviewRefused("Le client n'a pas encore envoyé ses réponses.")
        if field.decision != FieldDecision.PENDING:
            raise ReviewRefused("Cette réponse a déjà été traitée.")
        applied = None
        if decision != FieldDecision.REJECTED:
            applied = edited if decision == FieldDecision.EDITED else field.value
            fields.apply(firm=firm, client=proposal.client, code=field.code, value=applied, by=by)
        field.decision = decision
        field.applied_value = applied
        field.reviewed_at = now
        field.reviewed_by = by
        field.save(update_fields=["decision", "applied_value", "reviewed_at", "reviewed_by"])
        verb = {
            FieldDecision.ACCEPTED: "acceptée",
            FieldDecision.EDITED: "modifiée puis acceptée",
            FieldDecision.REJECTED: "refusée",
        }[decision]
        history.entry(
            client=proposal.client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=f"Réponse du client {verb} : {fields.review_label(field.code)}"[:250],
        ).save()
        pending = (
            ProposedField.objects.for_firm(firm)
            .filter(proposal=proposal, decision=FieldDecision.PENDING)
            .exists()
        )
        if not pending:
            proposal.reviewed_at = now
            proposal.save(update_fields=["reviewed_at"])
    return field
