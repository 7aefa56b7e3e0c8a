"""Issues as service owners read them: every kind, filtered, counted at a moment, grouped
by WCAG criterion, and what a run broke or fixed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, Select, and_, func, inspect, literal, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from monitor.models import FindingOutcome, Issue, IssuePage, IssueStatus, Page, utcnow
from monitor.repository.base import RepositoryBase
from monitor.repository.read._sql import (
    acknowledged_at,
    aware,
    counts_at,
    few,
    is_accessibility,
    is_violation,
    keep,
    open_at,
)
from monitor.vocabulary import Impact, IssueKind, IssueState

_LIFECYCLE_OPEN = [IssueStatus.new, IssueStatus.open, IssueStatus.reopened]
#: An issue's columns, read as plain rows: building a thousand ORM objects to read them
#: once costs more than the query.
ISSUE_COLUMNS = tuple(inspect(Issue).columns)


@dataclass(frozen=True)
class IssueRow:
    """One issue, with its state as a person sees it now."""

    id: int
    service_id: str
    check: str
    rule: str
    kind: IssueKind
    wcag: tuple[str, ...]
    impact: Impact | None
    outcome: FindingOutcome
    state: IssueState
    pages_affected: int
    on_journey: bool
    message: str
    help_url: str
    selector: str
    snippet: str
    first_seen_at: datetime
    first_seen_run_id: int | None
    last_seen_at: datetime
    last_seen_run_id: int | None
    fixed_at: datetime | None
    reopened_count: int
    ack_by: str | None
    ack_reason: str | None
    ack_at: datetime | None
    ack_until: datetime | None

    @classmethod
    def of(cls, issue: Issue | Row[tuple[object, ...]], now: datetime) -> IssueRow:
        """From a stored issue, or a row of its columns (``ISSUE_COLUMNS``)."""
        acknowledged = bool(
            issue.ack_by and (issue.ack_until is None or aware(issue.ack_until) > now)
        )
        return cls(
            id=issue.id or 0,
            service_id=issue.service_id,
            check=issue.check,
            rule=issue.rule,
            kind=IssueKind.of(issue.check, issue.rule),
            wcag=tuple(c.strip() for c in (issue.wcag or "").split(",") if c.strip()),
            impact=Impact.of(issue.impact),
            outcome=FindingOutcome(issue.outcome),
            state=IssueState.of(issue.status, acknowledged=acknowledged),
            pages_affected=issue.pages_affected,
            on_journey=issue.on_journey,
            message=issue.message,
            help_url=issue.help_url or "",
            selector=issue.selector,
            snippet=issue.snippet,
            first_seen_at=aware(issue.first_seen_at),
            first_seen_run_id=issue.first_seen_run_id,
            last_seen_at=aware(issue.last_seen_at),
            last_seen_run_id=issue.last_seen_run_id,
            fixed_at=aware(issue.fixed_at) if issue.fixed_at else None,
            reopened_count=issue.reopened_count,
            ack_by=issue.ack_by,
            ack_reason=issue.ack_reason,
            ack_at=aware(issue.ack_at) if issue.ack_at else None,
            ack_until=aware(issue.ack_until) if issue.ack_until else None,
        )


@dataclass(frozen=True)
class IssueFilter:
    """Which issues to read; every part left empty reads all."""

    service_ids: tuple[str, ...] | None = None
    kinds: tuple[IssueKind, ...] = ()
    impacts: tuple[Impact, ...] = ()
    states: tuple[IssueState, ...] = ()
    seen_since: datetime | None = None  # last seen on or after
    seen_before: datetime | None = None  # first seen before
    criterion: str | None = None  # a WCAG success criterion, e.g. "1.4.3"
    rule: str | None = None
    checks: tuple[str, ...] = ()
    issue_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CriterionRow:
    """Issues and pages under one WCAG success criterion and rule."""

    criterion: str
    rule: str
    issues: int
    pages: int
    worst: Impact | None


@dataclass(frozen=True)
class RunChanges:
    """What one run broke (new or back again) and what it fixed, of one service."""

    broke: list[IssueRow] = field(default_factory=list)
    fixed: list[IssueRow] = field(default_factory=list)


@dataclass(frozen=True)
class PageRef:
    page_id: int
    url: str


def _kind_clause(kind: IssueKind) -> ColumnElement[bool]:
    check, rule = col(Issue.check), col(Issue.rule)
    statement = or_(check == "statement", rule.startswith("statement-"))
    if kind is IssueKind.branding:
        return check == "branding"
    if kind is IssueKind.links:
        return check == "links"
    if kind is IssueKind.statement:
        return statement
    if kind is IssueKind.documents:
        return check == "documents"
    if kind is IssueKind.journeys:
        return col(Issue.on_journey).is_(True)
    return and_(check.not_in(["branding", "links", "documents"]), ~statement)


def _state_clause(state: IssueState, now: datetime) -> ColumnElement[bool]:
    if state is IssueState.fixed:
        return col(Issue.status) == IssueStatus.fixed
    if state is IssueState.acknowledged:
        return and_(col(Issue.status).in_(_LIFECYCLE_OPEN), acknowledged_at(now))
    return and_(col(Issue.status) == state.value, ~acknowledged_at(now))


class IssueReads(RepositoryBase):
    """Issues of every kind, read for the measures, the issues view and the report."""

    def _where(self, query: Select[Issue], wanted: IssueFilter, now: datetime) -> Select[Issue]:
        if wanted.service_ids is not None:
            query = query.where(col(Issue.service_id).in_(list(wanted.service_ids)))
        if wanted.issue_ids is not None:
            query = query.where(col(Issue.id).in_(list(wanted.issue_ids)))
        if wanted.kinds:
            query = query.where(or_(*(_kind_clause(k) for k in wanted.kinds)))
        if wanted.impacts:
            query = query.where(col(Issue.impact).in_([i.value for i in wanted.impacts]))
        if wanted.states:
            query = query.where(or_(*(_state_clause(s, now) for s in wanted.states)))
        if wanted.seen_since is not None:
            query = query.where(col(Issue.last_seen_at) >= wanted.seen_since)
        if wanted.seen_before is not None:
            query = query.where(col(Issue.first_seen_at) < wanted.seen_before)
        if wanted.criterion:
            # wcag is a comma-separated list: match a whole criterion, not 1.4.3 in 1.4.30.
            padded = literal(",") + col(Issue.wcag) + literal(",")
            query = query.where(padded.contains(f",{wanted.criterion},"))
        if wanted.rule:
            query = query.where(col(Issue.rule) == wanted.rule)
        if wanted.checks:
            query = query.where(col(Issue.check).in_(list(wanted.checks)))
        return query

    def rows(
        self, wanted: IssueFilter, *, limit: int = 10_000, now: datetime | None = None
    ) -> list[IssueRow]:
        """The issues ``wanted`` selects, most recently seen first."""
        now = now or utcnow()
        query = self._where(select(Issue), wanted, now)
        query = query.order_by(col(Issue.last_seen_at).desc(), col(Issue.id)).limit(limit)
        with self.session() as session:
            rows = session.execute(query.with_only_columns(*ISSUE_COLUMNS)).all()
        return [IssueRow.of(row, now) for row in rows]

    def count(self, wanted: IssueFilter, *, now: datetime | None = None) -> int:
        """How many distinct issues ``wanted`` selects."""
        now = now or utcnow()
        ids = self._where(select(Issue), wanted, now).with_only_columns(col(Issue.id))
        with self.session() as session:
            return int(
                session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
            )

    def issue(self, issue_id: int, *, now: datetime | None = None) -> IssueRow | None:
        with self.session() as session:
            found = session.get(Issue, issue_id)
        return IssueRow.of(found, now or utcnow()) if found else None

    def by_criterion(
        self, wanted: IssueFilter, *, now: datetime | None = None
    ) -> list[CriterionRow]:
        """Issues and pages per WCAG success criterion and rule (an issue failing two
        criteria is under each), in the criteria's order."""
        now = now or utcnow()
        ids = self._where(select(Issue), wanted, now).with_only_columns(col(Issue.id))
        query = (
            select(
                col(Issue.wcag),
                col(Issue.rule),
                col(Issue.impact),
                func.count(),
                func.sum(col(Issue.pages_affected)),
            )
            .where(col(Issue.id).in_(ids))
            .group_by(col(Issue.wcag), col(Issue.rule), col(Issue.impact))
        )
        grouped: dict[tuple[str, str], list[int]] = {}
        worst: dict[tuple[str, str], Impact | None] = {}
        with self.session() as session:
            rows = session.execute(query).all()
        for wcag, rule, impact, issues, pages in rows:
            criteria = [c.strip() for c in (wcag or "").split(",") if c.strip()] or ["(none)"]
            for criterion in criteria:
                key = (criterion, rule)
                totals = grouped.setdefault(key, [0, 0])
                totals[0] += int(issues)
                totals[1] += int(pages or 0)
                level = Impact.of(impact)
                current = worst.get(key)
                if level is not None and (current is None or level.rank > current.rank):
                    worst[key] = level
                else:
                    worst.setdefault(key, current)

        def order(key: tuple[str, str]) -> tuple[tuple[int, ...], str]:
            return tuple(int(p) for p in key[0].split(".") if p.isdigit()) or (999,), key[1]

        return [
            CriterionRow(key[0], key[1], grouped[key][0], grouped[key][1], worst.get(key))
            for key in sorted(grouped, key=order)
        ]

    def page_urls(self, issue_ids: Sequence[int]) -> dict[int, list[PageRef]]:
        """The pages each issue affects now, by address."""
        if not issue_ids:
            return {}
        query = (
            select(col(IssuePage.issue_id), col(Page.id), col(Page.url))
            .join(Page, col(Page.id) == col(IssuePage.page_id))
            .where(col(IssuePage.issue_id).in_(list(issue_ids)))
            .order_by(col(IssuePage.issue_id), col(Page.url))
        )
        found: dict[int, list[PageRef]] = defaultdict(list)
        with self.session() as session:
            for issue_id, page_id, url in session.execute(query).all():
                found[int(issue_id)].append(PageRef(int(page_id or 0), url))
        return dict(found)

    def run_changes(
        self, service_id: str, run_id: int, *, now: datetime | None = None
    ) -> RunChanges:
        """Issues of every kind ``run_id`` found new or back again, and those it fixed."""
        now = now or utcnow()
        broke = select(Issue).where(
            col(Issue.service_id) == service_id,
            or_(
                col(Issue.first_seen_run_id) == run_id,
                and_(
                    col(Issue.status) == IssueStatus.reopened,
                    col(Issue.last_seen_run_id) == run_id,
                ),
            ),
        )
        fixed = select(Issue).where(
            col(Issue.service_id) == service_id, col(Issue.fixed_run_id) == run_id
        )
        with self.session() as session:
            broke_rows = session.execute(broke.limit(200)).scalars().all()
            fixed_rows = session.execute(fixed.limit(200)).scalars().all()
        return RunChanges(
            broke=[IssueRow.of(i, now) for i in broke_rows],
            fixed=[IssueRow.of(i, now) for i in fixed_rows],
        )

    # --- the measures, at a moment --------------------------------------------------------

    def open_accessibility_counts(
        self, at: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, dict[Impact, int]]:
        """Accessibility violations counting against the measures at ``at`` (open, not
        acknowledged), per service and impact."""
        query = (
            select(col(Issue.service_id), col(Issue.impact), func.count())
            .where(is_accessibility(), is_violation(), counts_at(at))
            .group_by(col(Issue.service_id), col(Issue.impact))
        )
        if (named := few(service_ids)) is not None:
            query = query.where(col(Issue.service_id).in_(named))
        counts: dict[str, dict[Impact, int]] = defaultdict(dict)
        with self.session() as session:
            for service_id, impact, n in session.execute(query).all():
                level = Impact.of(impact)
                if level is not None:
                    counts[service_id][level] = counts[service_id].get(level, 0) + int(n)
        return keep(counts, service_ids)

    def statement_rules(
        self, at: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, set[str]]:
        """The statement check's rules open at ``at``, per service (``statement-missing``...)."""
        query = select(col(Issue.service_id), col(Issue.rule)).where(
            col(Issue.check) == "statement", open_at(at)
        )
        if (named := few(service_ids)) is not None:
            query = query.where(col(Issue.service_id).in_(named))
        rules: dict[str, set[str]] = defaultdict(set)
        with self.session() as session:
            for service_id, rule in session.execute(query).all():
                rules[service_id].add(rule)
        return keep(rules, service_ids)

    def fix_days(
        self, since: datetime, until: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, list[float]]:
        """Days from first seen to fixed, for accessibility issues fixed in the window."""
        query = select(col(Issue.service_id), col(Issue.first_seen_at), col(Issue.fixed_at)).where(
            col(Issue.fixed_at).is_not(None),
            col(Issue.fixed_at) >= since,
            col(Issue.fixed_at) < until,
            is_accessibility(),
        )
        if (named := few(service_ids)) is not None:
            query = query.where(col(Issue.service_id).in_(named))
        days: dict[str, list[float]] = defaultdict(list)
        with self.session() as session:
            for service_id, first, fixed in session.execute(query).all():
                if fixed is not None:
                    days[service_id].append((aware(fixed) - aware(first)).total_seconds() / 86400)
        return keep(days, service_ids)
