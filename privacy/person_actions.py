"""Exporting a person's data and erasing or anonymising it (see :mod:`privacy.persons` for
where a person is found). Erasure runs in one transaction: the free rows are anonymised, their
files deleted once it commits; the rows a legal duty keeps are left unchanged and recorded
(:class:`privacy.models.RetainedRow`) for the nightly purge; the audit entry
(:class:`privacy.models.PersonAction`) counts what went, per table, without any erased value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from mandates.models import Mandate
from outbox.models import OutboxAttachment, OutboxEvent, OutboxMessage
from outbox.signals import message_state_changed
from privacy import retention
from privacy.models import PersonAction, RetainedRow
from privacy.persons import (
    ANONYMOUS_NAME,
    ClientRole,
    Identifiers,
    Occurrence,
    PersonQuery,
    confirmation_matches,
    find_person,
    person_fields,
)
from privacy.tables import firm_tables


class PersonRefused(Exception):
    """An erasure refused, with a French message for the user."""


# --- Export ----------------------------------------------------------------------------------


def export_person(*, firm: Firm, query: PersonQuery, by: User | None) -> dict:
    """Everything the firm holds about the person, as JSON-ready data, and the audit entry.
    Call inside the firm's scope."""
    finding = find_person(firm, query)
    with transaction.atomic():
        PersonAction.objects.create(
            firm=firm,
            action=PersonAction.Action.EXPORT,
            performed_by=by,
            rows=dict(Counter(o.table for o in finding.occurrences)),
            retained_count=len(finding.retained),
        )
    return {
        "cabinet": firm.name,
        "date": timezone.now().isoformat(timespec="seconds"),
        "recherche": {"nom": query.name, "email": query.email},
        "identifiants": {
            "noms": sorted(finding.identifiers.names),
            "emails": sorted(finding.identifiers.emails),
            "telephones": sorted(finding.identifiers.phones),
        },
        "occurrences": [
            {
                "table": o.table,
                "libelle": o.label,
                "id": o.object_id,
                "description": o.description,
                "champs": o.fields,
                "fichiers": o.files,
                "conservation": _retention_json(o.retention),
            }
            for o in finding.occurrences
        ],
    }


def _retention_json(kept: retention.Retention | None) -> dict | None:
    if kept is None:
        return None
    return {
        "motif": str(kept.duty.label),
        "reference": str(kept.duty.reference),
        "jusqu_au": kept.until.isoformat() if kept.until else None,
    }


# --- Erasure ---------------------------------------------------------------------------------


def _replace(value: object, ids: Identifiers) -> object:
    """The value with each identifier replaced by its neutral value (JSON walked through)."""
    if isinstance(value, str):
        for needle in ids.all():
            value = re.sub(re.escape(needle), ids.replacement(needle), value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_replace(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, ids) for key, item in value.items()}
    return value


def _client_changes(client: Client, role: ClientRole, ids: Identifiers) -> dict:
    changes: dict[str, object] = {}
    if role.contact:
        changes.update(contact_name=ANONYMOUS_NAME, contact_email="", contact_phone="")
    if role.signer:
        changes.update(
            signer_civility="",
            signer_first_name="",
            signer_last_name=ANONYMOUS_NAME,
            signer_email="",
            signer_mobile="",
        )
    billing = [e for e in client.billing_emails or [] if e.lower() not in ids.emails]
    if billing != (client.billing_emails or []):
        changes["billing_emails"] = billing
    for name in ("company_name", "address", "tags"):
        replaced = _replace(getattr(client, name), ids)
        if replaced != getattr(client, name):
            changes[name] = replaced
    return changes


@dataclass
class ErasureResult:
    action: PersonAction
    retained: list[Occurrence]


