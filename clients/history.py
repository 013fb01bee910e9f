"""Recording changes to clients in their history (see :class:`clients.models.HistoryEntry`).

A person's edits of one tab come in quick succession (the questionnaire saves each answer as it
is given): :func:`record` folds them into one entry per short session of work, so the timeline
reads "Julie changed these 16 answers" rather than 16 entries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clients.copy_writes import insert_rows
from clients.models import Client, HistoryEntry
from firms.models import User

# Edits within this time of the first one of a group are folded into its entry.
GROUPING_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class HistoryKind:
    """A filter of the timeline: the subjects written by one tab of the client sheet."""

    code: str  # in the URL (?kind=…)
    label: str
    subjects: tuple[str, ...]


# The subjects are those the services write (HistoryEntry.subject). Apps above add the kinds of
# their own subjects in their AppConfig.ready() (register_history_kind).
HISTORY_KINDS: list[HistoryKind] = [
    HistoryKind("client", _("Fiche client"), ("client",)),
    HistoryKind("fiscal", _("Questionnaire fiscal"), ("answers",)),
    HistoryKind("cartography", _("Cartographie"), ("equipment", "profile")),
]
HISTORY_KINDS_BY_CODE = {kind.code: kind for kind in HISTORY_KINDS}


def register_history_kind(kind: HistoryKind) -> None:
    if kind.code in HISTORY_KINDS_BY_CODE:
        raise RuntimeError(f"history kind {kind.code!r} registered twice")
    HISTORY_KINDS.append(kind)
    HISTORY_KINDS_BY_CODE[kind.code] = kind


def shown(instance: models.Model, field_name: str) -> str:
    """A field's value as a user reads it (choice labels, names, lists joined)."""
    return snapshot(instance, [field_name])[field_name]


def _has_choices(model: type[models.Model], field_name: str) -> bool:
    return bool(model._meta.get_field(field_name).choices)


# Labels read for every field of every client an import creates: translated once per language.
@functools.cache
def _label(model: type[models.Model], field_name: str, language: str | None) -> str:
    return str(model._meta.get_field(field_name).verbose_name)


@functools.cache
def _choice_labels(model: type[models.Model], field_name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def snapshot(instance: models.Model, field_names: Iterable[str]) -> dict[str, str]:
    return snapshotter(type(instance), field_names)(instance)


def snapshotter(
    model: type[models.Model], field_names: Iterable[str]
) -> Callable[[models.Model], dict[str, str]]:
    """``snapshot`` of the given fields for instances of ``model``, the fields looked up once
    (an import takes the snapshot of every client it creates): each value as ``shown``."""
    language = get_language()
    fields = [
        (
            name,
            _choice_labels(model, name, language) if model._meta.get_field(name).choices else None,
        )
        for name in field_names
    ]

    def take(instance: models.Model) -> dict[str, str]:
        values = {}
        for name, labels in fields:
            value = getattr(instance, name)
            if value is None or value == "" or value == []:
                values[name] = ""
            elif labels is not None:
                values[name] = labels.get(value, str(value))
            elif isinstance(value, list):
                values[name] = ", ".join(str(item) for item in value)
            else:
                values[name] = str(value)
        return values

    return take


def diff(
    before: Mapping[str, str],
    after: Mapping[str, str],
    model: type[models.Model],
    labels: Mapping[str, str] | None = None,
) -> dict:
    """The fields whose shown value changed, with their French label: the field's verbose name,
    or the one given in ``labels`` (also for shown values that are not fields)."""
    labels = labels or {}
    return {
        name: {
            "label": labels.get(name) or _label(model, name, get_language()),
            "from": before.get(name, ""),
            "to": after[name],
        }
        for name in after
        if before.get(name, "") != after[name]
    }


def entry(
    *,
    client: Client,
    actor: User | None,
    action: str,
    changes: dict | None = None,
    summary: str = "",
    subject: str = "client",
) -> HistoryEntry:
    """An unsaved entry, for bulk operations that write many at once (never grouped)."""
    return HistoryEntry(
        firm_id=client.firm_id,
        client=client,
        actor=actor,
        action=action,
        subject=subject,
        summary=summary,
        changes=changes or {},
    )


ENTRY_COLUMNS = (
    "firm_id",
    "client_id",
    "actor_id",
    "action",
    "subject",
    "summary",
    "changes",
    "created_at",
)


def write_entries(
    *,
    firm_id: int,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[int, str, dict]],
    subject: str = "client",
) -> None:
    """Write many entries at once (never grouped), ``entries`` as (client id, summary,
    changes), without making an object of each: for the clients an import creates."""
    now = timezone.now()
    actor_id = actor.pk if actor else None
    insert_rows(
        HistoryEntry,
        ENTRY_COLUMNS,
        [
            (firm_id, client_id, actor_id, action, subject, summary, changes, now)
            for client_id, summary, changes in entries
        ],
    )


