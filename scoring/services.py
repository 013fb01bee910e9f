"""Scoring clients and editing the grid. Scores are stored per client (ClientScore)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clients.models import Client
from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import start_job
from scoring.engine import (
    Grid,
    grid_from_dict,
    grid_to_dict,
    load_default_grid,
    result_to_dict,
    score_client,
)
from scoring.inputs import scoring_inputs
from scoring.models import ClientScore, PortfolioFacts, ScoringGrid
from scoring.portfolio_facts import FACT_FIELDS, portfolio_facts

BATCH = 1000
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
) -> list[ClientScore]:
    """Score the given clients with the grid in force (or the one given) and store the scores.

    The queries do not grow client by client: read the inputs (four queries), then upsert the
    scores and their facts (PortfolioFacts) in batches. Call it inside the firm scope, in the
    transaction that changed the inputs.
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    if grid is None:
        grid_version, grid = current_grid(firm_id)
    now = timezone.now()
    inputs = scoring_inputs(firm_id, client_ids, today=timezone.localdate(now))
    scores, facts = [], []
    for client_id, data in inputs.items():
        result = result_to_dict(score_client(data, grid))
        figures = {
            "firm_id": firm_id,
            "client_id": client_id,
            "total": result["total"],
            "level": result["level"],
            "compliance": result["compliance"],
        }
        scores.append(
            ClientScore(
                **figures,
                breakdown=result["breakdown"],
                checkpoints=result["checkpoints"],
                grid_version=grid_version,
                computed_at=now,
            )
        )
        facts.append(PortfolioFacts(**figures, **portfolio_facts(data)))
    ClientScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["firm", "client"],
        update_fields=SCORE_FIELDS,
        batch_size=BATCH,
    )
    PortfolioFacts.objects.bulk_create(
        facts,
        update_conflicts=True,
        unique_fields=["firm", "client"],
        update_fields=PORTFOLIO_FACTS_FIELDS,
        batch_size=BATCH,
    )
    return scores


def rescore_changed_clients(sender, *, firm: Firm | int, client_ids: Sequence[int], **kwargs):
    """Receiver of the lower apps' signals (clients created, obligations or equipment changed):
    score those clients again, inside the transaction that changed them."""
    score_clients(firm=firm, client_ids=client_ids)


def preview_spread(*, firm: Firm, grid: Grid, client_ids: Iterable[int]) -> dict[str, int]:
    """How the clients would spread over the urgency levels with an edited grid (nothing saved)."""
    counts = {"low": 0, "medium": 0, "high": 0}
    ids = list(client_ids)
    for start in range(0, len(ids), BATCH):
        inputs = scoring_inputs(firm.pk, ids[start : start + BATCH], today=timezone.localdate())
        for data in inputs.values():
            counts[score_client(data, grid).level] += 1
    return counts


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
    """Rescore every client of the firm in batches, each batch in its own transaction."""
    with firm_scope(firm_id):
        grid_version, grid = current_grid(firm_id)
        ids = list(Client.objects.for_firm(firm_id).order_by("id").values_list("id", flat=True))
    if progress:
        progress.set_total(len(ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with firm_scope(firm_id), transaction.atomic():
            score_clients(firm=firm_id, client_ids=batch, grid=grid, grid_version=grid_version)
        if progress:
            progress.advance(len(batch))
    return len(ids)
