"""The scoring engine: pure functions over plain data (no ORM, no clock, no I/O).

- ``criteria``: the catalogue of criteria, answers and French labels (the grid editor's rows);
- ``grid``: ``Grid``, its JSON form (``grid_from_dict`` / ``grid_to_dict``) and ``level_for``;
- ``inputs``: ``ScoringInput`` and ``SoftwareItem``, what the caller gathers for one client;
- ``facts``: what the criteria read about one client, worked out once per score;
- ``score``: ``score_client`` and its ``ScoreResult``, one rule per criterion;
- ``compliance``: the compliance checkpoints and percentage.
"""

from scoring.engine.compliance import CHECKPOINT_LABELS, Checkpoint
from scoring.engine.criteria import (
    CRITERIA,
    CRITERIA_BY_CODE,
    NO_PLATFORM,
    PLATFORM_STATUSES,
    SOFTWARE_CATEGORIES,
    UNANSWERED,
    Answer,
    CriterionKind,
    CriterionSpec,
    Section,
)
from scoring.engine.grid import (
    LEVEL_LABELS,
    LEVELS,
    Band,
    FixedPoints,
    Grid,
    InvalidGrid,
    Level,
    PointsByAnswer,
    PointsByBand,
    PointsByDeadline,
    PointsPerItem,
    band_descriptions,
    grid_from_dict,
    grid_to_dict,
    level_for,
    load_default_grid,
)
from scoring.engine.inputs import ScoringInput, SoftwareItem
from scoring.engine.score import (
    BreakdownLine,
    ScoreResult,
    breakdown_to_list,
    checkpoints_to_list,
    result_to_dict,
    score_client,
    spread,
)

__all__ = [
    "CHECKPOINT_LABELS",
    "CRITERIA",
    "CRITERIA_BY_CODE",
    "LEVELS",
    "LEVEL_LABELS",
    "NO_PLATFORM",
    "PLATFORM_STATUSES",
    "SOFTWARE_CATEGORIES",
    "UNANSWERED",
    "Answer",
    "Band",
    "BreakdownLine",
    "Checkpoint",
    "CriterionKind",
    "CriterionSpec",
    "FixedPoints",
    "Grid",
    "InvalidGrid",
    "Level",
    "PointsByAnswer",
    "PointsByBand",
    "PointsByDeadline",
    "PointsPerItem",
    "ScoreResult",
    "ScoringInput",
    "Section",
    "SoftwareItem",
    "band_descriptions",
    "breakdown_to_list",
    "checkpoints_to_list",
    "grid_from_dict",
    "grid_to_dict",
    "level_for",
    "load_default_grid",
    "result_to_dict",
    "score_client",
    "spread",
]
