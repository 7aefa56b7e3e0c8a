"""The engine and session every part of the repository shares, the retry of every method
that meets a lock (``monitor.dbretry``), and the bookkeeping of runs that every reader of
runs relies on."""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, case, delete, func, insert, tuple_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from monitor.db import engine_for
from monitor.dbretry import retry_transient
from monitor.models import (
    CARRIED_DETAIL,
    BrandResult,
    PageResult,
    PageStatus,
    Run,
    RunStatus,
    RunSummary,
    utcnow,
)
from monitor.repository.findings import JUDGED, count_in_run, counts_by_service
from monitor.repository.liveness import is_dead

log = logging.getLogger(__name__)

#: One writer at a time per SQLite database in this process (see ``RepositoryBase.writing``).
_SQLITE_WRITERS: dict[str, threading.RLock] = {}
_SQLITE_WRITERS_LOCK = threading.Lock()


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
        "findings_count": count_in_run(session, run_id),
    }


def store_summaries(session: Session, run_id: int) -> None:
    """Within ``session``: the run's totals per service (``RunSummary``), replacing any
    stored before. Called when a run ends, however it ends, so trends read a few rows per
    run, and what they read outlives the run's page detail."""
    judged = col(PageResult.status).in_(JUDGED)
    pages = session.execute(
        sa_select(
            col(PageResult.service_id),
            func.count(),
            func.sum(case((judged, 1), else_=0)),
            func.sum(case((judged & (col(PageResult.serious_count) == 0), 1), else_=0)),
            func.sum(case((col(PageResult.status) == PageStatus.audited, 1), else_=0)),
            func.sum(case((col(PageResult.status) == PageStatus.carried, 1), else_=0)),
            func.sum(case((col(PageResult.revalidated).is_(True), 1), else_=0)),
            func.sum(case((col(PageResult.status) == PageStatus.failed, 1), else_=0)),
        )
        .where(col(PageResult.run_id) == run_id)
        .group_by(col(PageResult.service_id))
    ).all()
    totals: dict[str, dict[str, int]] = {}
    names = (
        "pages_found",
        "pages_judged",
        "pages_clean",
        "pages_audited",
        "pages_carried",
        "pages_revalidated",
        "pages_failed",
    )
    for service_id, *counts in pages:
        totals[service_id] = {name: int(n or 0) for name, n in zip(names, counts, strict=True)}
    brand = session.execute(
        sa_select(
            col(BrandResult.service_id),
            func.count(),
            func.sum(case((col(BrandResult.passed).is_(True), 1), else_=0)),
        )
        .where(col(BrandResult.run_id) == run_id)
        .group_by(col(BrandResult.service_id))
    ).all()
    for service_id, checked, passed in brand:
        totals.setdefault(service_id, {}).update(
            brand_checked=checked, brand_passed=int(passed or 0)
        )
    for service_id, count in counts_by_service(session, run_id).items():
        totals.setdefault(service_id, {})["findings"] = count
    session.execute(delete(RunSummary).where(col(RunSummary.run_id) == run_id))
    if totals:
        session.execute(
            insert(RunSummary),
            [{"run_id": run_id, "service_id": s, **v} for s, v in sorted(totals.items())],
        )


def with_carried_detail(session: Session, results: list[PageResult]) -> list[PageResult]:
    """The results with what a compact carried visit leaves to the visit it was carried
    from filled in (as copies: the stored rows stay compact)."""
    wanted = sorted({(r.carried_from_run_id, r.page_id) for r in results if r.carried_from_run_id})
    if not wanted:
        return results
    sources: dict[tuple[int, int], dict[str, Any]] = {}
    columns = [getattr(PageResult, name) for name in CARRIED_DETAIL]
    for start in range(0, len(wanted), 500):
        for run_id, page_id, *values in session.execute(
            sa_select(col(PageResult.run_id), col(PageResult.page_id), *columns).where(
                tuple_(PageResult.run_id, PageResult.page_id).in_(wanted[start : start + 500])
            )
        ).all():
            sources[(run_id, page_id)] = dict(zip(CARRIED_DETAIL, values, strict=True))
    out = []
    for result in results:
        source = sources.get((result.carried_from_run_id or 0, result.page_id))
        if source is None:
            out.append(result)
        else:
            out.append(PageResult.model_validate(result.model_dump() | source))
    return out


def compact_carried(session: Session, result: PageResult, previous_run_id: int) -> None:
    """Within ``session``: leave a carried visit's details to the visit it was carried
    from when they are the same, else keep them here (``PageResult.carried_from_run_id``)."""
    previous = session.exec(
        select(PageResult).where(
            PageResult.run_id == previous_run_id, PageResult.page_id == result.page_id
        )
    ).first()
    result.carried_from_run_id = None
    if previous is None:
        return
    source = with_carried_detail(session, [previous])[0]
    if all(getattr(result, name) == getattr(source, name) for name in CARRIED_DETAIL):
        for name in CARRIED_DETAIL:
            setattr(result, name, None)
        result.carried_from_run_id = previous.carried_from_run_id or previous_run_id


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

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a transaction that writes, on SQLite taken one at a time in this
        process. SQLite lets one connection write at a time; two of this process's
        threads writing together (the page workers of a run) would make one wait in
        SQLite's busy handler, which sleeps in steps of up to 100 ms, or fail at once
        when its snapshot is stale, and be tried again after a pause. Queued on a lock
        here, the next writer starts the moment the last one commits."""
        with self._writer_lock(), self.session() as session:
            yield session

    def _writer_lock(self) -> Any:
        if self.engine.dialect.name != "sqlite":
            return nullcontext()
        key = str(self.engine.url)
        with _SQLITE_WRITERS_LOCK:
            return _SQLITE_WRITERS.setdefault(key, threading.RLock())

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
                    store_summaries(session, run.id)
                    closed.append(run.id)
            if dead:
                session.commit()
            if closed:
                log.info("runs %s were left running by a process that stopped", closed)
            return closed
