"""A firm's scoring grid: points per criterion and the urgency thresholds, to and from JSON.

A grid is stored as JSON (the shape of ``scoring.default_grid.DEFAULT_GRID``) and edited by
administrators in a table; ``grid_from_dict`` is the only way in and refuses anything it would
not score sensibly, naming the criterion at fault in French. Among what it refuses: points that
would let an answer raise the score, since what is not known yet must count at least as much as
any answer it may turn into (the rule is in score.py's docstring).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Literal

from scoring.default_grid import DEFAULT_GRID
from scoring.engine.criteria import (
    CRITERIA,
    CRITERIA_BY_CODE,
    DEADLINE_LABELS,
    NO_PLATFORM,
    UNANSWERED_LABEL,
    CriterionKind,
    CriterionSpec,
)
from scoring.engine.wording import count_of, french_number, with_unit

Level = Literal["low", "medium", "high"]
Number = int | float | Decimal  # a digital-profile figure, as stored
LEVELS: tuple[Level, ...] = ("low", "medium", "high")
LEVEL_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {"low": "Faible", "medium": "Moyenne", "high": "Élevée"}
)

# A ceiling on every number an administrator types, so a slip of the keyboard cannot produce
# totals that overflow the score column or drown every other criterion.
MAX_POINTS = 1000
MAX_THRESHOLD = 10_000
MAX_WITHIN_MONTHS = 120
THRESHOLDS = "thresholds"  # where an InvalidGrid about the thresholds points to
WHOLE_GRID = "grid"  # where an InvalidGrid about the grid's overall shape points to


class InvalidGrid(ValueError):
    """A grid refused by ``grid_from_dict``.

    ``criterion`` is the criterion code at fault, or "thresholds", or "grid" for the overall
    shape; ``problem`` is the French explanation; ``str()`` gives both, ready to show. ``fields``
    are the values at fault inside the criterion ("points.paper", "bands.0.points"), empty when
    the fault is in the shape; ``paths`` gives them in the whole grid.
    """

    def __init__(self, criterion: str, problem: str, fields: Sequence[str] = ()) -> None:
        self.criterion = criterion
        self.problem = problem
        self.fields = tuple(fields)
        super().__init__(f"{_place(criterion)} : {problem}")

    @property
    def paths(self) -> tuple[str, ...]:
        """The values at fault as paths in the grid's JSON ("criteria.invoice_tool.points.paper",
        "thresholds.high_from"), which are also the names of the grid editor's cells."""
        if self.criterion == WHOLE_GRID:
            return ()
        prefix = THRESHOLDS if self.criterion == THRESHOLDS else f"criteria.{self.criterion}"
        return tuple(f"{prefix}.{field}" for field in self.fields)


def _place(criterion: str) -> str:
    if criterion == THRESHOLDS:
        return "Seuils d'urgence"
    if criterion == WHOLE_GRID:
        return "Grille"
    spec = CRITERIA_BY_CODE.get(criterion)
    # A code that is not in the catalogue is shown as given: it is all there is to name it.
    return f"Critère « {spec.label if spec else criterion} »"


@dataclass(frozen=True, slots=True)
class PointsByAnswer:
    points: Mapping[str, int]  # every answer code of the criterion


@dataclass(frozen=True, slots=True)
class Band:
    """Values above ``lower`` (or equal to it when ``includes_lower``) score ``points``."""

    lower: int | float
    includes_lower: bool
    points: int

    def contains(self, value: Number) -> bool:
        return value > self.lower or (self.includes_lower and value == self.lower)


@dataclass(frozen=True, slots=True)
class PointsByBand:
    # Highest band first; a value scores the first band it reaches, nothing below the last one.
    bands: tuple[Band, ...]
    unanswered: int

    def points_for(self, value: Number) -> int:
        for band in self.bands:
            if band.contains(value):
                return band.points
        return 0


@dataclass(frozen=True, slots=True)
class FixedPoints:
    points: int


@dataclass(frozen=True, slots=True)
class PointsPerItem:
    points_each: int
    cap: int | None  # None: no cap

    def points_for(self, count: int) -> int:
        points = count * self.points_each
        return points if self.cap is None else min(points, self.cap)


