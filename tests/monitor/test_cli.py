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
