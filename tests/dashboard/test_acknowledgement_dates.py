"""An acknowledgement's date round trip: entered in the dashboard or the CLI, stored as the
start of that day in the council's time zone, read back as the same date everywhere (the
issue view, the CLI, the CSV and the printable report)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import data
from dashboard.report import accessibility_report_html
from monitor.acknowledgements import AcknowledgementRefused, day_of, expiry_of
from monitor.cli import app as cli
from monitor.exports import issue_csv_rows
from monitor.models import Issue, utcnow
from monitor.repository import Repository
from monitor.repository.read import IssueFilter
from monitor.settings import get_settings
from monitor.vocabulary import OPEN_STATES, IssueState
from tests.dashboard.conftest import APP

NEXT_YEAR = utcnow().year + 1
WINTER = date(NEXT_YEAR, 1, 31)  # GMT: midnight in London is midnight UTC
SUMMER = date(NEXT_YEAR, 7, 31)  # BST: midnight in London is 23:00 UTC the day before
runner = CliRunner()


@pytest.fixture
def repository(dashboard_env: dict[str, str]) -> Iterator[Repository]:
    repository = Repository(dashboard_env["MONITOR_DATABASE_URL"])
    get_settings.cache_clear()
    st.cache_data.clear()
    yield repository
    with repository.session() as session:  # issue 5 as the known history has it
        row = session.get_one(Issue, 5)
        row.ack_by = row.ack_reason = row.ack_at = row.ack_until = None
        session.add(row)
        session.commit()
    st.cache_data.clear()


def test_the_rule_is_the_start_of_the_day_in_london() -> None:
    assert expiry_of(WINTER, "Europe/London") == datetime(NEXT_YEAR, 1, 31, tzinfo=UTC)
    assert expiry_of(SUMMER, "Europe/London") == datetime(NEXT_YEAR, 7, 30, 23, tzinfo=UTC)
    for day in (WINTER, SUMMER):
        assert day_of(expiry_of(day, "Europe/London"), "Europe/London") == day


def acknowledge_in_the_dashboard(day: date) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params["id"] = "5"
    at.switch_page("views/issue.py").run()
    at.text_input[0].set_value("Sam Owner")
    at.text_area[0].set_value("Supplier fix booked")
    (until,) = [d for d in at.date_input if d.label == "Until"]
    until.set_value(day)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("day", [WINTER, SUMMER], ids=["winter", "summer"])
def test_a_date_entered_in_the_dashboard_is_stored_and_shown_as_entered(
    repository: Repository, day: date
) -> None:
    at = acknowledge_in_the_dashboard(day)
    words = f"{day.day} {day:%B %Y}"
    assert any(f"acknowledged until {words}" in s.value for s in at.success)
    stored = repository.issue(5)
    assert stored is not None and stored.ack_until is not None
    assert stored.ack_until.replace(tzinfo=UTC) == expiry_of(day, "Europe/London")

    # The issue view reads it back as the date entered.
    at.run()
    assert any(f"(until {words}; it counts again from that day)" in m.value for m in at.markdown)
    # So do the CLI, the CSV and the report.
    shown = runner.invoke(cli, ["issues", "show", "5"])
    assert shown.exit_code == 0 and f"by Sam Owner until {words}" in shown.output
    listed = runner.invoke(cli, ["issues", "list", "--status", "acknowledged"])
    assert listed.exit_code == 0 and "5" in listed.output
    rows = repository.read.issues.rows(IssueFilter(issue_ids=(5,)))
    (csv,) = issue_csv_rows(rows, {}, "Europe/London")
    assert csv["Acknowledged until"] == day.isoformat()
    assert csv["State"] == "Acknowledged"
    html = accessibility_report_html(
        "Beta service", data.report_issues("beta"), generated_at=utcnow()
    )
    assert f"Acknowledged by Sam Owner until {words}: Supplier fix booked" in html


@pytest.mark.parametrize("day", [WINTER, SUMMER], ids=["winter", "summer"])
def test_the_cli_stores_exactly_what_the_dashboard_stores(
    repository: Repository, day: date
) -> None:
    acknowledge_in_the_dashboard(day)
    from_dashboard = repository.issue(5)
    ack = runner.invoke(
        cli,
        ["issues", "ack", "5", "--by", "Sam Owner", "--reason", "r", "--until", day.isoformat()],
    )
    assert ack.exit_code == 0, ack.output
    from_cli = repository.issue(5)
    assert from_dashboard is not None and from_cli is not None
    assert from_cli.ack_until == from_dashboard.ack_until


def test_one_state_vocabulary_in_the_cli(repository: Repository) -> None:
    listed = runner.invoke(cli, ["issues", "list", "--status", "acknowledged"])
    assert listed.exit_code == 0
    assert "acknowledged" in listed.output and "│ 4 " in listed.output
    refused = runner.invoke(cli, ["issues", "list", "--status", "closed"])
    assert refused.exit_code == 2
    for state in ("new", "open", "reopened", "acknowledged", "fixed"):
        assert f"'{state}'" in refused.output


def test_the_open_issues_csv_holds_open_issues_only(repository: Repository) -> None:
    def ids(*states: IssueState) -> list[int]:
        rows = repository.read.issues.rows(IssueFilter(states=states))
        return sorted(int(row["Issue"]) for row in issue_csv_rows(rows, {}, "Europe/London"))

    assert ids(*OPEN_STATES) == [1, 2, 5, 6, 7, 8]  # not issue 4: it is acknowledged
    assert ids(IssueState.acknowledged) == [4]
    assert ids(IssueState.fixed) == [3]


def test_a_date_not_after_today_is_refused_in_the_dashboard_too(repository: Repository) -> None:
    with pytest.raises(AcknowledgementRefused, match="is not after today"):
        data.acknowledge(5, "Sam", "r", utcnow().date())
    stored = repository.issue(5)
    assert stored is not None and stored.ack_until is None
