"""Fixtures shared by every test: databases on SQLite and PostgreSQL, the demo site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor.db import engine_for, upgrade
from monitor.repository import Repository
from tests.servers import postgres_server

PROJECT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT / "config"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind the monitor supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    name = f"t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    admin = engine_for(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def repository(database_url: str) -> Repository:
    upgrade(database_url)
    return Repository(database_url)


@pytest.fixture
def sqlite_repository(sqlite_url: str) -> Repository:
    upgrade(sqlite_url)
    return Repository(sqlite_url)
