"""Partnership uploads in the documented local-data format (see docs/local-data-format.md).

A local file is a tidy table, one observation a row, as CSV (UTF-8, UTF-8 with a BOM or
UTF-16 with a BOM; comma, semicolon or tab separated) or as the first sheet of an Excel
workbook. This adapter only reads the file: every check on the whole file (type, size,
encoding, zip bomb, formulas, merged cells, header) happens here, before anything touches
the database, and raises ``FileFormatError`` with a message a person can act on. Checks
on single rows (place, indicator, period, value...) are the pipeline's, in
``indicators.validation``; the policy is to reject the whole file if any row is bad.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from django.conf import settings

from indicators.importing import REJECT_FILE, DatasetSpec, IndicatorSpec
from indicators.jobs import FileFormatError
from indicators.models import Dataset, Indicator
from indicators.periods import FINANCIAL_YEAR

KB = 1024
MB = 1024 * KB
GB = 1024 * MB
DEFAULT_MAX_UPLOAD_BYTES = 50 * MB
DEFAULT_MAX_XLSX_UNPACKED_BYTES = 200 * MB
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FLOOR = 1 * MB  # tiny parts can compress very well without being a bomb
CSV_CHUNK_ROWS = 100_000
XLSX_CHUNK_ROWS = 10_000
MAX_LISTED = 10

DEFAULT_DATASET_SLUG = "local-upload"
DEFAULT_DATASET_NAME = "Local data uploads"
PLACEHOLDER_SLUG = "your-indicator-slug"
FORMAT_VERSION = "local-1"

REQUIRED_COLUMNS = ("place", "indicator", "period", "value")
OPTIONAL_COLUMNS = ("lower_ci", "upper_ci", "numerator", "denominator", "status", "note")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
PLACE_ALIASES = ("place_code", "area_code", "areacd", "place_name", "area")
COLUMN_ALIASES = dict.fromkeys(PLACE_ALIASES, "place")
EXPECTED_COLUMNS = (
    f"Expected columns: {', '.join(REQUIRED_COLUMNS)} (required) and "
    f"{', '.join(OPTIONAL_COLUMNS)} (optional)."
)

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx"})
DELIMITERS = (",", ";", "\t")
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"
MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-format Office file (Excel 97-2003 .xls or Word .doc) or a "
        "password-protected workbook",
    ),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)
LINE_BREAK = r"\r\n|\r|\n"
NUL = b"\x00"
UPLOAD_ADVICE = "Upload a CSV file (saved as 'CSV UTF-8') or an Excel workbook (.xlsx)."


def max_upload_bytes() -> int:
    return int(getattr(settings, "TPI_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_xlsx_unpacked_bytes() -> int:
    return int(getattr(settings, "TPI_MAX_XLSX_UNPACKED_BYTES", DEFAULT_MAX_XLSX_UNPACKED_BYTES))


def human_size(size: int) -> str:
    """61.2 MB, 50 MB, 1.5 KB, 900 bytes (binary units, as Windows and macOS Finder show)."""
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= factor:
            return f"{f'{size / factor:.1f}'.removesuffix('.0')} {unit}"
    return f"{size} byte" if size == 1 else f"{size} bytes"


def _listing(items: list[str], total: int) -> str:
    text = ", ".join(items[:MAX_LISTED])
    if total > MAX_LISTED:
        text += f" and {total - MAX_LISTED} more"
    return text


def _plural(word: str, count: int) -> str:
    return word if count == 1 else f"{word}s"


# --- What a file really is ---------------------------------------------------------------


def _describe_zip(path: Path) -> str:
    """'xlsx' for an Excel workbook, else what kind of zip it is."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
    except (zipfile.BadZipFile, OSError, EOFError):
        return "a damaged zip archive"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if b"opendocument.spreadsheet" in mimetype:
        return "an OpenDocument spreadsheet (.ods)"
    if b"opendocument" in mimetype:
        return "an OpenDocument file"
    return "a zip archive"


def _utf16_without_bom(head: bytes) -> bool:
    """ASCII text saved as UTF-16 without a BOM: every other byte is zero."""
    sample = head[: len(head) - len(head) % 2][:4096]
    if len(sample) < 8:
        return False
    evens, odds = sample[0::2], sample[1::2]
    return (odds.count(0) == len(odds) and evens.count(0) == 0) or (
        evens.count(0) == len(evens) and odds.count(0) == 0
    )


