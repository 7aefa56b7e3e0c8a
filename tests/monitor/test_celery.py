"""The Celery dispatcher against real Redis, real PostgreSQL, real Chromium and the demo
site: two worker processes find exactly what the local pool finds, cross-page findings
(titles shared by a form's steps, a statement link added by script, a PDF on a journey)
and issues included, and the account area's pages behind its sign-in (each worker signs
in for itself; no credential travels in a task or reaches a worker's log); a worker killed
mid-page does not lose or double a page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from celery import Celery
from sqlalchemy import text

from demo import DemoSite
from demo.account import DEMO_EMAIL, DEMO_PASSWORD
from monitor.audit import AuditRequest, start_audit
from monitor.audit.dispatch.celery_app import AUDIT_PAGE_TASK
from monitor.config import CouncilConfig, load_config
from monitor.db import engine_for, upgrade
from monitor.models import PageStatus, Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.audits import findings_of, issues_of, page_urls, record_journey_pages
from tests.conftest import CONFIG_DIR, PROJECT, demo_environment
from tests.servers import redis_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.timeout(240),
]

#: With the account area: each worker signs in with the secrets of its own environment.
SERVICES = ["report-a-pothole", "school-admissions", "my-account"]
VISIBILITY_SECONDS = 6  # how long a dead worker's task waits before another takes it
CELERY = str(Path(sys.executable).parent / "celery")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with (
        DemoSite(port=0, slow_page_seconds=0.5) as demo,
        patch.dict(os.environ, demo_environment(demo)),
    ):
        yield demo


@pytest.fixture(scope="module")
def config(site: DemoSite) -> CouncilConfig:
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="module")
def new_database(postgres_url: str) -> Iterator[Callable[[str], str]]:
    """Makes an empty, migrated PostgreSQL database per name; drops them all at the end."""
    admin = engine_for(postgres_url)
    made: list[str] = []

    def make(name: str) -> str:
        database = f"celery_{name}_{os.getpid()}"
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        made.append(database)
        url = postgres_url.rsplit("/", 1)[0] + f"/{database}"
        upgrade(url)
        return url

    yield make
    for database in made:
        url = postgres_url.rsplit("/", 1)[0] + f"/{database}"
        engine_for(url).dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


class Workers:
    """Celery worker processes, each in its own process group (with its browser)."""

    def __init__(self, folder: Path, env: dict[str, str], count: int) -> None:
        self.logs = [folder / f"worker-{i}.log" for i in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []
        for index, log in enumerate(self.logs):
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(
                        [
                            CELERY,
                            "-A",
                            "monitor.audit.dispatch.celery_app",
                            "worker",
                            "--concurrency",
                            "1",
                            "--pool",
                            "solo",
                            "--loglevel",
                            "INFO",
                            "--without-gossip",
                            "--without-mingle",
                            "-n",
                            f"w{index}-{os.getpid()}@%h",
                        ],
                        cwd=PROJECT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def counts(self, index: int) -> tuple[int, int]:
        """Tasks this worker has received and finished, from its log."""
        log = self.logs[index].read_text(errors="replace")
        received = len(re.findall(r"Task monitor\.audit_page\[[^\]]+\] received", log))
        finished = len(re.findall(r"Task monitor\.audit_page\[[^\]]+\] (succeeded|failed)", log))
        return received, finished

    def kill(self, index: int) -> None:
        """SIGKILL the worker and its browser, as if its machine had died."""
        with _suppress_lookup():
            os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            with _suppress_lookup():
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class _suppress_lookup:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> bool:
        return kind is ProcessLookupError


def worker_env(
    database_url: str, redis_url: str, site: DemoSite, folder: Path, queue: str
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MONITOR_DATABASE_URL=database_url,
        MONITOR_CELERY_BROKER_URL=redis_url,
        MONITOR_CELERY_QUEUE=queue,
        MONITOR_CELERY_VISIBILITY_TIMEOUT_SECONDS=str(VISIBILITY_SECONDS),
        MONITOR_DATA_DIR=str(folder),
        MONITOR_CONFIG_DIR=str(CONFIG_DIR),
        DEMO_SITE=site.base_url,
        DEMO_SUPPLIER=site.supplier_url,
    )
    return env


def celery_settings(database_url: str, redis_url: str, folder: Path, queue: str) -> Settings:
    return Settings(
        data_dir=folder,
        database_url=database_url,
        execution_backend="celery",
        celery_broker_url=redis_url,
        celery_queue=queue,
        celery_visibility_timeout_seconds=VISIBILITY_SECONDS,
    )


def pages_of(repository: Repository, run_id: int) -> list[str]:
    urls = page_urls(repository, SERVICES)
    return sorted(urls[r.page_id] for r in repository.page_results(run_id))


def prepared(url: str, site: DemoSite, config: CouncilConfig) -> Repository:
    """A database that knows the pothole journey's start page, as after journeys ran."""
    repository = Repository(url)
    repository.sync_services(config.services)
    record_journey_pages(
        repository, "report-a-pothole", "report-a-pothole", [site.base_url + "/report-a-pothole"]
    )
    return repository


