"""Findings and issues: from what a check saw on a page to what a service owner fixes.

An issue is a fingerprint within a service. Its lifecycle across runs:
``new`` (first seen this run) → ``open`` (seen again) → ``fixed`` (gone from every page it
affected, each of which was audited again) → ``reopened`` (back after a fix) → ``open``.
An acknowledgement (who, why, until when) stops an issue counting against the measures
until it expires; it does not change the lifecycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from crawlers.base import FindingData
from crawlers.checks import service_checks
from monitor.models import (
    CARRIED_DETAIL,
    FINDING_CONTENT,
    Finding,
    Issue,
    IssuePage,
    IssueStatus,
    Page,
    PageResult,
    PageStatus,
    RunFinding,
    utcnow,
)
from monitor.repository.base import (
    RepositoryBase,
    compact_carried,
    merge_page_result,
    with_carried_detail,
)
from monitor.repository.brand import copy_brand_result, copy_brand_results
from monitor.repository.findings import (
    JUDGED,
    content_of,
    findings_of_visit,
    in_run,
    run_findings,
    store_page_findings,
)

OPEN_STATUSES = (IssueStatus.new, IssueStatus.open, IssueStatus.reopened)
#: Pages (or pairs) per statement when many are read or written at once.
CHUNK = 400
# Made once: building an alias of a table costs more than the query that uses it.
_LAST_VISIT = aliased(PageResult, name="last_visit")
_CARRIED_FROM = aliased(PageResult, name="carried_from")
SERIOUS = ("serious", "critical")
#: A finding's columns as the issue lifecycle reads them (all a check reported).
FINDING_COLUMNS = FINDING_CONTENT


class _Keep:
    """Leave the page's revalidation record as it is."""


KEEP = _Keep()
Revalidation = dict[str, Any] | _Keep | None


@dataclass
class CarriedVisit:
    """One unchanged page of a run, as ``record_carried_page`` takes it."""

    result: PageResult
    previous_run_id: int
    fresh: Sequence[FindingData] = ()
    rechecked: Sequence[str] = ()
    revalidation: Revalidation = KEEP
    carry_brand: bool = False


def _plain_visits(
    session: Session, run_id: int, visits: Sequence[CarriedVisit]
) -> tuple[list[CarriedVisit], list[CarriedVisit]]:
    """The visits that find their page exactly as its previous visit left it, and the
    others: a fresh finding, a revalidation record to change, a previous visit that is not
    the page's last, a later visit (an older run resumed), or findings of this run stored
    already (a second attempt)."""
    pages = [v.result.page_id for v in visits]
    last: dict[int, int] = {}
    later: set[int] = set()
    stored: set[int] = set()
    for start in range(0, len(pages), CHUNK):
        chunk = pages[start : start + CHUNK]
        judged = col(PageResult.status).in_(JUDGED)
        last.update(
            session.execute(
                select(PageResult.page_id, func.max(PageResult.run_id))
                .where(col(PageResult.page_id).in_(chunk), col(PageResult.run_id) < run_id, judged)
                .group_by(col(PageResult.page_id))
            ).all()
        )
        later.update(
            session.execute(
                select(PageResult.page_id).where(
                    col(PageResult.page_id).in_(chunk), col(PageResult.run_id) > run_id, judged
                )
            ).scalars()
        )
        stored.update(
            session.execute(
                select(Finding.page_id).where(
                    col(Finding.page_id).in_(chunk),
                    col(Finding.last_run_id) >= run_id,
                    col(Finding.journey_id).is_(None),
                )
            ).scalars()
        )
    plain, other = [], []
    for visit in visits:
        page_id = visit.result.page_id or 0
        if (
            not visit.fresh
            and isinstance(visit.revalidation, _Keep)
            and last.get(page_id) == visit.previous_run_id
            and page_id not in later
            and page_id not in stored
            and pages.count(page_id) == 1
        ):
            plain.append(visit)
        else:
            other.append(visit)
    return plain, other


