"""Reading client files: encodings, delimiters, line numbers, and every kind of bad file."""

from __future__ import annotations

import codecs
import io
import zipfile

import openpyxl
import pytest

from clients.importing import reading
from clients.importing.reading import ImportFileError, read_table

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def xlsx_bytes(rows: list[list[object]], title: str = "Clients") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezipped(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The same .xlsx with some members replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, replace.get(member.filename, source.read(member)))
    return buffer.getvalue()


def refused(content: bytes, filename: str) -> str:
    with pytest.raises(ImportFileError) as error:
        read_table(content, filename)
    return str(error.value)


# --- CSV: encodings and delimiters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(";", "point-virgule"), (",", "virgule"), ("\t", "tabulation"), ("|", "barre verticale")],
)
def test_each_usual_delimiter_is_recognised(delimiter, name):
    text = delimiter.join(["Raison sociale", "SIREN", "Ville"]) + "\n"
    text += delimiter.join(["Boulangerie Martin", "732829320", "Lyon"]) + "\n"
    table = read_table(text.encode(), "clients.csv")
    assert table.headers == ["Raison sociale", "SIREN", "Ville"]
    assert table.rows[0].cells == ("Boulangerie Martin", "732829320", "Lyon")
    assert table.description == f"CSV · UTF-8 · séparateur {name}"


def test_windows_1252_with_accents_is_decoded():
    text = (
        "Raison sociale;SIREN;Ville;Clôture\r\nCafé des Sœurs Müller;732829320;Besançon;31/12\r\n"
    )
    table = read_table(text.encode("cp1252"), "export.csv")
    assert table.headers[3] == "Clôture"
    assert table.rows[0].cells == ("Café des Sœurs Müller", "732829320", "Besançon", "31/12")
    assert "Windows-1252" in table.description


def test_utf8_with_bom_and_utf16_from_excel_are_decoded():
    text = "Raison sociale;SIREN\nÉpicerie Noël;732829320\n"
    for content in (
        codecs.BOM_UTF8 + text.encode(),
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    ):
        table = read_table(content, "clients.csv")
        assert table.headers == ["Raison sociale", "SIREN"]  # no BOM left in the first header
        assert table.rows[0].cells == ("Épicerie Noël", "732829320")


def test_commas_inside_addresses_do_not_fool_the_semicolon_sniffing():
    text = (
        "Raison sociale;SIREN;Adresse\n"
        "Garage Moreau;732829320;12, rue de la Paix, bâtiment B\n"
        "Café Noir;552100554;3, place du Marché\n"
    )
    assert read_table(text.encode(), "clients.csv").headers == [
        "Raison sociale",
        "SIREN",
        "Adresse",
    ]


def test_line_numbers_are_the_files_despite_blank_lines_and_multiline_cells():
    text = (
        "Raison sociale;SIREN;Adresse\n"
        'Garage Moreau;732829320;"12 rue de la Paix\nBâtiment B"\n'
        "\n"
        ";;\n"
        "Café Noir;552100554;3 place du Marché\n"
    )
    table = read_table(text.encode(), "clients.csv")
    assert [row.line for row in table.rows] == [2, 6]
    assert table.rows[0].cells[2] == "12 rue de la Paix\nBâtiment B"


def test_a_title_above_the_header_is_skipped():
    text = "Portefeuille clients au 31/12/2025\n\nRaison sociale;N° SIREN\nCafé Noir;552100554\n"
    table = read_table(text.encode(), "clients.csv")
    assert table.headers == ["Raison sociale", "N° SIREN"]
    assert [row.line for row in table.rows] == [4]


def test_blank_headers_get_a_name_and_short_rows_are_kept():
    table = read_table(b"Raison sociale;;SIREN\nCafe Noir\n", "clients.csv")
    assert table.headers == ["Raison sociale", "Colonne 2", "SIREN"]
    assert table.rows[0].cells == ("Cafe Noir",)


# --- CSV: bad files ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", codecs.BOM_UTF8, b";;;\n;;\n"])
def test_an_empty_file_is_refused(content):
    assert refused(content, "clients.csv").startswith("Le fichier est vide")


def test_a_file_with_only_its_header_is_refused():
    assert refused(b"Raison sociale;SIREN\n", "clients.csv") == (
        "Le fichier ne contient que la ligne d'en-tête : aucun client à importer."
    )


