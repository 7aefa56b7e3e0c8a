"""``monitor dashboard``: the Streamlit dashboard of the Ambition 1 measures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.common import (
    EXIT_UNAVAILABLE,
    Unavailable,
    err,
    friendly_errors,
    open_repository,
    out,
    settings,
    sigterm_like_ctrl_c,
    stop_child,
)
from monitor.ports import ensure_free

app = typer.Typer()

APP_FILE = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def dashboard_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The ``streamlit run`` command line for the dashboard on ``port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Viewers have no use for Streamlit's developer menu and "Deploy" button.
        "--client.toolbarMode",
        "viewer",
    ]


def dashboard_environment() -> dict[str, str]:
    """This process's settings, made absolute, so Streamlit reads the same database."""
    s = settings()
    env = dict(os.environ)
    env["MONITOR_DATABASE_URL"] = s.database_url
    env["MONITOR_CONFIG_DIR"] = str(s.config_dir.resolve())
    env["MONITOR_DATA_DIR"] = str(s.data_dir.resolve())
    return env


@app.command("dashboard")
@friendly_errors
def dashboard(
    port: Annotated[int | None, typer.Option(help="Port of the dashboard")] = None,
    address: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
) -> None:
    """Open the Streamlit dashboard of the Ambition 1 measures (Ctrl-C or SIGTERM stops)."""
    chosen = port if port is not None else settings().dashboard_port
    # Streamlit would only log "Port N is not available" and exit 1: say it in one
    # sentence, with exit code 3, before anything starts.
    ensure_free(address, chosen)
    open_repository()
    out.print(f"Dashboard: http://{address}:{chosen}/  (Ctrl-C stops)")
    with sigterm_like_ctrl_c():
        try:
            streamlit = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                dashboard_command(chosen, address), env=dashboard_environment()
            )
        except FileNotFoundError as exc:
            raise Unavailable(f"cannot start Streamlit: {exc}") from None
        try:
            code = streamlit.wait()
        finally:
            # Ctrl-C reaches Streamlit too (same terminal); SIGTERM to this process alone
            # does not: stop it here either way, so it never outlives the command.
            stop_child(streamlit)
    if code not in (0, -2, 130):
        err.print(f"[red]Streamlit stopped with exit code {code}.[/red]")
        raise typer.Exit(EXIT_UNAVAILABLE)
