"""Database engines and migrations.

SQLite is the embedded default (WAL, a busy timeout and foreign keys on, so the feedback
collector, the dashboard and an audit can share one file); PostgreSQL is chosen by
``MONITOR_DATABASE_URL``. Migrations are Alembic's, applied by ``monitor db upgrade`` and
automatically before any command that needs the database.
"""

from __future__ import annotations

import errno
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DBAPIError as _DBAPIError

from monitor.dbretry import retry_transient
from monitor.settings import get_settings


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message says why in one line."""


#: What the database raises when it cannot be written or read (after the repository's
#: retries): a lock held too long, a full disk, a server gone away.
DATABASE_FAULTS: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
)


def _busy_timeout_ms() -> int:
    return round(get_settings().sqlite_busy_timeout_seconds * 1000)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Takes effect only on a new, empty file (an older one is converted by the first
    # ``monitor db prune``): space freed by pruning can then be handed back to the disk
    # without rewriting the whole database.
    cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_busy_timeout_ms()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An engine for the URL, with SQLite tuned for several processes sharing one file."""
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"MONITOR_DATABASE_URL is not a database URL: {exc}") from exc
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": _busy_timeout_ms() / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(database_url)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("monitor") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def describe_failure(exc: BaseException, database_url: str) -> str:
    """A one-line explanation of why the database could not be used."""
    safe = make_url(database_url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = reason[0] if reason else exc.__class__.__name__
    return f"cannot use the database at {safe}: {first}"


def describe_fault(exc: BaseException, database_url: str) -> str:
    """What went wrong with the database, in one sentence a council officer can act on."""
    safe = make_url(database_url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", None) or exc)
    if "database or disk is full" in reason or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"the database at {safe} is full or its disk has no space left; free some space"
    if "database is locked" in reason or "database table is locked" in reason:
        settings = get_settings()
        waited = settings.sqlite_busy_timeout_seconds + settings.database_retry_seconds
        return (
            f"the database at {safe} stayed locked by another process for over {waited:g} s; "
            "try again when that process has finished"
        )
    if "readonly database" in reason:
        return f"the database at {safe} is read-only for this user"
    if "disk I/O error" in reason:
        return f"the disk under the database at {safe} failed to read or write (disk I/O error)"
    return describe_failure(exc, database_url)


def upgrade(database_url: str) -> str:
    """Bring the database to the newest schema; return the revision it is at."""
    try:
        return _upgrade(database_url)
    except (OperationalError, _DBAPIError) as exc:
        raise DatabaseUnavailable(describe_fault(exc, database_url)) from exc


@retry_transient
def _upgrade(database_url: str) -> str:
    with engine_for(database_url).begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return current_revision_on(connection) or "base"


def current_revision_on(connection: Any) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def ping(database_url: str) -> None:
    """Raise ``DatabaseUnavailable`` if the database does not answer."""
    try:
        with engine_for(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, _DBAPIError) as exc:
        raise DatabaseUnavailable(describe_fault(exc, database_url)) from exc
