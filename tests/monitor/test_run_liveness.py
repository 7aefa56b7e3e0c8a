"""A run whose process died reads as interrupted for every reader, with its counts stored.

The holder of each run here is a real process: it opens the database, starts a run, records
two pages, and is then killed with SIGKILL, as ``kill -9`` does."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from monitor.audit import Auditor, AuditRequest
from monitor.cli import app
from monitor.config import load_config
from monitor.models import Run, RunStatus, utcnow
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR

# Starts a run the way an audit does (holder ``host:pid``), records one audited page with
# one finding and one pending page, prints the run's id, then waits to be killed.
HOLD_A_RUN = """
import os, socket, sys
from crawlers.base import FindingData
from monitor.config import load_config
from monitor.models import PageResult, PageStatus
from monitor.repository import Repository

repository = Repository(sys.argv[1])
repository.sync_services(load_config(sys.argv[2]).services)
run = repository.create_run(service_ids=["join-the-library"])
repository.start_run(run.id, holder=f"{socket.gethostname()}:{os.getpid()}")
done = repository.upsert_page("join-the-library", "http://x/join-the-library")
repository.add_pending_page(run.id, "join-the-library", "http://x/join-the-library/apply")
finding = FindingData(check="axe", rule="label", message="Add a label", impact="critical")
repository.record_page(
    PageResult(run_id=run.id, page_id=done.id, service_id="join-the-library",
               status=PageStatus.audited),
    [finding],
)
print(run.id, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def killed_holder() -> Iterator[Callable[[str], int]]:
    """``kill_holder(url)``: a real process holds a new run, then dies by SIGKILL; the run's
    id. The dead process is left unreaped (a zombie) while the test reads, the hardest case
    for a liveness check, and reaped afterwards."""
    children: list[subprocess.Popen[str]] = []

    def kill_holder(database_url: str) -> int:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_A_RUN, database_url, str(CONFIG_DIR)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(holder)
        assert holder.stdout is not None
        run_id = int(holder.stdout.readline())
        alive = Repository(database_url).run(run_id)
        assert alive is not None and alive.status == RunStatus.running  # not judged too soon
        os.kill(holder.pid, signal.SIGKILL)
        # Wait until it has died, without reaping it: it stays in the process table.
        os.waitid(os.P_PID, holder.pid, os.WEXITED | os.WNOWAIT)
        return run_id

    yield kill_holder
    for child in children:
        child.kill()
        child.wait()


def _assert_interrupted_with_counts(repository: Repository, run_id: int) -> None:
    with repository.session() as session:  # the stored row, not a reader's view of it
        run = session.get_one(Run, run_id)
    assert run.status == RunStatus.interrupted
    assert run.error is not None and "stopped" in run.error
    assert (run.pages_found, run.pages_audited, run.findings_count) == (2, 1, 1)
    assert run.finished_at is not None


def test_a_killed_holders_run_reads_as_interrupted(
    repository: Repository, database_url: str, killed_holder: Callable[[str], int]
) -> None:
    run_id = killed_holder(database_url)
    assert [r.status for r in repository.runs() if r.id == run_id] == [RunStatus.interrupted]
    _assert_interrupted_with_counts(repository, run_id)


def _runs_list(monkeypatch: pytest.MonkeyPatch, database_url: str, run_id: int) -> str:
    monkeypatch.setenv("MONITOR_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["runs", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.output.splitlines() if re.match(rf"│ +{run_id} +│", line)]
    return row


def _next_audit(repository: Repository) -> int | None:
    # The next ``monitor audit --resume`` plans before it opens any browser: it must find
    # the dead run as the interrupted one to finish.
    auditor = Auditor(get_settings(), load_config(CONFIG_DIR), repository)
    return auditor.plan(AuditRequest(resume=True)).id


@pytest.mark.parametrize("reader", ["runs list", "dashboard", "history", "next audit"])
def test_every_reader_is_the_first_to_see_the_dead_run_interrupted(
    reader: str,
    sqlite_repository: Repository,
    sqlite_url: str,
    killed_holder: Callable[[str], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repository = sqlite_repository
    run_id = killed_holder(sqlite_url)
    if reader == "runs list":
        cells = [cell.strip() for cell in _runs_list(monkeypatch, sqlite_url, run_id).split("│")]
        assert cells[4] == "interrupted"  # Id, Kind, Trigger, Status
    elif reader == "dashboard":  # the audits page's "running now" panel
        assert run_id not in [r.id for r in repository.read.runs.active()]
    elif reader == "history":  # the audits page's history table
        (row,) = [r for r in repository.read.runs.history() if r.run_id == run_id]
        assert row.status == RunStatus.interrupted
    else:
        assert _next_audit(repository) == run_id
    _assert_interrupted_with_counts(repository, run_id)


def _set_holder(repository: Repository, run_id: int, holder: str, beat_ago: timedelta) -> None:
    with repository.session() as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)  # type: ignore[arg-type]
            .values(holder=holder, heartbeat_at=utcnow() - beat_ago)
        )
        session.commit()


def _running_run(repository: Repository, kind: str = "audit") -> int:
    run = repository.create_run(kind=kind, service_ids=["join-the-library"])
    assert run.id is not None
    repository.start_run(run.id, holder="placeholder")
    return run.id


def test_a_live_holder_on_this_host_keeps_its_run_running_even_with_a_late_heartbeat(
    sqlite_repository: Repository,
) -> None:
    run_id = _running_run(sqlite_repository)
    # The holder is this process (alive, started before the heartbeat); its heartbeat is
    # older than the limit asked for, as when a locked database delays it.
    _set_holder(sqlite_repository, run_id, f"{socket.gethostname()}:{os.getpid()}", timedelta(0))
    assert sqlite_repository.mark_stale_runs_interrupted(utcnow() + timedelta(minutes=5)) == []
    run = sqlite_repository.run(run_id)
    assert run is not None and run.status == RunStatus.running


def test_a_reused_pid_does_not_keep_a_dead_run_running(sqlite_repository: Repository) -> None:
    run_id = _running_run(sqlite_repository)
    # A process that started a minute after the run's last heartbeat cannot be its holder.
    newcomer = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        _set_holder(
            sqlite_repository,
            run_id,
            f"{socket.gethostname()}:{newcomer.pid}",
            timedelta(minutes=1),
        )
        run = sqlite_repository.run(run_id)
        assert run is not None and run.status == RunStatus.interrupted
    finally:
        newcomer.kill()
        newcomer.wait()


@pytest.mark.parametrize(
    ("kind", "beat_ago", "status"),
    [
        ("audit", timedelta(minutes=1), RunStatus.running),
        ("audit", timedelta(minutes=3), RunStatus.interrupted),
        # A journey run beats after each journey, and one journey may take minutes.
        ("journeys", timedelta(minutes=3), RunStatus.running),
        ("journeys", timedelta(minutes=31), RunStatus.interrupted),
    ],
)
def test_a_holder_on_another_host_is_judged_by_its_heartbeat(
    repository: Repository, kind: str, beat_ago: timedelta, status: RunStatus
) -> None:
    run_id = _running_run(repository, kind)
    _set_holder(repository, run_id, "another-host.example:4242", beat_ago)
    assert [r.status for r in repository.runs() if r.id == run_id] == [status]