@dataclass(frozen=True, slots=True)
class PointsByDeadline:
    """Points per platform status, higher while the obligation starts within ``within_months``."""

    within_months: int
    due_soon: Mapping[str, int]
    due_later: Mapping[str, int]


Criterion = PointsByAnswer | PointsByBand | FixedPoints | PointsPerItem | PointsByDeadline


@dataclass(frozen=True, slots=True)
class Grid:
    """One field per criterion of ``CRITERIA`` (same code), then the urgency thresholds.

    Build it with ``grid_from_dict``; a total of ``medium_from`` or more is medium urgency,
    ``high_from`` or more is high.
    """

    invoice_tool: PointsByAnswer
    invoices_issued_per_month: PointsByBand
    paper_share_received: PointsByBand
    purchase_entry: PointsByAnswer
    digital_maturity: PointsByAnswer
    no_invoicing_tool: FixedPoints
    software_not_ready: PointsPerItem
    software_readiness_unknown: PointsPerItem
    reception_platform: PointsByAnswer
    issuing_platform: PointsByDeadline
    questionnaire_incomplete: FixedPoints
    size_undecided: FixedPoints
    mandate_not_signed: FixedPoints
    medium_from: int
    high_from: int

    def criterion(self, code: str) -> Criterion:
        """The points of one criterion by its code, for code that walks the catalogue."""
        if code not in CRITERIA_BY_CODE:
            raise KeyError(code)
        criterion: Criterion = getattr(self, code)
        return criterion


def level_for(total: int, grid: Grid) -> Level:
    """The urgency of a total under the grid's thresholds."""
    if total >= grid.high_from:
        return "high"
    if total >= grid.medium_from:
        return "medium"
    return "low"


def grid_from_dict(data: object) -> Grid:
    """Validate a grid as stored or edited, and build it.

    Unknown keys are refused; keys left out take the default grid's value, so a grid stored
    before a criterion (or an answer) existed keeps working and gets the default points for it.
    Raises ``InvalidGrid`` naming the criterion at fault.
    """
    return _parse(_overlay(DEFAULT_GRID, _mapping(data, WHOLE_GRID, "la grille")))


def grid_to_dict(grid: Grid) -> dict[str, Any]:
    """The JSON form of a grid, every criterion and answer written out (the editor's rows)."""
    criteria: dict[str, Any] = {}
    for spec in CRITERIA:
        criterion = grid.criterion(spec.code)
        if isinstance(criterion, PointsByAnswer):
            criteria[spec.code] = {"points": dict(criterion.points)}
        elif isinstance(criterion, PointsByBand):
            criteria[spec.code] = {
                "bands": [_band_to_dict(band) for band in criterion.bands],
                "unanswered": criterion.unanswered,
            }
        elif isinstance(criterion, FixedPoints):
            criteria[spec.code] = {"points": criterion.points}
        elif isinstance(criterion, PointsPerItem):
            criteria[spec.code] = {"points_each": criterion.points_each, "cap": criterion.cap}
        else:
            criteria[spec.code] = {
                "within_months": criterion.within_months,
                "due_soon": dict(criterion.due_soon),
                "due_later": dict(criterion.due_later),
            }
    return {
        "criteria": criteria,
        "thresholds": {"medium_from": grid.medium_from, "high_from": grid.high_from},
    }


@cache
def load_default_grid() -> Grid:
    """The starting grid of REGULATION.md §5, for a firm that has not edited its own."""
    return _parse(DEFAULT_GRID)


def band_descriptions(bands: Sequence[Band], unit: str) -> tuple[str, ...]:
    """French wording of each band, highest first, as the grid editor shows it.

    Bands "more than 100" and "at least 20" invoices a month read
    ("plus de 100 factures émises / mois", "de 20 à 100 factures émises / mois").
    """
    descriptions = []
    for index, band in enumerate(bands):
        if index == 0:
            bound = with_unit(band.lower, unit)
            descriptions.append(f"{bound} ou plus" if band.includes_lower else f"plus de {bound}")
            continue
        # A band ends where the one above starts: at its bound (at_least) or just over it.
        above = bands[index - 1]
        if band.includes_lower:
            start = f"de {french_number(band.lower)}"
            end = "à moins de" if above.includes_lower else "à"
        else:
            start = f"plus de {french_number(band.lower)}"
            end = "et moins de" if above.includes_lower else "et jusqu'à"
        descriptions.append(f"{start} {end} {with_unit(above.lower, unit)}")
    return tuple(descriptions)


