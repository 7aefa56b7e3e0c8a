"""Retention: old page detail goes, the per-run totals trends read stay.

``prune_detail(keep_days)`` removes, for every run older than ``keep_days``, what only
that run's pages needed: page results, brand results, findings that belong to no newer
run, and journey step results. Each run's summary (``RunSummary``: pages judged and
clean, brand checked and passed, findings, per service) stays, and so do runs, issues,
journey runs and feedback, so every trend per run, week and quarter stays exact; what a
pruned run found page by page can no longer be listed. The newest completed audit and
every run not yet finished are always kept whole.

The cut is one run id, ``kept_from``: every run below it is pruned, none above it, so a
finding's stretch is removed only when every run it belongs to is gone. A carried result
of a kept run whose details were left to a pruned run takes them over first.

``reclaim_space()`` gives the space back: on SQLite by incremental vacuum (a database
not yet in that mode is converted by one full VACUUM), on PostgreSQL by VACUUM
(ANALYZE), which makes the space reusable without shrinking the files (see the README).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, delete, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import col

from monitor.models import (
    CARRIED_DETAIL,
    BrandResult,
    Finding,
    JourneyRun,
    JourneyStepResult,
    PageResult,
    Run,
    RunStatus,
    RunSummary,
    utcnow,
)
from monitor.repository.base import RepositoryBase, store_summaries
from monitor.repository.findings import JUDGED

log = logging.getLogger(__name__)

# SQLModel's column attributes are typed as plain values, which SQLAlchemy's overloads of
# select() reject; these queries are checked by the tests instead.
select: Any = sa_select

UNFINISHED = (RunStatus.queued, RunStatus.running)
#: Tables whose rows the pruning removes, in the order a run's rows go.
PRUNED = ("pageresult", "brandresult", "finding", "journeystepresult")


@dataclass
class PruneReport:
    """What ``prune_detail`` removed."""

    keep_days: int
    kept_from_run: int | None = None  # every run below this one lost its page detail
    runs: int = 0
    page_results: int = 0
    brand_results: int = 0
    findings: int = 0
    journey_steps: int = 0
    carried_taken_over: int = 0  # kept carried results that took over pruned details


@dataclass
class SpaceReport:
    """The database's size before and after ``reclaim_space`` (files on SQLite)."""

    dialect: str
    bytes_before: int | None
    bytes_after: int | None
    how: str


