"""The two writers, from the same columns: typed Excel cells, French CSV, and formula injection
neutralised in every cell and header. Pure: no database."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from clients.formulas import neutralise_formula
from exports.columns import CellKind, Column, as_date, as_number, as_text, build_columns
from exports.writers import csv_text, write_csv, write_xlsx
from tests.exports.conftest import read_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33639980001", "'+33639980001"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Boulangerie = pain", "Boulangerie = pain"),
        ("", ""),
        (-5, -5),  # a number stays a number
        (Decimal("-1.5"), Decimal("-1.5")),
        (datetime.date(2026, 9, 1), datetime.date(2026, 9, 1)),
        (None, None),
    ],
)
def test_neutralise_prefixes_formula_text_only(value, expected):
    assert neutralise_formula(value) == expected


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (CellKind.NUMBER, 1_500_000, "1500000"),
        (CellKind.NUMBER, 12.5, "12,5"),
        (CellKind.NUMBER, 12.0, "12"),
        (CellKind.NUMBER, 1e23, "100000000000000000000000"),
        (CellKind.NUMBER, Decimal("0.25"), "0,25"),
        (CellKind.NUMBER, None, ""),
        (CellKind.DATE, datetime.date(2026, 9, 1), "01/09/2026"),
        (CellKind.DATE, None, ""),
        (CellKind.TEXT, "Oui", "Oui"),
    ],
)
def test_csv_cells_are_written_the_french_way(kind, value, expected):
    assert csv_text(kind, value) == expected


COLUMNS = [
    Column("Raison sociale", "name", as_text, width=30),
    Column("=Colonne piégée", "note", as_text),
    Column("Effectif", "staff", as_number, CellKind.NUMBER, 8),
    Column("Réception à partir du", "since", as_date, CellKind.DATE, 12),
]
ROWS = [
    {
        "name": '=HYPERLINK("http://x")',
        "note": "-",
        "staff": -3,
        "since": datetime.date(2026, 9, 1),
    },
    {"name": "Atelier Bernard", "note": "", "staff": 12.5, "since": None},
]


def test_the_workbook_has_typed_cells_a_frozen_header_filters_and_widths():
    sheet = read_xlsx(write_xlsx(COLUMNS, iter(ROWS))).active
    assert [cell.value for cell in sheet[1]] == [
        "Raison sociale",
        "'=Colonne piégée",
        "Effectif",
        "Réception à partir du",
    ]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert round(sheet.column_dimensions["A"].width) == 31  # 30 characters and Excel's padding
    name, note, staff, since = sheet[2]
    assert (name.value, name.data_type) == ('\'=HYPERLINK("http://x")', "s")
    assert note.value == "'-"
    assert (staff.value, staff.data_type) == (-3, "n")
    assert since.is_date and since.value == datetime.datetime(2026, 9, 1)
    assert since.number_format == "dd/mm/yyyy"
    assert sheet["C3"].value == 12.5 and sheet["D3"].value is None
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_an_empty_export_still_has_its_header():
    sheet = read_xlsx(write_xlsx(COLUMNS, iter([]))).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Raison sociale", "'=Colonne piégée", "Effectif", "Réception à partir du")
    ]


def test_the_csv_is_utf8_with_bom_semicolons_and_french_cells():
    content = write_csv(COLUMNS, iter(ROWS))
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert lines == [
        ["Raison sociale", "'=Colonne piégée", "Effectif", "Réception à partir du"],
        ['\'=HYPERLINK("http://x")', "'-", "-3", "01/09/2026"],
        ["Atelier Bernard", "", "12,5", ""],
    ]


def test_every_column_has_a_distinct_french_header_and_a_width():
    columns = build_columns()
    headers = [column.header for column in columns]
    assert len(headers) == len(set(headers)) > 70
    assert all(column.width > 0 for column in columns)
    assert "Raison sociale" in headers and "Mandat de délégation" in headers


def test_number_and_date_columns_never_give_text_so_every_text_is_neutralised():
    """cells() neutralises the text columns; the others must never give a text at all."""
    junk = "=cmd|' /C calc'!A0"
    for column in build_columns():
        if column.kind is not CellKind.TEXT:
            for value in (junk, [junk], {"x": junk}, True, "2026-13-45"):
                assert not isinstance(column.convert(value), str), column.header
