"""Migrations from an empty database, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from monitor.cli import app
from monitor.db import DatabaseUnavailable, engine_for, head_revision, ping, upgrade
from monitor.settings import get_settings

TABLES = {
    "service",
    "run",
    "page",
    "pageresult",
    "finding",
    "issue",
    "issuepage",
    "brandresult",
    "journeyrun",
    "journeystepresult",
    "feedback",
    "lease",
    "alert",
}


def test_upgrade_creates_every_table_from_empty(database_url: str) -> None:
    revision = upgrade(database_url)
    assert revision == head_revision(database_url)
    tables = set(inspect(engine_for(database_url)).get_table_names())
    assert tables >= TABLES | {"alembic_version"}


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    first = upgrade(database_url)
    assert upgrade(database_url) == first


def test_migrations_match_the_models(database_url: str) -> None:
    upgrade(database_url)
    with engine_for(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    with engine_for(sqlite_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_an_unreachable_database_is_explained_in_one_line() -> None:
    url = "postgresql+psycopg://monitor@127.0.0.1:1/nowhere"
    with pytest.raises(DatabaseUnavailable) as caught:
        ping(url)
    message = str(caught.value)
    assert message.startswith(
        "cannot use the database at postgresql+psycopg://monitor@127.0.0.1:1/nowhere"
    )
    assert "\n" not in message


def test_db_upgrade_command_reports_an_unreachable_database_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", "postgresql+psycopg://monitor@127.0.0.1:1/nowhere")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 3
    assert "Database unavailable: cannot use the database" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_command_creates_the_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "monitor.db").is_file()
    assert "Database at revision" in result.output
