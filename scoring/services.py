"""Scoring clients and editing the grid. Scores are stored per client (ClientScore)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from clients.copy_writes import JsonText, encode_json, upsert_rows
from clients.models import Client
from firms.lookups import among
from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import start_job
from scoring.engine import (
    LEVEL_LABELS,
    LEVELS,
    BreakdownLine,
    Checkpoint,
    Grid,
    ScoringInput,
    breakdown_to_list,
    checkpoints_to_list,
    grid_from_dict,
    grid_to_dict,
    load_default_grid,
    score_client,
)
from scoring.inputs import mandate_statuses, new_client_input, scoring_inputs
from scoring.models import ClientScore, PortfolioFacts, ScoringGrid
from scoring.portfolio_facts import FACT_FIELDS, portfolio_fact_values

logger = logging.getLogger(__name__)

BATCH = 1000
# Distinct breakdowns (about 1 kB of JSON each) kept encoded during a rescoring; forgotten all
# at once past this many.
KEPT_ENCODINGS = 20_000
PREVIEW_CHANGES = 50  # clients the grid preview names; the others are counted
SCORE_FIELDS = [
    "total",
    "level",
    "compliance",
    "breakdown",
    "checkpoints",
    "grid_version",
    "computed_at",
]
PORTFOLIO_FACTS_FIELDS = ["level", "total", "compliance", *FACT_FIELDS]
UNIQUE = ["firm_id", "client_id"]
SCORE_COLUMNS = [*UNIQUE, *SCORE_FIELDS]
FACTS_COLUMNS = [*UNIQUE, *PORTFOLIO_FACTS_FIELDS]


def current_grid(firm: Firm | int) -> tuple[int, Grid]:
    """The grid in force and its version; version 0 is the default grid, never edited."""
    latest = ScoringGrid.objects.for_firm(firm).order_by("-version").first()
    if latest is None:
        return 0, load_default_grid()
    return latest.version, grid_from_dict(latest.data)


def score_clients(
    *,
    firm: Firm | int,
    client_ids: Sequence[int],
    grid: Grid | None = None,
    grid_version: int | None = None,
    returning: bool = True,
) -> list[ClientScore]:
    """Score the given clients with the grid in force (or the one given) and store the scores.

    The queries do not grow client by client: read the inputs (four queries), then upsert the
    scores and their facts (PortfolioFacts) in batches. Call it inside the firm scope, in the
    transaction that changed the inputs. ``returning=False`` returns no ClientScore objects
    (the full rescoring does not read them).
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    if grid is None:
        grid_version, grid = current_grid(firm_id)
    scored = _score_rows(
        firm_id, client_ids, grid=grid, grid_version=grid_version, returning=returning
    )
    _write_rows(scored)
    return scored.scores


@dataclass
class ScoredBatch:
    """Scores computed, not yet written: the rows of ClientScore and of PortfolioFacts."""

    scores: list[ClientScore]
    score_rows: list[tuple]
    fact_rows: list[tuple]


class _Kept(dict):
    """Values made once by key, forgotten all at once past KEPT_ENCODINGS."""

    def get_or_make(self, key, make):
        value = self.get(key)
        if value is None:
            if len(self) >= KEPT_ENCODINGS:
                self.clear()
            value = self[key] = make(key)
        return value


class EncodedResults:
    """The JSON text of each distinct breakdown and list of checkpoints, encoded once: many
    clients share theirs (at 10,000 demo clients, 5,214 distinct breakdowns and 129 distinct
    checkpoint lists), and a new breakdown is made of lines met before."""

    def __init__(self) -> None:
        self.breakdowns: _Kept = _Kept()  # tuple[BreakdownLine, ...] -> JsonText
        self.lines: _Kept = _Kept()  # BreakdownLine -> its JSON text
        self.checkpoints: _Kept = _Kept()  # tuple[Checkpoint, ...] -> JsonText

    def breakdown(self, lines: tuple[BreakdownLine, ...]) -> JsonText:
        # The encoder's own list: its items joined by ", " between brackets.
        return self.breakdowns.get_or_make(
            lines, lambda lines: JsonText("[" + ", ".join(map(self._line, lines)) + "]")
        )

    def _line(self, line: BreakdownLine) -> str:
        return self.lines.get_or_make(
            line, lambda line: encode_json(breakdown_to_list((line,)))[1:-1]
        )

    def checkpoint_list(self, checkpoints: tuple[Checkpoint, ...]) -> JsonText:
        return self.checkpoints.get_or_make(
            checkpoints, lambda checkpoints: JsonText(encode_json(checkpoints_to_list(checkpoints)))
        )