def erase_person(*, firm: Firm, query: PersonQuery, confirmation: str, by: User | None):
    """Erase or anonymise the person everywhere no legal duty keeps them, in one transaction;
    list and record what a duty keeps. Refused (``PersonRefused``) when the confirmation does
    not repeat the name (or the e-mail), for a name of one word (it would replace that word
    wherever it appears, in other people's names and in company names), or when the person
    appears nowhere. Call inside the firm's scope."""
    if query.name and len(query.name.split()) < 2:
        raise PersonRefused(
            _(
                "Pour effacer, saisissez le prénom et le nom de la personne, ou seulement son "
                "adresse e-mail."
            )
        )
    if not confirmation_matches(query, confirmation):
        raise PersonRefused(_("Recopiez exactement « %s » pour confirmer.") % query.confirmation)
    files: set[str] = set()
    rows: Counter[str] = Counter()
    with transaction.atomic():
        finding = find_person(firm, query)
        if finding.is_empty:
            raise PersonRefused(_("Cette personne n'apparaît dans aucune donnée du cabinet."))
        ids = finding.identifiers
        models_by_label = {m._meta.label_lower: m for m in firm_tables()}
        now = timezone.now()
        for occurrence in finding.free:
            model = models_by_label[occurrence.table]
            if _erase_row(firm, model, occurrence, finding, ids, files, now):
                rows[occurrence.table] += 1
        action = PersonAction.objects.create(
            firm=firm,
            action=PersonAction.Action.ERASURE,
            performed_by=by,
            performed_at=now,
            rows=dict(rows),
            files_deleted=len(files),
            retained_count=len(finding.retained),
        )
        RetainedRow.objects.bulk_create(
            RetainedRow(
                firm=firm,
                action=action,
                table=o.table,
                object_id=o.object_id,
                duty=o.retention.duty.code,
                description=o.description[:200],
                until=o.retention.until,
            )
            for o in finding.retained
        )
        for client_id in sorted({o.client_id for o in finding.free if o.client_id}):
            HistoryEntry.objects.create(
                firm=firm,
                client_id=client_id,
                actor=by,
                action=HistoryEntry.Action.UPDATED,
                subject="client",
                # Recorded in French, as every history entry (it is data).
                summary="Données d'une personne effacées ou anonymisées à sa demande (RGPD)",
            )
        transaction.on_commit(lambda: _delete_files(sorted(files)))
    return ErasureResult(action=action, retained=finding.retained)


def _erase_row(firm, model, occurrence, finding, ids, files, now) -> bool:
    manager = model.objects.for_firm(firm).filter(pk=occurrence.object_id)
    if model is Client:
        client = manager.get()
        role = finding.roles.get(client.pk) or ClientRole(client.pk)
        changes = _client_changes(client, role, ids)
        for name, value in occurrence.fields.items():
            if name in changes:
                continue
            # A person's address or number in a field of its own is emptied, not replaced.
            plain = name.endswith(("_email", "_phone", "_mobile"))
            changes[name] = "" if plain else _replace(value, ids)
        if changes:
            changes["updated_at"] = now
        return bool(changes) and manager.update(**changes) > 0
    changes = {name: _replace(value, ids) for name, value in occurrence.fields.items()}
    role = finding.roles.get(occurrence.client_id or 0)
    if model is HistoryEntry and role is not None:
        changes["changes"] = _history_changes(changes["changes"], person_fields(role))
    if model is Mandate and role is not None and role.signer:
        # Not signed (a signed one is kept): its PDFs, which name the representative, go.
        files.update(occurrence.files)
        changes.update(document="", document_sha256="", signed_document="")
        changes["signed_document_sha256"] = ""
    if model is OutboxMessage:
        attachments = OutboxAttachment.objects.for_firm(firm).filter(
            message_id=occurrence.object_id
        )
        files.update(name for name in attachments.values_list("file", flat=True) if name)
        attachments.delete()
        _fail_if_queued(firm, occurrence.object_id)
    return bool(changes) and manager.update(**changes) > 0


def _history_changes(changes: dict, fields: set[str]) -> dict:
    """A history entry's changes with the person's own fields' values made neutral."""
    neutral = dict(changes)
    for name in fields & set(changes):
        if not isinstance(changes[name], dict):
            continue
        change = dict(changes[name])
        for side in ("from", "to"):
            if change.get(side):
                plain = name.endswith(("_email", "_emails", "_phone", "_mobile", "_civility"))
                change[side] = "" if plain else ANONYMOUS_NAME
        neutral[name] = change
    return neutral


def _fail_if_queued(firm: Firm, message_id: int) -> None:
    """A message still waiting to be sent to the person is not sent any more."""
    reason = "Destinataire effacé à sa demande (RGPD) : message non envoyé."
    failed = (
        OutboxMessage.objects.for_firm(firm)
        .filter(pk=message_id, state=OutboxMessage.State.QUEUED)
        .update(state=OutboxMessage.State.FAILED, last_error=reason)
    )
    if failed:
        message = OutboxMessage.objects.for_firm(firm).get(pk=message_id)
        OutboxEvent.objects.create(
            firm=firm,
            message=message,
            previous_state=OutboxMessage.State.QUEUED,
            state=message.state,
            attempt=message.attempts,
            detail=reason,
        )
        message_state_changed.send(
            sender=OutboxMessage, message=message, previous_state=OutboxMessage.State.QUEUED
        )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
