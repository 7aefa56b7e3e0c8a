"""CSV that a spreadsheet opens as typed: no cell runs as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

from monitor.exports.base import Exporter

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# a resident could type "=HYPERLINK(...)" into a comment.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with text that a spreadsheet would run as a formula made inert.

    A leading apostrophe makes Excel, LibreOffice and Google Sheets show the text as typed.
    Numbers, booleans and ``None`` are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvExporter(Exporter):
    name = "csv"
    suffix = ".csv"
    media_type = "text/csv"
    file_encoding = "utf-8-sig"  # the byte-order mark makes Excel read UTF-8 (£, accents)

    def write(self, stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        writer = csv.writer(stream)
        writer.writerow(columns)
        count = 0
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            count += 1
        return count
