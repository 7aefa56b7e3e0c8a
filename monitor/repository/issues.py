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
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from crawlers.base import FindingData
from crawlers.checks import service_checks
from monitor.models import (
    Finding,
    Issue,
    IssuePage,
    IssueStatus,
    Page,
    PageResult,
    PageStatus,
    utcnow,
)
from monitor.repository.base import RepositoryBase, merge_page_result
from monitor.repository.brand import copy_brand_result

OPEN_STATUSES = (IssueStatus.new, IssueStatus.open, IssueStatus.reopened)
SERIOUS = ("serious", "critical")


class _Keep:
    """Leave the page's revalidation record as it is."""


KEEP = _Keep()
Revalidation = dict[str, Any] | _Keep | None


def finding_row(run_id: int, page_id: int, service_id: str, data: FindingData) -> Finding:
    return Finding(
        run_id=run_id,
        page_id=page_id,
        service_id=service_id,
        check=data.check,
        rule=data.rule,
        outcome=data.outcome,
        wcag=",".join(data.wcag),
        impact=data.impact,
        selector=data.selector,
        snippet=data.snippet,
        message=data.message,
        help_url=data.help_url,
        fingerprint=data.fingerprint(service_id),
        region=data.region,
        journey_id=data.journey_id,
        journey_step=data.journey_step,
    )