def _score_rows(
    firm_id: int,
    client_ids: Sequence[int],
    *,
    grid: Grid,
    grid_version: int | None,
    returning: bool,
    encoded: EncodedResults | None = None,
) -> ScoredBatch:
    """``encoded``: the encodings kept from the previous batches of a rescoring."""
    now = timezone.now()
    mandates = mandate_statuses(firm_id, client_ids)
    inputs = scoring_inputs(firm_id, client_ids, today=timezone.localdate(now), mandates=mandates)
    return _scored(
        firm_id,
        inputs,
        mandates,
        grid=grid,
        grid_version=grid_version,
        now=now,
        returning=returning,
        encoded=encoded or EncodedResults(),
    )


def _scored(
    firm_id: int,
    inputs: Mapping[int, ScoringInput],
    mandates: Mapping[int, str],
    *,
    grid: Grid,
    grid_version: int | None,
    now: datetime,
    returning: bool,
    encoded: EncodedResults,
) -> ScoredBatch:
    """The scores of the clients' inputs (``mandates``: their mandate_statuses). Consecutive
    clients given the same input object (new clients) and mandate status share one result."""
    scored = ScoredBatch(scores=[], score_rows=[], fact_rows=[])
    score_rows, fact_rows = scored.score_rows, scored.fact_rows
    last: tuple[ScoringInput, str] | None = None
    for client_id, data in inputs.items():
        status = mandates.get(client_id, "")
        if last is None or data is not last[0] or status != last[1]:
            last = (data, status)
            result = score_client(data, grid)
            total, level, compliance = result.total, result.level, result.compliance
            breakdown = encoded.breakdown(result.breakdown)
            checkpoints = encoded.checkpoint_list(result.checkpoints)
            facts = portfolio_fact_values(data, mandate_status=status)
        if returning:
            scored.scores.append(
                ClientScore(
                    firm_id=firm_id,
                    client_id=client_id,
                    total=total,
                    level=level,
                    compliance=compliance,
                    breakdown=breakdown_to_list(result.breakdown),
                    checkpoints=checkpoints_to_list(result.checkpoints),
                    grid_version=grid_version,
                    computed_at=now,
                )
            )
        score_rows.append(
            (
                firm_id,
                client_id,
                total,
                level,
                compliance,
                breakdown,
                checkpoints,
                grid_version,
                now,
            )
        )
        fact_rows.append((firm_id, client_id, level, total, compliance, *facts))
    return scored


def _write_rows(scored: ScoredBatch) -> None:
    # COPY on PostgreSQL, bulk_create elsewhere (clients.copy_writes).
    upsert_rows(
        ClientScore,
        SCORE_COLUMNS,
        scored.score_rows,
        unique=UNIQUE,
        update=SCORE_FIELDS,
        batch_size=BATCH,
    )
    upsert_rows(
        PortfolioFacts,
        FACTS_COLUMNS,
        scored.fact_rows,
        unique=UNIQUE,
        update=PORTFOLIO_FACTS_FIELDS,
        batch_size=BATCH,
        skip_unchanged=True,  # the facts carry no time: an unchanged row is not written again
    )


def rescore_changed_clients(sender, *, firm: Firm | int, client_ids: Sequence[int], **kwargs):
    """Receiver of the lower apps' signals (obligations, equipment or mandates changed): score
    those clients again, inside the transaction that changed them (nobody reads the scores
    back from a signal: none are made as objects)."""
    score_clients(firm=firm, client_ids=client_ids, returning=False)


