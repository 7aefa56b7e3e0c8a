"""The exporter interface: a table (named columns, rows of values) written in one format.

Every export the monitor offers (the dashboard's tables, ``monitor feedback export``) is a
table handed to an exporter, so a new format is one new module here and every export
gains it.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, ClassVar


class Exporter(ABC):
    """Writes a table in one file format."""

    name: ClassVar[str]  # what `--format` and the dashboard call it: "csv"
    suffix: ClassVar[str]  # ".csv"
    media_type: ClassVar[str]  # "text/csv"
    #: How a file of this format is encoded (CSV: with a byte-order mark, for Excel).
    file_encoding: ClassVar[str] = "utf-8"

    @abstractmethod
    def write(self, stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write the table to ``stream``; return how many rows (not counting a header)."""

    def text(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
        buffer = io.StringIO()
        self.write(buffer, columns, rows)
        return buffer.getvalue()

    def to_bytes(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
        return self.text(columns, rows).encode("utf-8")

    def write_file(self, path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        with path.open("w", encoding=self.file_encoding, newline="") as stream:
            return self.write(stream, columns, rows)
