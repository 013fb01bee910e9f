"""Changes to clients. Each service owns its transaction and writes the client's history."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from clients import history
from clients.concurrency import (
    EditConflict,
    FieldConflict,
    StaleVersion,
    client_values,
    client_version,
    edited_fields,
    plain,
)
from clients.copy_writes import insert_objects, update_objects
from clients.models import Client, HistoryEntry
from clients.signals import clients_created
from firms.models import Firm, User

EDITABLE_FIELDS = Client.EDITABLE_FIELDS


def derived_vat_number(siren: str) -> str:
    from stdnum.fr import siren as siren_numbers

    return "FR" + siren_numbers.to_tva(siren)


def create_client(
    *, firm: Firm, data: dict, by: User | None, action: str = HistoryEntry.Action.CREATED
) -> Client:
    """Create a client from cleaned data (see :class:`clients.forms.ClientForm`)."""
    return create_clients(firm=firm, rows=[data], by=by, action=action)[0]


def create_clients(
    *, firm: Firm, rows: list[dict], by: User | None, action: str = HistoryEntry.Action.IMPORTED
) -> list[Client]:
    """Create clients from cleaned data, each with its history entry, in a fixed number of
    statements whatever the number (an import writes a chunk at once); then tell the apps above
    (``clients_created``: the scoring gives them their first score) in the same transaction."""
    clients = []
    for data in rows:
        values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
        if not values.get("vat_number") and values.get("siren"):
            values["vat_number"] = derived_vat_number(values["siren"])
        clients.append(Client(firm=firm, **values))
    # A new client's history lists every field it was given, from nothing: what history.diff
    # says of an empty "before", with each field's label looked up once for the whole batch.
    labels = {
        name: change["label"]
        for name, change in history.diff({}, dict.fromkeys(EDITABLE_FIELDS, "-"), Client).items()
    }
    snapshot = history.snapshotter(Client, EDITABLE_FIELDS)
    with transaction.atomic():
        # COPY on PostgreSQL for many rows (an import's batch), bulk_create otherwise.
        insert_objects(clients)
        history.write_entries(
            firm_id=firm.pk,
            actor=by,
            action=action,
            entries=(
                (
                    client.pk,
                    f"Fiche créée : {client.company_name}",
                    {
                        name: {"label": labels[name], "from": "", "to": shown}
                        for name, shown in snapshot(client).items()
                        if shown != ""
                    },
                )
                for client in clients
            ),
        )
        clients_created.send(sender=Client, firm=firm, client_ids=[client.pk for client in clients])
    return clients


def update_client(
    *,
    firm: Firm,
    client: Client,
    data: dict,
    by: User | None,
    action: str = HistoryEntry.Action.UPDATED,
    loaded: Mapping[str, object] | None = None,
    expected_versions: Collection[str] | None = None,
) -> Client:
    """Apply cleaned data: only the fields that differ are written, and recorded in the
    history (nothing if nothing).

    ``loaded`` holds the values the person's form was loaded with
    (``concurrency.client_values``): only the fields they changed from those are written, and
    if someone else changed one of them meanwhile to another value, nothing is written and
    ``EditConflict`` says which, with both values. ``expected_versions`` holds the versions
    the change was made from (``concurrency.client_version``, the API's If-Match): when the
    stored client has another, nothing is written and ``StaleVersion`` is raised.
    """
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    if "vat_number" in values and not values["vat_number"]:
        values["vat_number"] = derived_vat_number(values.get("siren") or client.siren)
    with transaction.atomic():
        # Compare with the stored row: a ModelForm has already written its values on the
        # instance it validated.
        stored = (
            Client.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("assigned_to")
            .get(pk=client.pk)
        )
        if expected_versions is not None and client_version(stored) not in expected_versions:
            raise StaleVersion(client_version(stored))
        write, conflicting = edited_fields(
            loaded=loaded,
            current=client_values(stored),
            yours={name: plain(value) for name, value in values.items()},
        )
        if conflicting:
            raise EditConflict(
                [_conflict(stored, name, values[name]) for name in conflicting],
                changed=[*write, *conflicting],
            )
        before = history.snapshot(stored, write)
        for name in write:
            setattr(stored, name, values[name])
        changes = history.diff(before, history.snapshot(stored, write), Client)
        if write:
            stored.save(update_fields=[*write, "updated_at"])
        if changes:
            history.record(client=stored, actor=by, action=action, changes=changes)
    return stored


def update_clients(
    *,
    firm: Firm,
    changes: Sequence[tuple[Client, dict]],
    by: User | None,
    action: str = HistoryEntry.Action.IMPORTED,
) -> list[Client]:
    """:func:`update_client` for many clients at once (an import's batch), in a fixed number
    of statements: the clients locked and read together, the fields that differ written with
    one UPDATE (COPY on PostgreSQL, ``clients.copy_writes``) and one history entry per client
    that changed, never folded into another. No conflict check: the values are written over
    what is stored, as an import does. A client no longer there is left out."""
    with transaction.atomic():
        stored = {
            client.pk: client
            for client in Client.objects.for_firm(firm)
            .select_for_update(of=("self",))
            .select_related("assigned_to")
            .filter(pk__in=[client.pk for client, _ in changes])
        }
        written, entries = [], []
        for client, data in changes:
            row = stored.get(client.pk)
            if row is None:
                continue
            values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
            if "vat_number" in values and not values["vat_number"]:
                values["vat_number"] = derived_vat_number(values.get("siren") or row.siren)
            write, _conflicting = edited_fields(
                loaded=None,
                current=client_values(row),
                yours={name: plain(value) for name, value in values.items()},
            )
            if not write:
                continue
            before = history.snapshot(row, write)
            for name in write:
                setattr(row, name, values[name])
            written.append(row)
            if changed := history.diff(before, history.snapshot(row, write), Client):
                entries.append(history.entry(client=row, actor=by, action=action, changes=changed))
        update_objects(written, [*EDITABLE_FIELDS, "updated_at"])
        insert_objects(entries)
    return written


def _conflict(stored: Client, name: str, value: object) -> FieldConflict:
    author = history.last_author(stored.firm_id, stored.pk, name)
    return FieldConflict(
        field=name,
        label=str(Client._meta.get_field(name).verbose_name),
        theirs=history.shown(stored, name),
        yours=history.shown(Client(**{name: value}), name),
        by=str(author) if author else "",
    )


def archive_client(*, firm: Firm, client: Client, by: User) -> Client:
    return _set_status(client, Client.Status.ARCHIVED, HistoryEntry.Action.ARCHIVED, by)


def restore_client(*, firm: Firm, client: Client, by: User) -> Client:
    return _set_status(client, Client.Status.ACTIVE, HistoryEntry.Action.RESTORED, by)


def _set_status(client: Client, status: str, action: str, by: User) -> Client:
    if client.status == status:
        return client
    with transaction.atomic():
        before = history.snapshot(client, ["status"])
        client.status = status
        client.save(update_fields=["status", "updated_at"])
        history.record(
            client=client,
            actor=by,
            action=action,
            changes=history.diff(before, history.snapshot(client, ["status"]), Client),
        )
    return client


def reassign_clients(
    *, firm: Firm, clients: Iterable[Client], collaborator: User | None, by: User
) -> int:
    """Give many clients to one collaborator (or to nobody); one history entry per client."""
    label = str(Client._meta.get_field("assigned_to").verbose_name)
    new_name = str(collaborator) if collaborator else ""
    with transaction.atomic():
        moved = [
            client
            for client in clients
            if client.assigned_to_id != (collaborator.pk if collaborator else None)
        ]
        if not moved:
            return 0
        entries = [
            history.entry(
                client=client,
                actor=by,
                action=HistoryEntry.Action.REASSIGNED,
                changes={
                    "assigned_to": {
                        "label": label,
                        "from": history.shown(client, "assigned_to"),
                        "to": new_name,
                    }
                },
            )
            for client in moved
        ]
        Client.objects.for_firm(firm).filter(pk__in=[client.pk for client in moved]).update(
            assigned_to=collaborator, updated_at=timezone.now()
        )
        HistoryEntry.objects.bulk_create(entries, batch_size=1000)
    return len(moved)