class IssueRepository(RepositoryBase):
    """Findings of runs and the issues they add up to."""

    def record_page(
        self,
        result: PageResult,
        findings: Sequence[FindingData],
        *,
        carried: bool = False,
        versions: str | None = None,
        revalidation: Revalidation = KEEP,
    ) -> PageResult:
        """Store a page's result and its findings in ONE transaction, replacing any earlier
        partial attempt in the same run, so a resumed run never counts a page twice.

        With ``versions`` (of the checks that judged it), the page also remembers the
        fingerprint of what they saw, so an unchanged page can be carried next time;
        ``revalidation`` replaces (or, as None, forgets) what its rendering depends on."""
        assert result.run_id is not None and result.page_id is not None
        with self.session() as session:
            if versions is not None and result.fingerprint:
                page = session.get_one(Page, result.page_id)
                page.fingerprint = result.fingerprint
                page.fingerprint_versions = versions
                page.last_seen_at = page.last_full_audit_at = utcnow()
                session.add(page)
            self._set_revalidation(session, result.page_id, revalidation)
            result = self._replace_page_findings(session, result)
            result.serious_count = sum(
                1 for f in findings if f.outcome == "violation" and f.impact in SERIOUS
            )
            session.add(result)
            for data in findings:
                row = finding_row(result.run_id, result.page_id, result.service_id, data)
                row.carried = carried
                session.add(row)
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

    @staticmethod
    def _replace_page_findings(session: Session, result: PageResult) -> PageResult:
        """Drop an earlier attempt's findings for this page in this run; merge its result."""
        session.execute(
            delete(Finding).where(
                col(Finding.run_id) == result.run_id,
                col(Finding.page_id) == result.page_id,
                col(Finding.journey_id).is_(None),
            )
        )
        return merge_page_result(session, result)

    def add_journey_findings(
        self, run_id: int, page_id: int, service_id: str, findings: Sequence[FindingData]
    ) -> None:
        with self.session() as session:
            for data in findings:
                session.add(finding_row(run_id, page_id, service_id, data))
            session.commit()

    def findings(
        self, run_id: int, *, service_id: str | None = None, page_id: int | None = None
    ) -> list[Finding]:
        with self.session() as session:
            query = select(Finding).where(Finding.run_id == run_id)
            if service_id:
                query = query.where(Finding.service_id == service_id)
            if page_id:
                query = query.where(Finding.page_id == page_id)
            return list(session.exec(query.order_by(col(Finding.id))).all())

    def update_issues(
        self, run_id: int, service_id: str, whole_service_checks: Sequence[str] = ()
    ) -> dict[str, int]:
        """Move the service's issues along their lifecycle after a run; idempotent.

        ``whole_service_checks`` names the service-level checks that judged the service in
        this run: their issues are fixed when the check no longer reports them, whichever
        pages were visited. The issues of a service-level check that did not judge it (it
        could not, or is switched off) stay as they were.
        """
        now = utcnow()
        changes: dict[str, int] = defaultdict(int)
        whole_service = {c.name for c in service_checks()}
        with self.session() as session:
            findings = session.exec(
                select(Finding).where(Finding.run_id == run_id, Finding.service_id == service_id)
            ).all()
            groups: dict[str, list[Finding]] = defaultdict(list)
            for finding in findings:
                groups[finding.fingerprint].append(finding)
            issues = {
                i.fingerprint: i
                for i in session.exec(select(Issue).where(Issue.service_id == service_id)).all()
            }
            visits = session.exec(
                select(PageResult.page_id, PageResult.check_errors).where(
                    PageResult.run_id == run_id,
                    PageResult.service_id == service_id,
                    col(PageResult.status).in_([PageStatus.audited, PageStatus.carried]),
                )
            ).all()
            visited = {page_id for page_id, _ in visits}
            # A check that could not judge a page leaves its issues there as they were.
            unjudged: dict[str, set[int]] = defaultdict(set)
            for page_id, errors in visits:
                for error in errors or ():
                    unjudged[str(error.get("check"))].add(page_id)
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
                self._link_pages(session, issue, group, run_id, visited - unjudged[issue.check])
                for finding in group:
                    finding.issue_id = issue.id
                    session.add(finding)
                session.add(issue)
            for fingerprint, issue in issues.items():
                if fingerprint in groups or issue.status not in OPEN_STATUSES:
                    continue
                pages = set(
                    session.exec(
                        select(IssuePage.page_id).where(IssuePage.issue_id == issue.id)
                    ).all()
                )
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
            session.commit()
        return dict(changes)

    @staticmethod
    def _new_issue(
        session: Session, run_id: int, service_id: str, finding: Finding, now: datetime
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

    @staticmethod
    def _link_pages(
        session: Session, issue: Issue, group: list[Finding], run_id: int, visited: set[int]
    ) -> None:
        seen_pages = {f.page_id for f in group}
        links = {
            link.page_id: link
            for link in session.exec(select(IssuePage).where(IssuePage.issue_id == issue.id)).all()
        }
        for page_id in seen_pages:
            link = links.get(page_id) or IssuePage(issue_id=issue.id or 0, page_id=page_id)
            link.last_seen_run_id = run_id
            session.add(link)
            links[page_id] = link
        # A page audited again without the defect no longer counts as affected.
        for page_id, link in list(links.items()):
            if page_id in visited and page_id not in seen_pages:
                session.delete(link)
                del links[page_id]
        issue.pages_affected = len(links)

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
        """Store a service-level check's findings for a run, replacing any earlier attempt."""
        with self.session() as session:
            session.execute(
                delete(Finding).where(
                    col(Finding.run_id) == run_id,
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
        """An unchanged page: carry its findings of ``previous_run_id`` forward as seen in
        this run, except those of the ``rechecked`` checks, whose ``fresh`` findings
        replace them, and (``carry_brand``) its brand result. One transaction, so the
        issue lifecycle and the measures stay exactly right."""
        assert result.run_id is not None and result.page_id is not None
        with self.session() as session:
            previous = [
                f
                for f in session.exec(
                    select(Finding).where(
                        Finding.run_id == previous_run_id,
                        Finding.page_id == result.page_id,
                        col(Finding.journey_id).is_(None),
                    )
                ).all()
                if f.check not in rechecked
            ]
            self._set_revalidation(session, result.page_id, revalidation)
            result = self._replace_page_findings(session, result)
            for old in previous:
                copy = Finding.model_validate(
                    old.model_dump(exclude={"id", "run_id", "issue_id", "carried"})
                    | {"run_id": result.run_id}
                )
                copy.carried = True
                session.add(copy)
            for data in fresh:
                session.add(finding_row(result.run_id, result.page_id, result.service_id, data))
            result.serious_count = sum(
                1 for f in previous if f.outcome == "violation" and f.impact in SERIOUS
            ) + sum(1 for f in fresh if f.outcome == "violation" and f.impact in SERIOUS)
            session.add(result)
            if carry_brand:
                session.flush()
                copy_brand_result(session, previous_run_id, result.run_id, result.page_id)
            session.commit()
        return result

    def page_and_last_visit(
        self, page_id: int, before_run_id: int
    ) -> tuple[Page, PageResult | None]:
        """A page, and its last finished visit (audited or carried) before this run."""
        with self.session() as session:
            return session.get_one(Page, page_id), session.exec(
                select(PageResult)
                .where(
                    PageResult.page_id == page_id,
                    col(PageResult.run_id) < before_run_id,
                    col(PageResult.status).in_([PageStatus.audited, PageStatus.carried]),
                )
                .order_by(col(PageResult.run_id).desc())
                .limit(1)
            ).first()

    def page(self, page_id: int) -> Page:
        with self.session() as session:
            return session.get_one(Page, page_id)
