"""JSON for a council's own tools (Power BI, a data warehouse): an array of objects, one a
row, keyed by the column names; dates as ISO 8601. Written row by row, so a large export
is never held in memory."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from monitor.exports.base import Exporter


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _value(value: Any) -> Any:
    # A missing number (NaN, as pandas gives it) is null: NaN is not JSON.
    return None if isinstance(value, float) and math.isnan(value) else value


class JsonExporter(Exporter):
    name = "json"
    suffix = ".json"
    media_type = "application/json"

    def write(self, stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        stream.write("[")
        count = 0
        for row in rows:
            record = {column: _value(value) for column, value in zip(columns, row, strict=True)}
            stream.write(",\n" if count else "\n")
            stream.write(json.dumps(record, default=_plain, ensure_ascii=False))
            count += 1
        stream.write("\n]\n" if count else "]\n")
        return count
