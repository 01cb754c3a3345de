"""Every CSV the site offers for download is written here.

Files are UTF-8 with a byte-order mark, so Excel shows accents and dashes as typed. A cell that
starts like a formula is quoted so a spreadsheet shows it as text; numbers stay numbers.
"""

import csv
import datetime
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value) -> str | int | float:
    """A value as a spreadsheet should see it: numbers as numbers, everything else as text
    that cannot run as a formula."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _plain(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return strip_tags(str(value))


def write_rows(out, header: Iterable, rows: Iterable[Iterable]) -> None:
    """The header and rows, every cell through ``csv_cell``, after a byte-order mark."""
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A download of ``filename`` holding the header and rows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_rows(response, header, rows)
    return response