def sniff_content(path: Path, head: bytes) -> str:
    """'xlsx', 'text' or a description of what the file appears to be ('a PDF document')."""
    if head.startswith(ZIP_MAGIC):
        return _describe_zip(path)
    for magic, description in MAGIC:
        if head.startswith(magic):
            return description
    if head.startswith(UTF8_BOM) or head.startswith(UTF16_BOMS):
        return "text"
    if _utf16_without_bom(head):
        return "text"
    if b"\x00" in head:
        return "binary data"
    start = head.lstrip()[:100].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "an HTML web page"
    if start.startswith(b"<?xml"):
        return "an XML file"
    return "text"


# --- Header --------------------------------------------------------------------------------


def _normalise_heading(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def map_header(headings: list[str]) -> list[str | None]:
    """Canonical column for each position (None: a blank heading, which must stay empty)."""
    columns: list[str | None] = []
    first_seen: dict[str, str] = {}
    unknown: list[str] = []
    for raw in headings:
        key = _normalise_heading(raw)
        if not key:
            columns.append(None)
            continue
        canonical = COLUMN_ALIASES.get(key, key)
        if canonical not in ALL_COLUMNS:
            unknown.append(raw.strip())
            columns.append(None)
            continue
        if canonical in first_seen:
            earlier = first_seen[canonical]
            if _normalise_heading(earlier) == key:
                raise FileFormatError(
                    f"The column '{raw.strip()}' appears twice in the header; keep one of them."
                )
            raise FileFormatError(
                f"The columns '{earlier}' and '{raw.strip()}' both give the {canonical}; "
                "keep one of them."
            )
        first_seen[canonical] = raw.strip()
        columns.append(canonical)
    missing = [name for name in REQUIRED_COLUMNS if name not in first_seen]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing {_plural('column', len(missing))} {', '.join(missing)}")
        if unknown:
            names = [f"'{name}'" for name in unknown]
            problems.append(
                f"unknown {_plural('column', len(unknown))} {_listing(names, len(names))}"
            )
        hint = ""
        if len(missing) == len(REQUIRED_COLUMNS):
            hint = " The column headings must be in the first row."
        raise FileFormatError(
            "The header row does not match the local-data format: "
            f"{'; '.join(problems)}. {EXPECTED_COLUMNS}{hint}"
        )
    return columns


def _sniff_delimiter(line: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the comma
    return best if counts[best] else ","


# --- Cell values from a workbook ---------------------------------------------------------


def _format_codes(number_format: str | None) -> str:
    """The number format without quoted literals, escapes and [bracketed] parts, lower-cased."""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format or "").lower()


def _number_text(number: float) -> str:
    """12.5 not 12.500000000000002; 12 not 12.0 (15 significant digits, as Excel shows)."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return format(number, ".15g")


def cell_text(value: Any, number_format: str | None = None) -> str:
    """What a person sees in the cell, as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    codes = _format_codes(number_format)
    if isinstance(value, int | float):
        if "%" in codes:  # 45% is stored as 0.45; the person typed and sees 45
            return _number_text(float(value) * 100)
        if isinstance(value, int):
            return str(value)
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            return value.isoformat(sep=" ")
        value = value.date()
    if isinstance(value, date):
        if codes and "d" not in codes:
            # Formatted as a month (May-23) or a year: Excel turned '2023-05' into a date.
            return f"{value:%Y-%m}" if "m" in codes else f"{value:%Y}"
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetScan:
    formulas: list[str]
    formula_count: int
    merges: list[str]
    rows: int


def scan_sheet_xml(handle: Any) -> SheetScan:
    """One streaming pass over a worksheet's XML: formula cells, merged ranges, rows."""
    formulas: list[str] = []
    formula_count = 0
    merges: list[str] = []
    rows = 0
    row_number = 0
    column = 0
    parent = None
    # The zip was size-checked first; expat (2.4+) refuses entity expansion attacks.
    events = ElementTree.iterparse(handle, events=("start", "end"))  # noqa: S314
    for event, element in events:
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "sheetData":
                parent = element
            elif tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = 0
            continue
        if tag == "c":
            ref = element.get("r")
            column = _ref_column(ref) if ref else column + 1
            if any(child.tag.rpartition("}")[2] == "f" for child in element):
                formula_count += 1
                if len(formulas) < MAX_LISTED:
                    formulas.append(ref or f"{_column_letter(column - 1)}{row_number}")
        elif tag == "row":
            rows += 1
            element.clear()
            if parent is not None:
                parent.remove(element)
        elif tag == "mergeCell":
            merges.append(element.get("ref", ""))
    return SheetScan(formulas, formula_count, merges, rows)


def _ref_column(ref: str) -> int:
    number = 0
    for char in ref:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


def _first_row(ref: str) -> int:
    digits = re.search(r"\d+", ref)
    return int(digits.group()) if digits else 0


# --- The source ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    kind: str  # "csv" or "xlsx"
    columns: list[str | None]
    encoding: str = ""
    delimiter: str = ","
    rows: int | None = None


class LocalFileSource:
    """One partnership file in the local-data format; any bad row rejects the whole file."""

    released_on: date | None = None
    version = FORMAT_VERSION
    policy = REJECT_FILE
    blank_value_is_missing = False
    split_year = FINANCIAL_YEAR
    out_of_scope_prefixes: dict[str, str] = {}

    def __init__(
        self,
        path: Path | str,
        *,
        original_name: str = "",
        dataset_slug: str = "",
        dataset_name: str = "",
        partnership_id: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.original_name = Path(original_name or self.path.name).name
        self.partnership_id = partnership_id
        slug = dataset_slug or DEFAULT_DATASET_SLUG
        existing = Dataset.objects.filter(slug=slug).first()
        if existing is not None and not existing.is_local:
            raise FileFormatError(
                f"'{slug}' is a national dataset; local files cannot be imported into it. "
                "Choose another dataset."
            )
        if existing is not None and existing.partnership_id != partnership_id:
            # Another owner's dataset: say no more than that the name cannot be used.
            raise FileFormatError(
                f"The dataset '{slug}' cannot be used for this file; choose another dataset name."
            )
        # Keep what was already said about an existing local dataset.
        self.dataset = DatasetSpec(
            slug=slug,
            name=dataset_name or (existing.name if existing else "") or DEFAULT_DATASET_NAME,
            publisher=existing.publisher if existing else "",
            source_url=existing.source_url if existing else "",
            licence=existing.licence if existing else "",
            description=(
                existing.description if existing else "Data uploaded by a local partnership."
            ),
            is_local=True,
            partnership_id=partnership_id,
        )
        # The name the person gave the file, no timestamp: the same file gets the same label.
        self.release_label = self.original_name[:120]
        self._layout: Layout | None = None

    # The Source protocol ----------------------------------------------------------------

    def files(self) -> list[Path]:
        self.layout()
        return [self.path]

    def indicator_specs(self) -> list[IndicatorSpec]:
        return []

    def known_indicators(self) -> dict[str, int]:
        """The slugs the ``indicator`` column may name.

        A partnership's file is one release of one local series (a dataset holding that
        partnership's indicator), so it may name only the indicators of that dataset. A
        national slug, another partnership's, or the partnership's other local indicators
        are "not in the catalogue", exactly like a missing one: a file can neither mix into
        the baseline, probe for others' indicators, nor replace another series' current
        release. A file without a partnership (loaded from the command line) names baseline
        indicators.
        """
        if self.partnership_id is None:
            indicators = Indicator.objects.filter(dataset__partnership__isnull=True)
        else:
            indicators = Indicator.objects.filter(
                dataset__slug=self.dataset.slug, dataset__partnership_id=self.partnership_id
            )
        return dict(indicators.values_list("slug", "pk"))

    def estimate_rows(self) -> int | None:
        layout = self.layout()
        if layout.rows is not None:
            return layout.rows
        with self.path.open("rb") as handle:
            breaks = sum(block.count(b"\n") for block in iter(lambda: handle.read(MB), b""))
        return max(0, breaks - 1)

    def chunks(self) -> Iterator[pd.DataFrame]:
        layout = self.layout()
        if layout.kind == "xlsx":
            yield from self._xlsx_chunks(layout)
        else:
            yield from self._csv_chunks(layout)

    # Whole-file checks ------------------------------------------------------------------

    def layout(self) -> Layout:
        """Check the file as a whole (once) and work out how to read it."""
        if self._layout is None:
            self._layout = self._inspect()
        return self._layout

    def _inspect(self) -> Layout:
        try:
            size = self.path.stat().st_size
        except OSError as error:
            raise FileFormatError(f"The file could not be opened ({error.strerror}).") from None
        limit = max_upload_bytes()
        if size > limit:
            raise FileFormatError(
                f"The file is {human_size(size)}; the limit is {human_size(limit)}."
            )
        if size == 0:
            raise FileFormatError("The file is empty.")
        with self.path.open("rb") as handle:
            head = handle.read(64 * KB)
        suffix = Path(self.original_name).suffix.lower()
        content = sniff_content(self.path, head)
        appears = "an Excel workbook" if content == "xlsx" else content
        if suffix and suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
            looks = "" if content == "text" else f" (it looks like {appears})"
            raise FileFormatError(
                f"Files of type {suffix} are not accepted{looks}. {UPLOAD_ADVICE}"
            )
        if suffix in XLSX_SUFFIXES and content != "xlsx":
            if content == "text":
                raise FileFormatError(
                    f"The file is named {suffix} but is not an Excel workbook (it looks like CSV "
                    "text). Rename it to .csv, or save it from Excel as an .xlsx workbook, and "
                    "upload it again."
                )
            raise FileFormatError(
                f"The file is named {suffix} but is not an Excel workbook "
                f"(it looks like {appears})."
            )
        if suffix in CSV_SUFFIXES and content != "text":
            if content == "xlsx":
                raise FileFormatError(
                    f"The file is named {suffix} but is an Excel workbook, not CSV text. Rename "
                    "it to .xlsx, or save it from Excel as 'CSV UTF-8', and upload it again."
                )
            raise FileFormatError(
                f"The file is named {suffix} but is not a CSV file (it looks like {appears})."
            )
        if content == "xlsx":
            return self._inspect_xlsx()
        if content != "text":
            raise FileFormatError(
                f"The file is not a CSV file or an Excel workbook (it looks like {appears})."
            )
        return self._inspect_csv(head)

    def _inspect_csv(self, head: bytes) -> Layout:
        if head.startswith(UTF16_BOMS):
            encoding = "utf-16"
        elif _utf16_without_bom(head):
            raise FileFormatError(
                "The file is UTF-16 text without a byte-order mark, which cannot be read "
                "reliably. Save it as 'CSV UTF-8' and upload it again."
            )
        else:
            encoding = "utf-8-sig"
        if not self._check_text(encoding):
            raise FileFormatError("The file is empty.")
        with self.path.open(encoding=encoding, newline="") as handle:
            first_line = handle.readline()
        delimiter = _sniff_delimiter(first_line)
        headings = next(csv.reader([first_line.rstrip("\r\n")], delimiter=delimiter), [])
        return Layout(
            kind="csv", columns=map_header(headings), encoding=encoding, delimiter=delimiter
        )

    def _check_text(self, encoding: str) -> bool:
        """Decode the whole file once: a clear error for bad bytes; False if only whitespace."""
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        offset = 0
        line_breaks = 0
        has_content = False
        with self.path.open("rb") as handle:
            while True:
                block = handle.read(MB)
                final = not block
                pending = decoder.getstate()[0]
                try:
                    text = decoder.decode(block, final=final)
                except UnicodeDecodeError as error:
                    data = pending + block
                    position = offset - len(pending) + error.start
                    bad = data[error.start]
                    if encoding.startswith("utf-16"):
                        raise FileFormatError(
                            f"The file is not valid UTF-16 text (at byte position {position}). "
                            "Save it as 'CSV UTF-8' and upload it again."
                        ) from None
                    line = line_breaks + data[: error.start].count(b"\n") + 1
                    guess = bytes([bad]).decode("cp1252", errors="replace")
                    hint = (
                        f", probably '{guess}' saved as Windows-1252" if guess.isprintable() else ""
                    )
                    raise FileFormatError(
                        f"The file is not UTF-8 text (byte 0x{bad:02X} at position {position}, "
                        f"on line {line}{hint}). Save it as 'CSV UTF-8' and upload it again."
                    ) from None
                if "\x00" in text:
                    where = ""
                    if not encoding.startswith("utf-16"):
                        where = f" at position {offset + block.find(NUL)}"
                    raise FileFormatError(
                        f"The file is not a CSV file (it contains binary data: a NUL byte{where})."
                    )
                if not has_content and text.strip():
                    has_content = True
                if final:
                    return has_content
                line_breaks += block.count(b"\n")
                offset += len(block)

    def _inspect_xlsx(self) -> Layout:
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError):
            raise FileFormatError(
                "The file is named .xlsx but cannot be opened as an Excel workbook (the file is "
                "damaged)."
            ) from None
        with archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            packed = sum(member.compress_size for member in members)
            limit = max_xlsx_unpacked_bytes()
            if unpacked > limit:
                raise FileFormatError(
                    f"The workbook would unpack to {human_size(unpacked)}, more than the "
                    f"{human_size(limit)} allowed, so it was not opened (it may be a 'zip bomb'). "
                    "Save the data as 'CSV UTF-8' and upload that instead."
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size >= RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO:
                    raise FileFormatError(
                        f"The workbook is compressed {ratio:,.0f} to 1 (part {member.filename}), "
                        f"far beyond a real spreadsheet (at most {MAX_COMPRESSION_RATIO} to 1), "
                        "so it was not opened (it looks like a 'zip bomb')."
                    )
            if unpacked >= RATIO_CHECK_FLOOR and unpacked / max(packed, 1) > MAX_COMPRESSION_RATIO:
                raise FileFormatError(
                    f"The workbook is compressed {unpacked / max(packed, 1):,.0f} to 1, far "
                    f"beyond a real spreadsheet (at most {MAX_COMPRESSION_RATIO} to 1), so it was "
                    "not opened (it looks like a 'zip bomb')."
                )
        workbook = self._open_workbook()
        try:
            if not workbook.worksheets:
                raise FileFormatError("The workbook has no worksheet.")
            sheet = workbook.worksheets[0]
            sheet_path = str(sheet._worksheet_path)
            with zipfile.ZipFile(self.path) as archive, archive.open(sheet_path) as handle:
                try:
                    scan = scan_sheet_xml(handle)
                except ElementTree.ParseError as error:
                    raise FileFormatError(
                        f"The first sheet of the workbook is damaged ({error})."
                    ) from None
            self._check_scan(sheet.title, scan)
            if scan.rows == 0:
                raise FileFormatError(f"The first sheet ('{sheet.title}') is empty.")
            sheet.reset_dimensions()
            header_row = next(sheet.iter_rows(min_row=1, max_row=1), ())
            headings = [cell_text(cell.value, cell.number_format) for cell in header_row]
        finally:
            workbook.close()
        while headings and not headings[-1].strip():
            headings.pop()
        if not headings:
            raise FileFormatError(
                f"The first row of the first sheet ('{sheet.title}') is empty; it must hold the "
                f"column headings. {EXPECTED_COLUMNS}"
            )
        return Layout(kind="xlsx", columns=map_header(headings), rows=max(0, scan.rows - 1))

    def _open_workbook(self) -> Any:
        from openpyxl import load_workbook

        try:
            return load_workbook(self.path, read_only=True, data_only=False, keep_links=False)
        except Exception as error:  # openpyxl raises many kinds for a broken workbook
            raise FileFormatError(
                f"The workbook could not be opened ({type(error).__name__}: {error}). Save it "
                "again from Excel as an .xlsx workbook and upload it again."
            ) from None

    @staticmethod
    def _check_scan(title: str, scan: SheetScan) -> None:
        header_merges = [ref for ref in scan.merges if _first_row(ref) == 1]
        if header_merges:
            raise FileFormatError(
                f"The header row of sheet '{title}' has merged cells "
                f"({_listing(header_merges, len(header_merges))}); unmerge them so that every "
                "column has its own heading in row 1."
            )
        if scan.formula_count:
            refs = _listing(scan.formulas, scan.formula_count)
            what = (
                f"cell {refs} contains a formula"
                if scan.formula_count == 1
                else f"cells {refs} contain formulas"
            )
            raise FileFormatError(
                f"In sheet '{title}', {what}; paste values only (copy, then Paste Special > "
                "Values) and upload the file again."
            )
        if scan.merges:
            raise FileFormatError(
                f"Sheet '{title}' has merged cells ({_listing(scan.merges, len(scan.merges))}); "
                "unmerge them and fill in every cell."
            )

    # Reading rows -----------------------------------------------------------------------

    def _csv_chunks(self, layout: Layout) -> Iterator[pd.DataFrame]:
        width = len(layout.columns)
        reader = pd.read_csv(
            self.path,
            sep=layout.delimiter,
            encoding=layout.encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0,
            names=list(range(width)),
            index_col=False,
            skip_blank_lines=False,
            chunksize=CSV_CHUNK_ROWS,
        )
        first_line = 2
        try:
            for frame in reader:
                count = len(frame)
                extra = np.zeros(count, dtype=np.int64)
                for position in range(width):
                    values = frame[position]
                    if values.str.contains(r"[\r\n]", regex=True).any():
                        extra += values.str.count(LINE_BREAK).to_numpy(dtype=np.int64)
                before = np.cumsum(extra) - extra
                lines = first_line + np.arange(count, dtype=np.int64) + before
                first_line += count + int(extra.sum())
                cells = [frame[position].to_numpy(dtype=object) for position in range(width)]
                tidy = self._tidy(layout, cells, lines, lambda p: f"column {p + 1}")
                if not tidy.empty:
                    yield tidy
        except pd.errors.ParserError as error:
            raise FileFormatError(self._parser_message(layout, error)) from None
        finally:
            reader.close()

    def _parser_message(self, layout: Layout, error: Exception) -> str:
        width = len(layout.columns)
        with self.path.open(encoding=layout.encoding, newline="") as handle:
            records = csv.reader(handle, delimiter=layout.delimiter)
            next(records, None)
            for record in records:
                if len(record) > width:
                    return (
                        f"Line {records.line_num} has {len(record)} values but the header has "
                        f"{width} columns. Put any value that contains '{layout.delimiter}' in "
                        "double quotes, or remove the extra values."
                    )
        return (
            f"The file could not be read as CSV ({error}). Check that values containing the "
            "delimiter, quotes or line breaks are in double quotes."
        )

    def _xlsx_chunks(self, layout: Layout) -> Iterator[pd.DataFrame]:
        width = len(layout.columns)
        workbook = self._open_workbook()
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # a wrong <dimension> must not cut rows off
            buffer: list[list[str]] = []
            lines: list[int] = []
            for number, row in enumerate(sheet.iter_rows(min_row=2), start=2):
                texts = [cell_text(cell.value, cell.number_format) for cell in row]
                for position in range(width, len(texts)):
                    if texts[position].strip():
                        raise FileFormatError(
                            f"Cell {_column_letter(position)}{number} has a value but column "
                            f"{_column_letter(position)} has no heading; give the column a "
                            "heading or delete it."
                        )
                texts = (texts + [""] * width)[:width]
                buffer.append(texts)
                lines.append(number)
                if len(buffer) >= XLSX_CHUNK_ROWS:
                    yield from self._xlsx_frame(layout, buffer, lines)
                    buffer, lines = [], []
            if buffer:
                yield from self._xlsx_frame(layout, buffer, lines)
        finally:
            workbook.close()

    def _xlsx_frame(
        self, layout: Layout, rows: list[list[str]], lines: list[int]
    ) -> Iterator[pd.DataFrame]:
        width = len(layout.columns)
        cells = [np.array([row[p] for row in rows], dtype=object) for p in range(width)]
        tidy = self._tidy(
            layout,
            cells,
            np.asarray(lines, dtype=np.int64),
            lambda p: f"column {_column_letter(p)}",
        )
        if not tidy.empty:
            yield tidy

    @staticmethod
    def _tidy(
        layout: Layout,
        cells: list[np.ndarray],
        lines: np.ndarray,
        column_name: Any,
    ) -> pd.DataFrame:
        """Tidy text rows with their line numbers; fully blank rows are left out."""
        data: dict[str, Any] = {"line": lines}
        blank = np.ones(len(lines), dtype=bool)
        for position, canonical in enumerate(layout.columns):
            values = pd.Series(cells[position], dtype=object).fillna("").astype(str)
            filled = (values.str.strip() != "").to_numpy()
            blank &= ~filled
            if canonical is None:
                if filled.any():
                    first = int(np.argmax(filled))
                    raise FileFormatError(
                        f"{column_name(position).capitalize()} has no heading but line "
                        f"{int(lines[first])} has a value in it ('{values.iloc[first][:50]}'); "
                        "give the column a heading or delete it."
                    )
                continue
            data[canonical] = values.to_numpy()
        frame = pd.DataFrame(data)
        return frame.loc[~blank].reset_index(drop=True)


# --- Templates -------------------------------------------------------------------------------

TEMPLATE_COLUMNS = list(ALL_COLUMNS)


def _template_rows(indicator_slug: str) -> list[list[str | float | int]]:
    return [
        ["E06000001", indicator_slug, "2023/24", 12.5, 10.1, 14.9, 125, 1000, "", "Survey"],
        ["Hartlepool", indicator_slug, "2022/23", 13.1, 10.6, 15.6, 131, 1000, "provisional", ""],
        ["E06000002", indicator_slug, "2023/24", "c", "", "", "", "", "", "Fewer than 10 homes"],
    ]


def local_template_csv(indicator_slug: str = PLACEHOLDER_SLUG) -> str:
    """A CSV with the header and three example rows, ready to fill in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in _template_rows(indicator_slug):
        writer.writerow([cell_text(cell) for cell in row])
    return buffer.getvalue()


README_COLUMNS = [
    (
        "place",
        "Yes",
        "GSS code (E06000001) or council name (Hartlepool). The heading may also be "
        "place_code, area_code, areacd, place_name or area.",
    ),
    ("indicator", "Yes", "The slug of an indicator in the catalogue, e.g. local-damp-homes."),
    ("period", "Yes", "When the value applies; see the accepted forms below."),
    ("value", "Yes", "A number with a full stop as decimal point (12.5), or a suppression marker."),
    ("lower_ci", "No", "Lower limit of the confidence interval."),
    ("upper_ci", "No", "Upper limit of the confidence interval."),
    ("numerator", "No", "The count the value was worked out from."),
    ("denominator", "No", "The population or total the value was worked out from (not zero)."),
    ("status", "No", "Blank, provisional, estimated, unreliable or suppressed."),
    ("note", "No", "Free text, up to 500 characters."),
]
README_PERIODS = [
    ("2023", "Calendar year (January to December)"),
    ("2023/24", "Financial year (April 2023 to March 2024)"),
    ("2021-2023", "Pooled years (January 2021 to December 2023)"),
    ("2023 Q2", "Quarter (April to June 2023)"),
    ("2023-05", "Month (May 2023)"),
    ("2023-05-31", "A single day"),
    ("2022-04-01/P1Y", "ISO 8601 start and duration (here April 2022 to March 2023)"),
]
README_RULES = [
    "One row for each place, indicator and period. The first row holds the column headings.",
    "Suppressed or unavailable values: write *, c, .., :, or n/a in the value column. They are "
    "recorded as suppressed, not as errors. A blank value is an error.",
    "The whole file is rejected if any row is bad: nothing is imported, and the report lists "
    "every bad row with its line (row) number, column and reason. Correct them and upload again.",
    "Only the first sheet is read. Paste values only: cells with formulas and merged cells are "
    "not accepted.",
    "Retired council codes can only be used for periods before the council was replaced.",
    "Uploading exactly the same file again changes nothing.",
]


def local_template_xlsx(indicator_slug: str = PLACEHOLDER_SLUG) -> bytes:
    """A workbook: a 'Data' sheet to fill in and a 'README' sheet explaining the format."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    data.append(TEMPLATE_COLUMNS)
    for row in _template_rows(indicator_slug):
        data.append([None if cell == "" else cell for cell in row])
    bold = Font(bold=True)
    for cell in data[1]:
        cell.font = bold
    for column_cells in data.iter_cols(min_col=1, max_col=3, min_row=2, max_row=1000):
        for cell in column_cells:
            cell.number_format = "@"  # text: Excel must not turn 2023-05 into a date
    widths = [14, 24, 14, 10, 10, 10, 12, 13, 13, 30]
    for index, width in enumerate(widths):
        data.column_dimensions[_column_letter(index)].width = width
    data.freeze_panes = "A2"

    readme = workbook.create_sheet("README")
    readme.append(["Local data format"])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(["Fill in the 'Data' sheet (one observation a row) and upload the workbook."])
    readme.append([])
    readme.append(["Column", "Required", "What to put in it"])
    for cell in readme[readme.max_row]:
        cell.font = bold
    for column in README_COLUMNS:
        readme.append(list(column))
    readme.append([])
    readme.append(["Period", "Meaning"])
    for cell in readme[readme.max_row]:
        cell.font = bold
    for period in README_PERIODS:
        readme.append(list(period))
    readme.append([])
    readme.append(["Rules"])
    readme[f"A{readme.max_row}"].font = bold
    for rule in README_RULES:
        readme.append([rule])
    readme.column_dimensions["A"].width = 18
    readme.column_dimensions["B"].width = 40
    readme.column_dimensions["C"].width = 90
    for cell in readme["C"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
