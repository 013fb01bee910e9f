"""Writing an import: the rows are planned again and written through :mod:`clients.services`, a
chunk at a time.

Planning again right before writing makes the import idempotent: a chunk redone after a crash
finds its clients already there and updates nothing (upsert by SIREN), and a client created by
someone else since the dry run is updated instead of duplicated.

Writes are short transactions: a chunk is planned first, reading only, then its rows are written
in batches sized from the time the previous batch took, so that each transaction lasts about
``WRITE_SECONDS``. On SQLite a transaction holds the database's single write lock, and any other
writer (a collaborator saving a client sheet) waits for it: no longer than one batch, since the
import pauses between batches to let it in. On PostgreSQL the import's transactions lock only
the rows they create or update, so other writers do not wait for them; a batch may last
``POSTGRES_WRITE_SECONDS`` there (still at most a chunk) and starts at a few hundred rows,
which spares the scoring's and the writes' fixed cost per batch (a few statements, temporary
tables, the commit).

Planning outside the write is safe: :func:`clients.services.update_client` compares with the
stored row under lock, and a SIREN taken meanwhile turns its row into a rejected one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from django.db import IntegrityError, connection, transaction

from clients import services
from clients.importing.planning import (
    CHUNK_SIZE,
    CREATE,
    UPDATE,
    ImportPlan,
    Planner,
    RowPlan,
    batched,
)
from clients.importing.reading import Table
from clients.models import HistoryEntry
from firms.models import Firm, User
from firms.tenancy import firm_scope

IMPORTED = HistoryEntry.Action.IMPORTED
# How long one write transaction should last, and the size of the first batch, before the time
# per row is known (on PostgreSQL, a few hundred rows take a fraction of a second).
WRITE_SECONDS = 0.3
POSTGRES_WRITE_SECONDS = 1.0
FIRST_WRITE_BATCH = 20
POSTGRES_FIRST_WRITE_BATCH = 500
# SQLite's busy handler makes a waiting writer retry every 100 ms at most: without a pause at
# least that long between two batches, the import would take the lock back before it retries.
SQLITE_PAUSE_SECONDS = 0.1


def import_rows(
    *,
    firm: Firm,
    table: Table,
    mapping: Mapping[int, str],
    by: User | None,
    dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Plan every row and, unless ``dry_run``, write the valid ones. Enters the firm's scope
    itself, for each chunk's planning and each batch's writing, so progress reported between
    chunks is committed work."""
    with firm_scope(firm):
        planner = Planner(firm=firm, table=table, mapping=mapping)
    writer = BatchWriter(firm=firm, by=by, siren_column=planner.header_of("siren"))
    rows: list[RowPlan] = []
    for chunk in batched(table.rows, CHUNK_SIZE):
        with firm_scope(firm):
            planned = planner.plan(chunk)
        if not dry_run:
            writer.write(planned)
        rows += planned
        if on_progress:
            on_progress(len(chunk))
    return ImportPlan(rows)


class BatchWriter:
    """Writes planned rows in transactions of about ``WRITE_SECONDS`` each."""

    def __init__(self, *, firm: Firm, by: User | None, siren_column: str) -> None:
        self.firm, self.by, self.siren_column = firm, by, siren_column
        self.batch_size = (
            POSTGRES_FIRST_WRITE_BATCH if connection.vendor == "postgresql" else FIRST_WRITE_BATCH
        )

    def write(self, rows: Iterable[RowPlan]) -> None:
        pending = [row for row in rows if row.action in (CREATE, UPDATE)]
        while pending:
            batch, pending = pending[: self.batch_size], pending[self.batch_size :]
            started = time.monotonic()
            # One transaction per batch on every database (firm_scope opens none on SQLite).
            with firm_scope(self.firm), transaction.atomic():
                apply_rows(batch, firm=self.firm, by=self.by, siren_column=self.siren_column)
            self.batch_size = next_batch_size(
                len(batch), time.monotonic() - started, target=write_seconds()
            )
            if pending and connection.vendor == "sqlite":
                time.sleep(SQLITE_PAUSE_SECONDS)


def write_seconds() -> float:
    """How long one write transaction should last on this database."""
    return POSTGRES_WRITE_SECONDS if connection.vendor == "postgresql" else WRITE_SECONDS


def next_batch_size(rows: int, seconds: float, *, target: float = WRITE_SECONDS) -> int:
    """The batch that should take ``target`` seconds at the pace of the last one: at least one
    row, at most twice the last batch (one quick batch proves little) and ``CHUNK_SIZE``."""
    if seconds <= 0:
        return min(2 * rows, CHUNK_SIZE)
    return max(1, min(int(rows * target / seconds), 2 * rows, CHUNK_SIZE))


def apply_rows(rows: Iterable[RowPlan], *, firm: Firm, by: User | None, siren_column: str) -> None:
    """Write planned rows; call inside the firm's scope. New clients are created together; if
    one of them can no longer be written (its SIREN was taken between planning and writing),
    they are created one by one and that row is turned into a rejected one."""
    rows = list(rows)
    creations = [row for row in rows if row.action == CREATE]
    if creations:
        try:
            with transaction.atomic():
                services.create_clients(
                    firm=firm, rows=[row.data for row in creations], by=by, action=IMPORTED
                )
        except IntegrityError:
            _create_one_by_one(creations, firm=firm, by=by, siren_column=siren_column)
    updates = [(row.client, row.data) for row in rows if row.action == UPDATE]
    if updates:
        services.update_clients(firm=firm, changes=updates, by=by, action=IMPORTED)


def _create_one_by_one(
    rows: list[RowPlan], *, firm: Firm, by: User | None, siren_column: str
) -> None:
    for row in rows:
        try:  # create_client's own atomic block is the savepoint rolled back on failure
            services.create_client(firm=firm, data=row.data, by=by, action=IMPORTED)
        except IntegrityError:
            row.reject(siren_column, "Un client du cabinet a déjà ce SIREN.")