def test_a_png_renamed_csv_is_refused():
    assert refused(PNG + b"\x00" * 64, "clients.csv") == (
        "Ce fichier porte l'extension .csv mais c'est une image PNG : importez un fichier CSV "
        "(texte) ou un classeur .xlsx."
    )


def test_a_workbook_renamed_csv_is_refused():
    message = refused(xlsx_bytes([["Raison sociale", "SIREN"]]), "clients.csv")
    assert "c'est une archive ZIP (peut-être un classeur .xlsx)" in message


def test_binary_garbage_named_csv_is_refused():
    garbage = bytes(range(1, 32)) * 200
    assert "ce n'est pas du texte" in refused(garbage, "clients.csv")


def test_a_file_over_the_size_limit_is_refused_before_reading():
    content = b"x" * (reading.MAX_FILE_BYTES + 1)
    assert refused(content, "clients.csv") == (
        "Le fichier dépasse la taille maximale de 10 Mo (10,0 Mo) : découpez-le en plusieurs "
        "fichiers."
    )


def test_too_many_rows_or_columns_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = "\n".join(f"Société {n};552100554" for n in range(4))
    assert "plus de 3 lignes" in refused(f"Raison sociale;SIREN\n{rows}".encode(), "a.csv")
    wide = ";".join(["x"] * (reading.MAX_COLUMNS + 1))
    assert f"plus de {reading.MAX_COLUMNS} colonnes" in refused(wide.encode(), "a.csv")


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("clients.ods", "Format non pris en charge : importez un fichier .csv ou .xlsx."),
        ("clients", "Format non pris en charge : importez un fichier .csv ou .xlsx."),
        ("clients.xls", "Les classeurs .xls (Excel 97-2003) ne sont pas pris en charge"),
    ],
)
def test_other_formats_are_refused(filename, message):
    assert refused(b"Raison sociale;SIREN\nx;y\n", filename).startswith(message)


def test_an_unclosed_quote_is_reported_with_its_line():
    text = 'Raison sociale;SIREN\nCafé;552100554\n"Garage;732829320\n' + "x" * 140_000
    assert refused(text.encode(), "clients.csv").startswith(
        "Le fichier CSV est mal formé vers la ligne 3"
    )


# --- Excel -------------------------------------------------------------------------------------


def test_an_xlsx_is_read_with_sheet_row_numbers_and_cell_types():
    content = xlsx_bytes(
        [
            ["Raison sociale", "SIREN", "CP", "Clôture"],
            ["Café Noir", 552100554, 1000, None],
            [None, None, None, None],
            ["Garage Moreau", "732829320", "69002", 12.5],
        ]
    )
    table = read_table(content, "Export.XLSX")
    assert table.description == "Excel (.xlsx) · feuille « Clients »"
    assert [row.line for row in table.rows] == [2, 4]
    assert table.rows[0].cells == ("Café Noir", "552100554", "1000")
    assert table.rows[1].cells == ("Garage Moreau", "732829320", "69002", "12.5")


def test_a_date_cell_reads_as_a_french_date():
    import datetime

    content = xlsx_bytes([["Raison sociale", "Clôture"], ["Café", datetime.date(2025, 12, 31)]])
    assert read_table(content, "a.xlsx").rows[0].cells == ("Café", "31/12/2025")