def record(**fields) -> HistoryEntry | None:
    """Write one entry now (same keyword arguments as :func:`entry`), or fold it into the last.

    A change is folded into the client's last entry when both are field changes
    (``UPDATED``) by the same person, of the same subject with the same summary (the same tab
    and the same thing in it, say one software), the last entry is less than
    ``GROUPING_WINDOW`` old, and nothing else was recorded for the client since. Each field
    then keeps its first "from" and takes the latest "to"; a field back to its first value
    drops out, and an entry left without any field is deleted (``None`` is returned): in the
    end, nothing changed.

    Call it inside the transaction of the change. The client's row is locked first, so two
    changes of one client never fold into the same entry at once (and the order of locks is
    the one the services already take: the client row before the rows of its history).
    """
    new_entry = entry(**fields)
    if not _groupable(new_entry):
        new_entry.save()
        return new_entry
    with transaction.atomic():
        _lock_client(new_entry.firm_id, new_entry.client_id)
        last = client_entries(new_entry.firm_id, new_entry.client_id).first()
        if last is None or not _same_group(last, new_entry):
            new_entry.save()
            return new_entry
        changes = merged_changes(last.changes, new_entry.changes)
        if not changes:
            last.delete()
            return None
        last.changes = changes
        last.save(update_fields=["changes"])
        return last


def merged_changes(first: Mapping[str, dict], then: Mapping[str, dict]) -> dict[str, dict]:
    """Two successive sets of changes as one: first "from", latest "to" (and label)."""
    merged = {name: dict(change) for name, change in first.items()}
    for name, change in then.items():
        start = merged[name]["from"] if name in merged else change["from"]
        merged[name] = {**change, "from": start}
    return {name: change for name, change in merged.items() if change["from"] != change["to"]}


def client_entries(firm_id: int, client_id: int, kind: str = "") -> QuerySet[HistoryEntry]:
    """A client's entries, the latest first; only those of one of HISTORY_KINDS if given."""
    entries = HistoryEntry.objects.for_firm(firm_id).filter(client_id=client_id)
    if kind in HISTORY_KINDS_BY_CODE:
        entries = entries.filter(subject__in=HISTORY_KINDS_BY_CODE[kind].subjects)
    return entries.order_by("-created_at", "-id")


def last_author(firm_id: int, client_id: int, field: str, subject: str = "client") -> User | None:
    """Who last changed this field (or answer, with its subject), as the history tells."""
    latest = (
        client_entries(firm_id, client_id)
        .filter(subject=subject, changes__has_key=field)
        .select_related("actor")
        .first()
    )
    return latest.actor if latest else None


def _lock_client(firm_id: int, client_id: int) -> None:
    clients = Client.objects.for_firm(firm_id).select_for_update(of=("self",))
    clients.filter(pk=client_id).only("pk").first()


def _groupable(new_entry: HistoryEntry) -> bool:
    # Only a person's field changes: creations, archiving, reassignments, imports and the
    # system's own writes keep an entry each.
    return (
        new_entry.action == HistoryEntry.Action.UPDATED
        and new_entry.actor_id is not None
        and bool(new_entry.changes)
    )


def _same_group(last: HistoryEntry, new_entry: HistoryEntry) -> bool:
    return (
        last.action == HistoryEntry.Action.UPDATED
        and last.actor_id == new_entry.actor_id
        and last.subject == new_entry.subject
        and last.summary == new_entry.summary
        and bool(last.changes)
        and timezone.now() - last.created_at < GROUPING_WINDOW
    )
