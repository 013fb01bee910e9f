"""Edits made from data that changed meanwhile (the lost update).

Two people open the same client; B saves a new city; A, whose form still shows the old city,
saves a new phone. Without care A's save writes the old city back and the history blames A.

So an edit form carries the values it was loaded with (signed, in a hidden field:
:func:`loaded_token`), and a save writes only the fields the person changed from them
(:func:`edited_fields`). A field that someone else changed meanwhile to another value is not
written: the service raises :class:`EditConflict` with both values, and the person decides.
The API compares whole versions instead (:func:`client_version`, the ETag of a client).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.core import signing
from django.db import models

from clients.models import Client

LOADED_VALUES_SALT = "clients.concurrency.loaded"


@dataclass(frozen=True)
class FieldConflict:
    """A field the person changed that someone else changed meanwhile to another value."""

    field: str
    label: str
    theirs: str  # the value saved meanwhile, as shown to users
    yours: str
    by: str = ""  # who saved it, when the history tells

    @property
    def message(self) -> str:
        who = self.by or "quelqu'un d'autre"
        return (
            f"Modifié entre-temps par {who}. Sa valeur : « {self.theirs or '(vide)'} » ; "
            f"la vôtre : « {self.yours or '(vide)'} ». Enregistrez de nouveau pour garder la "
            "vôtre, ou reprenez la sienne."
        )


class EditConflict(Exception):
    """Someone else changed fields of this edit meanwhile; nothing was written.

    ``changed`` names every field the person changed (conflicting or not), so that a form can
    be shown again with their changes and everybody else's.
    """

    def __init__(self, conflicts: list[FieldConflict], changed: list[str]) -> None:
        super().__init__(", ".join(conflict.field for conflict in conflicts))
        self.conflicts = conflicts
        self.changed = changed


class StaleVersion(Exception):
    """The record is no longer at the version the change was made from; nothing was written."""

    def __init__(self, current_version: str) -> None:
        super().__init__(current_version)
        self.current_version = current_version


def plain(value: object) -> object:
    """A value as compared and carried in a token: a related object by its key."""
    return value.pk if isinstance(value, models.Model) else value


def edited_fields(
    *,
    loaded: Mapping[str, object] | None,
    current: Mapping[str, object],
    yours: Mapping[str, object],
) -> tuple[list[str], list[str]]:
    """Which fields of ``yours`` to write, and which conflict, as ``(write, conflicting)``.

    A field is the person's change when it differs from the value they loaded (from the stored
    value when nothing was loaded for it). It is written unless it is the stored value already;
    it conflicts when the stored value also moved away from what they loaded, to another one.
    """
    write, conflicting = [], []
    for name, value in yours.items():
        stored = current.get(name)
        base = loaded[name] if loaded is not None and name in loaded else stored
        if value in (base, stored):
            continue
        (conflicting if stored != base else write).append(name)
    return write, conflicting


def loaded_token(scope: str, values: Mapping[str, object]) -> str:
    """The hidden field of an edit form: the values it shows, for the record named ``scope``."""
    return signing.dumps(
        {"scope": scope, "values": dict(values)}, salt=LOADED_VALUES_SALT, compress=True
    )


def read_loaded_token(token: str, scope: str) -> dict[str, object] | None:
    """The values of a form's hidden field; ``None`` when it is missing, forged or made for
    another record (the save then compares with the stored values only)."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=LOADED_VALUES_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("scope") != scope:
        return None
    return payload["values"]


def client_scope(client: Client) -> str:
    return f"client:{client.pk}"


def client_values(client: Client) -> dict[str, object]:
    """The fields a person edits, as compared: the collaborator by its key."""
    fields = (Client._meta.get_field(name) for name in Client.EDITABLE_FIELDS)
    return {field.name: getattr(client, field.attname) for field in fields}


def client_version(client: Client) -> str:
    """A hash of what a person can change of the client (its fields and its status): the ETag
    the API sends with a client and expects back in If-Match."""
    state = {**client_values(client), "status": client.status}
    encoded = json.dumps(state, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]
