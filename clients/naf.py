"""NAF rév. 2 (nomenclature d'activités française): the INSEE classification that gives every
company its APE code, as sub-classes ("56.10A") with their official French labels.

The 732 sub-classes of the nomenclature in force since 2008, as published by INSEE, are in
``data/naf-rev2.csv``, read once. Used to check a code and show its label next to it.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from types import MappingProxyType

NAF_CSV = Path(__file__).resolve().parent / "data" / "naf-rev2.csv"


@cache
def naf_labels() -> MappingProxyType[str, str]:
    """Every NAF code ("01.11Z") and its official label."""
    with NAF_CSV.open(encoding="utf-8", newline="") as file:
        return MappingProxyType(
            {row["code"]: row["libelle"] for row in csv.DictReader(file, delimiter=";")}
        )


def naf_label(code: str) -> str:
    """The official label of a NAF code, or an empty string for an unknown one."""
    return naf_labels().get(code.strip().upper(), "")
