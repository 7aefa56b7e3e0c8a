"""Reads and writes of services, runs, pages and page results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.config import ServiceConfig
from monitor.models import (
    Lease,
    Page,
    PageResult,
    PageStatus,
    Run,
    RunStatus,
    RunSummary,
    Service,
    utcnow,
)
from monitor.repository.base import (
    RepositoryBase,
    merge_page_result,
    run_counts,
    store_summaries,
    with_carried_detail,
)
from monitor.repository.liveness import Holder, holder_state

#: A run in one of these states has ended: its counts and summaries are final.
FINISHED = (RunStatus.completed, RunStatus.failed, RunStatus.interrupted, RunStatus.cancelled)


@dataclass(frozen=True)
class PageVisit:
    """One web page of a run: its status and, if it failed, the kind and the reason."""

    service_id: str
    url: str
    status: str
    error_kind: str | None
    http_status: int | None
    error: str | None


@dataclass
class AccessNote:
    """How a run reached one service's pages: signed in, or not at all behind a sign-in."""

    service_id: str
    signed_in: int = 0  # pages seen in the service's signed-in session
    needs_sign_in: int = 0  # pages that sent the monitor to a sign-in (no recipe)
    sign_in_failed: int = 0  # pages not reached because signing in failed
    reason: str | None = None  # why signing in failed (or what needs sign-in), in words

    def lines(self) -> list[str]:
        """What a person should know, one sentence each (none when nothing is worth it)."""
        said = []
        if self.sign_in_failed:
            said.append(
                f"{self.service_id}: {self.reason}; {self.sign_in_failed} page(s) not reached, "
                "their issues left as they were"
            )
        if self.needs_sign_in:
            said.append(
                f"{self.service_id}: {self.needs_sign_in} page(s) need sign-in (they sent the "
                "monitor to a sign-in page) and were not audited; add a sign_in recipe to the "
                "service in services.yaml to audit them signed in"
            )
        if self.signed_in and not self.sign_in_failed:
            said.append(f"{self.service_id}: signed in; {self.signed_in} page(s) seen signed in")
        return said


