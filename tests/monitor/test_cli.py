"""The command line: help for every command, version, and clear errors."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawlers.base import FindingData
from monitor import __version__
from monitor.cli import app
from monitor.config import load_config
from monitor.db import upgrade
from monitor.models import PageResult, PageStatus
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR

runner = CliRunner()


def test_every_command_has_a_line_of_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "version",
        "config",
        "db",
        "demo-site",
        "demo",
        "audit",
        "audit-urls",
        "issues",
    ):
        assert command in result.output
    for name, command in (("issues", "ack"), ("config", "check"), ("db", "upgrade")):
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and command in sub.output


def test_version_names_the_monitor_and_its_browser_drivers() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert f"monitor {__version__}" in result.output
    assert "playwright" in result.output and "selenium" in result.output


def test_a_busy_port_for_the_demo_site_is_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["demo-site", "--port", str(port)])
    assert result.exit_code == 3
    assert f"port {port} on 127.0.0.1 is already in use" in result.output
    assert "Traceback" not in result.output


def test_audit_refuses_an_unknown_engine_and_fail_on_level() -> None:
    assert runner.invoke(app, ["audit", "--engine", "lynx"]).exit_code == 2
    bad = runner.invoke(app, ["audit-urls", "http://127.0.0.1:9/", "--fail-on", "awful"])
    assert bad.exit_code == 2 and "--fail-on must be one of" in bad.output


def test_issues_list_show_and_ack(one_issue: tuple[Repository, int]) -> None:
    repository, issue_id = one_issue
    listed = runner.invoke(app, ["issues", "list", "--service", "join-the-library"])
    assert listed.exit_code == 0 and "label" in listed.output and "critical" in listed.output
    shown = runner.invoke(app, ["issues", "show", str(issue_id)])
    assert shown.exit_code == 0 and "http://x/join-the-library" in shown.output
    assert "4.1.2" in shown.output
    ack = ["issues", "ack", str(issue_id), "--by", "Sam Owner", "--reason", "Fix in next release"]
    bad = runner.invoke(app, [*ack, "--until", "next week"])
    assert bad.exit_code == 2 and "--until must be a date" in bad.output
    acked = runner.invoke(app, [*ack, "--until", "2027-01-31"])
    assert acked.exit_code == 0, acked.output
    stored = repository.issue(issue_id)
    assert stored is not None and stored.ack_by == "Sam Owner"
    assert stored.ack_until is not None and stored.ack_until.date().isoformat() == "2027-01-31"
    missing = runner.invoke(app, ["issues", "show", "9999"])
    assert missing.exit_code == 2


def test_a_bad_setting_is_named_without_a_traceback(monkeypatch) -> None:
    from monitor.settings import get_settings

    monkeypatch.setenv("MONITOR_CONCURRENCY", "lots")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "MONITOR_CONCURRENCY" in result.output and "Traceback" not in result.output


@pytest.fixture
def one_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Repository, int]]:
    """A database with one new critical issue; the CLI pointed at it."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    get_settings.cache_clear()
    upgrade(url)
    repository = Repository(url)
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(service_ids=["join-the-library"])
    page = repository.upsert_page("join-the-library", "http://x/join-the-library")
    assert run.id and page.id
    repository.record_page(
        PageResult(
            run_id=run.id, page_id=page.id, service_id="join-the-library", status=PageStatus.audited
        ),
        [
            FindingData(
                check="axe",
                rule="label",
                message="Add a label",
                wcag=("4.1.2",),
                impact="critical",
                selector="#name",
                snippet='<input id="name">',
            )
        ],
    )
    repository.update_issues(run.id, "join-the-library")
    (issue,) = repository.issues()
    assert issue.id is not None
    try:
        yield repository, issue.id
    finally:
        get_settings.cache_clear()


def listed_ids(output: str) -> list[str]:
    return re.findall(r"^│ +(\d+) +│", output, flags=re.MULTILINE)


def test_issues_list_validates_status_and_impact(one_issue: tuple[Repository, int]) -> None:
    _, issue_id = one_issue
    for option, value, accepted in (
        ("--status", "bogus", ("new", "open", "fixed", "reopened")),
        ("--impact", "awful", ("minor", "moderate", "serious", "critical")),
    ):
        result = runner.invoke(app, ["issues", "list", option, value])
        assert result.exit_code == 2, result.output
        assert f"'{value}' is not one of" in result.output
        assert all(f"'{name}'" in result.output for name in accepted)
    # The values accepted filter (in any case); none of them is refused.
    assert listed_ids(runner.invoke(app, ["issues", "list", "--status", "NEW"]).output) == [
        str(issue_id)
    ]
    assert listed_ids(runner.invoke(app, ["issues", "list", "--status", "fixed"]).output) == []
    assert listed_ids(runner.invoke(app, ["issues", "list", "--impact", "critical"]).output) == [
        str(issue_id)
    ]
    assert listed_ids(runner.invoke(app, ["issues", "list", "--impact", "minor"]).output) == []


def test_runs_list_validates_status(one_issue: tuple[Repository, int]) -> None:
    result = runner.invoke(app, ["runs", "list", "--status", "bogus"])
    assert result.exit_code == 2
    statuses = ("queued", "running", "completed", "failed", "interrupted", "cancelled")
    assert all(f"'{status}'" in result.output for status in statuses)
    queued = runner.invoke(app, ["runs", "list", "--status", "queued"])
    assert queued.exit_code == 0 and len(listed_ids(queued.output)) == 1
    assert listed_ids(runner.invoke(app, ["runs", "list", "--status", "completed"]).output) == []


def test_an_acknowledgement_that_has_already_expired_is_refused(
    one_issue: tuple[Repository, int],
) -> None:
    repository, issue_id = one_issue
    ack = ["issues", "ack", str(issue_id), "--by", "Sam Owner", "--reason", "Supplier fix"]
    assert runner.invoke(app, [*ack, "--until", "2999-01-31"]).exit_code == 0
    for past in ("2020-01-01", f"{datetime.now(UTC):%Y-%m-%d}"):  # the CLI's days are UTC
        refused = runner.invoke(app, [*ack, "--until", past])
        assert refused.exit_code == 2, refused.output
        assert f"--until {past} is not after today" in refused.output
    stored = repository.issue(issue_id)  # the valid acknowledgement stands
    assert stored is not None and stored.ack_until is not None
    assert stored.ack_until.date() == date(2999, 1, 31)
    # The repository refuses it too (the dashboard goes through it).
    with pytest.raises(ValueError, match="has passed already"):
        repository.acknowledge_issue(
            issue_id, by="x", reason="y", until=datetime(2020, 1, 1, tzinfo=UTC)
        )


@pytest.mark.parametrize(
    "command",
    [
        ["issues", "list", "--service", "no-such-service"],
        ["feedback", "export", "--service", "no-such-service"],
        ["alerts", "list", "--service", "no-such-service"],
    ],
)
def test_an_unknown_service_is_a_usage_error_naming_the_services(
    command: list[str], one_issue: tuple[Repository, int]
) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "no service 'no-such-service'; the services are: apply-for-a-blue-badge," in (
        result.output
    )
    # A known one is listed as before.
    known = runner.invoke(app, [*command[:-1], "join-the-library"])
    assert known.exit_code == 0, known.output
