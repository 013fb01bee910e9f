"""Reading an uploaded client file: untrusted bytes in, rows of text out, or a French reason.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252, delimited by ; , tab or |.
Excel: .xlsx only, opened with openpyxl in read-only mode, and only after its ZIP container has
been checked, since a small upload can expand to gigabytes (zip bomb) or carry XML entity
declarations (billion laughs). The declared sizes of the members are a real bound: Python's
``zipfile`` never returns more bytes than a member declares.

Every loop over a file is bounded by limits checked as it goes: the lines of a CSV and the rows
of a sheet count toward ``MAX_LINES`` blank ones included, and a sheet's declared row and column
numbers are checked before openpyxl reads its rows (openpyxl fills the gap up to a declared row
number with empty rows: one ``<row r="20000000">`` in a 5 KB file would cost twenty million).
:func:`check_file` is the constant-time part, done on upload; the rest runs in a background job.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath
from typing import IO

import defusedxml.ElementTree as DefusedXML
import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException

from clients.importing.mapping import header_index

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Lines of a file, blank ones included: the header, MAX_ROWS rows and a few title lines.
MAX_LINES = MAX_ROWS + 10
MAX_COLUMNS = 100
# Cells a sheet may declare (styled empty cells included): what MAX_LINES full rows hold.
MAX_SHEET_CELLS = MAX_LINES * MAX_COLUMNS
# Excel's own limits: a row or column number past them is not a real sheet's.
SHEET_MAX_ROWS = 1_048_576
SHEET_MAX_COLUMNS = 16_384
MAX_XLSX_MEMBERS = 1_000
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# Uncompressed / compressed size of one member. Real sheets stay far below (10 to 30); zip bombs
# reach thousands. Small members are not checked: a tiny file may compress very well.
MAX_XLSX_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

DELIMITERS = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252"}
# What a file really is when its first bytes say so.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", _("une image PNG")),
    (b"\xff\xd8\xff", _("une image JPEG")),
    (b"GIF8", _("une image GIF")),
    (b"%PDF-", _("un document PDF")),
    (b"PK\x03\x04", _("une archive ZIP (peut-être un classeur .xlsx)")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        _("un ancien document Office (.xls) ou un fichier chiffré"),
    ),
)
XML_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)

NOT_A_WORKBOOK = _(
    "Ce fichier porte l'extension .xlsx mais ce n'est pas un classeur Excel lisible. "
    "Enregistrez-le de nouveau depuis votre tableur (format .xlsx) ou au format CSV."
)
MALFORMED_SHEET = (
    "Ce classeur est mal formé ({reason}) : enregistrez-le de nouveau depuis votre tableur "
    "(format .xlsx) ou au format CSV."
)
TOO_MANY_LINES = (
    "Le fichier dépasse {limit} lignes, lignes vides comprises ({where}) : découpez-le en "
    "plusieurs fichiers ou supprimez les lignes vides sous les clients."
)
EXPANDS_TOO_MUCH = _(
    "Ce classeur se décompresse en un volume anormal (plus de {limit} Mo ou une compression "
    "suspecte) : il n'a pas été ouvert. Enregistrez-le au format CSV ou découpez-le."
)


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why, in French."""


