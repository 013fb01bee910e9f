"""Clients created many at once (an import's batch): COPY on PostgreSQL, bulk_create
elsewhere; the same clients, keys and history entries either way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import copy_writes, history, services
from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories

ROWS = copy_writes.COPY_FROM_ROWS + 5


def _rows(offset: int) -> list[dict]:
    return [
        {
            "company_name": f"Société « {n} »\t\\ n°{n}",
            "siren": factories.valid_siren(70_000_000 + offset + n),
            "billing_emails": [f"compta{n}@example.test"],
            "tags": ["import", "PME"],
            "city": "Lyon",
        }
        for n in range(ROWS)
    ]


def _created(firm, clients) -> list[tuple]:
    with firm_scope(firm):
        stored = {
            row["id"]: row
            for row in Client.objects.for_firm(firm)
            .filter(pk__in=[client.pk for client in clients])
            .values("id", "company_name", "siren", "vat_number", "billing_emails", "tags")
        }
        entries = dict(
            HistoryEntry.objects.for_firm(firm)
            .filter(client_id__in=stored)
            .values_list("client_id", "summary")
        )
    return [
        (
            stored[client.pk]["company_name"],
            stored[client.pk]["vat_number"],
            stored[client.pk]["billing_emails"],
            stored[client.pk]["tags"],
            entries[client.pk],
        )
        for client in clients
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_copy_and_bulk_create_create_the_same_clients(firm_a, monkeypatch):
    firm = firm_a.firm
    with firm_scope(firm), CaptureQueriesContext(connection) as copied:
        by_copy = services.create_clients(firm=firm, rows=_rows(0), by=firm_a.admin.user)
    assert any("incoming_clients_client" in query["sql"] for query in copied)
    assert all(client.pk and not client._state.adding for client in by_copy)
    monkeypatch.setattr(copy_writes, "uses_copy", lambda rows: False)  # SQLite's path
    with firm_scope(firm), CaptureQueriesContext(connection) as bulk:
        by_bulk = services.create_clients(firm=firm, rows=_rows(ROWS), by=firm_a.admin.user)
    assert not any("incoming_" in query["sql"] for query in bulk)
    copied_rows, bulk_rows = _created(firm, by_copy), _created(firm, by_bulk)
    assert [row[0] for row in copied_rows] == [row[0] for row in bulk_rows]
    assert [row[2:] for row in copied_rows] == [row[2:] for row in bulk_rows]
    assert copied_rows[0][1].startswith("FR") and copied_rows[0][4].startswith("Fiche créée")
    # Clients made one by one afterwards get keys of their own.
    later = factories.make_client(firm)
    assert later.pk > max(client.pk for client in [*by_copy, *by_bulk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_copy_and_bulk_update_write_the_same_changes_and_history(firm_a, monkeypatch):
    firm = firm_a.firm
    with firm_scope(firm):
        first = services.create_clients(firm=firm, rows=_rows(0), by=None)
        second = services.create_clients(firm=firm, rows=_rows(ROWS), by=None)

    def update(clients) -> list[Client]:
        changes = [
            (client, {"city": f"Lyon {n}\tCedex", "tags": ["mis à jour"], "siren": client.siren})
            for n, client in enumerate(clients)
        ]
        with firm_scope(firm):
            return services.update_clients(firm=firm, changes=changes, by=firm_a.admin.user)

    with CaptureQueriesContext(connection) as copied:
        assert len(update(first)) == ROWS
    assert any(query["sql"].startswith("UPDATE") and "incoming" in query["sql"] for query in copied)
    monkeypatch.setattr(copy_writes, "uses_copy", lambda rows: False)  # SQLite's path
    assert len(update(second)) == ROWS

    def state(clients) -> list[tuple]:
        with firm_scope(firm):
            rows = {
                row[0]: row[1:]
                for row in Client.objects.for_firm(firm)
                .filter(pk__in=[client.pk for client in clients])
                .values_list("id", "city", "tags", "company_name")
            }
            changes = dict(
                HistoryEntry.objects.for_firm(firm)
                .filter(client_id__in=rows, action=HistoryEntry.Action.IMPORTED)
                .exclude(summary__startswith="Fiche créée")
                .values_list("client_id", "changes")
            )
        return [(rows[client.pk], changes[client.pk]) for client in clients]

    assert state(first) == state(second)
    assert state(first)[1][0][0] == "Lyon 1\tCedex"
    assert set(state(first)[1][1]) == {"city", "tags"}
    with firm_scope(firm):  # nothing changes: nothing written, no entry
        assert (
            services.update_clients(
                firm=firm, changes=[(first[0], {"city": "Lyon 0\tCedex"})], by=None
            )
            == []
        )


def test_a_created_clients_history_lists_every_field_given_from_nothing(firm_a):
    """Each field given, with its label and its value as shown (choices, collaborator, lists),
    as history.diff says it of an empty "before"."""
    from clients import history

    member = firm_a.collaborator.user
    rows = [
        {
            **row,
            "signer_civility": Client.Civility.MRS,
            "invoice_delivery": Client.Delivery.PAPER,
            "assigned_to": member,
            "fiscal_year_end": "30/06",
        }
        for row in _rows(200)
    ]
    with firm_scope(firm_a.firm):
        created = services.create_clients(firm=firm_a.firm, rows=rows, by=firm_a.admin.user)
        entries = {
            entry.client_id: entry.changes
            for entry in HistoryEntry.objects.for_firm(firm_a.firm).filter(
                client_id__in=[client.pk for client in created]
            )
        }
    for client in created:
        expected = history.diff({}, history.snapshot(client, services.EDITABLE_FIELDS), Client)
        assert entries[client.pk] == expected
    first = entries[created[0].pk]
    assert first["invoice_delivery"] == {"label": "envoi des factures", "from": "", "to": "Papier"}
    assert first["assigned_to"]["to"] == str(member)
    assert first["tags"]["to"] == "import, PME"
    assert "siret" not in first  # not given


@pytest.mark.parametrize("by_copy", [True, False])
def test_insert_rows_stores_the_values_given_and_lets_the_database_draw_the_keys(
    firm_a, monkeypatch, by_copy
):
    if by_copy and connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    if not by_copy:
        monkeypatch.setattr(copy_writes, "uses_copy", lambda rows: False)  # SQLite's path
    firm = firm_a.firm
    client = factories.make_client(firm)
    now = timezone.now()

    def changes(n: int) -> dict:
        return {"n": n, "to": "« é »\t\\ n°"}

    rows = [
        (
            firm.pk,
            client.pk,
            firm_a.admin.user.pk if n % 3 else None,
            HistoryEntry.Action.IMPORTED,
            "client",
            f"Entrée {n}",
            # A value already encoded (shared by many rows) or a Python one.
            copy_writes.JsonText(copy_writes.encode_json(changes(n))) if n % 2 else changes(n),
            now,
        )
        for n in range(ROWS)
    ]
    with firm_scope(firm), CaptureQueriesContext(connection) as queries:
        copy_writes.insert_rows(HistoryEntry, history.ENTRY_COLUMNS, rows)
        stored = list(
            HistoryEntry.objects.for_firm(firm)
            .filter(client=client)
            .order_by("id")
            .values_list("actor_id", "summary", "changes", "created_at")
        )
    assert any("incoming_clients_historyentry" in query["sql"] for query in queries) == by_copy
    assert [row[:3] for row in stored] == [
        (firm_a.admin.user.pk if n % 3 else None, f"Entrée {n}", changes(n)) for n in range(ROWS)
    ]
    # The time given; bulk_create gives an auto_now_add field the time of its own write.
    assert all(abs(row[3] - now) < timedelta(seconds=5) for row in stored)
    with firm_scope(firm):
        later = HistoryEntry.objects.create(firm=firm, client=client, action="updated")
        assert later.pk > max(
            HistoryEntry.objects.for_firm(firm).exclude(pk=later.pk).values_list("pk", flat=True)
        )