class RetentionRepository(RepositoryBase):
    """Pruning old page detail and giving its space back."""

    def kept_from_run(self, keep_days: int, now: datetime | None = None) -> int | None:
        """The oldest run whose detail is kept (every run below it is pruned); None when
        nothing is old enough."""
        cutoff = (now or utcnow()) - timedelta(days=keep_days)
        with self.session() as session:
            newest_id = session.execute(select(func.max(Run.id))).scalar_one()
            if newest_id is None:
                return None
            started = func.coalesce(col(Run.started_at), col(Run.created_at))
            recent = session.execute(
                select(func.min(Run.id)).where(
                    (started >= cutoff) | col(Run.status).in_([s.value for s in UNFINISHED])
                )
            ).scalar_one()
            latest_audit = session.execute(
                select(func.max(Run.id)).where(
                    Run.kind == "audit", Run.status == RunStatus.completed
                )
            ).scalar_one()
        candidates = [newest_id + 1, *(i for i in (recent, latest_audit) if i is not None)]
        kept = min(candidates)
        return kept if kept > 1 else None

    def prune_detail(self, keep_days: int, *, now: datetime | None = None) -> PruneReport:
        """Remove the page detail of the runs older than ``keep_days`` (see the module's
        docstring), one run per transaction so nobody waits long for the database."""
        if keep_days < 1:
            raise ValueError("keep at least one day of detail")
        report = PruneReport(keep_days=keep_days)
        kept = self.kept_from_run(keep_days, now)
        if kept is None:
            return report
        report.kept_from_run = kept
        self._summarise_before(kept)
        report.carried_taken_over = self._take_over_pruned_details(kept)
        self._start_kept_stretches_at(kept)
        for run_id in self._runs_with_detail_before(kept):
            removed = self._prune_run(run_id)
            report.runs += 1
            report.page_results += removed["pageresult"]
            report.brand_results += removed["brandresult"]
            report.findings += removed["finding"]
            report.journey_steps += removed["journeystepresult"]
        log.info("pruned the detail of %s runs before run %s", report.runs, kept)
        return report

    def _summarise_before(self, kept: int) -> None:
        """Every finished run about to lose its detail has its summary first."""
        with self.session() as session:
            summarised = select(RunSummary.run_id).distinct()
            missing = session.execute(
                select(Run.id).where(
                    col(Run.id) < kept,
                    col(Run.status).not_in([s.value for s in UNFINISHED]),
                    col(Run.id).not_in(summarised),
                    col(Run.id).in_(select(PageResult.run_id).distinct()),
                )
            ).scalars()
            for run_id in list(missing):
                store_summaries(session, run_id)
            session.commit()

    def _take_over_pruned_details(self, kept: int) -> int:
        """Kept carried results whose details are stored with a run about to be pruned:
        the first of them on each page takes the details over, the others point at it."""
        taken = 0
        with self.session() as session:
            source_run = col(PageResult.carried_from_run_id)
            compact = session.execute(
                select(PageResult.id, PageResult.run_id, PageResult.page_id, source_run)
                .where(col(PageResult.run_id) >= kept, source_run < kept)
                .order_by(col(PageResult.page_id), col(PageResult.run_id))
            ).all()
            heirs: dict[tuple[int, int], int] = {}
            for result_id, run_id, page_id, source in compact:
                heir = heirs.get((page_id, source))
                if heir is None:
                    detail = session.execute(
                        select(*(getattr(PageResult, name) for name in CARRIED_DETAIL)).where(
                            PageResult.run_id == source, PageResult.page_id == page_id
                        )
                    ).first()
                    values = dict(zip(CARRIED_DETAIL, detail or (), strict=False))
                    session.execute(
                        update(PageResult)
                        .where(col(PageResult.id) == result_id)
                        .values(carried_from_run_id=None, **values)
                    )
                    heirs[(page_id, source)] = run_id
                else:
                    session.execute(
                        update(PageResult)
                        .where(col(PageResult.id) == result_id)
                        .values(carried_from_run_id=heir)
                    )
                taken += 1
            taken += self._take_over_brand_details(session, kept)
            session.commit()
        return taken

    @staticmethod
    def _take_over_brand_details(session: Any, kept: int) -> int:
        rows = session.execute(
            select(BrandResult.id, BrandResult.run_id, BrandResult.page_id, BrandResult.details)
            .where(
                col(BrandResult.run_id) >= kept,
                cast(BrandResult.details, String).like('%"carried_from_run"%'),
            )
            .order_by(col(BrandResult.page_id), col(BrandResult.run_id))
        ).all()
        heirs: dict[tuple[int, int], int] = {}
        taken = 0
        for row_id, run_id, page_id, details in rows:
            origin = (details or {}).get("carried_from_run")
            if set(details or {}) != {"carried_from_run"} or origin is None or origin >= kept:
                continue
            heir = heirs.get((page_id, origin))
            if heir is None:
                source = session.execute(
                    select(BrandResult.details, BrandResult.header_screenshot).where(
                        BrandResult.run_id == origin, BrandResult.page_id == page_id
                    )
                ).first()
                values: dict[str, Any] = {"details": {}, "header_screenshot": None}
                if source is not None:
                    values = {"details": dict(source[0] or {}), "header_screenshot": source[1]}
                heirs[(page_id, origin)] = run_id
            else:
                values = {"details": {"carried_from_run": heir}}
            session.execute(
                update(BrandResult).where(col(BrandResult.id) == row_id).values(**values)
            )
            taken += 1
        return taken

    def _start_kept_stretches_at(self, kept: int) -> None:
        """A finding seen before the cut and since starts at its page's first kept visit:
        the pruned runs no longer hold it (they hold nothing), the kept ones still do."""
        first_kept_visit = (
            select(func.min(PageResult.run_id))
            .where(
                col(PageResult.page_id) == col(Finding.page_id),
                col(PageResult.run_id) >= kept,
                col(PageResult.status).in_(JUDGED),
            )
            .scalar_subquery()
        )
        with self.session() as session:
            session.execute(
                update(Finding)
                .where(col(Finding.first_run_id) < kept, col(Finding.last_run_id) >= kept)
                .values(first_run_id=first_kept_visit)
            )
            session.commit()

    def _runs_with_detail_before(self, kept: int) -> list[int]:
        with self.session() as session:
            found: set[int] = set()
            for column in (PageResult.run_id, BrandResult.run_id, Finding.last_run_id):
                found.update(
                    session.execute(select(column).where(column < kept).distinct()).scalars()
                )
            found.update(
                session.execute(
                    select(JourneyRun.run_id)
                    .join(JourneyStepResult, JourneyStepResult.journey_run_id == JourneyRun.id)
                    .where(col(JourneyRun.run_id) < kept)
                    .distinct()
                ).scalars()
            )
        return sorted(found)

    def _prune_run(self, run_id: int) -> dict[str, int]:
        removed: dict[str, int] = defaultdict(int)
        with self.session() as session:
            journeys = select(JourneyRun.id).where(JourneyRun.run_id == run_id)
            for table, statement in (
                ("pageresult", delete(PageResult).where(col(PageResult.run_id) == run_id)),
                ("brandresult", delete(BrandResult).where(col(BrandResult.run_id) == run_id)),
                ("finding", delete(Finding).where(col(Finding.last_run_id) == run_id)),
                (
                    "journeystepresult",
                    delete(JourneyStepResult).where(
                        col(JourneyStepResult.journey_run_id).in_(journeys)
                    ),
                ),
            ):
                removed[table] += session.execute(statement).rowcount  # type: ignore[attr-defined]
            session.execute(
                update(RunSummary)
                .where(col(RunSummary.run_id) == run_id)
                .values(detail_pruned_at=utcnow())
            )
            session.commit()
        return removed

    # --- giving the space back ------------------------------------------------------------

    def database_bytes(self) -> int | None:
        """The database's size on disk: its files on SQLite, ``pg_database_size`` on
        PostgreSQL."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            path = Path(url.database or "")
            return sum(
                Path(f"{path}{suffix}").stat().st_size
                for suffix in ("", "-wal")
                if Path(f"{path}{suffix}").exists()
            )
        with self.engine.connect() as connection:
            return int(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )

    def reclaim_space(self) -> SpaceReport:
        """Give the space of deleted rows back (outside any transaction)."""
        dialect = self.engine.dialect.name
        before = self.database_bytes()
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if dialect == "sqlite":
                mode = connection.execute(text("PRAGMA auto_vacuum")).scalar_one()
                if mode == 2:  # incremental: free pages are handed back without a rewrite
                    # Run to its end: stepped once (as ``execute`` does), the pragma frees
                    # one page only.
                    raw: Any = connection.connection.dbapi_connection
                    raw.executescript("PRAGMA incremental_vacuum;")
                    how = "incremental vacuum"
                else:  # once: rewrite the file, and keep it incremental from now on
                    connection.execute(text("PRAGMA auto_vacuum = INCREMENTAL"))
                    connection.execute(text("VACUUM"))
                    how = "VACUUM (the database now vacuums incrementally)"
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            else:
                for table in PRUNED:
                    connection.execute(text(f"VACUUM (ANALYZE) {table}"))
                how = "VACUUM (ANALYZE): the space is reused, the files keep their size"
        return SpaceReport(dialect, before, self.database_bytes(), how)
