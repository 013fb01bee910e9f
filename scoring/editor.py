"""The grid editor's table: a grid's JSON flattened into labelled number cells, and back.

Every number of the grid (points, band bounds, caps, thresholds) is one cell named by its path
in the JSON ("criteria.invoice_tool.points.paper"); posting the cells rebuilds the JSON, which
``grid_from_dict`` then validates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from scoring.engine import CRITERIA_BY_CODE, CriterionSpec

WORDS = {
    "points": _("Points"),
    "points_each": _("Points par logiciel"),
    "cap": _("Plafond (vide : aucun)"),
    "within_months": _("Échéance proche : dans les N mois"),
    "more_than": _("Plus de"),
    "at_least": _("Au moins"),
    "unanswered": _("Non renseigné"),
    "medium_from": _("Urgence moyenne à partir de (points)"),
    "high_from": _("Urgence élevée à partir de (points)"),
}
DEADLINES = {"due_soon": _("émission proche"), "due_later": _("émission plus lointaine")}


@dataclass(frozen=True)
class Cell:
    path: str
    label: str
    value: int | None
    optional: bool = False  # may be left empty (a cap)


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    section: str
    cells: tuple[Cell, ...]


def _answer_label(spec: CriterionSpec, code: str) -> str:
    for answer in spec.answers:
        if answer.code == code:
            return answer.label
    return WORDS.get(code, code)


def _cells(spec: CriterionSpec, data: dict) -> list[Cell]:
    prefix = f"criteria.{spec.code}"
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


def editor_rows(grid_data: dict) -> list[Row]:
    rows = []
    for code, data in grid_data["criteria"].items():
        spec = CRITERIA_BY_CODE[code]
        rows.append(
            Row(
                code=code,
                label=spec.label,
                section=str(spec.section),
                cells=tuple(_cells(spec, data)),
            )
        )
    return rows


def threshold_cells(grid_data: dict) -> list[Cell]:
    return [
        Cell(f"thresholds.{key}", WORDS[key], value)
        for key, value in grid_data["thresholds"].items()
    ]


class CellError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)


def grid_from_cells(base: dict, posted) -> dict:
    """The grid JSON with every cell replaced by its posted value (French numbers, empty caps)."""
    grid = copy.deepcopy(base)
    for path, _value in list(_leaves(grid)):
        raw = posted.get(path)
        if raw is None:
            continue
        text = str(raw).strip().replace(" ", "").replace("\u202f", "")
        if text == "":
            if not path.endswith(".cap"):
                raise CellError(path, _("Indiquez un nombre."))
            new_value = None
        else:
            try:
                new_value = int(text)
            except ValueError as error:
                raise CellError(
                    path, _("« %(value)s » n'est pas un nombre entier.") % {"value": raw}
                ) from error
        _set(grid, path, new_value)
    return grid


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
