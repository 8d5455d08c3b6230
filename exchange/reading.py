"""Reading an uploaded CSV or Excel file into a ``tablib.Dataset`` of text cells (SPEC §7.7).

Why not tablib's own loaders alone: its CSV loader drops blank lines (so the row
numbers in our errors would drift from the ones the user sees) and its XLSX
loader opens the workbook with ``data_only=True``, which turns formula cells into
their cached results, so a formula could not be refused. The parsing is done
here with the ``csv`` module and openpyxl; the result is a tablib Dataset with
each row's number in the file, which the rest of the import works on.

Refused with a ``FileRefused`` (a message for the whole file): not CSV or XLSX,
empty, larger than ``MAX_BYTES`` or ``MAX_ROWS``, not UTF-8 (with or without
BOM) or Windows-1252 text.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
CSV_EXTENSIONS = ("csv", "txt")
XLSX_EXTENSIONS = ("xlsx",)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls) and other old Office files
UTF8_BOM = b"\xef\xbb\xbf"


class FileRefused(Exception):
    """The file as a whole cannot be imported; ``message`` says why (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The file's header and rows, as text; ``numbers[i]`` is the row's number in the file (header = 1)."""

    data: tablib.Dataset
    numbers: list[int]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    # (row number, column index) of every cell that holds a formula (Excel only).
    formulas: set[tuple[int, int]] = field(default_factory=set)


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _not_supported() -> FileRefused:
    return FileRefused(_("Only CSV files and Excel workbooks (.xlsx) can be imported."))


def read_table(content: bytes, filename: str) -> Table:
    if not content or not content.strip():
        raise FileRefused(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": MAX_BYTES // 2**20}
        )
    extension = _extension(filename)
    if content.startswith(OLE_MAGIC):
        raise FileRefused(_("Old Excel files (.xls) cannot be imported; save the file as .xlsx or CSV."))
    if content.startswith(ZIP_MAGIC):
        if extension and extension not in XLSX_EXTENSIONS:
            raise _not_supported()
        table = _read_xlsx(content)
    else:
        if extension and extension not in CSV_EXTENSIONS:
            raise _not_supported()
        table = _read_csv(content)
    if not table.data.headers or not any(cell.strip() for cell in table.data.headers):
        raise FileRefused(_("The file is empty."))
    if not table.data.height:
        raise FileRefused(_("The file has a header but no rows under it."))
    return table


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise FileRefused(
            ngettext(
                "The file has %(count)s row; at most %(limit)s rows are imported at once. Split it into smaller files.",
                "The file has %(count)s rows; at most %(limit)s rows are imported at once. Split it into smaller files.",
                count,
            )
            % {"count": f"{count:,}".replace(",", " "), "limit": f"{MAX_ROWS:,}".replace(",", " ")}
        )


# --- CSV ---------------------------------------------------------------------------------------
def _decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then Windows-1252 (what Excel writes on a German Windows)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content:
        raise FileRefused(
            _("The file is not in a supported encoding (UTF-16 or binary); save it as CSV in UTF-8 or Windows-1252.")
        )
    if content.startswith(UTF8_BOM):
        try:
            return content[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            return content.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    raise FileRefused(_("The file is neither UTF-8 nor Windows-1252 text; save it as CSV in UTF-8 and try again."))


def _delimiter(header_line: str) -> str:
    """``;`` (German Excel) or ``,``: whichever separates more of the header's cells (outside quotes)."""
    counts = {";": 0, ",": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def _read_csv(content: bytes) -> Table:
    text, encoding = _decode(content)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    dataset = tablib.Dataset()
    numbers: list[int] = []
    header: list[str] | None = None
    try:
        for number, row in enumerate(reader, start=1):
            if header is None:
                if not any(cell.strip() for cell in row):
                    continue
                header = [cell.strip() for cell in row]
                header_number = number
                dataset.headers = header
                continue
            if not any(cell.strip() for cell in row):
                continue  # a blank line: skipped, but the numbers after it stay the file's
            _check_row_count(len(numbers) + 1)
            width = len(header)
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise FileRefused(
                    _("Row %(row)s has more cells than the header has columns; check the separators and quotes.")
                    % {"row": number - header_number + 1}
                )
            cells = (row + [""] * width)[:width]
            dataset.append(cells)
            numbers.append(number - header_number + 1)
    except csv.Error as error:
        raise FileRefused(_("The file is not a readable CSV file (%(error)s).") % {"error": error}) from error
    return Table(data=dataset, numbers=numbers, kind="csv", encoding=encoding, delimiter=delimiter)


# --- Excel -------------------------------------------------------------------------------------
def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula stays a formula (refused), not its cached result.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # whatever openpyxl trips over, the file is not a workbook we read
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from error
    try:
        return _read_sheet(workbook)
    except FileRefused:
        raise
    except Exception as error:  # a damaged sheet inside a valid zip
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from error
    finally:
        workbook.close()


def _read_sheet(workbook) -> Table:
    """The first sheet's header and rows; formula cells recorded (``cell.data_type == "f"``)."""
    sheet = workbook.worksheets[0]
    dataset = tablib.Dataset()
    numbers: list[int] = []
    formulas: set[tuple[int, int]] = set()
    header: list[str] | None = None
    for number, row in enumerate(sheet.iter_rows(), start=1):
        values = [cell.value for cell in row]
        texts = [_cell_text(value) for value in values]
        if header is None:
            if not any(text.strip() for text in texts):
                continue
            while texts and not texts[-1].strip():
                texts.pop()
            header = [text.strip() for text in texts]
            header_number = number
            dataset.headers = header
            continue
        if not any(text.strip() for text in texts):
            continue
        _check_row_count(len(numbers) + 1)
        width = len(header)
        if len(texts) > width and any(text.strip() for text in texts[width:]):
            raise FileRefused(
                _("Row %(row)s has cells outside the header's columns; give every column a header.")
                % {"row": number - header_number + 1}
            )
        row_number = number - header_number + 1
        for index, cell in enumerate(row[:width]):
            if getattr(cell, "data_type", None) == "f":
                formulas.add((row_number, index))
        dataset.append((texts + [""] * width)[:width])
        numbers.append(row_number)
    if header is None:
        raise FileRefused(_("The file is empty."))
    return Table(data=dataset, numbers=numbers, kind="xlsx", formulas=formulas)