@dataclass(frozen=True)
class Record:
    """A non-empty row of the file and its line number (CSV) or row number (sheet)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[Record]
    description: str

    def samples(self, count: int = 3) -> list[list[str]]:
        """The first few non-empty values of each column."""
        found: list[list[str]] = [[] for _ in self.headers]
        for record in self.rows[:200]:
            for index, values in enumerate(found):
                value = record.cells[index] if index < len(record.cells) else ""
                if value and len(values) < count:
                    values.append(value[:60])
        return found


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def read_table(content: bytes, filename: str) -> Table:
    """The header and data rows of a client file; raises :class:`ImportFileError`."""
    records, description = read_records(content, filename)
    start = header_index([record.cells for record in records])
    header = records[start].cells
    width = max(index + 1 for index, cell in enumerate(header) if cell)
    headers = [cell or f"Colonne {index + 1}" for index, cell in enumerate(header[:width])]
    rows = records[start + 1 :]
    if not rows:
        raise ImportFileError(
            _("Le fichier ne contient que la ligne d'en-tête : aucun client à importer.")
        )
    return Table(headers=headers, rows=rows, description=description)


def check_size(size: int) -> None:
    """Refuse a file over the limit, before it is read into memory when possible."""
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            _(
                "Le fichier dépasse la taille maximale de %(limit)s Mo (%(size)s Mo) : "
                "découpez-le en plusieurs fichiers."
            )
            % {"limit": MAX_FILE_BYTES // 1024 // 1024, "size": megabytes(size)}
        )


def check_file(content: bytes, filename: str) -> str:
    """The cheap checks, in constant time: size, extension and first bytes. Returns the kind of
    file ("csv" or "xlsx"); raises :class:`ImportFileError`."""
    check_size(len(content))
    if not content:
        raise ImportFileError(_("Le fichier est vide."))
    extension = PurePath(filename).suffix.lower()
    if extension == ".xlsx":
        _check_xlsx_signature(content)
        return "xlsx"
    if extension in (".csv", ".txt", ".tsv"):
        _check_csv_signature(content, extension)
        return "csv"
    if extension == ".xls":
        raise ImportFileError(
            _(
                "Les classeurs .xls (Excel 97-2003) ne sont pas pris en charge : enregistrez le "
                "fichier au format .xlsx ou CSV."
            )
        )
    raise ImportFileError("Format non pris en charge : importez un fichier .csv ou .xlsx.")


def read_records(content: bytes, filename: str) -> tuple[list[Record], str]:
    if check_file(content, filename) == "xlsx":
        records, description = _read_xlsx(content)
    else:
        records, description = _read_csv(content, PurePath(filename).suffix.lower())
    if not records:
        raise ImportFileError(_("Le fichier est vide : il ne contient aucune ligne remplie."))
    return records, description


def _kept(records: list[Record], line: int, cells: list[str]) -> None:
    """Append a row unless it is empty, enforcing the size limits."""
    if not any(cells):
        return
    if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
        raise ImportFileError(
            _(
                "La ligne %(line)s compte plus de %(limit)s colonnes : "
                "ne gardez que les colonnes utiles."
            )
            % {"line": line, "limit": MAX_COLUMNS}
        )
    if len(records) > MAX_ROWS:  # the header plus MAX_ROWS rows are allowed
        raise ImportFileError(
            _("Le fichier compte plus de %(limit)s lignes : découpez-le en plusieurs fichiers.")
            % {"limit": thousands(MAX_ROWS)}
        )
    while not cells[-1]:  # sheets pad rows to their widest; trailing delimiters do the same
        cells.pop()
    records.append(Record(line=line, cells=tuple(cells[:MAX_COLUMNS])))


# --- CSV ---------------------------------------------------------------------------------------


def _check_csv_signature(content: bytes, extension: str) -> None:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    kind = _signature(content)
    if kind:
        raise ImportFileError(
            f"Ce fichier porte l'extension {extension} mais c'est {kind} : importez un "
            "fichier CSV (texte) ou un classeur .xlsx."
        )
    if b"\x00" in content[:65536]:
        raise ImportFileError(
            f"Ce fichier porte l'extension {extension} mais ce n'est pas du texte : "
            "importez un fichier CSV ou un classeur .xlsx."
        )


def _read_csv(content: bytes, extension: str) -> tuple[list[Record], str]:
    text, encoding = decode_text(content)
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if _looks_binary(text):
        raise ImportFileError(
            _(
                "Ce fichier porte l'extension %(extension)s mais ce n'est pas du texte : "
                "importez un fichier CSV ou un classeur .xlsx."
            )
            % {"extension": extension}
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    line = 1
    try:
        for cells in reader:
            if reader.line_num > MAX_LINES:  # blank lines count: they cost a turn too
                raise ImportFileError(
                    TOO_MANY_LINES.format(
                        limit=thousands(MAX_LINES), where=f"ligne {thousands(reader.line_num)}"
                    )
                )
            _kept(records, line, [cell.strip() for cell in cells])
            line = reader.line_num + 1  # a quoted cell may span several lines
    except csv.Error as error:
        raise ImportFileError(
            _(
                "Le fichier CSV est mal formé vers la ligne %(line)s : une cellule est trop longue "
                "ou un guillemet n'est pas refermé."
            )
            % {"line": line}
        ) from error
    description = f"CSV · {ENCODING_NAMES[encoding]} · séparateur {DELIMITERS[delimiter]}"
    return records, description


def decode_text(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was in (a key of ``ENCODING_NAMES``).

    A BOM decides; otherwise UTF-8 if the bytes are valid UTF-8 (which Windows-1252 text with
    accents practically never is), else Windows-1252, what French accounting software writes.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if content.startswith(bom):
            try:
                codec = "utf-8-sig" if encoding == "utf-8" else encoding
                return content.decode(codec), encoding
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    _(
                        "Le fichier annonce l'encodage %(encoding)s mais contient des caractères "
                        "invalides : enregistrez-le de nouveau en « CSV UTF-8 »."
                    )
                    % {"encoding": ENCODING_NAMES[encoding]}
                ) from error
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # The five bytes Windows-1252 leaves undefined become U+FFFD, counted as binary below.
    return content.decode("cp1252", errors="replace"), "cp1252"


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    controls = sum(1 for char in sample if (ord(char) < 32 and char not in "\t\r\n"))
    controls += sample.count("\ufffd")
    return controls > max(5, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most regular table of 2+ columns."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ";", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [
                len(row)
                for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        width = Counter(widths).most_common(1)[0][0]
        score = (widths.count(width) / len(widths), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _signature(content: bytes) -> str:
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), "")


# --- Excel -------------------------------------------------------------------------------------


def _check_xlsx_signature(content: bytes) -> None:
    if content.startswith(b"PK\x03\x04"):
        return
    kind = _signature(content)
    if kind:
        raise ImportFileError(
            f"Ce fichier porte l'extension .xlsx mais c'est {kind} : importez un classeur "
            "Excel (.xlsx) ou un fichier CSV."
        )
    raise ImportFileError(NOT_A_WORKBOOK)


def _read_xlsx(content: bytes) -> tuple[list[Record], str]:
    check_xlsx_container(content)
    with warnings.catch_warnings():
        # openpyxl warns about styles, validations and extensions it ignores: not our concern.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # any failure of the parser on untrusted input
            raise ImportFileError(NOT_A_WORKBOOK) from error
        try:
            if not workbook.worksheets:
                raise ImportFileError(_("Ce classeur ne contient aucune feuille de calcul."))
            sheet = workbook.worksheets[0]
            # openpyxl keeps the name of the sheet's member of the archive there.
            with (
                zipfile.ZipFile(io.BytesIO(content)) as archive,
                archive.open(sheet._worksheet_path) as stream,
            ):
                check_sheet_dimensions(stream)
            sheet.reset_dimensions()  # the declared dimensions may be wrong: read every row
            records: list[Record] = []
            rows = sheet.iter_rows(max_row=MAX_LINES, max_col=MAX_COLUMNS + 1, values_only=True)
            for number, values in enumerate(rows, start=1):
                _kept(records, number, [_cell_text(value) for value in values])
            title = sheet.title
        except ImportFileError:
            raise
        except Exception as error:  # any failure of the parser on untrusted input
            raise ImportFileError(NOT_A_WORKBOOK) from error
        finally:
            workbook.close()
    return records, f"Excel (.xlsx) · feuille « {title} »"


def check_sheet_dimensions(stream: IO[bytes]) -> None:
    """Walk the rows and cells a sheet declares, before openpyxl reads them, and refuse a row
    or column number past Excel's limits or out of order, a row past ``MAX_LINES`` (blank rows
    count) or more than ``MAX_SHEET_CELLS`` cells. Stops at the first fault, so the work never
    exceeds those limits whatever the numbers declared."""
    row = 0  # the current row's number
    column = 0  # the last cell's column in the current row
    cells = 0
    open_elements: list = []
    for event, element in DefusedXML.iterparse(stream, events=("start", "end")):
        if event == "end":
            if element.tag.endswith("sheetData"):
                return  # what follows the cells (merged cells, formats…) declares no row
            # Only attributes are read, at the start: drop each element once closed (it is
            # its parent's last child then), so memory stays flat however long the sheet.
            open_elements.pop()
            if open_elements:
                del open_elements[-1][-1]
            continue
        open_elements.append(element)
        name = element.tag.rpartition("}")[2]
        if name == "row":
            number = _row_number(element.get("r"), after=row)
            if number <= row:
                raise ImportFileError(
                    MALFORMED_SHEET.format(reason=f"ligne {number} après la ligne {row}")
                )
            if number > SHEET_MAX_ROWS:
                raise ImportFileError(
                    MALFORMED_SHEET.format(
                        reason=f"ligne {thousands(number)} au-delà des limites d'Excel"
                    )
                )
            if number > MAX_LINES:
                raise ImportFileError(
                    TOO_MANY_LINES.format(
                        limit=thousands(MAX_LINES),
                        where=f"la feuille déclare une ligne {thousands(number)}",
                    )
                )
            row, column = number, 0
        elif name == "c":
            number = _column_number(element.get("r"), after=column)
            if number <= column or number > SHEET_MAX_COLUMNS:
                raise ImportFileError(
                    MALFORMED_SHEET.format(reason=f"cellule invalide à la ligne {row}")
                )
            cells += 1
            if cells > MAX_SHEET_CELLS:
                raise ImportFileError(
                    f"Ce classeur déclare plus de {thousands(MAX_SHEET_CELLS)} cellules : "
                    "enregistrez-le au format CSV ou découpez-le."
                )
            column = number


def _row_number(declared: str | None, *, after: int) -> int:
    """A row's ``r`` attribute, or the next number when there is none (as openpyxl reads it)."""
    if declared is None:
        return after + 1
    try:
        number = float(declared)
    except ValueError:
        number = 0.0
    if not number.is_integer() or number < 1:  # nan and inf are not integers either
        raise ImportFileError(MALFORMED_SHEET.format(reason=f"numéro de ligne « {declared[:20]} »"))
    return int(number)


