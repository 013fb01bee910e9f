"""Writing an import: the rows are planned again and written through :mod:`clients.services`, a
chunk at a time, each chunk in one transaction of the firm's scope.

Planning again right before writing makes the import idempotent: a chunk redone after a crash
finds its clients already there and updates nothing (upsert by SIREN), and a client created by
someone else since the dry run is updated instead of duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.db import IntegrityError, transaction

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
    itself, once per chunk, so progress reported between chunks is committed work."""
    with firm_scope(firm):
        planner = Planner(firm=firm, table=table, mapping=mapping)
    rows: list[RowPlan] = []
    for chunk in batched(table.rows, CHUNK_SIZE):
        # One transaction per chunk on every database (firm_scope opens none on SQLite).
        with firm_scope(firm), transaction.atomic():
            planned = planner.plan(chunk)
            if not dry_run:
                apply_rows(planned, firm=firm, by=by, siren_column=planner.header_of("siren"))
        rows += planned
        if on_progress:
            on_progress(len(chunk))
    return ImportPlan(rows)


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
    for row in rows:
        if row.action == UPDATE:
            services.update_client(
                firm=firm, client=row.client, data=row.data, by=by, action=IMPORTED
            )


def _create_one_by_one(
    rows: list[RowPlan], *, firm: Firm, by: User | None, siren_column: str
) -> None:
    for row in rows:
        try:  # create_client's own atomic block is the savepoint rolled back on failure
            services.create_client(firm=firm, data=row.data, by=by, action=IMPORTED)
        except IntegrityError:
            row.reject(siren_column, "Un client du cabinet a déjà ce SIREN.")
