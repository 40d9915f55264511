"""The documented local-data format (docs/local-data-format.md): what a partnership's file
may hold, and each way it is refused, with the exact message and the database untouched."""

import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from indicators.importing import ImportRejectedError, ImportReport, import_source
from indicators.jobs import FileFormatError
from indicators.models import Dataset, DatasetRelease, Observation
from indicators.sources.local import (
    PLACEHOLDER_SLUG,
    LocalFileSource,
    human_size,
    local_template_csv,
    local_template_xlsx,
)
from tests.factories.indicators import DatasetFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

SLUG = "local-damp-homes"
DATASET = "local-test-uploads"
HEADER = "place,indicator,period,value\n"
EXPECTED = (
    "Expected columns: place, indicator, period, value (required) and lower_ci, upper_ci, "
    "numerator, denominator, status, note (optional)."
)


@pytest.fixture(autouse=True)
def indicator() -> Any:
    return IndicatorFactory(
        slug=SLUG,
        name="Homes with damp",
        dataset__slug="local-housing-survey",
        unit="%",
        min_value=0,
        max_value=100,
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def source(path: Path, name: str | None = None) -> LocalFileSource:
    return LocalFileSource(
        path,
        original_name=name or path.name,
        dataset_slug=DATASET,
        dataset_name="Local test uploads",
    )


def counts() -> tuple[int, int, int]:
    return (
        Observation.objects.count(),
        DatasetRelease.objects.count(),
        Dataset.objects.filter(slug=DATASET).count(),
    )


def format_error(path: Path, name: str | None = None) -> str:
    """The FileFormatError message; nothing may have been written."""
    before = counts()
    with pytest.raises(FileFormatError) as excinfo:
        import_source(source(path, name))
    assert counts() == before
    return str(excinfo.value)


def rejected(path: Path) -> ImportReport:
    """The report of a rejected import; nothing may have been written."""
    before = counts()
    with pytest.raises(ImportRejectedError) as excinfo:
        import_source(source(path))
    assert counts() == before
    assert excinfo.value.report.status == "rejected"
    assert excinfo.value.report.release_id is None
    return excinfo.value.report


def rows_csv(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


GOOD_ROWS = (
    f"E06000001,{SLUG},2023/24,12.5",
    f"E06000002,{SLUG},2023/24,20",
    f"E06000003,{SLUG},2023/24,7.25",
)


def with_bad_row(bad: str) -> str:
    """Good rows on lines 2, 3 and 5; the bad row on line 4."""
    return rows_csv(GOOD_ROWS[0], GOOD_ROWS[1], bad, GOOD_ROWS[2])


def xlsx_bytes(rows: Sequence[Any], prepare: Callable[[Any], object] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Accepted files -------------------------------------------------------------------------


def test_valid_csv_by_code_and_by_council_name_imports_with_a_correct_report(tmp_path):
    content = (
        "place,indicator,period,value,lower_ci,upper_ci,numerator,denominator,status,note\n"
        f"E06000001,{SLUG},2023/24,12.5,10.1,14.9,125,1000,,\n"
        f"Hartlepool,{SLUG},2022/23,13.1,,,,,provisional,\n"
        f'Middlesbrough,{SLUG},2023/24,9.75,,,,,,"Survey, wave 2"\n'
        f"E06000003,{SLUG},2023,8,,,,,,\n"
    )
    path = write(tmp_path, "damp.csv", content)
    assert source(path).estimate_rows() == 4
    before = Observation.objects.count()

    report = import_source(source(path))

    assert report.status == "done"
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 4, 0)
    assert report.rejected == []
    assert report.accepted_by_indicator == {SLUG: 4}
    assert report.places == 3
    assert report.release_label == "damp.csv"
    assert Observation.objects.count() == before + 4
    assert report.release_id is not None
    release = DatasetRelease.objects.get(pk=report.release_id)
    assert release.is_current and release.row_count == 4 and release.label == "damp.csv"
    assert release.dataset.slug == DATASET and release.dataset.is_local
    assert release.dataset.name == "Local test uploads"
    by_line = {o.source_line: o for o in Observation.objects.filter(release=release)}
    assert sorted(by_line) == [2, 3, 4, 5]
    assert by_line[2].place_id == "E06000001" and by_line[2].value == 12.5
    assert (by_line[2].lower_ci, by_line[2].upper_ci) == (10.1, 14.9)
    assert (by_line[2].numerator, by_line[2].denominator) == (125, 1000)
    assert by_line[3].place_id == "E06000001" and by_line[3].status == "provisional"
    assert by_line[4].place_id == "E06000002" and by_line[4].note == "Survey, wave 2"
    assert by_line[5].period_type == "calendar_year"


def test_reimporting_the_same_file_is_unchanged_and_writes_nothing(tmp_path):
    path = write(tmp_path, "damp.csv", rows_csv(*GOOD_ROWS))
    first = import_source(source(path))
    before = counts()

    again = import_source(source(path))

    assert again.status == "unchanged"
    assert again.release_id == first.release_id
    assert again.rows_accepted == 3
    assert "already imported" in again.message
    assert counts() == before


def test_header_matching_ignores_case_spaces_and_accepts_place_aliases(tmp_path):
    content = f" Area_Code ,Indicator,PERIOD,Value , Lower CI\nE06000001,{SLUG},2023,12.5,11\n"
    report = import_source(source(write(tmp_path, "aliases.csv", content)))
    assert report.rows_accepted == 1
    assert Observation.objects.get(release_id=report.release_id).lower_ci == 11


def test_utf8_with_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + rows_csv(*GOOD_ROWS).encode())
    report = import_source(source(path))
    assert (report.status, report.rows_accepted) == ("done", 3)


def test_utf16_with_byte_order_mark_is_accepted(tmp_path):
    content = "place,indicator,period,value,note\n" + f"E06000001,{SLUG},2023,12.5,Café\n"
    path = write(tmp_path, "utf16.csv", content.encode("utf-16"))
    assert path.read_bytes()[:2] in {b"\xff\xfe", b"\xfe\xff"}
    report = import_source(source(path))
    assert (report.status, report.rows_accepted) == ("done", 1)
    assert Observation.objects.get(release_id=report.release_id).note == "Café"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_accepted(tmp_path, delimiter):
    content = rows_csv(*GOOD_ROWS).replace(",", delimiter)
    report = import_source(source(write(tmp_path, "semi.csv", content)))
    assert (report.status, report.rows_accepted) == ("done", 3)


@pytest.mark.parametrize("marker", ["*", "c", "..", ":", "n/a"])
def test_suppression_markers_are_recorded_as_suppressed_not_errors(tmp_path, marker):
    content = rows_csv(GOOD_ROWS[0], f"E06000002,{SLUG},2023/24,{marker}")
    report = import_source(source(write(tmp_path, "markers.csv", content)))
    assert (report.rows_accepted, report.rows_rejected) == (2, 0)
    suppressed = Observation.objects.get(release_id=report.release_id, source_line=3)
    assert suppressed.status == "suppressed"
    assert suppressed.value is None


def test_blank_lines_are_skipped_and_line_numbers_match_the_file(tmp_path):
    content = (
        HEADER
        + f"E06000001,{SLUG},2023,12.5\n"  # line 2
        + "\n"  # line 3
        + ",,,\n"  # line 4
        + f'E06000002,{SLUG},2023,"1\n2"\n'  # lines 5 and 6: a quoted line break
        + f"E06000003,{SLUG},2023,abc\n"  # line 7
    )
    report = rejected(write(tmp_path, "lines.csv", content))
    assert report.rows_read == 3
    assert report.rejected == [
        {"line": 5, "column": "value", "value": "1\n2", "reason": "value '1\n2' is not a number"},
        {"line": 7, "column": "value", "value": "abc", "reason": "value 'abc' is not a number"},
    ]


# --- Whole-file problems ------------------------------------------------------------------


def test_wrong_encoding_latin1_is_rejected_with_the_byte_and_line(tmp_path):
    content = "place,indicator,period,value,note\n" + f"E06000001,{SLUG},2023,12.5,Café\n"
    data = content.encode("latin-1")
    assert data.index(b"\xe9") == 74
    message = format_error(write(tmp_path, "latin1.csv", data))
    assert message == (
        "The file is not UTF-8 text (byte 0xE9 at position 74, on line 2, probably 'é' saved "
        "as Windows-1252). Save it as 'CSV UTF-8' and upload it again."
    )


def test_utf16_without_byte_order_mark_is_rejected(tmp_path):
    path = write(tmp_path, "nobom.csv", rows_csv(*GOOD_ROWS).encode("utf-16-le"))
    assert format_error(path) == (
        "The file is UTF-16 text without a byte-order mark, which cannot be read reliably. "
        "Save it as 'CSV UTF-8' and upload it again."
    )


@pytest.mark.parametrize("content", [b"", b"\r\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_rejected(tmp_path, content):
    assert format_error(write(tmp_path, "empty.csv", content)) == "The file is empty."


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n,,,\n\n"])
def test_header_only_is_rejected_by_the_pipeline(tmp_path, content):
    report = rejected(write(tmp_path, "header.csv", content))
    assert report.message == "The file has a header but no rows; nothing was imported."
    assert report.rows_read == 0


def test_unknown_column_is_rejected_naming_it(tmp_path):
    content = f"place,indicator,period,value,colour\nE06000001,{SLUG},2023,12.5,red\n"
    assert format_error(write(tmp_path, "unknown.csv", content)) == (
        "The header row does not match the local-data format: unknown column 'colour'. " + EXPECTED
    )


def test_missing_column_is_rejected_naming_it(tmp_path):
    content = f"place,indicator,value\nE06000001,{SLUG},12.5\n"
    assert format_error(write(tmp_path, "missing.csv", content)) == (
        "The header row does not match the local-data format: missing column period. " + EXPECTED
    )


def test_missing_and_unknown_columns_are_reported_together(tmp_path):
    content = f"area,indicator,year,val\nE06000001,{SLUG},2023,12.5\n"
    assert format_error(write(tmp_path, "both.csv", content)) == (
        "The header row does not match the local-data format: missing columns period, value; "
        "unknown columns 'year', 'val'. " + EXPECTED
    )


def test_two_columns_for_the_place_are_rejected(tmp_path):
    content = f"place_code,place_name,indicator,period,value\nE06000001,Hartlepool,{SLUG},2023,1\n"
    assert format_error(write(tmp_path, "two.csv", content)) == (
        "The columns 'place_code' and 'place_name' both give the place; keep one of them."
    )


def test_a_row_with_too_many_values_is_rejected_with_its_line(tmp_path):
    content = rows_csv(GOOD_ROWS[0], f"E06000002,{SLUG},2023,1,5", GOOD_ROWS[2])
    assert format_error(write(tmp_path, "extra.csv", content)) == (
        "Line 3 has 5 values but the header has 4 columns. Put any value that contains ',' in "
        "double quotes, or remove the extra values."
    )


def test_a_value_under_a_blank_heading_is_rejected(tmp_path):
    content = "place,indicator,period,value,\n" + f"E06000001,{SLUG},2023,1,\n"
    content += f"E06000002,{SLUG},2023,2,oops\n"
    assert format_error(write(tmp_path, "blank.csv", content)) == (
        "Column 5 has no heading but line 3 has a value in it ('oops'); give the column a "
        "heading or delete it."
    )


def test_file_over_the_size_limit_is_rejected(tmp_path, settings):
    settings.TPI_MAX_UPLOAD_BYTES = 1000
    path = write(tmp_path, "big.csv", HEADER + "x" * (1536 - len(HEADER)))
    assert path.stat().st_size == 1536
    assert format_error(path) == "The file is 1.5 KB; the limit is 1000 bytes."


def test_sizes_read_like_a_file_manager():
    assert human_size(64_172_851) == "61.2 MB"
    assert human_size(50 * 1024 * 1024) == "50 MB"


def test_nul_bytes_mean_the_file_is_not_a_csv(tmp_path):
    path = write(tmp_path, "binary.csv", b"place,indicator\x00\x01\x02,period,value\n")
    assert format_error(path) == (
        "The file is named .csv but is not a CSV file (it looks like binary data)."
    )


def test_nul_bytes_deep_in_the_file_mean_it_is_not_a_csv(tmp_path):
    data = rows_csv(*GOOD_ROWS).encode() + b"a" * 70_000 + b"\x00"
    assert format_error(write(tmp_path, "late.csv", data)) == (
        f"The file is not a CSV file (it contains binary data: a NUL byte at position "
        f"{len(data) - 1})."
    )


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "data.csv",
            PDF,
            "The file is named .csv but is not a CSV file (it looks like a PDF document).",
        ),
        (
            "data.csv",
            PNG,
            "The file is named .csv but is not a CSV file (it looks like a PNG image).",
        ),
        (
            "data.xlsx",
            rows_csv(*GOOD_ROWS).encode(),
            "The file is named .xlsx but is not an Excel workbook (it looks like CSV text). "
            "Rename it to .csv, or save it from Excel as an .xlsx workbook, and upload it again.",
        ),
        (
            "data.xlsx",
            PDF,
            "The file is named .xlsx but is not an Excel workbook (it looks like a PDF document).",
        ),
        (
            "data.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "The file is named .xlsx but is not an Excel workbook (it looks like an old-format "
            "Office file (Excel 97-2003 .xls or Word .doc) or a password-protected workbook).",
        ),
        (
            "data.docx",
            rows_csv(*GOOD_ROWS).encode(),
            "Files of type .docx are not accepted. Upload a CSV file (saved as 'CSV UTF-8') or "
            "an Excel workbook (.xlsx).",
        ),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_rejected(tmp_path, name, content, message):
    path = write(tmp_path, "upload.bin", content)
    assert format_error(path, name) == message


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_word_document_renamed_is_described(tmp_path):
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"})
    path = write(tmp_path, "upload.bin", docx)
    assert format_error(path, "report.docx") == (
        "Files of type .docx are not accepted (it looks like a Word document). Upload a CSV "
        "file (saved as 'CSV UTF-8') or an Excel workbook (.xlsx)."
    )
    assert format_error(path, "report.xlsx") == (
        "The file is named .xlsx but is not an Excel workbook (it looks like a Word document)."
    )


def test_a_workbook_named_csv_is_rejected(tmp_path):
    path = write(tmp_path, "upload.bin", xlsx_bytes([["place", "indicator", "period", "value"]]))
    assert format_error(path, "data.csv") == (
        "The file is named .csv but is an Excel workbook, not CSV text. Rename it to .xlsx, or "
        "save it from Excel as 'CSV UTF-8', and upload it again."
    )


def test_a_dataset_that_is_national_cannot_take_local_files(tmp_path):
    DatasetFactory(slug="national-thing", name="National thing", is_local=False)
    with pytest.raises(FileFormatError) as excinfo:
        LocalFileSource(
            write(tmp_path, "x.csv", rows_csv(*GOOD_ROWS)), dataset_slug="national-thing"
        )
    assert str(excinfo.value) == (
        "'national-thing' is a national dataset; local files cannot be imported into it. "
        "Choose another dataset."
    )


# --- Bad rows: the whole file is rejected, each bad row reported -----------------------


@pytest.mark.parametrize(
    ("bad_row", "column", "value", "reason"),
    [
        (f"E06000001,{SLUG},2022/23,abc", "value", "abc", "value 'abc' is not a number"),
        (f"E06999999,{SLUG},2023/24,5", "place", "E06999999", "unknown place code E06999999"),
        (
            f"Narnia,{SLUG},2023/24,5",
            "place",
            "Narnia",
            "unknown place name 'Narnia' (give a GSS code or a council name)",
        ),
        (
            f"E06000004,{SLUG},2023 H1,5",
            "period",
            "2023 H1",
            "period '2023 H1' is not recognised; use e.g. 2023, 2023/24, 2021-2023, 2023 Q2, "
            "2023-05, 2023-05-31 or ISO 8601 such as 2022-04-01/P1Y",
        ),
        (
            f"E06000004,{SLUG},2023/24,140",
            "value",
            "140",
            "value 140 is impossible for % (allowed 0 to 100)",
        ),
        (
            "E06000004,no-such-indicator,2023/24,5",
            "indicator",
            "no-such-indicator",
            "unknown indicator 'no-such-indicator' (use the slug of an indicator in the catalogue)",
        ),
        (
            f"E06000004,{SLUG},2023/24,",
            "value",
            "",
            "value is empty; write a suppression marker such as c, .., :, * or n/a if it is "
            "withheld",
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_file(tmp_path, bad_row, column, value, reason):
    report = rejected(write(tmp_path, "bad.csv", with_bad_row(bad_row)))
    assert report.rows_read == 4
    assert report.rows_rejected == 1
    assert report.rejected == [{"line": 4, "column": column, "value": value, "reason": reason}]
    assert report.message == (
        "1 of 4 rows were rejected, so nothing was imported. Correct the rows listed and upload "
        "the file again."
    )


def test_duplicate_keys_reject_the_second_row(tmp_path):
    content = rows_csv(*GOOD_ROWS, f"Hartlepool,{SLUG},2023/24,13")
    report = rejected(write(tmp_path, "dupes.csv", content))
    assert report.rejected == [
        {
            "line": 5,
            "column": "period",
            "value": "2023/24",
            "reason": "duplicate of line 2 (same place, indicator and period)",
        }
    ]


def test_retired_place_code_after_its_retirement_is_rejected(tmp_path):
    report = rejected(write(tmp_path, "craven.csv", with_bad_row(f"E07000163,{SLUG},2024,5")))
    assert report.rejected == [
        {
            "line": 4,
            "column": "place",
            "value": "E07000163",
            "reason": "code E07000163 (Craven) was retired after 2022 (merged into a new area "
            "E06000065 North Yorkshire in 2023); a retired area cannot stand for its successor "
            "(the period starts in 2024)",
        }
    ]


def test_retired_place_code_before_its_retirement_is_accepted(tmp_path):
    report = import_source(
        source(write(tmp_path, "craven.csv", with_bad_row(f"E07000163,{SLUG},2021,5")))
    )
    assert report.rows_accepted == 4


# --- Excel workbooks ---------------------------------------------------------------------------


def test_xlsx_imports_with_clean_numbers_and_spreadsheet_row_numbers(tmp_path):
    def prepare(sheet):
        sheet["D4"].number_format = "0.0%"  # shows 45.0%
        sheet["C5"].number_format = "mmm-yy"  # Excel turned 2023-05 into a date

    rows = [
        ["place", "indicator", "period", "value", "note"],
        ["E06000001", SLUG, "2023/24", 0.1 + 12.4, None],  # 12.500000000000002 in the file
        ["Hartlepool", SLUG, 2023, 13, "integer"],
        ["E06000002", SLUG, "2023/24", 0.45, "percent format"],
        ["E06000003", SLUG, datetime(2023, 5, 1), 8.0, "month"],
        [None, None, None, None, None],
        ["E06000004", SLUG, datetime(2023, 5, 31), "c", "date"],
    ]
    path = write(tmp_path, "damp.xlsx", xlsx_bytes(rows, prepare))
    assert source(path).estimate_rows() == 6

    report = import_source(source(path))

    assert (report.rows_read, report.rows_accepted) == (5, 5)
    by_line = {o.source_line: o for o in Observation.objects.filter(release_id=report.release_id)}
    assert sorted(by_line) == [2, 3, 4, 5, 7]
    assert by_line[2].value == 12.5
    assert by_line[3].value == 13 and by_line[3].period_type == "calendar_year"
    assert by_line[4].value == pytest.approx(45)
    assert by_line[5].period_type == "month"
    assert by_line[7].period_type == "date" and by_line[7].status == "suppressed"


def test_xlsx_rejected_rows_carry_spreadsheet_row_numbers(tmp_path):
    rows = [
        ["place", "indicator", "period", "value"],
        ["E06000001", SLUG, "2023/24", 12.5],
        [None, None, None, None],
        ["E06000002", SLUG, "2023/24", 140],
    ]
    report = rejected(write(tmp_path, "bad.xlsx", xlsx_bytes(rows)))
    assert report.rejected == [
        {
            "line": 4,
            "column": "value",
            "value": "140",
            "reason": "value 140 is impossible for % (allowed 0 to 100)",
        }
    ]


def test_xlsx_with_an_empty_first_sheet_is_rejected(tmp_path):
    assert format_error(write(tmp_path, "empty.xlsx", xlsx_bytes([]))) == (
        "The first sheet ('Data') is empty."
    )


def test_xlsx_with_only_a_header_is_rejected_by_the_pipeline(tmp_path):
    rows = [["place", "indicator", "period", "value"], [None, None, None, None]]
    report = rejected(write(tmp_path, "header.xlsx", xlsx_bytes(rows)))
    assert report.message == "The file has a header but no rows; nothing was imported."


def test_xlsx_value_in_a_column_without_heading_is_rejected(tmp_path):
    rows = [["place", "indicator", "period", "value"], ["E06000001", SLUG, "2023", 1, "x"]]
    assert format_error(write(tmp_path, "extra.xlsx", xlsx_bytes(rows))) == (
        "Cell E2 has a value but column E has no heading; give the column a heading or delete it."
    )


def test_xlsx_with_formulas_is_rejected_listing_the_cells(tmp_path):
    rows = [
        ["place", "indicator", "period", "value"],
        ["E06000001", SLUG, "2023/24", 12.5],
        ["E06000002", SLUG, "2023/24", "=D2*2"],
        ["E06000003", SLUG, "2023/24", "=SUM(D2:D3)"],
    ]
    assert format_error(write(tmp_path, "formulas.xlsx", xlsx_bytes(rows))) == (
        "In sheet 'Data', cells D3, D4 contain formulas; paste values only (copy, then Paste "
        "Special > Values) and upload the file again."
    )


def test_xlsx_with_one_formula_names_the_cell(tmp_path):
    rows = [["place", "indicator", "period", "value"], ["E06000001", SLUG, "2023/24", "=1+2"]]
    assert format_error(write(tmp_path, "formula.xlsx", xlsx_bytes(rows))) == (
        "In sheet 'Data', cell D2 contains a formula; paste values only (copy, then Paste "
        "Special > Values) and upload the file again."
    )


def test_xlsx_with_many_formulas_lists_ten(tmp_path):
    rows: list[Sequence[object]] = [["place", "indicator", "period", "value"]]
    rows += [[f"E0600000{i % 9 + 1}", SLUG, str(2000 + i), f"={i}+1"] for i in range(12)]
    message = format_error(write(tmp_path, "many.xlsx", xlsx_bytes(rows)))
    assert message.startswith(
        "In sheet 'Data', cells D2, D3, D4, D5, D6, D7, D8, D9, D10, D11 and 2 more contain "
    )


def test_xlsx_with_merged_header_cells_is_rejected(tmp_path):
    rows = [
        ["place", None, "period", "value"],
        ["E06000001", SLUG, "2023/24", 12.5],
    ]
    path = write(tmp_path, "merged.xlsx", xlsx_bytes(rows, lambda s: s.merge_cells("A1:B1")))
    assert format_error(path) == (
        "The header row of sheet 'Data' has merged cells (A1:B1); unmerge them so that every "
        "column has its own heading in row 1."
    )


def test_xlsx_with_merged_data_cells_is_rejected(tmp_path):
    rows = [
        ["place", "indicator", "period", "value"],
        ["E06000001", SLUG, "2023/24", 12.5],
        [None, SLUG, "2022/23", 12.5],
    ]
    path = write(tmp_path, "merged.xlsx", xlsx_bytes(rows, lambda s: s.merge_cells("A2:A3")))
    assert format_error(path) == (
        "Sheet 'Data' has merged cells (A2:A3); unmerge them and fill in every cell."
    )


def _bomb(path: Path, member_bytes: int) -> None:
    """A zip with a tiny workbook part and a member of zeros, written without holding it."""
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(member_bytes // len(block)):
                member.write(block)


def test_zip_bomb_passed_as_xlsx_is_rejected_before_unpacking(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 256 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    assert format_error(path) == (
        "The workbook would unpack to 256 MB, more than the 200 MB allowed, so it was not "
        "opened (it may be a 'zip bomb'). Save the data as 'CSV UTF-8' and upload that instead."
    )


def test_highly_compressed_workbook_is_rejected_as_a_zip_bomb(tmp_path):
    path = tmp_path / "ratio.xlsx"
    _bomb(path, 8 * 1024 * 1024)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > 100
    assert format_error(path) == (
        f"The workbook is compressed {ratio:,.0f} to 1 (part xl/worksheets/sheet1.xml), far "
        "beyond a real spreadsheet (at most 100 to 1), so it was not opened (it looks like a "
        "'zip bomb')."
    )


def test_unpacked_size_limit_is_a_setting(tmp_path, settings):
    settings.TPI_MAX_XLSX_UNPACKED_BYTES = 1000
    rows = [["place", "indicator", "period", "value"], ["E06000001", SLUG, "2023/24", 12.5]]
    message = format_error(write(tmp_path, "small.xlsx", xlsx_bytes(rows)))
    assert message.startswith("The workbook would unpack to ")
    assert "more than the 1000 bytes allowed" in message


def test_a_damaged_zip_named_xlsx_is_rejected(tmp_path):
    data = xlsx_bytes([["place", "indicator", "period", "value"]])[:300]
    assert format_error(write(tmp_path, "broken.xlsx", data)) == (
        "The file is named .xlsx but is not an Excel workbook (it looks like a damaged zip "
        "archive)."
    )


# --- Templates -----------------------------------------------------------------------------


def test_csv_template_uses_real_places_and_imports(tmp_path):
    assert PLACEHOLDER_SLUG in local_template_csv()
    text = local_template_csv(SLUG)
    assert text.splitlines()[0] == (
        "place,indicator,period,value,lower_ci,upper_ci,numerator,denominator,status,note"
    )
    assert "E06000001" in text and "Hartlepool" in text
    report = import_source(source(write(tmp_path, "template.csv", text)))
    assert (report.rows_read, report.rows_accepted) == (3, 3)


def test_xlsx_template_has_a_readme_and_imports(tmp_path):
    data = local_template_xlsx(SLUG)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Data", "README"]
    readme = " ".join(
        str(cell) for row in workbook["README"].iter_rows(values_only=True) for cell in row if cell
    )
    for needle in ("2023/24", "2021-2023", "2023 Q2", "2022-04-01/P1Y", "n/a", "whole file"):
        assert needle in readme
    report = import_source(source(write(tmp_path, "template.xlsx", data)))
    assert (report.rows_read, report.rows_accepted) == (3, 3)


# --- a partnership's file ------------------------------------------------------------------


def _partnership(slug: str) -> Any:
    from partnerships.models import Partnership

    return Partnership.objects.create(slug=slug, name=f"Partnership {slug}")


def _partnership_source(path: Path, indicator: Any) -> LocalFileSource:
    """A partnership's file for one local indicator, as an upload makes it."""
    from indicators.views import indicator_import_options

    options = indicator_import_options(indicator)
    return LocalFileSource(
        path,
        original_name=path.name,
        dataset_slug=options["dataset_slug"],
        dataset_name=options["dataset_name"],
        partnership_id=indicator.dataset.partnership_id,
    )


def _unknown(slug: str) -> str:
    return f"unknown indicator '{slug}' (use the slug of an indicator in the catalogue)"


def test_a_partnership_file_names_only_the_indicator_it_is_for(tmp_path):
    ours, theirs = _partnership("norfolk-homes"), _partnership("greater-norwich")
    damp = IndicatorFactory(
        slug="norfolk-damp", dataset__slug="norfolk-damp", dataset__partnership=ours
    )
    IndicatorFactory(slug="norfolk-cold", dataset__slug="norfolk-cold", dataset__partnership=ours)
    IndicatorFactory(
        slug="norwich-damp", dataset__slug="greater-norwich-data", dataset__partnership=theirs
    )
    # national, another partnership's, the partnership's other local series, missing
    for slug in (SLUG, "norwich-damp", "norfolk-cold", "no-such-indicator"):
        path = write(tmp_path, f"{slug}.csv", rows_csv(f"E07000148,{slug},2023/24,5"))
        with pytest.raises(ImportRejectedError) as excinfo:
            import_source(_partnership_source(path, damp))
        assert [r["reason"] for r in excinfo.value.report.rejected] == [_unknown(slug)]

    path = write(tmp_path, "good.csv", rows_csv("E07000148,norfolk-damp,2023/24,5"))
    report = import_source(_partnership_source(path, damp))

    dataset = Dataset.objects.get(slug="norfolk-damp")
    assert report.status == "done"
    assert report.dataset == "norfolk-damp"
    assert (dataset.partnership, dataset.is_local, dataset.is_published) == (ours, True, False)


def test_two_partnerships_files_go_into_their_own_indicators_series(tmp_path):
    ours, theirs = _partnership("norfolk-homes"), _partnership("greater-norwich")
    for partnership in (ours, theirs):
        indicator = IndicatorFactory(
            slug=f"{partnership.slug}-damp",
            dataset__slug=f"{partnership.slug}-indicators",
            dataset__partnership=partnership,
        )
        path = write(tmp_path, "survey.csv", rows_csv(f"E07000148,{partnership.slug}-damp,2023,5"))
        import_source(_partnership_source(path, indicator))

    owners = dict(
        DatasetRelease.objects.filter(is_current=True).values_list(
            "dataset__slug", "dataset__partnership"
        )
    )
    assert owners == {
        "norfolk-homes-indicators": ours.pk,
        "greater-norwich-indicators": theirs.pk,
    }


def test_a_file_cannot_write_into_another_owners_dataset(tmp_path):
    ours = _partnership("norfolk-homes")
    DatasetFactory(slug="norfolk-homes-survey", partnership=_partnership("norfolk-homes-x"))
    DatasetFactory(slug=DATASET)  # a local dataset of the baseline

    message = "cannot be used for this file; choose another dataset name"
    with pytest.raises(FileFormatError, match=message):
        LocalFileSource(
            tmp_path / "x.csv", dataset_slug="norfolk-homes-survey", partnership_id=ours.pk
        )
    with pytest.raises(FileFormatError, match=message):
        LocalFileSource(tmp_path / "x.csv", dataset_slug=DATASET, partnership_id=ours.pk)
    with pytest.raises(FileFormatError, match=message):
        LocalFileSource(tmp_path / "x.csv", dataset_slug="norfolk-homes-survey")
