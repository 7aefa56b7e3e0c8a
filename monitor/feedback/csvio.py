"""Feedback in and out as CSV: ratings from other survey tools in, evidence out.

Import: every row is checked and redacted exactly as the API does, and every bad row is
reported with its line number. The import is all or nothing: one bad row and nothing is
stored (the rows carry no identity, so storing the good ones would duplicate them when the
corrected file is imported again); a clean file is stored in ONE transaction.

Export: every cell is made safe to open in a spreadsheet (see ``monitor.exports.safe_cell``).
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from monitor.config import CouncilConfig
from monitor.exports import CsvExporter, Exporter
from monitor.feedback.redaction import Redactor
from monitor.feedback.submission import InvalidSubmission, parse_submission
from monitor.models import Feedback, utcnow
from monitor.repository import Repository
from monitor.vocabulary import RATING_LABELS

IMPORT_FIELDS = (
    "service",
    "page",
    "kind",
    "rating",
    "useful",
    "completed",
    "comment",
    "what_doing",
    "what_wrong",
    "received_at",
)
EXPORT_COLUMNS = (
    "id",
    "received_at",
    "service",
    "page",
    "kind",
    "rating",
    "rating_label",
    "useful",
    "completed",
    "comment",
    "what_doing",
    "what_wrong",
    "redacted",
    "flags",
    "source",
    "comment_purged_at",
)
_DATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)


class MappingError(ValueError):
    """A ``--map`` option names a field the import does not know."""


@dataclass
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    redacted: int = 0


def parse_mapping(options: Iterable[str]) -> dict[str, str]:
    """``["Satisfaction score=rating", ...]`` → ``{"satisfaction score": "rating"}``."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, target = option.rpartition("=")
        target = target.strip().lower()
        if not sep or not column.strip():
            raise MappingError(f"--map {option!r}: expected COLUMN=FIELD")
        if target not in IMPORT_FIELDS:
            raise MappingError(
                f"--map {option!r}: unknown field {target!r}; expected one of "
                + ", ".join(IMPORT_FIELDS)
            )
        mapping[column.strip().lower()] = target
    return mapping


def parse_time(value: str) -> datetime:
    """A time from a survey tool's export, as UTC (times without a zone are taken as UTC)."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                when = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                f"received_at: {value!r} is not a date (expected e.g. 2025-03-31 14:05 "
                "or 31/03/2025)"
            ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _row_to_feedback(
    row: Mapping[str, str],
    services: Collection[str],
    redactor: Redactor,
    default_service: str | None,
    now: datetime,
) -> Feedback:
    data: dict[str, Any] = {k: v for k, v in row.items() if k != "received_at"}
    if not (data.get("service") or "").strip() and default_service:
        data["service"] = default_service
    submission = parse_submission(data, services)
    received_at = now
    if (row.get("received_at") or "").strip():
        received_at = parse_time(row["received_at"])
        if received_at > now:
            raise ValueError(f"received_at: {row['received_at']!r} is in the future")
    page, (comment, what_doing, what_wrong), flags = redactor.redact_submission(
        submission.page, (submission.comment, submission.what_doing, submission.what_wrong)
    )
    return Feedback(
        received_at=received_at,
        service_id=submission.service,
        page_path=page,
        kind=submission.kind,
        rating=submission.rating if submission.kind == "satisfaction" else None,
        useful=submission.useful if submission.kind == "page_useful" else None,
        completed=submission.completed if submission.kind == "satisfaction" else None,
        comment=comment,
        what_doing=what_doing,
        what_wrong=what_wrong,
        redacted=bool(flags),
        flags=flags,
        source="import",
    )


def import_csv(
    stream: IO[str],
    repository: Repository,
    config: CouncilConfig,
    *,
    mapping: Mapping[str, str] | None = None,
    service: str | None = None,
) -> ImportReport:
    """Check every row; if none is bad, store them all in one transaction, else none."""
    mapping = {k.lower(): v for k, v in (mapping or {}).items()}
    services = {s.id for s in config.services}
    report = ImportReport()
    if service is not None and service not in services:
        raise MappingError(
            f"--service {service!r} is not a service in services.yaml "
            f"(known: {', '.join(sorted(services))})"
        )
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        report.problems.append(RowProblem(1, "the file is empty"))
        return report
    columns: list[str | None] = []
    for name in header:
        key = name.strip().lstrip("\ufeff").lower()
        target = mapping.get(key) or (key if key in IMPORT_FIELDS else None)
        columns.append(target)
    if not any(columns):
        report.problems.append(
            RowProblem(1, "no column matches a feedback field; use --map COLUMN=FIELD")
        )
        return report
    redactor = Redactor.for_council(config.feedback)
    rows: list[Feedback] = []
    now = utcnow()
    previous_end = reader.line_num
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {c: v for c, v in zip(columns, record, strict=False) if c}
        try:
            rows.append(_row_to_feedback(values, services, redactor, service, now))
        except InvalidSubmission as exc:
            for error in exc.errors:
                report.problems.append(RowProblem(line, f"{error.field}: {error.message}"))
        except ValueError as exc:
            report.problems.append(RowProblem(line, str(exc)))
    if rows and not report.problems:
        report.imported = repository.import_feedback(rows)
        report.redacted = sum(1 for r in rows if r.redacted)
    return report


def export_rows(repository: Repository, *, service: str | None = None) -> Iterable[list[Any]]:
    """Every stored answer (of one service), in the columns of ``EXPORT_COLUMNS``."""
    for row in repository.iter_feedback(service_id=service):
        yield [
            row.id,
            row.received_at.isoformat(),
            row.service_id,
            row.page_path,
            row.kind,
            row.rating,
            RATING_LABELS.get(row.rating) if row.rating else None,
            None if row.useful is None else ("yes" if row.useful else "no"),
            row.completed,
            row.comment,
            row.what_doing,
            row.what_wrong,
            "yes" if row.redacted else "no",
            ";".join(row.flags or []),
            row.source,
            row.comment_purged_at.isoformat() if row.comment_purged_at else None,
        ]


def export_feedback(
    stream: IO[str],
    repository: Repository,
    *,
    service: str | None = None,
    exporter: Exporter | None = None,
) -> int:
    """Write feedback (CSV unless another exporter is given); return the rows written."""
    chosen = exporter or CsvExporter()
    return chosen.write(stream, EXPORT_COLUMNS, export_rows(repository, service=service))


def export_to_path(
    path: Path,
    repository: Repository,
    *,
    service: str | None = None,
    exporter: Exporter | None = None,
) -> int:
    chosen = exporter or CsvExporter()
    return chosen.write_file(path, EXPORT_COLUMNS, export_rows(repository, service=service))


def export_text(repository: Repository, *, service: str | None = None) -> str:
    return CsvExporter().text(EXPORT_COLUMNS, export_rows(repository, service=service))
