"""Database faults in a command: a lock another process holds, a full database.

A lock is waited for and retried within a bounded time; what remains ends the command with
exit code 3, one sentence and no traceback (the traceback goes to ``data/logs/errors.log``).
The locks are real SQLite locks held by another process; the commands are real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import load_config
from monitor.db import engine_for, upgrade
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR, run_monitor

# Holds SQLite's write lock (BEGIN IMMEDIATE) until a line arrives on standard input.
HOLD_THE_WRITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("CREATE TABLE IF NOT EXISTS held (x)")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""

QUEUE = ["runs", "queue", "--service", "join-the-library"]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A migrated SQLite database with the demo services."""
    path = tmp_path / "monitor.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    Repository(url).sync_services(load_config(CONFIG_DIR).services)
    return path


@pytest.fixture
def lock(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's write lock; write a line to its stdin to let go."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    holder.kill()
    holder.wait()


def monitor_env(database: Path, **settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MONITOR_DATABASE_URL=f"sqlite:///{database}",
        MONITOR_DATA_DIR=str(database.parent / "data"),
        MONITOR_CONFIG_DIR=str(CONFIG_DIR),
        **{f"MONITOR_{name.upper()}": value for name, value in settings.items()},
    )
    return env


def queued_runs(database: Path) -> int:
    return len(Repository(f"sqlite:///{database}").queued_runs())


@pytest.mark.slow
def test_a_lock_held_past_the_busy_timeout_and_the_retries_is_exit_3_in_one_sentence(
    database: Path, lock: subprocess.Popen[str]
) -> None:
    env = monitor_env(database, sqlite_busy_timeout_seconds="0.2", database_retry_seconds="1")
    result = run_monitor(*QUEUE, env=env)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # The wait is announced once, then the one sentence that ends the command.
    assert lines[0] == "The database is locked by another process; waiting for it (up to 1 s)."
    assert len(lines) == 2, lines
    assert lines[1].startswith(f"Database unavailable: the database at sqlite:///{database}")
    assert "stayed locked by another process" in lines[1]
    log = database.parent / "data" / "logs" / "errors.log"
    assert lines[1].endswith(f"(details in {log})")
    assert "Traceback" in log.read_text() and "database is locked" in log.read_text()
    lock.communicate("\n")
    assert queued_runs(database) == 0


@pytest.mark.slow
def test_a_lock_let_go_while_the_command_waits_is_waited_for(
    database: Path, lock: subprocess.Popen[str]
) -> None:
    env = monitor_env(database, sqlite_busy_timeout_seconds="0.2", database_retry_seconds="120")
    command = subprocess.Popen(
        [sys.executable, "-m", "monitor", *QUEUE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert command.stderr is not None
    # Its busy timeout has passed at least once when it says it waits: only then let go.
    assert "locked by another process; waiting" in command.stderr.readline()
    lock.communicate("\n")
    out, rest = command.communicate()
    assert command.returncode == 0, rest
    assert "Run 1 queued: join-the-library" in out and "Traceback" not in rest
    assert queued_runs(database) == 1


def test_a_full_database_is_exit_3_in_one_sentence_and_nothing_is_imported(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{database}"
    engine = engine_for(url)
    with engine.connect() as connection:
        pages = int(connection.execute(text("PRAGMA page_count")).scalar_one())

    def little_room(dbapi_connection: object, _record: object) -> None:
        # A disk with a few pages left: SQLite answers "database or disk is full".
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 2}")  # type: ignore[attr-defined]

    event.listen(engine, "connect", little_room)
    engine.dispose()  # every connection from now on has little room
    survey = tmp_path / "survey.csv"
    comment = "A long comment about the library. " * 8
    rows = [f"join-the-library,{1 + n % 5},{comment}" for n in range(400)]
    survey.write_text("service,rating,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["feedback", "import", str(survey)])
    finally:
        get_settings.cache_clear()
        event.remove(engine, "connect", little_room)
        engine.dispose()
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)  # handled, not an error escaping
    assert "Traceback" not in result.output
    (line,) = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith(f"Database unavailable: the database at {url} is full")
    log = tmp_path / "data" / "logs" / "errors.log"
    assert "database or disk is full" in log.read_text()
    assert Repository(url).count_feedback() == 0


@pytest.mark.slow
def test_a_migration_that_meets_a_lock_is_retried_then_exit_3(tmp_path: Path) -> None:
    # A new database whose first migration has to write, while another process holds it.
    database = tmp_path / "new.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        env = monitor_env(database, sqlite_busy_timeout_seconds="0.2", database_retry_seconds="1")
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0] == "The database is locked by another process; waiting for it (up to 1 s)."
    assert lines[1].startswith(f"Database unavailable: the database at sqlite:///{database}")
    assert "stayed locked by another process for over 1.2 s" in lines[1]
