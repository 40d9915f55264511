"""CSV and XLSX downloads of a table, safe to open in a spreadsheet.

Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-`` or ``@``, or a
tab or carriage return) is prefixed with a single quote; genuine numbers, including numeric
text such as ``-1.25``, are written as numbers.
"""

import csv
import io
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> str | int | float | None:
    """A value as written: numbers stay numbers, dangerous text is neutralised."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    text = str(value)
    if NUMBER.fullmatch(text.strip()):
        number = float(text)
        return (
            int(number)
            if number.is_integer() and "." not in text and "e" not in text.lower()
            else number
        )
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _disposition(filename: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    return f'attachment; filename="{cleaned}"'


def csv_response(
    *, headers: Sequence[str], rows: Sequence[Sequence[Any]], filename: str
) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if (cell := safe_cell(v)) is None else cell for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(
    *,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    filename: str,
    sheet_title: str = "Data",
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", sheet_title)[:31])
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response
