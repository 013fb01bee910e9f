"""The two files of the export, from the same columns and rows: an Excel workbook (typed cells,
frozen header, filters, column widths) and a CSV for French Excel (UTF-8 with BOM, ``;``,
decimal comma, dates as JJ/MM/AAAA).

Every cell and every header goes through :func:`neutralise` (``clients.formulas``): a text
that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading ``'``, so it is shown as the text it is and never evaluated.
Numbers and dates stay typed: a negative number is a number, not a formula.

The workbook is written by rustpy-xlsxwriter (Rust, constant memory: a row is written as it is
produced), the fastest of the writers measured in ``bench/exports.py``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

import rustpy_xlsxwriter

from clients.formulas import neutralise_formula
from exports.columns import CellKind, Column

SHEET_NAME = "Portefeuille"
EXCEL_DATE_FORMAT = "dd/mm/yyyy"
CSV_DATE_FORMAT = "%d/%m/%Y"


# The one function every cell and header goes through (the import's report uses it too).
neutralise = neutralise_formula


def headers(columns: Sequence[Column]) -> list[str]:
    names = [neutralise(column.header) for column in columns]
    if len(set(names)) != len(names):
        raise ValueError("two columns of the export have the same header")
    return names


def cells(columns: Sequence[Column], row: dict) -> list[object]:
    """One client's cells, typed and neutralised (a number or a date column gives no text)."""
    return [
        neutralise(column.convert(row.get(column.key)))
        if column.kind is CellKind.TEXT
        else column.convert(row.get(column.key))
        for column in columns
    ]


def write_xlsx(columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
    names = headers(columns)

    def records() -> Iterator[dict]:
        empty = True
        for row in rows:
            empty = False
            yield dict(zip(names, cells(columns, row), strict=True))
        if empty:  # the header alone: the writer takes the headers from a record
            yield dict.fromkeys(names)

    buffer = io.BytesIO()
    rustpy_xlsxwriter.write_worksheet(
        records(),
        buffer,
        sheet_name=SHEET_NAME,
        freeze_row=1,
        autofilter=True,
        bold_headers=True,
        column_widths=[column.width for column in columns],
        datetime_format=EXCEL_DATE_FORMAT,
    )
    return buffer.getvalue()


def csv_text(kind: CellKind, value: object) -> str:
    """A cell of the CSV the French way: decimal comma, JJ/MM/AAAA."""
    if value is None:
        return ""
    if kind is CellKind.DATE and isinstance(value, date):
        return value.strftime(CSV_DATE_FORMAT)
    if kind is CellKind.NUMBER:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float | Decimal):
            # Through Decimal: never an exponent (1e+23) that a spreadsheet would read as text.
            text = format(value if isinstance(value, Decimal) else Decimal(repr(value)), "f")
            return text.removesuffix(".0").replace(".", ",")
    return str(value)


def write_csv(columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(columns))
    kinds = [column.kind for column in columns]
    for row in rows:
        writer.writerow(
            [csv_text(kind, value) for kind, value in zip(kinds, cells(columns, row), strict=True)]
        )
    return buffer.getvalue().encode("utf-8-sig")


WRITERS = {"xlsx": write_xlsx, "csv": write_csv}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