@pytest.fixture(scope="module")
def local_run(
    config: CouncilConfig,
    site: DemoSite,
    new_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Repository, int]:
    folder = tmp_path_factory.mktemp("local")
    url = new_database("local")
    repository = prepared(url, site, config)
    settings = Settings(data_dir=folder, database_url=url)
    run = start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES))
    assert run.id is not None and run.status == RunStatus.completed
    return repository, run.id


def test_two_celery_workers_find_what_the_local_backend_finds(
    config: CouncilConfig,
    site: DemoSite,
    redis_url: str,
    new_database: Callable[[str], str],
    local_run: tuple[Repository, int],
    tmp_path: Path,
) -> None:
    url = new_database("two")
    repository = prepared(url, site, config)
    workers = Workers(tmp_path, worker_env(url, redis_url, site, tmp_path, "two"), 2)
    sent: list[tuple[object, ...]] = []
    real_send = Celery.send_task

    def noting(app: Celery, name: str, *args: Any, **kwargs: Any) -> Any:
        sent.append((name, kwargs.get("args"), kwargs.get("kwargs")))
        return real_send(app, name, *args, **kwargs)

    sign_ins = site.accounts.sign_ins
    try:
        settings = celery_settings(url, redis_url, tmp_path, "two")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Celery, "send_task", noting)
            run = start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES))
    finally:
        workers.stop()
    assert run.id is not None and run.status == RunStatus.completed, run.error
    local_repository, local_id = local_run
    assert pages_of(repository, run.id) == pages_of(local_repository, local_id)
    expected = findings_of(local_repository, local_id, SERVICES)
    # The demo site has seeded defects on these services, cross-page ones among them.
    checks = {check for _, check, *_ in expected}
    assert {"axe", "page-titles", "documents"} <= checks, checks
    # The school pages' statement link is added by script: found from what was recorded.
    assert not [f for f in expected if f[2] == "statement-missing"]
    assert findings_of(repository, run.id, SERVICES) == expected
    # Both workers took pages: the run really was shared out.
    assert all(workers.counts(i)[1] > 0 for i in range(2)), [workers.counts(i) for i in range(2)]
    assert issues_of(repository, SERVICES) == issues_of(local_repository, SERVICES)
    # The account area was seen signed in, by workers that each signed in for themselves
    # (once per worker and run at most), with credentials no task ever carried.
    account = [r for r in repository.page_results(run.id) if r.service_id == "my-account"]
    assert account and all(r.signed_in for r in account if r.status == "audited")
    assert 1 <= site.accounts.sign_ins - sign_ins <= 2
    assert sent and all(name == AUDIT_PAGE_TASK for name, *_ in sent)
    carried = repr(sent) + "".join(log.read_text(errors="replace") for log in workers.logs)
    for secret in (DEMO_EMAIL, DEMO_PASSWORD):
        assert secret not in carried


def test_a_worker_killed_mid_page_loses_nothing_and_doubles_nothing(
    config: CouncilConfig,
    site: DemoSite,
    redis_url: str,
    new_database: Callable[[str], str],
    local_run: tuple[Repository, int],
    tmp_path: Path,
) -> None:
    url = new_database("kill")
    repository = prepared(url, site, config)
    workers = Workers(tmp_path, worker_env(url, redis_url, site, tmp_path, "kill"), 2)
    finished: list[Run] = []
    errors: list[BaseException] = []

    def coordinate() -> None:
        try:
            settings = celery_settings(url, redis_url, tmp_path, "kill")
            finished.append(
                start_audit(settings, config, repository, AuditRequest(service_ids=SERVICES))
            )
        except BaseException as exc:
            errors.append(exc)

    coordinator = threading.Thread(target=coordinate, daemon=True)
    coordinator.start()
    killed_mid_page = False
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and coordinator.is_alive():
            received, done = workers.counts(0)
            if done >= 1 and received > done:  # it has finished a page and holds another
                workers.kill(0)
                killed_mid_page = True
                break
            time.sleep(0.01)
        coordinator.join(timeout=150)
    finally:
        workers.stop()
    assert not errors, errors
    assert killed_mid_page, "worker 0 was never caught in the middle of a page"
    assert finished and finished[0].status == RunStatus.completed
    run_id = finished[0].id
    assert run_id is not None
    results = repository.page_results(run_id)
    assert all(r.status != PageStatus.pending for r in results)
    local_repository, local_id = local_run
    # Every page exactly once (the unique (run, page) also guards this), as found locally.
    assert pages_of(repository, run_id) == pages_of(local_repository, local_id)
    assert findings_of(repository, run_id, SERVICES) == findings_of(
        local_repository, local_id, SERVICES
    )
    # The killed worker's page was handed to the survivor and audited there. (Documents
    # are the coordinator's: its service phase audits them once every page is visited.)
    web_pages = [r for r in results if not (r.content_type or "").startswith("application/")]
    assert len(web_pages) < len(results)  # the admissions guide PDF, audited here
    received = workers.counts(0)[0] + workers.counts(1)[0]
    assert received >= len(web_pages) + 1
    assert workers.counts(0)[1] + workers.counts(1)[1] >= len(web_pages)