class CoreRepository(RepositoryBase):
    """Services, runs, pages and page results."""

    # --- services -----------------------------------------------------------------------

    def sync_services(self, services: Iterable[ServiceConfig]) -> None:
        """Make the service table match services.yaml; removed services become inactive."""
        wanted = {s.id: s for s in services}
        with self.session() as session:
            existing = {s.id: s for s in session.exec(select(Service)).all()}
            for service_id, config in wanted.items():
                row = existing.get(service_id) or Service(id=service_id, name=config.name)
                row.name = config.name
                row.owner_name = config.owner.name
                row.owner_email = config.owner.email
                row.tags = dict(config.tags)
                row.active = True
                row.updated_at = utcnow()
                session.add(row)
            for service_id, row in existing.items():
                if service_id not in wanted and row.active:
                    row.active = False
                    session.add(row)
            session.commit()

    def services(self, *, active_only: bool = True) -> list[Service]:
        with self.session() as session:
            query = select(Service).order_by(col(Service.name))
            if active_only:
                query = query.where(col(Service.active).is_(True))
            return list(session.exec(query).all())

    def service(self, service_id: str) -> Service | None:
        with self.session() as session:
            return session.get(Service, service_id)

    # --- runs ---------------------------------------------------------------------------

    def create_run(
        self,
        *,
        kind: str = "audit",
        trigger: str = "cli",
        service_ids: Sequence[str],
        engine: str = "playwright",
        options: dict[str, Any] | None = None,
        full_audit: bool = False,
    ) -> Run:
        run = Run(
            kind=kind,
            trigger=trigger,
            service_ids=list(service_ids),
            engine=engine,
            options=options or {},
            full_audit=full_audit,
        )
        with self.session() as session:
            session.add(run)
            session.commit()
            session.refresh(run)
        return run

    def start_run(
        self,
        run_id: int,
        *,
        holder: str,
        axe_version: str | None = None,
        check_versions: dict[str, str] | None = None,
    ) -> Run:
        with self.session() as session:
            run = session.get_one(Run, run_id)
            run.status = RunStatus.running
            run.started_at = run.started_at or utcnow()
            run.heartbeat_at = utcnow()
            run.holder = holder
            if axe_version:
                run.axe_version = axe_version
            if check_versions:
                run.check_versions = check_versions
            session.add(run)
            session.commit()
            session.refresh(run)
            return run

    def heartbeat(self, run_id: int) -> None:
        with self.writing() as session:
            session.execute(update(Run).where(col(Run.id) == run_id).values(heartbeat_at=utcnow()))
            session.commit()

    def finish_run(
        self,
        run_id: int,
        status: RunStatus,
        error: str | None = None,
        *,
        unreachable: dict[str, str] | None = None,
    ) -> Run:
        """Close a run and store its counts, computed from its page results and findings,
        and the services it could not reach (with why)."""
        with self.session() as session:
            run = session.get_one(Run, run_id)
            for name, value in run_counts(session, run_id).items():
                setattr(run, name, value)
            store_summaries(session, run_id)
            run.status = status
            run.error = error
            if unreachable is not None:
                run.unreachable = unreachable
            run.finished_at = utcnow()
            session.add(run)
            session.commit()
            session.refresh(run)
            return run

    def summarise_runs(self, run_ids: Iterable[int] | None = None) -> list[int]:
        """Store the totals per service (``RunSummary``) of the given runs, or of every
        finished run that has none: for histories written around the runner (imports,
        seeded histories, tests). Returns the runs summarised."""
        with self.session() as session:
            if run_ids is None:
                summarised = select(RunSummary.run_id).distinct()
                query = select(Run.id).where(
                    col(Run.status).in_(FINISHED), col(Run.id).not_in(summarised)
                )
                ids = [i for i in session.exec(query).all() if i is not None]
            else:
                ids = list(run_ids)
            for run_id in ids:
                store_summaries(session, run_id)
            session.commit()
        return ids

    def set_run_counts(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk update of runs' counts (``id`` plus the columns to set), for histories
        written around the runner."""
        if rows:
            with self.session() as session:
                session.execute(update(Run), list(rows))
                session.commit()

    def run(self, run_id: int) -> Run | None:
        self._settle_dead_runs()
        with self.session() as session:
            return session.get(Run, run_id)

    def runs(self, *, limit: int = 50, kind: str | None = None) -> list[Run]:
        """The newest runs; a run whose process died reads as interrupted."""
        self._settle_dead_runs()
        with self.session() as session:
            query = select(Run).order_by(col(Run.id).desc()).limit(limit)
            if kind:
                query = query.where(Run.kind == kind)
            return list(session.exec(query).all())

    def mark_stale_runs_interrupted(self, older_than: datetime) -> list[int]:
        """Running runs with no heartbeat since ``older_than`` are marked interrupted, never
        left 'running', unless their holder is a live process on this host (a heartbeat
        can be late while the database is locked; the process itself is the truth)."""
        with self.session() as session:
            stale = session.exec(
                select(Run).where(
                    Run.status == RunStatus.running,
                    col(Run.heartbeat_at) < older_than,
                )
            ).all()
            marked = [
                run
                for run in stale
                if holder_state(run.holder, run.heartbeat_at) is not Holder.alive
            ]
            for run in marked:
                assert run.id is not None
                for name, value in run_counts(session, run.id).items():
                    setattr(run, name, value)
                store_summaries(session, run.id)
                run.status = RunStatus.interrupted
                run.finished_at = utcnow()
                run.error = run.error or "no heartbeat from the process running it"
                session.add(run)
            session.commit()
            return [r.id for r in marked if r.id is not None]

    # --- pages --------------------------------------------------------------------------

    def upsert_page(self, service_id: str, url: str, *, kind: str = "html", depth: int = 0) -> Page:
        with self.writing() as session:
            page = _remember_page(session, service_id, url, kind, depth)
            session.commit()
            return page

    def add_pending_page(
        self, run_id: int, service_id: str, url: str, *, kind: str = "html", depth: int = 0
    ) -> Page:
        """A page found by a run: remembered (``upsert_page``) with a *pending* result in
        that run, in one transaction, so an interrupted run knows exactly what is left."""
        with self.writing() as session:
            page = _remember_page(session, service_id, url, kind, depth)
            assert page.id is not None
            pending = PageResult(run_id=run_id, page_id=page.id, service_id=service_id)
            session.add(merge_page_result(session, pending))
            session.commit()
            return page

    def add_pending_pages(
        self, run_id: int, service_id: str, found: Sequence[tuple[str, str, int]]
    ) -> list[Page]:
        """``add_pending_page`` for many addresses at once (``(url, kind, depth)``, one
        service), in one transaction: a sitemap of thousands of pages costs a few
        statements, not a transaction each. Returns the pages in the order given."""
        if not found:
            return []
        now = utcnow()
        with self.writing() as session:
            pages: dict[str, Page] = {}
            urls = [url for url, _, _ in found]
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                for page in session.exec(
                    select(Page).where(Page.service_id == service_id, col(Page.url).in_(chunk))
                ).all():
                    pages[page.url] = page
            seen = [p.id for p in pages.values() if p.id is not None]
            for start in range(0, len(seen), 500):
                session.execute(
                    update(Page)
                    .where(col(Page.id).in_(seen[start : start + 500]))
                    .values(last_seen_at=now)
                )
            for url, kind, depth in found:
                known_page = pages.get(url)
                if known_page is None:
                    pages[url] = Page(
                        service_id=service_id,
                        url=url,
                        kind=kind,
                        depth=depth,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                    session.add(pages[url])
                elif known_page.kind != kind:
                    known_page.kind = kind
                    session.add(known_page)
            session.flush()
            ids = [pages[url].id for url, _, _ in found]
            known: set[int] = set()
            for start in range(0, len(ids), 500):
                known.update(
                    session.exec(
                        select(PageResult.page_id).where(
                            PageResult.run_id == run_id,
                            col(PageResult.page_id).in_(ids[start : start + 500]),
                        )
                    ).all()
                )
            fresh = [
                {
                    "run_id": run_id,
                    "page_id": page_id,
                    "service_id": service_id,
                    "status": PageStatus.pending.value,
                    "revalidated": False,
                    "serious_count": 0,
                }
                for page_id in dict.fromkeys(ids)
                if page_id is not None and page_id not in known
            ]
            if fresh:
                session.execute(insert(PageResult), fresh)
            session.commit()
            return [pages[url] for url, _, _ in found]

    def pages(self, service_id: str) -> list[Page]:
        with self.session() as session:
            return list(
                session.exec(
                    select(Page).where(Page.service_id == service_id).order_by(col(Page.url))
                ).all()
            )

    def save_page_result(self, result: PageResult) -> PageResult:
        """Insert or replace the result of one page in one run."""
        with self.session() as session:
            result = merge_page_result(session, result)
            session.add(result)
            session.commit()
            session.refresh(result)
            return result

    def page_results(self, run_id: int) -> list[PageResult]:
        """Every page's result in the run, compact carried ones with their details."""
        with self.session() as session:
            results = list(
                session.exec(
                    select(PageResult)
                    .where(PageResult.run_id == run_id)
                    .order_by(col(PageResult.id))
                ).all()
            )
            return with_carried_detail(session, results)

    def page_visits(self, run_id: int) -> list[PageVisit]:
        """Every web page of the run with its status and, if it failed, why (documents
        left out): what tells a service that could not be reached from one that was."""
        with self.session() as session:
            rows = session.execute(
                sa_select(
                    col(PageResult.service_id),
                    col(Page.url),
                    col(PageResult.status),
                    col(PageResult.error_kind),
                    col(PageResult.http_status),
                    col(PageResult.error),
                )
                .join(Page, col(Page.id) == col(PageResult.page_id))
                .where(col(PageResult.run_id) == run_id, col(Page.kind) != "document")
                .order_by(col(Page.url))
            ).all()
            return [PageVisit(*row) for row in rows]

    def skip_pending_pages(self, run_id: int, service_id: str, reason: str) -> int:
        """Close what is left pending of a service in a run as skipped, saying why."""
        with self.session() as session:
            count = session.execute(
                update(PageResult)
                .where(
                    col(PageResult.run_id) == run_id,
                    col(PageResult.service_id) == service_id,
                    col(PageResult.status) == PageStatus.pending,
                )
                .values(status=PageStatus.skipped, error=reason[:2000], finished_at=utcnow())
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
            return int(count or 0)

    def recorded_pages(
        self, run_id: int, service_id: str
    ) -> list[tuple[str, str, str | None, dict[str, Any] | None]]:
        """``(address, kind, title, facts)`` of each page of the service the run audited
        or carried: what the service phase judges the service by."""
        with self.session() as session:
            rows = session.exec(
                select(Page.url, Page.kind, PageResult)
                .join(PageResult, col(PageResult.page_id) == col(Page.id))
                .where(
                    PageResult.run_id == run_id,
                    PageResult.service_id == service_id,
                    col(PageResult.status).in_([PageStatus.audited, PageStatus.carried]),
                )
                .order_by(col(Page.url))
            ).all()
            results = with_carried_detail(session, [result for _, _, result in rows])
            return [
                (url, kind, result.title, dict(result.facts) if result.facts else None)
                for (url, kind, _), result in zip(rows, results, strict=True)
            ]

    def access_notes(self, run_id: int) -> dict[str, AccessNote]:
        """Per service of the run: pages seen signed in, and pages not reached behind a
        sign-in, with the reason (from the page results, wherever they were audited)."""
        with self.session() as session:
            rows = session.execute(
                sa_select(
                    col(PageResult.service_id),
                    col(PageResult.signed_in),
                    col(PageResult.status),
                    col(PageResult.error_kind),
                    col(PageResult.error),
                ).where(col(PageResult.run_id) == run_id)
            ).all()
        notes: dict[str, AccessNote] = {}
        for service_id, signed_in, status, kind, error in rows:
            note = notes.setdefault(service_id, AccessNote(service_id))
            if signed_in and status in (PageStatus.audited, PageStatus.carried):
                note.signed_in += 1
            if kind == "sign-in-failed":
                note.sign_in_failed += 1
                note.reason = (error or "").removeprefix("not reached: ") or note.reason
            elif kind == "sign-in-required":
                note.needs_sign_in += 1
        return notes

    def not_reached(self, service_id: str) -> tuple[Run, str] | None:
        """The newest finished audit run that included the service, and why it could not
        reach it, if it could not (its measures are then those of an earlier run)."""
        finished = (RunStatus.completed, RunStatus.partial, RunStatus.failed)
        query = (
            select(Run)
            .where(Run.kind == "audit", col(Run.status).in_(list(finished)))
            .order_by(col(Run.id).desc())
            .limit(200)
        )
        with self.session() as session:
            for run in session.exec(query).all():
                if service_id not in (run.service_ids or []):
                    continue
                reason = (run.unreachable or {}).get(service_id)
                return (run, reason) if reason else None
        return None

    def latest_access_note(self, service_id: str) -> AccessNote | None:
        """How the newest audit run that visited the service reached it, even one that
        measured nothing there (a failed sign-in keeps the measures of the run before)."""
        with self.session() as session:
            run_id = session.execute(
                sa_select(func.max(col(PageResult.run_id))).where(
                    col(PageResult.service_id) == service_id
                )
            ).scalar()
        if run_id is None:
            return None
        return self.access_notes(run_id).get(service_id)

    # --- leases: one audit of a service at a time ----------------------------------------

    def acquire_lease(
        self, name: str, holder: str, seconds: int, *, run_id: int | None = None
    ) -> bool:
        """Take the named lease if it is free or expired; True if this holder now has it."""
        now = utcnow()
        expires = now + timedelta(seconds=seconds)
        with self.session() as session:
            lease = session.get(Lease, name)
            if lease is not None and lease.holder != holder and _aware(lease.expires_at) > now:
                return False
            if lease is None:
                lease = Lease(name=name, holder=holder, expires_at=expires, run_id=run_id)
            else:
                lease.holder, lease.expires_at, lease.acquired_at = holder, expires, now
                lease.run_id = run_id
            session.add(lease)
            try:
                session.commit()
            except IntegrityError:  # another process took it between our read and write
                return False
            return True

    def renew_lease(self, name: str, holder: str, seconds: int) -> bool:
        with self.writing() as session:
            count = session.execute(
                update(Lease)
                .where(col(Lease.name) == name, col(Lease.holder) == holder)
                .values(expires_at=utcnow() + timedelta(seconds=seconds))
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
            return bool(count)

    def release_lease(self, name: str, holder: str) -> None:
        with self.session() as session:
            session.execute(
                delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
            )
            session.commit()

    def lease(self, name: str) -> Lease | None:
        with self.session() as session:
            lease = session.get(Lease, name)
            if lease is None or _aware(lease.expires_at) <= utcnow():
                return None
            return lease


def _remember_page(session: Session, service_id: str, url: str, kind: str, depth: int) -> Page:
    """Within ``session``: the page at ``url``, new or seen again now (flushed: it has an id)."""
    page = session.exec(select(Page).where(Page.service_id == service_id, Page.url == url)).first()
    if page is None:
        page = Page(service_id=service_id, url=url, kind=kind, depth=depth)
    else:
        page.last_seen_at = utcnow()
        page.kind = kind
    session.add(page)
    session.flush()
    return page


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes from raw SQL paths; treat them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
