"""Downloads open safely in a spreadsheet: formulas neutralised, numbers kept as numbers."""

import csv
import io

from openpyxl import load_workbook

from explorer.exports import csv_response, safe_cell, xlsx_response

HEADERS = ["Name", "Score", "Note"]
ROWS: list[list[object]] = [
    ['=HYPERLINK("http://x")', 1.25, "+cmd"],
    ["-2+3", -1.5, "@SUM(A1)"],
    ["Plain", 7, None],
    ["Text number", "-0.75", "\tTabbed"],
]


def test_safe_cell_rules():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("York") == "York"
    assert safe_cell(-1.5) == -1.5
    assert safe_cell("-1.5") == -1.5
    assert safe_cell("-3") == -3
    assert safe_cell(None) is None
    assert safe_cell(float("nan")) is None


def test_csv_neutralises_formulas_and_keeps_numbers():
    response = csv_response(headers=HEADERS, rows=ROWS, filename="out put.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="out-put.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADERS
    assert rows[1] == ['\'=HYPERLINK("http://x")', "1.25", "'+cmd"]
    assert rows[2] == ["'-2+3", "-1.5", "'@SUM(A1)"]
    assert rows[3] == ["Plain", "7", ""]
    assert rows[4] == ["Text number", "-0.75", "'\tTabbed"]


def test_xlsx_neutralises_formulas_and_writes_numbers_as_numbers():
    response = xlsx_response(headers=HEADERS, rows=ROWS, filename="out.xlsx", sheet_title="S/1")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1] == ['\'=HYPERLINK("http://x")', 1.25, "'+cmd"]
    assert values[2] == ["'-2+3", -1.5, "'@SUM(A1)"]
    assert values[3] == ["Plain", 7, None]
    assert values[4] == ["Text number", -0.75, "'\tTabbed"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
