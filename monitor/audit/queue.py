"""On-demand runs: queued by a person (CLI or dashboard), taken up by a worker.

``queue_audit`` stores a run with status *queued*; ``monitor runs worker`` (or the
scheduler) takes queued runs one at a time, oldest first, and runs each through
``monitor.audit.start_audit`` on the configured dispatcher. A queued run can be
cancelled before it starts; a running one stops between pages (``cancel_run``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from monitor.audit.plan import AuditRefused, AuditRequest, holder_alive, holder_name
from monitor.audit.runner import start_audit
from monitor.models import Run

if TYPE_CHECKING:
    from monitor.config import CouncilConfig
    from monitor.repository import Repository
    from monitor.settings import Settings

log = logging.getLogger(__name__)


def queue_audit(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    *,
    service_ids: list[str] | None = None,
    engine: str | None = None,
    max_pages: int | None = None,
    full: bool = False,
    trigger: str = "cli",
) -> Run:
    """Put an audit in the queue; return the queued run (its id is what people see)."""
    repository.sync_services(config.services)
    ids = service_ids or [s.id for s in config.services]
    for service_id in ids:
        config.service(service_id)  # KeyError names the known services
    return repository.create_run(
        kind="audit",
        trigger=trigger,
        service_ids=ids,
        engine=engine or settings.engine,
        options={"max_pages": max_pages, "full": full},
        full_audit=full,
    )


def cancel_run(repository: Repository, run_id: int, *, by: str = "") -> str:
    """Cancel a queued run, or ask a running one to stop; see ``ScheduleRepository``."""
    return repository.cancel_run(run_id, by=by)


def _busy(repository: Repository, run: Run) -> bool:
    return any(repository.lease(f"audit:{s}") is not None for s in run.service_ids)


def run_next_queued(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    *,
    after: Callable[[Run], None] | None = None,
) -> Run | None:
    """Take the oldest queued audit whose services are free and run it to its end.

    Returns the finished run, or None if nothing could be started. ``after`` is called
    with each finished run (the scheduler sends alerts there)."""
    holder = holder_name()
    repository.release_orphaned_claims(holder_alive)
    for run in repository.queued_runs(kind="audit"):
        assert run.id is not None
        if _busy(repository, run):
            continue  # stays queued; taken once the service is free
        if not repository.claim_run(run.id, holder):
            continue  # another worker took it, or it was cancelled
        request = AuditRequest(
            service_ids=list(run.service_ids),
            engine=run.engine,
            max_pages=run.options.get("max_pages"),
            full=bool(run.options.get("full")),
            trigger=run.trigger,
            run_id=run.id,
        )
        try:
            finished = start_audit(settings, config, repository, request)
        except AuditRefused as exc:
            log.warning("queued run %s not started: %s", run.id, exc)
            repository.unclaim_run(run.id, holder)
            return None
        except Exception:
            log.exception("queued run %s failed", run.id)
            finished = repository.run(run.id) or run
        if after is not None:
            after(finished)
        return finished
    return None


def work_queue(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    *,
    stop: threading.Event,
    once: bool = False,
    after: Callable[[Run], None] | None = None,
) -> int:
    """Run queued audits until ``stop`` is set (or the queue is empty, with ``once``).

    Returns how many runs were taken."""
    taken = 0
    while not stop.is_set():
        run = run_next_queued(settings, config, repository, after=after)
        if run is not None:
            taken += 1
            log.info("run %s finished: %s", run.id, run.status)
            continue
        if once:
            break
        stop.wait(settings.runs_poll_seconds)
    return taken


__all__ = ["cancel_run", "queue_audit", "run_next_queued", "work_queue"]