def score_new_clients(sender, *, firm: Firm | int, client_ids: Sequence[int], **kwargs):
    """Receiver of ``clients_created``: the first score of clients just created, in the
    transaction that created them. Nothing is recorded for them yet (no obligations, no
    cartography, no mandate), so they all get the same score, computed once, without reading
    their inputs: the score ``score_clients`` would store."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    grid_version, grid = current_grid(firm_id)
    now = timezone.now()
    blank = new_client_input(timezone.localdate(now))
    _write_rows(
        _scored(
            firm_id,
            dict.fromkeys(client_ids, blank),
            {},
            grid=grid,
            grid_version=grid_version,
            now=now,
            returning=False,
            encoded=EncodedResults(),
        )
    )


@dataclass(frozen=True)
class LevelChange:
    """A client whose urgency level an edited grid would change."""

    client_id: int
    name: str
    before: str | None  # the stored level; None while the client has no score
    after: str

    @property
    def before_label(self) -> str:
        return LEVEL_LABELS[self.before] if self.before else "Sans score"

    @property
    def after_label(self) -> str:
        return LEVEL_LABELS[self.after]


@dataclass(frozen=True)
class GridPreview:
    spread: dict[str, int]  # active clients per urgency level with the edited grid
    changes: tuple[LevelChange, ...]  # the first PREVIEW_CHANGES, by client name
    changed: int  # how many clients change level in all

    @property
    def total(self) -> int:
        return sum(self.spread.values())

    @property
    def more(self) -> int:
        """Clients that change level but are not listed."""
        return self.changed - len(self.changes)


def preview_grid(*, firm: Firm, grid: Grid) -> GridPreview:
    """What an edited grid would do to the firm's active clients, nothing saved: how they would
    spread over the urgency levels, and which change level from their stored score.

    The queries do not grow with the clients: the clients, then a few per batch of a thousand.
    """
    clients = list(
        Client.objects.for_firm(firm)
        .filter(status=Client.Status.ACTIVE)
        .order_by("company_name", "id")
        .values_list("id", "company_name")
    )
    spread = dict.fromkeys(LEVELS, 0)
    changes: list[LevelChange] = []
    changed = 0
    today = timezone.localdate()
    for start in range(0, len(clients), BATCH):
        names = dict(clients[start : start + BATCH])
        stored = dict(
            ClientScore.objects.for_firm(firm)
            .filter(among("client_id", names))
            .values_list("client_id", "level")
        )
        for client_id, data in scoring_inputs(firm.pk, names, today=today).items():
            level = score_client(data, grid).level
            spread[level] += 1
            before = stored.get(client_id)
            if before == level:
                continue
            changed += 1
            if len(changes) < PREVIEW_CHANGES:
                changes.append(LevelChange(client_id, names[client_id], before, level))
    return GridPreview(spread=spread, changes=tuple(changes), changed=changed)


def save_grid(*, firm: Firm, data: dict, by: User) -> tuple[ScoringGrid, Job]:
    """Validate and store an edited grid as a new version, then rescore the whole portfolio in
    the background. Raises scoring.engine.InvalidGrid naming the criterion at fault."""
    grid = grid_from_dict(data)
    with transaction.atomic():
        latest = ScoringGrid.objects.for_firm(firm).aggregate(latest=Max("version"))["latest"] or 0
        saved = ScoringGrid.objects.create(
            firm=firm, version=latest + 1, data=grid_to_dict(grid), created_by=by
        )
        job = start_job(
            firm=firm,
            kind="rescore_portfolio",
            requested_by=by,
            params={"grid_version": saved.version},
        )
    return saved, job


def rescore_portfolio(*, firm_id: int, progress=None) -> int:
    """Rescore every client of the firm in batches, each batch written in its own transaction.

    On PostgreSQL, outside a caller's transaction, a batch is written on a second connection
    while the next one is computed: the database's work and Python's overlap (two cores)."""
    with firm_scope(firm_id):
        grid_version, grid = current_grid(firm_id)
        ids = list(Client.objects.for_firm(firm_id).order_by("id").values_list("id", flat=True))
    if progress:
        progress.set_total(len(ids))
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    encoded = EncodedResults()

    def score(batch: list[int]) -> ScoredBatch:
        """One batch's rows, the encodings kept from the batches before; call it inside the
        firm's scope."""
        return _score_rows(
            firm_id, batch, grid=grid, grid_version=grid_version, returning=False, encoded=encoded
        )

    with _without_cycle_collection():
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            _rescore_overlapping(firm_id, batches, score=score, progress=progress)
            return len(ids)
        for batch in batches:
            with firm_scope(firm_id), transaction.atomic():
                _write_rows(score(batch))
            if progress:
                progress.advance(len(batch))
    return len(ids)


@contextmanager
def _without_cycle_collection():
    """The cyclic garbage collector off (as it was after): a rescoring makes next to no
    reference cycles (what a batch made is freed by reference counting when the next one
    starts), but its many short-lived objects set off the collector's passes, each full pass
    walking every object of the process: about a fifth of the rescoring's CPU time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rescore_overlapping(
    firm_id: int,
    batches: list[list[int]],
    *,
    score: Callable[[list[int]], ScoredBatch],
    progress,
) -> None:
    """Compute batch n+1 here (``score``) while a writer thread (its own connection) writes
    batch n. A batch counts as done once written; a failed write stops the rescoring with its
    error."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore-writer") as writer:
        pending: tuple[Future, int] | None = None
        try:
            for batch in batches:
                with firm_scope(firm_id):
                    scored = score(batch)
                if pending:
                    done, pending = pending, None
                    _written(*done, progress)
                pending = (writer.submit(_write_batch, firm_id, scored), len(batch))
            if pending:
                done, pending = pending, None
                _written(*done, progress)
        finally:
            writer.submit(connections.close_all).result()
            # An error raised here (computing a batch, or the job cancelled) hides the one of the
            # batch being written, if any: it is logged.
            if pending and pending[0].exception():
                logger.error("a batch of the rescoring failed", exc_info=pending[0].exception())


def _write_batch(firm_id: int, scored: ScoredBatch) -> None:
    with firm_scope(firm_id), transaction.atomic():
        _write_rows(scored)


def _written(future: Future, size: int, progress) -> None:
    future.result()
    if progress:
        progress.advance(size)