def _band_to_dict(band: Band) -> dict[str, Any]:
    return {"at_least" if band.includes_lower else "more_than": band.lower, "points": band.points}


# --- Parsing ------------------------------------------------------------------------------------


def _overlay(default: object, data: object) -> object:
    """``data`` over ``default``, object by object; lists (bands) are replaced whole."""
    if isinstance(default, Mapping) and isinstance(data, Mapping):
        merged = dict(default)
        for key, value in data.items():
            merged[key] = _overlay(default[key], value) if key in default else value
        return merged
    return data


def _parse(data: object) -> Grid:
    grid_data = _mapping(data, WHOLE_GRID, "la grille")
    _only_keys(grid_data, {"criteria", THRESHOLDS}, WHOLE_GRID)
    criteria_data = _mapping(grid_data["criteria"], WHOLE_GRID, "« criteria »")
    for code in criteria_data:
        if code not in CRITERIA_BY_CODE:
            raise InvalidGrid(str(code), "critère inconnu")
    criteria = {spec.code: _parse_criterion(spec, criteria_data[spec.code]) for spec in CRITERIA}
    for spec in CRITERIA:
        _check_unknown_counts_the_most(spec, criteria[spec.code])
    medium_from, high_from = _parse_thresholds(grid_data[THRESHOLDS])
    return Grid(**criteria, medium_from=medium_from, high_from=high_from)  # type: ignore[arg-type]


def _parse_criterion(spec: CriterionSpec, data: object) -> Criterion:
    data = _mapping(data, spec.code, "le critère")
    if spec.kind is CriterionKind.BY_ANSWER:
        _only_keys(data, {"points"}, spec.code)
        return PointsByAnswer(_points_by_answer(spec, data["points"], "points"))
    if spec.kind is CriterionKind.BY_BAND:
        _only_keys(data, {"bands", "unanswered"}, spec.code)
        return PointsByBand(
            bands=_parse_bands(spec, data["bands"]),
            unanswered=_points(
                data["unanswered"],
                spec.code,
                "unanswered",
                f"les points pour « {UNANSWERED_LABEL} »",
            ),
        )
    if spec.kind is CriterionKind.FIXED:
        _only_keys(data, {"points"}, spec.code)
        return FixedPoints(_points(data["points"], spec.code, "points", "les points"))
    if spec.kind is CriterionKind.PER_ITEM:
        _only_keys(data, {"points_each", "cap"}, spec.code)
        cap = data["cap"]
        return PointsPerItem(
            points_each=_points(
                data["points_each"], spec.code, "points_each", "les points par logiciel"
            ),
            cap=None
            if cap is None
            else _whole_number(cap, spec.code, "cap", "le plafond", MAX_POINTS, plural=False),
        )
    _only_keys(data, {"within_months", "due_soon", "due_later"}, spec.code)
    return PointsByDeadline(
        within_months=_whole_number(
            data["within_months"],
            spec.code,
            "within_months",
            "le délai en mois",
            MAX_WITHIN_MONTHS,
            plural=False,
        ),
        due_soon=_points_by_answer(spec, data["due_soon"], "due_soon"),
        due_later=_points_by_answer(spec, data["due_later"], "due_later"),
    )


def _points_by_answer(spec: CriterionSpec, data: object, key: str) -> Mapping[str, int]:
    points = _mapping(data, spec.code, f"« {key} »")
    labels = {answer.code: answer.label for answer in spec.answers}
    for answer in points:
        if answer not in labels:
            raise InvalidGrid(spec.code, f"réponse inconnue « {answer} » dans « {key} »")
    missing = [f"« {label} »" for answer, label in labels.items() if answer not in points]
    if missing:
        raise InvalidGrid(
            spec.code, f"réponses sans points{_in_column(key)} : {', '.join(missing)}"
        )
    return MappingProxyType(
        {
            answer: _points(
                points[answer],
                spec.code,
                f"{key}.{answer}",
                f"les points pour « {label} »{_in_column(key)}",
            )
            for answer, label in labels.items()
        }
    )


