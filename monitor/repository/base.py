"""The engine and session every part of the repository shares, the retry of every method
that meets a lock (``monitor.dbretry``), and the bookkeeping of runs that every reader of
runs relies on."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from monitor.db import engine_for
from monitor.dbretry import retry_transient
from monitor.models import Finding, PageResult, PageStatus, Run, RunStatus, utcnow
from monitor.repository.liveness import is_dead

log = logging.getLogger(__name__)


def merge_page_result(session: Session, result: PageResult) -> PageResult:
    """The stored row for this page in this run, updated from ``result`` (one per page)."""
    existing = session.exec(
        select(PageResult).where(
            PageResult.run_id == result.run_id, PageResult.page_id == result.page_id
        )
    ).first()
    if existing is None:
        return result
    for field, value in result.model_dump(exclude={"id"}).items():
        setattr(existing, field, value)
    return existing


def run_counts(session: Session, run_id: int) -> dict[str, int]:
    """A run's page counts and findings, from its page results and findings (the columns
    of ``Run`` that ``finish_run`` stores)."""
    by_status = dict(
        session.exec(
            select(PageResult.status, func.count())
            .where(PageResult.run_id == run_id)
            .group_by(PageResult.status)
        ).all()
    )
    return {
        "pages_found": sum(by_status.values()),
        "pages_audited": by_status.get(PageStatus.audited, 0),
        "pages_carried": by_status.get(PageStatus.carried, 0),
        "pages_failed": by_status.get(PageStatus.failed, 0),
        "pages_revalidated": session.exec(
            select(func.count()).where(
                PageResult.run_id == run_id, col(PageResult.revalidated).is_(True)
            )
        ).one(),
        # Every finding the run holds: violations and needs-review, carried ones included
        # (a carried page's findings count as seen in this run), journeys' too.
        "findings_count": session.exec(
            select(func.count()).select_from(Finding).where(Finding.run_id == run_id)
        ).one(),
    }


class RepositoryBase:
    """Holds the engine; each method of the repository opens one short session.

    Every public method of a subclass is one transaction (or a read) and is wrapped in
    ``retry_transient``, so a write that meets a lock is tried again within a bounded time
    wherever it is called from."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if inspect.isgeneratorfunction(value):  # reads in batches; each batch is short
                continue
            setattr(cls, name, retry_transient(value))

    def __init__(self, database_url: str | None = None, *, engine: Engine | None = None) -> None:
        if engine is None:
            if database_url is None:
                raise ValueError("give a database_url or an engine")
            engine = engine_for(database_url)
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def _settle_dead_runs(self) -> list[int]:
        """Close as ``interrupted`` (with their counts) the running runs whose process has
        died, so no reader shows them running; return their ids.

        Every read of runs calls this first: a run whose process was killed reads as
        interrupted in ``monitor runs list``, the dashboard and the next audit alike."""
        now = utcnow()
        with self.session() as session:
            running = session.exec(select(Run).where(Run.status == RunStatus.running)).all()
            dead = [
                run
                for run in running
                if is_dead(
                    run.kind, run.holder, run.heartbeat_at or run.started_at or run.created_at, now
                )
            ]
            closed: list[int] = []
            for run in dead:
                assert run.id is not None
                # Only if it is still running: its holder (on another host, judged by its
                # heartbeat) may have finished it since it was read.
                marked = session.execute(
                    update(Run)
                    .where(col(Run.id) == run.id, col(Run.status) == RunStatus.running)
                    .values(
                        status=RunStatus.interrupted,
                        finished_at=now,
                        error=f"the process running it stopped ({run.holder or 'unknown'})",
                        **run_counts(session, run.id),
                    )
                ).rowcount  # type: ignore[attr-defined]
                if marked:
                    closed.append(run.id)
            if dead:
                session.commit()
            if closed:
                log.info("runs %s were left running by a process that stopped", closed)
            return closed
