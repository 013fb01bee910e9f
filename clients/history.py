"""Recording changes to clients in their history (see :class:`clients.models.HistoryEntry`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models

from clients.models import Client, HistoryEntry
from firms.models import User


def shown(instance: models.Model, field_name: str) -> str:
    """A field's value as a user reads it (choice labels, names, lists joined)."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field_name)
    if value is None or value == "" or value == []:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(instance: models.Model, field_names: Iterable[str]) -> dict[str, str]:
    return {name: shown(instance, name) for name in field_names}


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
            "label": labels.get(name) or str(model._meta.get_field(name).verbose_name),
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
    """An unsaved entry, for bulk operations that write many at once."""
    return HistoryEntry(
        firm_id=client.firm_id,
        client=client,
        actor=actor,
        action=action,
        subject=subject,
        summary=summary,
        changes=changes or {},
    )


def record(**fields) -> HistoryEntry:
    """Write one entry now (same keyword arguments as :func:`entry`)."""
    new_entry = entry(**fields)
    new_entry.save()
    return new_entry