def _in_column(key: str) -> str:
    # " (émission proche)" for a column of the issuing platform's points, "" for plain points.
    return f" ({DEADLINE_LABELS[key]})" if key in DEADLINE_LABELS else ""


# Why a grid may not give an answer more points than "not known yet", in the administrator's words.
_UNKNOWN_COUNTS_THE_MOST = (
    "Ce qui n'est pas encore renseigné doit compter au moins autant que la pire réponse, pour "
    "que renseigner un client ne puisse jamais augmenter son urgence."
)


def _check_unknown_counts_the_most(spec: CriterionSpec, criterion: Criterion) -> None:
    """Refuse points that would let answering a question raise a client's score.

    Unanswered (and "no PA recorded") must score at least every answer; a start of issuing not
    decided yet counts as due soon, so "due soon" must score at least "due later".
    """
    if isinstance(criterion, PointsByAnswer) and spec.unknown:
        _check_unknown_answer(spec, criterion.points, "points")
    elif isinstance(criterion, PointsByBand):
        descriptions = band_descriptions(criterion.bands, spec.unit)
        for index, (band, description) in enumerate(
            zip(criterion.bands, descriptions, strict=True)
        ):
            if band.points > criterion.unanswered:
                raise InvalidGrid(
                    spec.code,
                    f"« {UNANSWERED_LABEL} » vaut {_in_points(criterion.unanswered)}, moins que "
                    f"la tranche « {description} » ({_in_points(band.points)}). "
                    f"{_UNKNOWN_COUNTS_THE_MOST}",
                    fields=("unanswered", f"bands.{index}.points"),
                )
    elif isinstance(criterion, PointsByDeadline):
        _check_unknown_answer(spec, criterion.due_soon, "due_soon")
        _check_unknown_answer(spec, criterion.due_later, "due_later")
        for answer in spec.answers:
            soon, later = criterion.due_soon[answer.code], criterion.due_later[answer.code]
            if later > soon:
                raise InvalidGrid(
                    spec.code,
                    f"« {answer.label} » vaut {_in_points(soon)} en {DEADLINE_LABELS['due_soon']}, "
                    f"moins qu'en {DEADLINE_LABELS['due_later']} ({_in_points(later)}). Une date "
                    "d'émission encore inconnue compte comme proche : l'émission proche doit "
                    "compter au moins autant que l'émission plus lointaine.",
                    fields=(f"due_soon.{answer.code}", f"due_later.{answer.code}"),
                )


def _check_unknown_answer(spec: CriterionSpec, points: Mapping[str, int], key: str) -> None:
    labels = {answer.code: answer.label for answer in spec.answers}
    unknown = points[spec.unknown]
    for answer, label in labels.items():
        if points[answer] > unknown:
            if spec.unknown == NO_PLATFORM:
                why = (
                    "Un client sans PA enregistrée doit compter au moins autant qu'avec une PA, "
                    "quel qu'en soit le statut, pour qu'enregistrer sa PA ne puisse jamais "
                    "augmenter son urgence."
                )
            else:
                why = _UNKNOWN_COUNTS_THE_MOST
            raise InvalidGrid(
                spec.code,
                f"« {labels[spec.unknown]} »{_in_column(key)} vaut {_in_points(unknown)}, moins "
                f"que « {label} » ({_in_points(points[answer])}). {why}",
                fields=(f"{key}.{spec.unknown}", f"{key}.{answer}"),
            )


def _in_points(points: int) -> str:
    return count_of(points, "point", "points")


