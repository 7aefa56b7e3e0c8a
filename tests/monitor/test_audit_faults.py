"""An audit meeting a fault that is not a page's: a database locked past every retry, and
Ctrl-C. Nothing is recorded wrongly: the pages not recorded stay pending, the run ends
``interrupted`` (resumable), the command says so in one sentence, and ``--resume``
finishes the run. Real processes, a real SQLite lock held by another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo import DemoSite
from monitor.models import RunStatus
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR, PROJECT, run_monitor
from tests.monitor.test_database_faults import HOLD_THE_WRITE_LOCK

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

SERVICE = ["--service", "school-admissions"]
#: Page failures the site itself causes (the demo's seeded 404 and slow page), not faults.
THE_SITES_OWN = {"http-error", "timeout"}


def start_audit(site: DemoSite, tmp_path: Path, **settings: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MONITOR_DATA_DIR": str(tmp_path / "data"),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}",
        "MONITOR_CONFIG_DIR": str(CONFIG_DIR),
        "MONITOR_CONCURRENCY": "1",
        "DEMO_SITE": site.base_url,
        "DEMO_SUPPLIER": site.supplier_url,
        **{f"MONITOR_{k.upper()}": v for k, v in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "audit", *SERVICE],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pages(repository: Repository, count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            done = [r for r in repository.page_results(1) if r.status != "pending"]
        except Exception:  # noqa: S112 - the database is still being created
            continue
        if len(done) >= count:
            return
    raise AssertionError(f"fewer than {count} pages were audited in time")


def resume(site: DemoSite, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MONITOR_DATA_DIR": str(tmp_path / "data"),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}",
        "MONITOR_CONFIG_DIR": str(CONFIG_DIR),
        "DEMO_SITE": site.base_url,
        "DEMO_SUPPLIER": site.supplier_url,
    }
    return run_monitor("audit", *SERVICE, "--resume", env=env, timeout=240)


def no_fault_recorded_as_a_page(repository: Repository) -> list[str]:
    """The pages the run recorded as failed for a reason that is not the site's."""
    return [
        f"{r.page_id}: {r.error_kind}: {r.error}"
        for r in repository.page_results(1)
        if r.status == "failed" and r.error_kind not in THE_SITES_OWN
    ]


def test_a_database_locked_past_every_retry_leaves_the_rest_pending_and_the_run_resumable(
    demo_site: DemoSite, tmp_path: Path
) -> None:
    process = start_audit(
        demo_site, tmp_path, sqlite_busy_timeout_seconds="0.5", database_retry_seconds="1"
    )
    repository = Repository(f"sqlite:///{tmp_path / 'monitor.db'}")
    wait_for_pages(repository, 2)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(tmp_path / "monitor.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        _, stderr = process.communicate(timeout=200)
    finally:
        holder.kill()
        holder.wait()
    assert process.returncode == 3, stderr
    assert "Traceback" not in stderr
    assert [line for line in stderr.splitlines() if line.startswith("Database unavailable")]
    run = repository.run(1)
    assert run is not None and run.status == RunStatus.interrupted
    assert any(r.status == "pending" for r in repository.page_results(1))
    assert no_fault_recorded_as_a_page(repository) == []
    resumed = resume(demo_site, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    finished = repository.run(1)
    assert finished is not None and finished.status == RunStatus.completed
    assert all(r.status != "pending" for r in repository.page_results(1))


def test_ctrl_c_interrupts_the_run_and_records_nothing_wrongly(
    demo_site: DemoSite, tmp_path: Path
) -> None:
    process = start_audit(demo_site, tmp_path)
    repository = Repository(f"sqlite:///{tmp_path / 'monitor.db'}")
    wait_for_pages(repository, 2)
    process.send_signal(signal.SIGINT)  # the process alone, as a terminal's Ctrl-C may
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "Interrupted." in stderr
    run = repository.run(1)
    assert run is not None
    assert run.status == RunStatus.interrupted, run.error
    assert no_fault_recorded_as_a_page(repository) == []
    assert any(r.status == "pending" for r in repository.page_results(1))
    resumed = resume(demo_site, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    finished = repository.run(1)
    assert finished is not None and finished.status == RunStatus.completed