def finding_row(run_id: int, page_id: int, service_id: str, data: FindingData) -> Finding:
    """A finding that belongs to one run alone (a journey's, a service check's)."""
    return Finding(
        **content_of(data, service_id),
        first_run_id=run_id,
        last_run_id=run_id,
        page_id=page_id,
        service_id=service_id,
    )


class IssueRepository(RepositoryBase):
    """Findings of runs and the issues they add up to."""

    def record_page(
        self,
        result: PageResult,
        findings: Sequence[FindingData],
        *,
        versions: str | None = None,
        revalidation: Revalidation = KEEP,
    ) -> PageResult:
        """Store a page's result and its findings in ONE transaction, replacing any earlier
        partial attempt in the same run, so a resumed run never counts a page twice.

        A finding the page's previous visit saw unchanged has its stretch extended; only
        new findings are written (``monitor.repository.findings``).

        With ``versions`` (of the checks that judged it), the page also remembers the
        fingerprint of what they saw, so an unchanged page can be carried next time;
        ``revalidation`` replaces (or, as None, forgets) what its rendering depends on."""
        assert result.run_id is not None and result.page_id is not None
        with self.writing() as session:
            if versions is not None and result.fingerprint:
                page = session.get_one(Page, result.page_id)
                page.fingerprint = result.fingerprint
                page.fingerprint_versions = versions
                page.last_seen_at = page.last_full_audit_at = utcnow()
                session.add(page)
            self._set_revalidation(session, result.page_id, revalidation)
            result = merge_page_result(session, result)
            result.serious_count = sum(
                1 for f in findings if f.outcome == "violation" and f.impact in SERIOUS
            )
            session.add(result)
            session.flush()  # the page's visits, this one included, bound its stretches
            store_page_findings(
                session,
                result.run_id,
                result.page_id,
                result.service_id,
                [content_of(f, result.service_id) for f in findings],
                judged=result.status in JUDGED,
            )
            session.commit()  # its columns stay loaded (expire_on_commit=False): no re-read
            return result

    @staticmethod
    def _set_revalidation(session: Session, page_id: int, revalidation: Revalidation) -> None:
        if isinstance(revalidation, _Keep):
            return
        page = session.get_one(Page, page_id)
        if page.revalidation != revalidation:
            page.revalidation = revalidation
            session.add(page)

    def add_journey_findings(
        self, run_id: int, page_id: int, service_id: str, findings: Sequence[FindingData]
    ) -> None:
        with self.writing() as session:
            for data in findings:
                session.add(finding_row(run_id, page_id, service_id, data))
            session.commit()

    def findings(
        self, run_id: int, *, service_id: str | None = None, page_id: int | None = None
    ) -> list[RunFinding]:
        """Every finding the run holds (carried ones and journeys' included), as it saw them."""
        with self.session() as session:
            return run_findings(session, run_id, service_id=service_id, page_id=page_id)

    def update_issues(
        self, run_id: int, service_id: str, whole_service_checks: Sequence[str] = ()
    ) -> dict[str, int]:
        """Move the service's issues along their lifecycle after a run; idempotent.

        ``whole_service_checks`` names the service-level checks that judged the service in
        this run: their issues are fixed when the check no longer reports them, whichever
        pages were visited. The issues of a service-level check that did not judge it (it
        could not, or is switched off) stay as they were.

        Rows are read and written in bulk (a run of a large site holds a hundred thousand
        findings): only findings not yet tied to their issue, and links whose state
        changed, are written.
        """
        now = utcnow()
        changes: dict[str, int] = defaultdict(int)
        whole_service = {c.name for c in service_checks()}
        with self.session() as session:
            found = session.execute(
                select(
                    Finding.id,
                    Finding.issue_id,
                    Finding.page_id,
                    *(getattr(Finding, name) for name in FINDING_COLUMNS),
                ).where(Finding.service_id == service_id, in_run(run_id))
            ).all()
            groups: dict[str, list[Any]] = defaultdict(list)
            for finding in found:
                groups[finding.fingerprint].append(finding)
            issues = {
                i.fingerprint: i
                for i in session.exec(select(Issue).where(Issue.service_id == service_id)).all()
            }
            visits = session.exec(
                select(PageResult.page_id, PageResult.check_errors).where(
                    PageResult.run_id == run_id,
                    PageResult.service_id == service_id,
                    col(PageResult.status).in_(JUDGED),
                )
            ).all()
            visited = {page_id for page_id, _ in visits}
            # A check that could not judge a page leaves its issues there as they were.
            unjudged: dict[str, set[int]] = defaultdict(set)
            for page_id, errors in visits:
                for error in errors or ():
                    unjudged[str(error.get("check"))].add(page_id)
            links = _Links.load(session, service_id)
            tie: list[dict[str, int]] = []
            for fingerprint, group in groups.items():
                issue = issues.get(fingerprint)
                if issue is None:
                    issue = self._new_issue(session, run_id, service_id, group[0], now)
                    issues[fingerprint] = issue
                    changes["new"] += 1
                elif issue.last_seen_run_id != run_id:
                    if issue.status == IssueStatus.fixed:
                        issue.status = IssueStatus.reopened
                        issue.reopened_count += 1
                        issue.fixed_at = None
                        issue.fixed_run_id = None
                        changes["reopened"] += 1
                    elif issue.status in (IssueStatus.new, IssueStatus.reopened):
                        issue.status = IssueStatus.open
                issue.last_seen_at = now
                issue.last_seen_run_id = run_id
                issue.on_journey = issue.on_journey or any(f.journey_id for f in group)
                assert issue.id is not None
                issue.pages_affected = links.see(
                    issue.id, {f.page_id for f in group}, run_id, visited - unjudged[issue.check]
                )
                tie += [{"id": f.id, "issue_id": issue.id} for f in group if f.issue_id != issue.id]
                session.add(issue)
            for fingerprint, issue in issues.items():
                if fingerprint in groups or issue.status not in OPEN_STATUSES:
                    continue
                assert issue.id is not None
                pages = links.pages(issue.id)
                if issue.check in whole_service and issue.check not in whole_service_checks:
                    continue  # a service-level check that did not judge the service now
                # Fixed only when every page it affected was audited again without it.
                audited_again = bool(pages) and pages <= visited - unjudged[issue.check]
                if issue.check in whole_service_checks:
                    audited_again = True
                if audited_again and not issue.on_journey:
                    issue.status = IssueStatus.fixed
                    issue.fixed_at = now
                    issue.fixed_run_id = run_id
                    issue.pages_affected = 0
                    session.add(issue)
                    changes["fixed"] += 1
            links.write(session, run_id)
            if tie:
                session.execute(update(Finding), tie)
            session.commit()
        return dict(changes)

    @staticmethod
    def _new_issue(
        session: Session, run_id: int, service_id: str, finding: Any, now: datetime
    ) -> Issue:
        issue = Issue(
            service_id=service_id,
            fingerprint=finding.fingerprint,
            check=finding.check,
            rule=finding.rule,
            outcome=finding.outcome,
            wcag=finding.wcag,
            impact=finding.impact,
            message=finding.message,
            help_url=finding.help_url,
            selector=finding.selector,
            snippet=finding.snippet,
            status=IssueStatus.new,
            first_seen_at=now,
            first_seen_run_id=run_id,
            last_seen_at=now,
            last_seen_run_id=run_id,
        )
        session.add(issue)
        session.flush()
        return issue

    # --- reading and acknowledging ---------------------------------------------------------

    def issues(
        self,
        *,
        service_id: str | None = None,
        statuses: Sequence[str] | None = None,
        impact: str | None = None,
        check: str | None = None,
        limit: int = 500,
    ) -> list[Issue]:
        with self.session() as session:
            query = select(Issue)
            if service_id:
                query = query.where(Issue.service_id == service_id)
            if statuses:
                query = query.where(col(Issue.status).in_(list(statuses)))
            if impact:
                query = query.where(Issue.impact == impact)
            if check:
                query = query.where(Issue.check == check)
            return list(session.exec(query.order_by(col(Issue.id)).limit(limit)).all())

    def issue(self, issue_id: int) -> Issue | None:
        with self.session() as session:
            return session.get(Issue, issue_id)

    def issue_page_urls(self, issue_id: int) -> list[str]:
        with self.session() as session:
            return list(
                session.exec(
                    select(Page.url)
                    .join(IssuePage, col(IssuePage.page_id) == col(Page.id))
                    .where(IssuePage.issue_id == issue_id)
                    .order_by(col(Page.url))
                ).all()
            )

    def acknowledge_issue(
        self, issue_id: int, *, by: str, reason: str, until: datetime | None
    ) -> Issue:
        """A person accepts an issue for now; it stops counting until ``until`` (None: for
        good). An expiry already past is refused: it would silently end a valid
        acknowledgement."""
        if not by.strip() or not reason.strip():
            raise ValueError("an acknowledgement needs a person and a reason")
        if until is not None and until <= utcnow():
            raise ValueError(f"the expiry {until:%Y-%m-%d %H:%M} UTC has passed already")
        with self.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise KeyError(f"no issue {issue_id}")
            issue.ack_by = by.strip()
            issue.ack_reason = reason.strip()
            issue.ack_at = utcnow()
            issue.ack_until = until
            session.add(issue)
            session.commit()
            session.refresh(issue)
            return issue

    def replace_check_findings(
        self,
        run_id: int,
        service_id: str,
        check: str,
        findings_by_page: dict[int, list[FindingData]],
    ) -> None:
        """Store a service-level check's findings for a run, replacing any earlier attempt.

        They judge the service in this run, so they belong to this run alone."""
        with self.writing() as session:
            session.execute(
                delete(Finding).where(
                    col(Finding.first_run_id) == run_id,
                    col(Finding.last_run_id) == run_id,
                    col(Finding.service_id) == service_id,
                    col(Finding.check) == check,
                    col(Finding.journey_id).is_(None),
                )
            )
            for page_id, findings in findings_by_page.items():
                for data in findings:
                    session.add(finding_row(run_id, page_id, service_id, data))
            session.commit()

    def record_carried_page(
        self,
        result: PageResult,
        previous_run_id: int,
        fresh: Sequence[FindingData],
        rechecked: Sequence[str],
        *,
        revalidation: Revalidation = KEEP,
        carry_brand: bool = False,
    ) -> PageResult:
        """An unchanged page: its findings of ``previous_run_id`` count as seen in this run
        (their stretches are extended, nothing is copied), except those of the
        ``rechecked`` checks, whose ``fresh`` findings replace them, and
        (``carry_brand``) its brand result. One transaction, so the issue lifecycle and
        the measures stay exactly right.

        The result is stored compactly when its address, title and facts are those of the
        visit it was carried from."""
        visit = CarriedVisit(result, previous_run_id, fresh, rechecked, revalidation, carry_brand)
        with self.writing() as session:
            saved = self._record_carried(session, visit)
            session.commit()
        return saved

    def record_carried_pages(self, visits: Sequence[CarriedVisit]) -> None:
        """``record_carried_page`` for many pages of one run, in ONE transaction, with a
        few statements for all of them: a nightly run of a large site carries thousands.

        A page found exactly as its previous visit left it (nothing fresh, its previous
        visit its last, none after it, nothing of this run stored yet) has its findings
        extended by one UPDATE with the others'; any other page goes the way
        ``record_carried_page`` takes."""
        if not visits:
            return
        run_id = visits[0].result.run_id
        assert all(v.result.run_id == run_id and v.result.page_id for v in visits)
        with self.writing() as session:
            plain, other = _plain_visits(session, run_id, visits)
            if plain:
                self._record_plain_carried(session, run_id, plain)
            for visit in other:
                self._record_carried(session, visit)
            session.commit()

    def _record_carried(self, session: Session, visit: CarriedVisit) -> PageResult:
        result = visit.result
        assert result.run_id is not None and result.page_id is not None
        previous = findings_of_visit(
            session, result.page_id, visit.previous_run_id, leaving_out=visit.rechecked
        )
        self._set_revalidation(session, result.page_id, visit.revalidation)
        result = merge_page_result(session, result)
        compact_carried(session, result, visit.previous_run_id)
        wanted = [{name: getattr(f, name) for name in FINDING_COLUMNS} for f in previous]
        wanted += [content_of(f, result.service_id) for f in visit.fresh]
        result.serious_count = sum(
            1 for f in wanted if f["outcome"] == "violation" and f["impact"] in SERIOUS
        )
        session.add(result)
        session.flush()
        store_page_findings(
            session,
            result.run_id,
            result.page_id,
            result.service_id,
            wanted,
            judged=result.status in JUDGED,
        )
        if visit.carry_brand:
            copy_brand_result(session, visit.previous_run_id, result.run_id, result.page_id)
        return result

    @staticmethod
    def _record_plain_carried(session: Session, run_id: int, visits: list[CarriedVisit]) -> None:
        """Pages found as their previous visit left them: stretch their findings to this
        run, and store their results compactly, a few statements for all of them."""
        by_page = {v.result.page_id: v for v in visits}
        pairs = [(v.previous_run_id, page_id) for page_id, v in by_page.items()]
        extend: list[int] = []
        serious: dict[int, int] = defaultdict(int)
        for start in range(0, len(pairs), CHUNK):
            rows = session.execute(
                sa_select(
                    col(Finding.id),
                    col(Finding.page_id),
                    col(Finding.check),
                    col(Finding.outcome),
                    col(Finding.impact),
                ).where(
                    tuple_(Finding.last_run_id, Finding.page_id).in_(pairs[start : start + CHUNK]),
                    col(Finding.journey_id).is_(None),
                )
            ).all()
            for finding_id, page_id, check, outcome, impact in rows:
                if check in by_page[page_id].rechecked:
                    continue  # judged again on the page, and found no more
                extend.append(finding_id)
                if outcome == "violation" and impact in SERIOUS:
                    serious[page_id] += 1
        for start in range(0, len(extend), CHUNK):
            session.execute(
                update(Finding)
                .where(col(Finding.id).in_(extend[start : start + CHUNK]))
                .values(last_run_id=run_id)
            )
        stored = {
            r.page_id: r
            for start in range(0, len(pairs), CHUNK)
            for r in session.exec(
                select(PageResult).where(
                    PageResult.run_id == run_id,
                    col(PageResult.page_id).in_([p for _, p in pairs[start : start + CHUNK]]),
                )
            ).all()
        }
        previous = {
            r.page_id: r
            for start in range(0, len(pairs), CHUNK)
            for r in session.exec(
                select(PageResult).where(
                    tuple_(PageResult.run_id, PageResult.page_id).in_(pairs[start : start + CHUNK])
                )
            ).all()
        }
        sources = {r.page_id: r for r in with_carried_detail(session, list(previous.values()))}
        brand = copy_brand_results(
            session, run_id, [(v.previous_run_id, p) for p, v in by_page.items() if v.carry_brand]
        )
        for page_id, visit in by_page.items():
            result = stored.get(page_id)
            values = visit.result.model_dump(exclude={"id"})
            if result is None:
                result = PageResult(**values)
            else:
                for field, value in values.items():
                    setattr(result, field, value)
            result.serious_count = serious[page_id]
            source = sources.get(page_id)
            result.carried_from_run_id = None
            if source is not None and all(
                getattr(result, name) == getattr(source, name) for name in CARRIED_DETAIL
            ):
                for name in CARRIED_DETAIL:
                    setattr(result, name, None)
                held = previous[page_id].carried_from_run_id
                result.carried_from_run_id = held or visit.previous_run_id
            if page_id in brand:
                result.brand_score = brand[page_id]
            session.add(result)

    def page_and_last_visit(
        self, page_id: int, before_run_id: int
    ) -> tuple[Page, PageResult | None]:
        """A page, and its last finished visit (audited or carried) before this run, with
        the details a compact carried visit leaves to the visit it was carried from: one
        query, asked for every page of every run."""
        last_id = (
            select(PageResult.id)
            .where(
                PageResult.page_id == page_id,
                col(PageResult.run_id) < before_run_id,
                col(PageResult.status).in_([PageStatus.audited, PageStatus.carried]),
            )
            .order_by(col(PageResult.run_id).desc())
            .limit(1)
            .scalar_subquery()
        )
        last, source = _LAST_VISIT, _CARRIED_FROM
        with self.session() as session:
            page, visit, judged = session.execute(
                sa_select(Page, last, source)
                .select_from(Page)
                .outerjoin(last, col(last.id) == last_id)
                .outerjoin(
                    source,
                    and_(
                        col(source.page_id) == col(last.page_id),
                        col(source.run_id) == col(last.carried_from_run_id),
                    ),
                )
                .where(col(Page.id) == page_id)
            ).one()
            if visit is not None and judged is not None:
                detail = {name: getattr(judged, name) for name in CARRIED_DETAIL}
                visit = PageResult.model_validate(visit.model_dump() | detail)
            return page, visit

    def page(self, page_id: int) -> Page:
        with self.session() as session:
            return session.get_one(Page, page_id)


