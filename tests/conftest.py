"""Fixtures shared by every test: databases on SQLite and PostgreSQL, the demo site."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from sqlalchemy import text

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from demo import DemoSite
from demo.account import DEMO_EMAIL, DEMO_PASSWORD, EMAIL_ENV, PASSWORD_ENV
from monitor.config import CouncilConfig, load_config
from monitor.db import engine_for, upgrade
from monitor.repository import Repository
from monitor.settings import BROWSER_FLAGS, Settings
from tests.servers import postgres_server

PROJECT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT / "config"

#: Share of pytest-timeout's limit after which a still-running test prints its asyncio tasks.
TASK_DUMP_SHARE = 0.9


def running_task_stacks() -> str:
    """Every task of every running event loop, with where it is waiting.

    pytest-timeout prints threads; a hung audit is one thread idling in its event loop,
    and the task it waits on is what tells why."""
    out = io.StringIO()
    loops = [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]
    for loop in loops:
        if not loop.is_running():
            continue
        for task in list(asyncio.all_tasks(loop)):
            print(f"--- {task!r}", file=out)
            task.print_stack(limit=12, file=out)
    return out.getvalue()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs a database server or Redis by the fixtures it uses, so the fast tier
    (``make test-fast``: no browser, no database server, no Redis) leaves it out."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres_url" in names or params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)


@pytest.fixture(autouse=True)
def dump_tasks_before_timeout(request: pytest.FixtureRequest) -> Iterator[None]:
    limit = float(request.config.getini("timeout") or 0)
    if limit <= 0:
        yield
        return

    def dump() -> None:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.suspend_global_capture(in_=True)
        sys.stderr.write(f"\n+++ asyncio tasks of {request.node.nodeid} +++\n")
        sys.stderr.write(running_task_stacks())
        sys.stderr.flush()

    timer = threading.Timer(limit * TASK_DUMP_SHARE, dump)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database upgraded to the newest schema, for the session: a copy of the file
    is the same empty database as a fresh upgrade, without running every migration again."""
    path = tmp_path_factory.mktemp("migrated") / "monitor.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine_for(url).dispose()  # the last connection closed folds the WAL into the file
    assert not path.with_name("monitor.db-wal").exists()
    return path


def _upgraded(database_url: str, migrated_sqlite: Path) -> str:
    """``upgrade(database_url)``, by copying the migrated file when it is a new SQLite one."""
    prefix = "sqlite:///"
    target = Path(database_url.removeprefix(prefix))
    if database_url.startswith(prefix) and not target.exists():
        shutil.copyfile(migrated_sqlite, target)
    else:
        upgrade(database_url)
    return database_url


@pytest.fixture
def repository(database_url: str, migrated_sqlite: Path) -> Repository:
    return Repository(_upgraded(database_url, migrated_sqlite))


@pytest.fixture
def sqlite_repository(sqlite_url: str, migrated_sqlite: Path) -> Repository:
    return Repository(_upgraded(sqlite_url, migrated_sqlite))


@pytest.fixture(scope="module")
def demo_site() -> Iterator[DemoSite]:
    """The demo council site on free ports, for one test module."""
    with DemoSite(port=0, slow_page_seconds=0.3) as site:
        yield site


#: What the demo configuration reads from the environment: the demo site's addresses and
#: the "My account" sign-in recipe's credentials (the demo's test account).


def demo_environment(site: DemoSite) -> dict[str, str]:
    return {
        "DEMO_SITE": site.base_url,
        "DEMO_SUPPLIER": site.supplier_url,
        EMAIL_ENV: DEMO_EMAIL,
        PASSWORD_ENV: DEMO_PASSWORD,
    }


@pytest.fixture(scope="module")
def demo_config(demo_site: DemoSite) -> Iterator[CouncilConfig]:
    """The demo configuration pointing at ``demo_site`` (with the demo account's
    credentials in the environment, as ``monitor demo run`` sets them)."""
    with patch.dict(os.environ, demo_environment(demo_site)):
        yield load_config(CONFIG_DIR)


@pytest.fixture
def site(running_site: DemoSite) -> Iterator[DemoSite]:
    """The test module's running demo site (its ``running_site``), every defect and page
    text put back before and after each test."""
    running_site.restore_all()
    yield running_site
    running_site.restore_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright's synchronous API, one per test module (the
    check tests' conftest gives them the product's own engines under this name instead).
    No skip: a missing Chromium is a missing install step and must fail loudly."""
    from playwright.sync_api import sync_playwright

    chromium = Settings().chromium_path
    assert chromium.exists(), f"{chromium} is missing: run `make install`"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=BROWSER_FLAGS
        )
        try:
            yield launched
        finally:
            launched.close()


def run_monitor(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m monitor ARGS`` as an officer or the scheduler runs it, from the project
    folder, its output kept for the test to read."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def config_folder(folder: Path, services_yaml: str) -> Path:
    """A config folder with the demo brand and measures and the given services.yaml."""
    target = folder / "config"
    (target / "brand").mkdir(parents=True)
    (target / "brand.yaml").write_text((CONFIG_DIR / "brand.yaml").read_text())
    (target / "brand" / "logo.png").write_bytes((CONFIG_DIR / "brand" / "logo.png").read_bytes())
    measures = (CONFIG_DIR / "measures.yaml").read_text().split("overrides:")[0]
    (target / "measures.yaml").write_text(measures)
    (target / "services.yaml").write_text(services_yaml)
    return target
