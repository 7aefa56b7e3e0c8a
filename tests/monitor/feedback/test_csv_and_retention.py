"""CSV import and export, retention, and the ``monitor feedback`` commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.config import CouncilConfig
from monitor.exports import safe_cell
from monitor.feedback.csvio import MappingError, export_text, import_csv, parse_mapping
from monitor.models import Feedback, utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR

SURVEY = """Date,Service,How satisfied were you?,Did you finish?,Comments
2025-03-01 10:00,report-a-pothole,Very satisfied,yes,Great
02/03/2025,report-a-pothole,2,no,"Two lines,
email me at jo@example.com"
2025-03-03,no-such-service,4,yes,
2025-03-04,,Quite happy,yes,bad rating
2025-03-05,join-the-library,Neither satisfied or dissatisfied,partly,=HYPERLINK("http://evil.example")
2999-01-01,join-the-library,5,yes,from the future
,,,,
2025-03-06,join-the-library,1,maybe,bad completed
"""
# SURVEY's good rows alone.
GOOD_SURVEY = """Date,Service,How satisfied were you?,Did you finish?,Comments
2025-03-01 10:00,report-a-pothole,Very satisfied,yes,Great
02/03/2025,report-a-pothole,2,no,"Two lines,
email me at jo@example.com"
2025-03-05,join-the-library,Neither satisfied or dissatisfied,partly,=HYPERLINK("http://evil.example")
"""
MAPPING = [
    "how satisfied were you?=rating",
    "Did you finish?=completed",
    "comments=comment",
    "date=received_at",
]


def test_import_reports_every_bad_row_by_line_and_stores_nothing(
    repository: Repository, council_config: CouncilConfig
) -> None:
    report = import_csv(
        io.StringIO(SURVEY), repository, council_config, mapping=parse_mapping(MAPPING)
    )
    problems = [str(p) for p in report.problems]
    assert problems == [
        "line 5: service: unknown service 'no-such-service'; expected one of: "
        + ", ".join(sorted(s.id for s in council_config.services)),
        "line 6: service: required",
        "line 6: rating: expected 1 to 5 or one of: Very satisfied, Satisfied, "
        "Neither satisfied or dissatisfied, Dissatisfied, Very dissatisfied",
        "line 8: received_at: '2999-01-01' is in the future",
        "line 10: completed: expected one of yes, no or partly",
    ]
    # All or nothing: the good rows wait for the corrected file, so none is stored twice.
    assert report.imported == 0 and repository.count_feedback() == 0


def test_a_clean_import_stores_every_row(
    repository: Repository, council_config: CouncilConfig
) -> None:
    report = import_csv(
        io.StringIO(GOOD_SURVEY), repository, council_config, mapping=parse_mapping(MAPPING)
    )
    assert not report.problems
    assert report.imported == 3 and report.redacted == 1
    rows = sorted(repository.feedback(limit=None), key=lambda f: f.received_at)
    assert [(r.service_id, r.rating, r.completed, r.source) for r in rows] == [
        ("report-a-pothole", 5, "yes", "import"),
        ("report-a-pothole", 2, "no", "import"),
        ("join-the-library", 3, "partly", "import"),
    ]
    assert rows[0].received_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert rows[1].received_at == datetime(2025, 3, 2, tzinfo=UTC)
    assert rows[1].comment == "Two lines,\nemail me at [email]" and rows[1].flags == ["email"]


def test_import_redacts_the_page_address_and_every_text_field(
    repository: Repository, council_config: CouncilConfig
) -> None:
    survey = (
        "service,page,kind,what_doing,what_wrong\n"
        "school-admissions,/account/jane.doe%40example.com/apply,problem,"
        "Applying for my son born 04/05/2015,It asked for my NI number QQ123456C\n"
    )
    report = import_csv(io.StringIO(survey), repository, council_config)
    assert report.imported == 1 and report.redacted == 1 and not report.problems
    row = repository.feedback(limit=None)[0]
    assert row.page_path == "/account/[email]/apply"
    assert row.what_doing == "Applying for my son born [date-of-birth]"
    assert row.what_wrong == "It asked for my NI number [ni-number]"
    assert row.flags == ["email", "ni-number", "date-of-birth"]


def test_import_uses_the_default_service_for_rows_without_one(
    repository: Repository, council_config: CouncilConfig
) -> None:
    text = "rating,comment\n4,Good\nSatisfied,\n"
    report = import_csv(io.StringIO(text), repository, council_config, service="join-the-library")
    assert report.imported == 2 and not report.problems
    assert {f.service_id for f in repository.feedback(limit=None)} == {"join-the-library"}


def test_import_is_one_transaction(repository: Repository) -> None:
    good = Feedback(service_id="join-the-library", kind="satisfaction", rating=4)
    broken = Feedback(service_id="join-the-library", kind=None, rating=4)  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the database says, nothing is kept
        repository.import_feedback([good, broken])
    assert repository.count_feedback() == 0


def test_a_mapping_to_an_unknown_field_is_a_usage_error() -> None:
    with pytest.raises(MappingError, match="unknown field 'score'"):
        parse_mapping(["Q1=score"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("fine", "fine"),
        ("", ""),
        (5, 5),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_export_neutralises_formula_cells(
    repository: Repository, council_config: CouncilConfig
) -> None:
    import_csv(io.StringIO(GOOD_SURVEY), repository, council_config, mapping=parse_mapping(MAPPING))
    rows = list(csv.DictReader(io.StringIO(export_text(repository))))
    comments = {r["comment"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example")' in comments
    assert all(not c.startswith(("=", "+", "-", "@")) for c in comments)
    assert {r["rating_label"] for r in rows} >= {"Very satisfied", "Dissatisfied"}
    only = list(csv.DictReader(io.StringIO(export_text(repository, service="join-the-library"))))
    assert {r["service"] for r in only} == {"join-the-library"}


def test_purge_deletes_old_words_and_keeps_ratings(repository: Repository) -> None:
    old, new = utcnow() - timedelta(days=400), utcnow() - timedelta(days=5)
    ids = repository.add_feedback_batch(
        [
            {
                "received_at": old,
                "service_id": "join-the-library",
                "kind": "satisfaction",
                "rating": 2,
                "comment": "old words",
            },
            {
                "received_at": old,
                "service_id": "join-the-library",
                "kind": "problem",
                "what_doing": "a",
                "what_wrong": "b",
            },
            {
                "received_at": old,
                "service_id": "join-the-library",
                "kind": "page_useful",
                "useful": True,
            },
            {
                "received_at": new,
                "service_id": "join-the-library",
                "kind": "satisfaction",
                "rating": 5,
                "comment": "new words",
            },
        ]
    )
    assert repository.purge_feedback_comments(utcnow() - timedelta(days=365)) == 2
    rows = {f.id: f for f in repository.feedback(limit=None)}
    assert rows[ids[0]].comment is None and rows[ids[0]].rating == 2
    assert rows[ids[0]].comment_purged_at is not None
    assert rows[ids[1]].what_doing is None and rows[ids[1]].what_wrong is None
    assert rows[ids[2]].comment_purged_at is None  # had no words to delete
    assert rows[ids[3]].comment == "new words" and rows[ids[3]].comment_purged_at is None
    assert repository.purge_feedback_comments(utcnow() - timedelta(days=365)) == 0


def test_backdating_is_for_the_demo(repository: Repository) -> None:
    [feedback_id] = repository.add_feedback_batch(
        [
            {
                "received_at": utcnow(),
                "service_id": "join-the-library",
                "kind": "page_useful",
                "useful": False,
            }
        ]
    )
    when = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    repository.backdate_feedback([feedback_id], [when])
    assert repository.feedback(limit=1)[0].received_at == when


def test_the_feedback_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli import app
    from monitor.settings import get_settings

    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("MONITOR_FEEDBACK_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    try:
        survey = tmp_path / "survey.csv"
        survey.write_text(SURVEY, encoding="utf-8")
        runner = CliRunner()
        args = ["feedback", "import", str(survey), "--service", "join-the-library"]
        for option in MAPPING:
            args += ["--map", option]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "line 5: service: unknown service" in result.output
        assert "line 10: completed" in result.output
        assert f"Nothing imported: 4 bad row(s) in {survey}" in result.output
        assert "Traceback" not in result.output

        survey.write_text(GOOD_SURVEY, encoding="utf-8")  # corrected: the bad rows are out
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "Imported 3 row(s) (1 redacted)." in result.output

        exported = tmp_path / "out.csv"
        result = runner.invoke(app, ["feedback", "export", "--output", str(exported)])
        assert result.exit_code == 0, result.output
        text = exported.read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in text
        as_json = tmp_path / "out.json"
        result = runner.invoke(
            app, ["feedback", "export", "--format", "json", "--output", str(as_json)]
        )
        assert result.exit_code == 0, result.output
        records = json.loads(as_json.read_text(encoding="utf-8"))
        assert len(records) == len(list(csv.DictReader(io.StringIO(text)))) > 0
        # JSON is not opened by a spreadsheet: the words are kept exactly as stored.
        assert any(r["comment"].startswith("=HYPERLINK") for r in records if r["comment"])
        unknown = runner.invoke(app, ["feedback", "export", "--format", "xlsx"])
        assert unknown.exit_code == 2 and "expected one of csv, json" in unknown.output

        result = runner.invoke(app, ["feedback", "purge"])
        assert result.exit_code == 0, result.output
        assert "Deleted the comments of 3 feedback record(s) older than 30 days" in result.output

        bad = runner.invoke(app, ["feedback", "import", str(survey), "--map", "x=nonsense"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_an_unknown_default_service_is_named_with_the_known_ones(
    repository: Repository, council_config: CouncilConfig
) -> None:
    with pytest.raises(MappingError, match=r"'bogus' is not a service .*known: apply-for-a"):
        import_csv(io.StringIO("rating\n4\n"), repository, council_config, service="bogus")
    assert repository.count_feedback() == 0


def test_a_group_commit_returns_each_rows_own_id(repository: Repository) -> None:
    repository.add_feedback_batch(
        [{"received_at": utcnow(), "service_id": "join-the-library", "kind": "page_useful"}]
    )
    rows = [
        {
            "received_at": utcnow(),
            "service_id": "join-the-library",
            "kind": "satisfaction",
            "rating": 1 + n % 5,
            "comment": f"comment {n}",
            "flags": ["email"] if n % 2 else [],
        }
        for n in range(7)
    ]
    ids = repository.add_feedback_batch(rows)
    stored = {f.id: f for f in repository.feedback(limit=None)}
    assert [(stored[i].comment, stored[i].flags) for i in ids] == [
        (row["comment"], row["flags"]) for row in rows
    ]
    assert stored[ids[0]].source == "widget" and stored[ids[0]].page_path == "/"
