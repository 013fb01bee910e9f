"""Writing an import in short transactions, so that other writers never wait long for it; and the
embedded SQLite database in WAL mode, where readers and a writer do not block each other."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from clients.importing import applying
from clients.importing.applying import import_rows, next_batch_size
from clients.importing.mapping import guess_mapping
from clients.importing.planning import CHUNK_SIZE
from clients.importing.reading import read_table
from clients.models import Client
from firms.tenancy import firm_scope
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent


def portfolio(rows: int, *, city: str = "Lyon"):
    lines = ["Raison sociale;SIREN;Ville"]
    lines += [f"Société {n};{factories.valid_siren(400_000 + n)};{city}" for n in range(rows)]
    return read_table("\n".join(lines).encode(), "portefeuille.csv")


def committed_clients(firm) -> int:
    """The firm's clients as another connection sees them: committed ones only."""
    seen: list[int] = []

    def count() -> None:
        try:
            with firm_scope(firm):
                seen.append(Client.objects.for_firm(firm).count())
        finally:
            connection.close()

    thread = threading.Thread(target=count)
    thread.start()
    thread.join()
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_each_write_batch_is_committed_before_the_next_begins(firm_a, monkeypatch):
    monkeypatch.setattr(applying, "FIRST_WRITE_BATCH", 2)
    monkeypatch.setattr(applying, "POSTGRES_FIRST_WRITE_BATCH", 2)
    monkeypatch.setattr(applying, "next_batch_size", lambda rows, seconds, **kwargs: 2)
    visible_before_each_batch: list[int] = []
    apply_rows = applying.apply_rows

    def watched(rows, **kwargs):
        visible_before_each_batch.append(committed_clients(firm_a.firm))
        apply_rows(rows, **kwargs)

    monkeypatch.setattr(applying, "apply_rows", watched)
    table = portfolio(7)
    plan = import_rows(firm=firm_a.firm, table=table, mapping=guess_mapping(table.headers), by=None)
    assert plan.counts()["create"] == 7
    assert visible_before_each_batch == [0, 2, 4, 6]
    assert committed_clients(firm_a.firm) == 7


@pytest.mark.django_db(transaction=True)
def test_updates_are_written_in_batches_too_and_a_dry_run_writes_nothing(firm_a, monkeypatch):
    table = portfolio(5)
    mapping = guess_mapping(table.headers)
    import_rows(firm=firm_a.firm, table=table, mapping=mapping, by=None)
    batches: list[int] = []
    apply_rows = applying.apply_rows
    monkeypatch.setattr(
        applying,
        "apply_rows",
        lambda rows, **kw: (batches.append(len(rows)), apply_rows(rows, **kw)),
    )
    monkeypatch.setattr(applying, "FIRST_WRITE_BATCH", 3)
    monkeypatch.setattr(applying, "POSTGRES_FIRST_WRITE_BATCH", 3)
    moved = portfolio(5, city="Villeurbanne")
    import_rows(firm=firm_a.firm, table=moved, mapping=mapping, by=None, dry_run=True)
    assert batches == []
    plan = import_rows(firm=firm_a.firm, table=moved, mapping=mapping, by=None)
    assert plan.counts()["update"] == 5
    assert batches[0] == 3 and sum(batches) == 5
    with firm_scope(firm_a.firm):
        assert set(Client.objects.for_firm(firm_a.firm).values_list("city", flat=True)) == {
            "Villeurbanne"
        }


@pytest.mark.parametrize(
    ("rows", "seconds", "expected"),
    [
        (20, 0.1, 40),  # quick: at most twice the last batch
        (40, 0.3, 40),  # on target
        (100, 1.2, 25),  # slow updates: smaller batches
        (10, 9.0, 1),  # very slow: one row at a time, never none
        (1500, 0.01, CHUNK_SIZE),  # never more than a chunk
        (20, 0.0, 40),  # a clock that did not move
    ],
)
def test_the_next_batch_is_sized_to_last_about_the_target_time(rows, seconds, expected):
    assert applying.WRITE_SECONDS == 0.3
    assert next_batch_size(rows, seconds) == expected


def test_sqlite_connections_use_wal_and_wait_for_the_write_lock(tmp_path):
    """The embedded default's settings, in a process of their own."""
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    for pragma in ('journal_mode', 'busy_timeout', 'synchronous'):\n"
        "        cursor.execute(f'PRAGMA {pragma}')\n"
        "        print(cursor.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pilote.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # WAL: readers never block the writer nor wait for it; a writer waits up to 30 s for the
    # lock instead of failing; IMMEDIATE: a transaction takes the lock when it begins.
    assert result.stdout.split() == ["wal", "30000", "1", "IMMEDIATE"]
