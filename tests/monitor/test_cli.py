"""The command line: help for every command, version, and clear errors."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from monitor import __version__
from monitor.cli import app

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


def test_issues_list_show_and_ack(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from crawlers.base import FindingData
    from monitor.config import load_config
    from monitor.db import upgrade
    from monitor.models import PageResult, PageStatus
    from monitor.repository import Repository
    from monitor.settings import get_settings
    from tests.conftest import CONFIG_DIR

    url = f"sqlite:///{tmp_path / 'm.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(url)
    repository = Repository(url)
    repository.sync_services(load_config(CONFIG_DIR).services)
    run = repository.create_run(service_ids=["join-the-library"])
    page = repository.upsert_page("join-the-library", "http://x/join-the-library")
    assert run.id and page.id
    finding = FindingData(
        check="axe",
        rule="label",
        message="Add a label",
        wcag=("4.1.2",),
        impact="critical",
        selector="#name",
        snippet='<input id="name">',
    )
    repository.record_page(
        PageResult(
            run_id=run.id, page_id=page.id, service_id="join-the-library", status=PageStatus.audited
        ),
        [finding],
    )
    repository.update_issues(run.id, "join-the-library")
    (issue,) = repository.issues()
    try:
        listed = runner.invoke(app, ["issues", "list", "--service", "join-the-library"])
        assert listed.exit_code == 0 and "label" in listed.output and "critical" in listed.output
        shown = runner.invoke(app, ["issues", "show", str(issue.id)])
        assert shown.exit_code == 0 and "http://x/join-the-library" in shown.output
        assert "4.1.2" in shown.output
        bad = runner.invoke(
            app,
            [
                "issues",
                "ack",
                str(issue.id),
                "--by",
                "Sam",
                "--reason",
                "r",
                "--until",
                "next week",
            ],
        )
        assert bad.exit_code == 2 and "--until must be a date" in bad.output
        acked = runner.invoke(
            app,
            [
                "issues",
                "ack",
                str(issue.id),
                "--by",
                "Sam Owner",
                "--reason",
                "Fix in next release",
                "--until",
                "2027-01-31",
            ],
        )
        assert acked.exit_code == 0, acked.output
        stored = repository.issue(issue.id)
        assert stored is not None and stored.ack_by == "Sam Owner"
        assert stored.ack_until is not None and stored.ack_until.date().isoformat() == "2027-01-31"
        missing = runner.invoke(app, ["issues", "show", "9999"])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_a_bad_setting_is_named_without_a_traceback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from monitor.settings import get_settings

    monkeypatch.setenv("MONITOR_CONCURRENCY", "lots")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "MONITOR_CONCURRENCY" in result.output and "Traceback" not in result.output
