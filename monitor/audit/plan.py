"""Planning a run: what was asked for, the run it becomes, and who holds it.

A run is created for the services asked for (or an interrupted one is taken up to be
resumed, or a queued one started); each service's *lease* (``audit:<service>``) is taken,
so nobody else audits it at the same time. A lease whose holder died is released.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.config import CouncilConfig
from monitor.models import PageStatus, Run, RunStatus
from monitor.repository import Repository
from monitor.repository.liveness import Holder, holder_state
from monitor.settings import Settings


class AuditRefused(RuntimeError):
    """The audit cannot start (a service is already being audited, nothing to resume...)."""


@dataclass
class AuditRequest:
    """What a person, the dashboard or the schedule asked for."""

    service_ids: list[str] | None = None
    engine: str | None = None
    max_pages: int | None = None
    resume: bool = False
    full: bool = False
    trigger: str = "cli"
    run_id: int | None = None  # take up this queued run (``monitor runs worker``)


@dataclass
class AuditProgress:
    """Counts shown while a run goes on."""

    run_id: int
    found: int = 0
    audited: int = 0
    carried: int = 0
    failed: int = 0
    skipped: int = 0  # not reached: behind a sign-in (none, or one that failed)
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.audited + self.carried + self.failed + self.skipped

    def count(self, status: str) -> None:
        """One more page finished with ``status``."""
        if status == PageStatus.audited:
            self.audited += 1
        elif status == PageStatus.carried:
            self.carried += 1
        elif status == PageStatus.failed:
            self.failed += 1
        elif status == PageStatus.skipped:
            self.skipped += 1

    def seconds_left(self) -> float | None:
        if self.done == 0:
            return None
        rate = (time.monotonic() - self.started) / self.done
        return rate * max(self.found - self.done, 0)


ProgressCallback = Callable[[AuditProgress], None]


def holder_name() -> str:
    """Who holds a run or a lease: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_alive(holder: str | None) -> bool:
    """Whether the process that holds a run or a lease is still alive (only knowable on
    this host: a holder elsewhere is taken to be alive until its lease expires)."""
    if not holder or ":" not in holder:
        return False
    return holder_state(holder, None) is not Holder.dead


def plan_run(
    settings: Settings, config: CouncilConfig, repository: Repository, request: AuditRequest
) -> Run:
    """Create the run, or find the queued or interrupted one to take up."""
    # Reading runs settles those whose process died: they read as interrupted.
    repository.sync_services(config.services)
    if request.run_id is not None:  # a queued on-demand run, picked up by a worker
        queued = repository.run(request.run_id)
        if queued is None or queued.status != RunStatus.queued:
            raise AuditRefused(f"run {request.run_id} is not waiting in the queue")
        return queued
    if request.resume:
        candidates = [
            r
            for r in repository.runs(limit=20, kind="audit")
            if r.status == RunStatus.interrupted
            and (not request.service_ids or set(request.service_ids) <= set(r.service_ids))
        ]
        if not candidates:
            raise AuditRefused("there is no interrupted audit to resume")
        return candidates[0]
    ids = request.service_ids or [s.id for s in config.services]
    for service_id in ids:
        config.service(service_id)  # KeyError names the known services
    return repository.create_run(
        kind="audit",
        trigger=request.trigger,
        service_ids=ids,
        engine=request.engine or settings.engine,
        options={"max_pages": request.max_pages, "full": request.full},
        full_audit=request.full,
    )


def take_leases(repository: Repository, run: Run, holder: str, seconds: int) -> list[str]:
    """Each service's lease, or ``AuditRefused`` (with those already taken given back)."""
    assert run.id is not None
    taken: list[str] = []
    try:
        for lease in (f"audit:{s}" for s in run.service_ids):
            current = repository.lease(lease)
            if current is not None and not holder_alive(current.holder):
                repository.release_lease(lease, current.holder)  # its holder died
            if not repository.acquire_lease(lease, holder, seconds, run_id=run.id):
                raise AuditRefused(
                    f"{lease.removeprefix('audit:')} is already being audited; try again "
                    "when that run has finished"
                )
            taken.append(lease)
    except BaseException:
        release_leases(repository, taken, holder)
        raise
    return taken


def release_leases(repository: Repository, leases: list[str], holder: str) -> None:
    for lease in leases:
        repository.release_lease(lease, holder)
