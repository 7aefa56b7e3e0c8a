"""The exporters: one table, every format, read back by the tools people use."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard.components import export_bytes
from monitor.exports import EXPORTERS, CsvExporter, JsonExporter, exporter

COLUMNS = ("Issue", "Comment", "Seen", "Pages")
ROWS = [
    (1, '=HYPERLINK("http://evil.example")', datetime(2026, 12, 7, 9, 30, tzinfo=UTC), 3),
    (2, 'Café, £5 — "quoted"\nsecond line', None, None),
]


def test_every_format_has_a_name_a_suffix_and_a_media_type() -> None:
    assert set(EXPORTERS) == {"csv", "json"}
    for name, made in EXPORTERS.items():
        assert made.name == name and made.suffix == f".{name}" and "/" in made.media_type
    with pytest.raises(KeyError, match="expected one of csv, json"):
        exporter("xlsx")


def test_csv_reads_back_as_written_with_formulas_made_inert() -> None:
    text = CsvExporter().text(COLUMNS, ROWS)
    header, first, second = list(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS)
    assert first == ["1", '\'=HYPERLINK("http://evil.example")', "2026-12-07 09:30:00+00:00", "3"]
    assert second == ["2", 'Café, £5 — "quoted"\nsecond line', "", ""]


def test_json_reads_back_as_objects_with_the_words_as_typed() -> None:
    records = json.loads(JsonExporter().text(COLUMNS, ROWS))
    assert records == [
        {
            "Issue": 1,
            "Comment": '=HYPERLINK("http://evil.example")',
            "Seen": "2026-12-07T09:30:00+00:00",
            "Pages": 3,
        },
        {"Issue": 2, "Comment": 'Café, £5 — "quoted"\nsecond line', "Seen": None, "Pages": None},
    ]
    assert json.loads(JsonExporter().text(COLUMNS, [])) == []


def test_a_file_is_written_in_the_format_s_encoding(tmp_path: Path) -> None:
    for made in EXPORTERS.values():
        path = tmp_path / f"table{made.suffix}"
        assert made.write_file(path, COLUMNS, ROWS) == 2
        raw = path.read_bytes()
        # Excel needs the byte-order mark to read a CSV as UTF-8; JSON must not have one.
        assert raw.startswith(b"\xef\xbb\xbf") == (made.name == "csv")
        assert "Café".encode() in raw


def test_a_dashboard_table_exports_missing_values_as_empty_or_null() -> None:
    frame = pd.DataFrame({"Service": ["Alpha", "Beta"], "Satisfaction (%)": [81.5, None]})
    assert export_bytes(frame, "csv").decode().splitlines() == [
        "Service,Satisfaction (%)",
        "Alpha,81.5",
        "Beta,",
    ]
    assert json.loads(export_bytes(frame, "json")) == [
        {"Service": "Alpha", "Satisfaction (%)": 81.5},
        {"Service": "Beta", "Satisfaction (%)": None},
    ]
