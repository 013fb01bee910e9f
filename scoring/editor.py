"""The grid editor's table: a grid's JSON flattened into labelled number cells, and back.

Every number of the grid (points, band bounds, caps, thresholds) is one cell named by its path
in the JSON ("criteria.invoice_tool.points.paper"); posting the cells rebuilds the JSON, which
``grid_from_dict`` then validates. A refused grid is shown again as it was typed, its faulty
cells marked (``InvalidGrid.paths``).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from scoring.engine import CRITERIA_BY_CODE, CriterionSpec, InvalidGrid
from scoring.engine.criteria import UNANSWERED_LABEL
from scoring.engine.grid import THRESHOLDS

WORDS = {
    "points": _("Points"),
    "points_each": _("Points par logiciel"),
    "cap": _("Plafond (vide : aucun)"),
    "within_months": _("Échéance proche : dans les N mois"),
    "more_than": _("Plus de"),
    "at_least": _("Au moins"),
    "unanswered": UNANSWERED_LABEL,
    "medium_from": _("Urgence moyenne à partir de (points)"),
    "high_from": _("Urgence élevée à partir de (points)"),
}
# The engine's DEADLINE_LABELS, for the editor's language (the engine is plain Python).
DEADLINES = {"due_soon": _("émission proche"), "due_later": _("émission plus lointaine")}
CRITERIA_PREFIX = "criteria."


@dataclass(frozen=True)
class Cell:
    path: str
    label: str
    value: int | str | None  # str: as typed, when a refused grid is shown again
    optional: bool = False  # may be left empty (a cap)
    invalid: bool = False  # at fault in the refused grid


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    section: str
    cells: tuple[Cell, ...]

    @property
    def invalid(self) -> bool:
        return any(cell.invalid for cell in self.cells)


def _answer_label(spec: CriterionSpec, code: str) -> str:
    for answer in spec.answers:
        if answer.code == code:
            return answer.label
    return WORDS.get(code, code)


def _cells(spec: CriterionSpec, data: dict) -> list[Cell]:
    prefix = f"{CRITERIA_PREFIX}{spec.code}"
    cells: list[Cell] = []
    for key, value in data.items():
        path = f"{prefix}.{key}"
        if key == "bands":
            for index, band in enumerate(value):
                bound_key = "more_than" if "more_than" in band else "at_least"
                unit = f" {spec.unit}" if spec.unit else ""
                cells.append(
                    Cell(
                        f"{path}.{index}.{bound_key}",
                        f"{WORDS[bound_key]} …{unit}",
                        band[bound_key],
                    )
                )
                cells.append(Cell(f"{path}.{index}.points", "… points", band["points"]))
        elif isinstance(value, dict):
            suffix = f" ({DEADLINES[key]})" if key in DEADLINES else ""
            cells.extend(
                Cell(f"{path}.{answer}", _answer_label(spec, answer) + suffix, points)
                for answer, points in value.items()
            )
        else:
            cells.append(Cell(path, WORDS.get(key, key), value, optional=key == "cap"))
    return cells


def _as_shown(cell: Cell, posted: Mapping[str, object] | None, invalid: Collection[str]) -> Cell:
    value = cell.value
    if posted is not None and cell.path in posted:
        value = str(posted[cell.path])
    return Cell(cell.path, cell.label, value, cell.optional, invalid=cell.path in invalid)


def editor_rows(
    grid_data: dict,
    posted: Mapping[str, object] | None = None,
    invalid: Collection[str] = (),
) -> list[Row]:
    """One row per criterion; with ``posted``, the cells show what was typed rather than the
    grid's values, and the cells whose path is in ``invalid`` are marked."""
    rows = []
    for code, data in grid_data["criteria"].items():
        spec = CRITERIA_BY_CODE[code]
        cells = (_as_shown(cell, posted, invalid) for cell in _cells(spec, data))
        rows.append(Row(code=code, label=spec.label, section=str(spec.section), cells=tuple(cells)))
    return rows


def threshold_cells(
    grid_data: dict,
    posted: Mapping[str, object] | None = None,
    invalid: Collection[str] = (),
) -> list[Cell]:
    return [
        _as_shown(Cell(f"{THRESHOLDS}.{key}", WORDS[key], value), posted, invalid)
        for key, value in grid_data[THRESHOLDS].items()
    ]


def faulty_paths(grid_data: dict, error: InvalidGrid) -> tuple[str, ...]:
    """The cells to mark for a refused grid, in the table's order: those at fault, or every
    cell of the criterion (or of the thresholds) when the fault is not in one value."""
    paths = [
        cell.path
        for row in editor_rows(grid_data)
        for cell in row.cells
        if cell.path in error.paths or (not error.paths and row.code == error.criterion)
    ]
    paths.extend(
        cell.path
        for cell in threshold_cells(grid_data)
        if cell.path in error.paths or (not error.paths and error.criterion == THRESHOLDS)
    )
    return tuple(paths)


def grid_from_cells(base: dict, posted: Mapping[str, object]) -> dict:
    """The grid JSON with every cell replaced by its posted value (French numbers, empty caps).

    Raises ``InvalidGrid`` naming the cell when a value is not a whole number.
    """
    grid = copy.deepcopy(base)
    for path, _value in list(_leaves(grid)):
        raw = posted.get(path)
        if raw is None:
            continue
        text = str(raw).strip().replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
        if text == "":
            if not path.endswith(".cap"):
                raise _cell_error(base, path, str(raw))
            new_value = None
        else:
            try:
                new_value = int(text)
            except ValueError as error:
                raise _cell_error(base, path, str(raw)) from error
        _set(grid, path, new_value)
    return grid


def _cell_error(base: dict, path: str, raw: str) -> InvalidGrid:
    """The refusal of a cell that does not hold a whole number, naming it by its label."""
    labels = {cell.path: cell.label for row in editor_rows(base) for cell in row.cells}
    labels.update((cell.path, cell.label) for cell in threshold_cells(base))
    if raw.strip():
        problem = f"« {labels[path]} » doit être un nombre entier (saisi : « {raw} »)"
    else:
        problem = f"indiquez un nombre pour « {labels[path]} »"
    if path.startswith(CRITERIA_PREFIX):
        criterion, field = path.removeprefix(CRITERIA_PREFIX).split(".", 1)
    else:
        criterion, field = path.split(".", 1)
    return InvalidGrid(criterion, problem, fields=(field,))


def _leaves(node, prefix: str = ""):
    items = enumerate(node) if isinstance(node, list) else node.items()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict | list):
            yield from _leaves(value, path)
        else:
            yield path, value


def _set(node, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