def test_an_xlsx_that_is_not_a_zip_is_refused():
    assert refused(b"Raison sociale;SIREN\nCafe;552100554\n", "clients.xlsx") == (
        reading.NOT_A_WORKBOOK
    )
    assert "c'est une image PNG" in refused(PNG, "clients.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(buffer.getvalue(), "clients.xlsx") == reading.NOT_A_WORKBOOK
    truncated = xlsx_bytes([["Raison sociale", "SIREN"]])[:-200]
    assert refused(truncated, "clients.xlsx") == reading.NOT_A_WORKBOOK


@pytest.fixture
def parser_must_not_run(monkeypatch):
    """Proves a check happens before openpyxl (and its XML parser) sees the file."""

    def fail(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(reading.openpyxl, "load_workbook", fail)


def zip_bomb(total_bytes: int) -> bytes:
    """A valid workbook whose sheet is padded with blank space to ``total_bytes``: a few hundred
    kilobytes on disk that declare ``total_bytes`` once decompressed."""
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                target.writestr(member.filename, source.read(member))
                continue
            sheet = source.read(member)
            head, tail = sheet.split(b"<sheetData>")
            with target.open(member.filename, "w", force_zip64=True) as stream:
                stream.write(head + b"<sheetData>")
                block = b" " * (1 << 20)
                for _ in range(total_bytes // len(block)):
                    stream.write(block)
                stream.write(tail)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_from_its_declared_size(parser_must_not_run):
    content = zip_bomb(reading.MAX_XLSX_UNCOMPRESSED_BYTES + (1 << 20))
    assert len(content) < 1024 * 1024  # tiny upload, over 100 MB once decompressed
    assert refused(content, "clients.xlsx") == reading.EXPANDS_TOO_MUCH.format(limit=100)


def test_an_xlsx_compressed_suspiciously_well_is_refused(parser_must_not_run):
    content = zip_bomb(20 << 20)  # under the total limit, but a ratio of about a thousand
    assert "se décompresse en un volume anormal" in refused(content, "clients.xlsx")


def test_an_xlsx_with_too_many_members_is_refused(parser_must_not_run, monkeypatch):
    monkeypatch.setattr(reading, "MAX_XLSX_MEMBERS", 5)
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    assert "se décompresse en un volume anormal" in refused(content, "clients.xlsx")


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Raison sociale</t></is></c>
<c r="B1" t="inlineStr"><is><t>SIREN</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lol3;</t></is></c>
<c r="B2" t="inlineStr"><is><t>552100554</t></is></c></row>
</sheetData></worksheet>"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_an_xlsx_with_entity_declarations_is_refused(parser_must_not_run, encoding):
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    payload = BILLION_LAUGHS.replace(b"UTF-8", encoding.upper().encode()).decode().encode(encoding)
    content = rezipped(content, {"xl/worksheets/sheet1.xml": payload})
    assert refused(content, "clients.xlsx") == (
        "Ce classeur contient des déclarations XML interdites (DOCTYPE ou ENTITY), signe d'un "
        "fichier piégé : il n'a pas été ouvert."
    )


def test_an_external_entity_in_shared_strings_is_refused(parser_must_not_run):
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"></sst>'
    )
    content = rezipped(content, {"[Content_Types].xml": evil})
    assert "déclarations XML interdites" in refused(content, "clients.xlsx")


# --- Declared dimensions: every loop bounded ---------------------------------------------------


def far_row_xlsx(row: int, *, cell: str | None = None) -> bytes:
    """A small valid workbook whose sheet declares, after two real rows, a row numbered ``row``
    (the shape of a 4.9 KB file that once held an upload request for two minutes)."""
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    far = f'<row r="{row}"><c r="{cell or f"A{row}"}" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace(b"</sheetData>", far.encode() + b"</sheetData>")
    return rezipped(content, {"xl/worksheets/sheet1.xml": sheet})


def with_sheet_data(rows_xml: str) -> bytes:
    """A workbook whose sheet's rows are exactly ``rows_xml``."""
    content = xlsx_bytes([["Raison sociale", "SIREN"]])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    head, _, rest = sheet.partition("<sheetData>")
    _, _, tail = rest.partition("</sheetData>")
    return rezipped(
        content, {"xl/worksheets/sheet1.xml": f"{head}<sheetData>{rows_xml}</sheetData>{tail}"}
    )


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.fixture
def rows_read(monkeypatch) -> list[int]:
    """Counts the rows openpyxl hands to the reader (gap-filling blank rows included)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    count = [0]
    original = ReadOnlyWorksheet._cells_by_row

    def counted(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            count[0] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counted)
    return count


def test_a_row_numbered_past_excels_limit_is_refused_before_any_row_is_read(rows_read):
    content = far_row_xlsx(20_000_000)
    assert len(content) < 6_000
    assert refused(content, "clients.xlsx") == (
        "Ce classeur est mal formé (ligne 20\u202f000\u202f000 au-delà des limites d'Excel) : "
        "enregistrez-le de nouveau depuis votre tableur (format .xlsx) ou au format CSV."
    )
    assert rows_read == [0]


def test_a_row_past_the_imports_limit_is_refused_blank_rows_counting(rows_read):
    content = far_row_xlsx(reading.MAX_LINES + 1)
    assert refused(content, "clients.xlsx") == (
        "Le fichier dépasse 20\u202f010 lignes, lignes vides comprises (la feuille déclare une "
        "ligne 20\u202f011) : découpez-le en plusieurs fichiers ou supprimez les lignes vides "
        "sous les clients."
    )
    assert rows_read == [0]


def test_blank_rows_up_to_the_limit_are_read_and_no_more(rows_read):
    table = read_table(far_row_xlsx(reading.MAX_LINES), "clients.xlsx")
    assert [row.line for row in table.rows] == [2, reading.MAX_LINES]
    assert rows_read[0] <= reading.MAX_LINES


def test_a_huge_declared_dimension_is_not_trusted(rows_read):
    content = xlsx_bytes([["Raison sociale", "SIREN"], ["Café", "552100554"]])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B2"/>' in sheet
    sheet = sheet.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    table = read_table(rezipped(content, {"xl/worksheets/sheet1.xml": sheet}), "clients.xlsx")
    assert table.rows[0].cells == ("Café", "552100554")
    assert rows_read == [2]


@pytest.mark.parametrize(
    ("rows_xml", "reason"),
    [
        (f'<row r="1">{inline("XFE1", "x")}</row>', "cellule invalide à la ligne 1"),
        (
            f'<row r="1">{inline("B1", "x")}{inline("A1", "y")}</row>',
            "cellule invalide à la ligne 1",
        ),
        (f'<row r="1">{inline("ZZZZ1", "x")}</row>', "cellule invalide à la ligne 1"),
        (f'<row r="3">{inline("A3", "x")}</row><row r="2"/>', "ligne 2 après la ligne 3"),
        (f'<row r="2"/><row r="2">{inline("A2", "x")}</row>', "ligne 2 après la ligne 2"),
        ('<row r="1048577"/>', "ligne 1\u202f048\u202f577 au-delà des limites d'Excel"),
        ('<row r="abc"/>', "numéro de ligne « abc »"),
        ('<row r="1e400"/>', "numéro de ligne « 1e400 »"),
        ('<row r="0"/>', "numéro de ligne « 0 »"),
    ],
)
def test_rows_and_cells_must_be_in_order_and_within_excels_limits(rows_read, rows_xml, reason):
    assert refused(with_sheet_data(rows_xml), "clients.xlsx") == (
        reading.MALFORMED_SHEET.format(reason=reason)
    )
    assert rows_read == [0]


def test_rows_and_cells_without_numbers_follow_the_previous_ones(rows_read):
    content = with_sheet_data(
        "<row>"
        '<c t="inlineStr"><is><t>Raison sociale</t></is></c>'
        '<c t="inlineStr"><is><t>SIREN</t></is></c></row>'
        f'<row r="3">{inline("A3", "Café")}<c t="inlineStr"><is><t>552100554</t></is></c></row>'
    )
    table = read_table(content, "clients.xlsx")
    assert [(row.line, row.cells) for row in table.rows] == [(3, ("Café", "552100554"))]


def test_a_sheet_declaring_too_many_cells_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHEET_CELLS", 5)
    cells = "".join(f'<c r="{letter}1"/>' for letter in "ABCDEF")
    assert refused(with_sheet_data(f'<row r="1">{cells}</row>'), "clients.xlsx") == (
        "Ce classeur déclare plus de 5 cellules : enregistrez-le au format CSV ou découpez-le."
    )


def test_blank_csv_lines_count_toward_the_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_LINES", 5)
    content = b"Raison sociale;SIREN\nCafe;552100554\n" + b"\n" * 10 + b"Garage;732829320\n"
    assert refused(content, "clients.csv") == (
        "Le fichier dépasse 5 lignes, lignes vides comprises (ligne 6) : découpez-le en "
        "plusieurs fichiers ou supprimez les lignes vides sous les clients."
    )


def test_the_quick_checks_look_only_at_the_size_name_and_first_bytes(parser_must_not_run):
    assert reading.check_file(far_row_xlsx(20_000_000), "clients.xlsx") == "xlsx"
    assert reading.check_file(b"Raison sociale;SIREN\n", "clients.csv") == "csv"
    with pytest.raises(ImportFileError, match="c'est une image PNG"):
        reading.check_file(PNG, "clients.csv")
