"""Audits started from the dashboard, run in a background thread of the Streamlit server.

They go through ``monitor.audit.start_audit``, the same code path as ``monitor audit`` and
the nightly schedule, which takes each service's lease: a second audit of a service that
is being audited, from here or anywhere else, is refused.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from monitor.audit import AuditProgress, AuditRefused, AuditRequest, start_audit
from monitor.config import CouncilConfig
from monitor.models import RunStatus
from monitor.repository import Repository
from monitor.settings import Settings


@dataclass
class AuditJob:
    """One dashboard-started audit of one service."""

    service_id: str
    full: bool = False
    started: float = field(default_factory=time.monotonic)
    run_id: int | None = None
    progress: AuditProgress | None = None
    status: str = "starting"
    error: str | None = None
    finished: bool = False


_lock = threading.Lock()
_jobs: dict[str, AuditJob] = {}


def running() -> list[AuditJob]:
    """Jobs still going (or starting)."""
    with _lock:
        return [j for j in _jobs.values() if not j.finished]


def finished() -> list[AuditJob]:
    """Jobs that have ended, the latest first."""
    with _lock:
        return sorted((j for j in _jobs.values() if j.finished), key=lambda j: -j.started)


def job(service_id: str) -> AuditJob | None:
    with _lock:
        return _jobs.get(service_id)


def jobs() -> list[AuditJob]:
    with _lock:
        return list(_jobs.values())


def start(
    service_id: str,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    *,
    full: bool = False,
) -> AuditJob:
    """Start an audit of one service (``full``: audit every page again, unchanged ones
    too); raise ``AuditRefused`` if one is already going."""
    with _lock:
        current = _jobs.get(service_id)
        if current is not None and not current.finished:
            raise AuditRefused(f"{service_id} is already being audited from the dashboard")
        busy = [
            r
            for r in repository.read.runs.active()
            if r.kind == "audit" and r.status == RunStatus.running and service_id in r.service_ids
        ]
        if busy:
            raise AuditRefused(f"{service_id} is already being audited (run {busy[0].id})")
        audit = AuditJob(service_id=service_id, full=full)
        _jobs[service_id] = audit

    def progress(update: AuditProgress) -> None:
        audit.run_id = update.run_id
        audit.progress = update
        audit.status = "running"

    def work() -> None:
        try:
            run = start_audit(
                settings,
                config,
                repository,
                AuditRequest(service_ids=[service_id], trigger="dashboard", full=full),
                on_progress=progress,
            )
            audit.run_id = run.id
            audit.status = str(run.status)
            audit.error = run.error
        except AuditRefused as exc:
            audit.status = "refused"
            audit.error = str(exc)
        except Exception as exc:  # shown on the page; the run itself records its failure
            audit.status = "failed"
            audit.error = f"{type(exc).__name__}: {exc}"
        finally:
            audit.finished = True

    threading.Thread(target=work, name=f"audit-{service_id}", daemon=True).start()
    return audit
