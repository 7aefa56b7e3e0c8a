"""Helpers shared by every export the monitor writes for people to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

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