def _parse_bands(spec: CriterionSpec, data: object) -> tuple[Band, ...]:
    if not isinstance(data, list):
        raise InvalidGrid(spec.code, "« bands » doit être une liste de tranches")
    bands = []
    bound_fields = []
    for index, item in enumerate(data):
        where = f"tranche {index + 1}"
        band_data = _mapping(item, spec.code, f"la {where}")
        bound_keys = [key for key in ("more_than", "at_least") if key in band_data]
        if len(bound_keys) != 1:
            raise InvalidGrid(
                spec.code, f"la {where} doit avoir soit « more_than » soit « at_least »"
            )
        _only_keys(band_data, {bound_keys[0], "points"}, spec.code)
        bound_fields.append(f"bands.{index}.{bound_keys[0]}")
        bands.append(
            Band(
                lower=_bound(band_data[bound_keys[0]], spec.code, bound_fields[-1], where),
                includes_lower=bound_keys[0] == "at_least",
                points=_points(
                    band_data.get("points"),
                    spec.code,
                    f"bands.{index}.points",
                    f"les points de la {where}",
                ),
            )
        )
    for index, (higher, lower) in enumerate(pairwise(bands), start=1):
        if _band_start(lower) >= _band_start(higher):
            raise InvalidGrid(
                spec.code,
                f"la tranche {index + 1} doit commencer sous la tranche {index} "
                "(tranches de la plus haute à la plus basse, sans chevauchement)",
                fields=(bound_fields[index - 1], bound_fields[index]),
            )
    return tuple(bands)


def _band_start(band: Band) -> tuple[float, int]:
    # "more than 50" starts just above "at least 50": same bound, one step higher.
    return (band.lower, 0 if band.includes_lower else 1)


def _parse_thresholds(data: object) -> tuple[int, int]:
    thresholds = _mapping(data, THRESHOLDS, "les seuils")
    _only_keys(thresholds, {"medium_from", "high_from"}, THRESHOLDS)
    medium_from = _whole_number(
        thresholds["medium_from"],
        THRESHOLDS,
        "medium_from",
        "le seuil d'urgence moyenne",
        MAX_THRESHOLD,
        plural=False,
    )
    high_from = _whole_number(
        thresholds["high_from"],
        THRESHOLDS,
        "high_from",
        "le seuil d'urgence élevée",
        MAX_THRESHOLD,
        plural=False,
    )
    # A client with nothing to do (0 points) must stay low, and all three levels must exist.
    if medium_from < 1:
        raise InvalidGrid(
            THRESHOLDS,
            "le seuil d'urgence moyenne doit être d'au moins 1 point",
            fields=("medium_from",),
        )
    if high_from <= medium_from:
        raise InvalidGrid(
            THRESHOLDS,
            f"le seuil d'urgence élevée ({high_from}) doit être supérieur "
            f"au seuil d'urgence moyenne ({medium_from})",
            fields=("medium_from", "high_from"),
        )
    return medium_from, high_from


def _mapping(value: object, criterion: str, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidGrid(criterion, f"{what} doit être un objet (clé → valeur)")
    return value


def _only_keys(data: Mapping[str, object], allowed: set[str], criterion: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise InvalidGrid(criterion, f"clé inconnue « {unknown[0]} »")


def _points(value: object, criterion: str, field: str, what: str) -> int:
    # what: the subject of the French refusal, plural ("les points pour « Factures papier »").
    return _whole_number(value, criterion, field, what, MAX_POINTS, plural=True)


def _whole_number(
    value: object, criterion: str, field: str, what: str, maximum: int, *, plural: bool
) -> int:
    # bool is an int in Python; a checkbox value slipping in must not count as 1 point.
    if type(value) is not int or not 0 <= value <= maximum:
        verb = "doivent" if plural else "doit"
        raise InvalidGrid(
            criterion,
            f"{what} {verb} être un nombre entier de 0 à {french_number(maximum)} "
            f"(reçu : {_shown(value)})",
            fields=(field,),
        )
    return value


def _bound(value: object, criterion: str, field: str, where: str) -> int | float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidGrid(
            criterion,
            f"la borne de la {where} doit être un nombre positif (reçu : {_shown(value)})",
            fields=(field,),
        )
    return value


def _shown(value: object) -> str:
    """A value received in a grid, as an administrator would read it."""
    if value is None:
        return "rien"
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, int | float) and math.isfinite(value):
        return french_number(value)
    return f"« {value} »"