class _Links:
    """The pages each of a service's issues affects (``IssuePage``), read once and written
    back in bulk: a template defect on a large site links one issue to thousands of pages."""

    def __init__(self, rows: Sequence[tuple[int, int, int | None]]) -> None:
        self.seen: dict[int, dict[int, int | None]] = defaultdict(dict)
        for issue_id, page_id, last_seen in rows:
            self.seen[issue_id][page_id] = last_seen
        self.added: list[dict[str, Any]] = []
        self.moved: list[dict[str, int]] = []
        self.gone: list[tuple[int, int]] = []

    @classmethod
    def load(cls, session: Session, service_id: str) -> _Links:
        rows = session.execute(
            select(IssuePage.issue_id, IssuePage.page_id, IssuePage.last_seen_run_id)
            .join(Issue, col(Issue.id) == col(IssuePage.issue_id))
            .where(Issue.service_id == service_id)
        ).all()
        return cls([(i, p, r) for i, p, r in rows])

    def pages(self, issue_id: int) -> set[int]:
        return set(self.seen.get(issue_id, {}))

    def see(self, issue_id: int, pages: set[int], run_id: int, visited: set[int]) -> int:
        """The issue was seen on ``pages`` in the run; a page judged again without it no
        longer counts as affected. Returns how many pages it affects now."""
        links = self.seen[issue_id]
        now = utcnow()
        for page_id in pages:
            if page_id not in links:
                self.added.append(
                    {
                        "issue_id": issue_id,
                        "page_id": page_id,
                        "first_seen_at": now,
                        "last_seen_run_id": run_id,
                    }
                )
            elif links[page_id] != run_id:
                self.moved.append({"i": issue_id, "p": page_id})
            links[page_id] = run_id
        for page_id in [p for p in links if p in visited and p not in pages]:
            self.gone.append((issue_id, page_id))
            del links[page_id]
        return len(links)

    def write(self, session: Session, run_id: int) -> None:
        if self.gone:
            for start in range(0, len(self.gone), 500):
                session.execute(
                    delete(IssuePage).where(
                        tuple_(IssuePage.issue_id, IssuePage.page_id).in_(
                            self.gone[start : start + 500]
                        )
                    )
                )
        if self.moved:
            session.execute(
                update(IssuePage.__table__)  # type: ignore[attr-defined]
                .where(
                    IssuePage.__table__.c.issue_id == bindparam("i"),  # type: ignore[attr-defined]
                    IssuePage.__table__.c.page_id == bindparam("p"),  # type: ignore[attr-defined]
                )
                .values(last_seen_run_id=run_id),
                self.moved,
            )
        if self.added:
            session.execute(insert(IssuePage), self.added)
