"""XLSX downloads (XlsxWriter), the spreadsheet twin of ``portal.audit.csv_response``.

Every cell is written by type: numbers as numbers, dates as dates, everything else with
``write_string``, and the workbook never turns strings into formulas, links or numbers, so a
value such as ``=HYPERLINK(...)`` stays text (OWASP "CSV injection" applies to XLSX formulas
too). The CSV and the XLSX of one table carry the same cells.
"""

import datetime as dt
import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse

from portal.audit import csv_response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limits: 31 characters of sheet name, 32,767 characters per cell.
_SHEET_NAME_CHARS = 31
_CELL_CHARS = 32767
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def xlsx_bytes(sheet: str, header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    """One worksheet named ``sheet`` (cut to Excel's 31 characters, forbidden characters
    replaced) with a bold ``header`` row, then ``rows``. Rows are written as they come
    (``constant_memory``: memory does not grow with the number of rows)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    name = sheet.translate(_SHEET_FORBIDDEN).strip("'")[:_SHEET_NAME_CHARS] or "Sheet1"
    worksheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(header):
        worksheet.write_string(0, col, str(title)[:_CELL_CHARS], bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, bool) or value is None:
                worksheet.write_string(r, col, "" if value is None else str(value))
            elif isinstance(value, int | float):
                worksheet.write_number(r, col, value)
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                worksheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), dates)
            else:
                worksheet.write_string(r, col, str(value)[:_CELL_CHARS])
    workbook.close()
    return output.getvalue()


def xlsx_response(
    filename: str, sheet: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    """An XLSX download (``xlsx_bytes``), private and not cached, like ``csv_response``."""
    response = HttpResponse(xlsx_bytes(sheet, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_response(
    fmt: str, stem: str, sheet: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse | StreamingHttpResponse:
    """``stem``.csv (streamed, formula-escaped) or ``stem``.xlsx for ``fmt`` "csv" or "xlsx";
    ``ValueError`` for another format (the URL patterns allow only these two)."""
    if fmt == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", sheet, header, rows)
    raise ValueError(f"Unknown table format {fmt!r}.")