def _column_number(reference: str | None, *, after: int) -> int:
    """The column of a cell's ``r`` attribute ("AB12"), or the next one when there is none."""
    if reference is None:
        return after + 1
    try:
        letters, _ = coordinate_from_string(reference)
        return column_index_from_string(letters)
    except (CellCoordinatesException, ValueError):
        return 0  # refused by the caller


def check_xlsx_container(content: bytes) -> None:
    """Refuse a ZIP that would expand too much or whose XML declares a DTD or entities, before
    any XML parser sees it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ImportFileError(NOT_A_WORKBOOK) from error
    limit = MAX_XLSX_UNCOMPRESSED_BYTES // 1024 // 1024
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise ImportFileError(EXPANDS_TOO_MUCH.format(limit=limit))
        if "[Content_Types].xml" not in {member.filename for member in members}:
            raise ImportFileError(NOT_A_WORKBOOK)
        if sum(member.file_size for member in members) > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise ImportFileError(EXPANDS_TOO_MUCH.format(limit=limit))
        for member in members:
            if member.flag_bits & 0x1:
                raise ImportFileError(
                    _(
                        "Ce classeur est protégé par un mot de passe : enregistrez-en une copie "
                        "sans mot de passe."
                    )
                )
            if (
                member.file_size > RATIO_CHECKED_FROM_BYTES
                and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1)
            ):
                raise ImportFileError(EXPANDS_TOO_MUCH.format(limit=limit))
        for member in members:
            if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(member) as stream:
                    declares = _declares_dtd(stream)
            except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError) as error:
                raise ImportFileError(NOT_A_WORKBOOK) from error
            if declares:
                raise ImportFileError(
                    _(
                        "Ce classeur contient des déclarations XML interdites (DOCTYPE ou ENTITY), "
                        "signe d'un fichier piégé : il n'a pas été ouvert."
                    )
                )


def _declares_dtd(stream: IO[bytes]) -> bool:
    tail = b""
    while chunk := stream.read(1 << 20):
        window = tail + chunk
        if any(marker in window for marker in XML_DECLARATIONS):
            return True
        tail = window[-32:]
    return False


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a SIREN typed as a number comes back as 123456789.0
    return str(value).strip()
