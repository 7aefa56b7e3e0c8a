"""Exports people open in a spreadsheet or load into their own tools.

One interface (``base.Exporter``: a table written in one format) and one module per
format: ``csv_file`` (spreadsheet-safe CSV) and ``json_file``. ``issues`` turns issues
into the rows every issue export shares.
"""

from __future__ import annotations

from monitor.exports.base import Exporter
from monitor.exports.csv_file import CsvExporter, safe_cell
from monitor.exports.issues import issue_csv_rows
from monitor.exports.json_file import JsonExporter

#: Every format an export can be written in, by name.
EXPORTERS: dict[str, Exporter] = {e.name: e for e in (CsvExporter(), JsonExporter())}


def exporter(name: str) -> Exporter:
    """The exporter called ``name``; a KeyError naming the formats there are otherwise."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise KeyError(
            f"no export format {name!r}: expected one of {', '.join(EXPORTERS)}"
        ) from None


__all__ = [
    "EXPORTERS",
    "CsvExporter",
    "Exporter",
    "JsonExporter",
    "exporter",
    "issue_csv_rows",
    "safe_cell",
]
