"""The dashboard's questions, answered in SQL.

Every method returns a handful of aggregated rows (counts per service, per run, per week),
never every finding or every rating, so the overview stays fast with a year of nightly
runs for fifty services. The indexes these queries lean on come from migration 0002+
(see ``monitor/migrations/versions``). The bulk-insert methods at the end serve
``monitor demo seed-history``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    cast,
    func,
    insert,
    literal,
    or_,
    tuple_,
    update,
)
from sqlalchemy import case as sa_case
from sqlalchemy import select as sa_select
from sqlalchemy.sql import ColumnElement
from sqlmodel import SQLModel, col

from monitor.models import (
    BrandResult,
    Feedback,
    Finding,
    Issue,
    IssuePage,
    IssueStatus,
    JourneyRun,
    JourneyStepResult,
    Page,
    PageResult,
    PageStatus,
    Run,
    RunStatus,
    RunSummary,
    Service,
    utcnow,
)
from monitor.repository.base import RepositoryBase

OPEN_STATUSES = (IssueStatus.new, IssueStatus.open, IssueStatus.reopened)
ACCESSIBILITY_CHECKS = ("axe",)
JUDGED_PAGES = (PageStatus.audited, PageStatus.carried)
#: Runs whose results count in the measures: finished, even if some services were not
#: reached (those have no judged page in them, so they keep their last values).
MEASURING_RUNS = (RunStatus.completed, RunStatus.partial)
BULK_BATCH = 5_000

# SQLModel's column attributes are typed as plain values, which SQLAlchemy's overloads of
# select() and case() reject; these queries are checked by the tests instead.
select: Any = sa_select
case: Any = sa_case

ServiceFilter = Sequence[str] | None


def _is_open() -> ColumnElement[bool]:
    return col(Issue.status).in_([s.value for s in OPEN_STATUSES])


def _acknowledged(now: datetime) -> ColumnElement[bool]:
    """Acknowledged and not yet expired: such an issue does not count against the measures."""
    return and_(
        col(Issue.ack_by).is_not(None),
        or_(col(Issue.ack_until).is_(None), col(Issue.ack_until) > now),
    )


def _is_accessibility() -> ColumnElement[bool]:
    return or_(col(Issue.check).in_(ACCESSIBILITY_CHECKS), col(Issue.wcag) != "")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _severity_weight() -> ColumnElement[int]:
    return case(
        (col(Issue.impact) == "critical", 4),
        (col(Issue.impact) == "serious", 3),
        (col(Issue.impact) == "moderate", 2),
        else_=1,
    )


def issue_priority_sql() -> ColumnElement[int]:
    """The same ranking as ``monitor.measures.issue_priority``, computed by the database."""
    pages = case((col(Issue.pages_affected) > 1, col(Issue.pages_affected)), else_=1)
    journey = case((col(Issue.on_journey).is_(True), 2), else_=1)
    return _severity_weight() * pages * journey


class ScorecardRepository(RepositoryBase):
    """Aggregate queries for the dashboard, exports and benchmarks."""

    # --- dialect helpers ----------------------------------------------------------------

    @property
    def _sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _day(self, column: Any) -> ColumnElement[Any]:
        if self._sqlite:
            return func.date(column)
        return cast(func.timezone("UTC", column), Date)

    def _week(self, column: Any) -> ColumnElement[Any]:
        """The Monday of the week (UTC) a time falls in."""
        if self._sqlite:
            return func.date(column, "-6 days", "weekday 1")
        return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)

    # --- runs ---------------------------------------------------------------------------

    def recent_audit_runs(
        self, *, per_service: int = 2, service_ids: ServiceFilter = None
    ) -> dict[str, list[int]]:
        """The ids of each service's latest audit runs that measured it, newest first, read
        from the runs' summaries (a few rows per run, however many pages each run visited):
        a run that could not reach the service (nothing judged there) does not count, so its
        measures keep their last values."""
        completed = select(Run.id).where(
            Run.kind == "audit", col(Run.status).in_(list(MEASURING_RUNS))
        )
        pairs = select(RunSummary.service_id, RunSummary.run_id).where(
            col(RunSummary.run_id).in_(completed), col(RunSummary.pages_judged) > 0
        )
        if service_ids is not None:
            pairs = pairs.where(col(RunSummary.service_id).in_(list(service_ids)))
        pairs_sq = pairs.subquery()
        ranked = select(
            pairs_sq.c.service_id,
            pairs_sq.c.run_id,
            func.row_number()
            .over(partition_by=pairs_sq.c.service_id, order_by=pairs_sq.c.run_id.desc())
            .label("rank"),
        ).subquery()
        query = (
            select(ranked.c.service_id, ranked.c.run_id)
            .where(ranked.c.rank <= per_service)
            .order_by(ranked.c.service_id, ranked.c.run_id.desc())
        )
        result: dict[str, list[int]] = defaultdict(list)
        with self.session() as session:
            for service_id, run_id in session.execute(query).all():
                result[service_id].append(run_id)
        return dict(result)

    def audit_run_history(self, *, limit: int = 50, service_id: str | None = None) -> list[dict]:
        """Audit runs, newest first, with status, duration and page counts."""
        self._settle_dead_runs()
        query = select(Run).where(Run.kind == "audit").order_by(col(Run.id).desc()).limit(limit)
        with self.session() as session:
            runs = list(
                session.execute(query.limit(limit * 4 if service_id else limit)).scalars().all()
            )
        rows = []
        for run in runs:
            if service_id and service_id not in run.service_ids:
                continue
            duration = (
                (run.finished_at - run.started_at).total_seconds()
                if run.finished_at and run.started_at
                else None
            )
            rows.append(
                {
                    "run": run.id,
                    "started": run.started_at or run.created_at,
                    "trigger": run.trigger,
                    "status": run.status,
                    "services": len(run.service_ids),
                    "duration_s": None if duration is None else round(duration, 1),
                    "pages_found": run.pages_found,
                    "pages_audited": run.pages_audited,
                    "pages_carried": run.pages_carried,
                    "pages_revalidated": run.pages_revalidated,
                    "pages_failed": run.pages_failed,
                    "error": run.error or "",
                }
            )
        return rows[:limit]

    def run_progress(self, run_id: int) -> dict[str, int]:
        """Pages of a run so far, by status (the dashboard polls this while a run goes)."""
        query = (
            select(PageResult.status, func.count())
            .where(PageResult.run_id == run_id)
            .group_by(PageResult.status)
        )
        with self.session() as session:
            return {status: count for status, count in session.execute(query).all()}

    def active_runs(self) -> list[Run]:
        """Runs queued or going now (few; the dashboard refuses a second run per service);
        a run whose process died is not going: it reads as interrupted."""
        self._settle_dead_runs()
        with self.session() as session:
            return list(
                session.execute(
                    select(Run).where(col(Run.status).in_([RunStatus.queued, RunStatus.running]))
                )
                .scalars()
                .all()
            )

    # --- accessibility and brand per run -------------------------------------------------

    def page_counts_for_runs(self, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], dict]:
        """Per (service, run): pages judged, pages with no serious failure, brand pass
        (from the runs' summaries, which outlive their page detail)."""
        wanted = list(pairs)
        if not wanted:
            return {}
        query = select(
            RunSummary.service_id,
            RunSummary.run_id,
            RunSummary.pages_judged,
            RunSummary.pages_clean,
            RunSummary.pages_carried,
            RunSummary.brand_checked,
            RunSummary.brand_passed,
        ).where(tuple_(RunSummary.service_id, RunSummary.run_id).in_(wanted))
        out: dict[tuple[str, int], dict] = {
            key: {"judged": 0, "clean": 0, "carried": 0, "checked": 0, "passed": 0}
            for key in wanted
        }
        with self.session() as session:
            for service_id, run_id, judged, clean, carried, checked, passed in session.execute(
                query
            ).all():
                out[(service_id, run_id)].update(
                    judged=judged, clean=clean, carried=carried, checked=checked, passed=passed
                )
        return out

    def audit_trend(self, *, runs: int = 14, service_id: str | None = None) -> list[dict]:
        """Accessibility and brand per completed audit run, oldest first (from the runs'
        summaries)."""
        recent = (
            select(Run.id)
            .where(
                Run.kind == "audit",
                col(Run.status).in_(list(MEASURING_RUNS)),
                Run.pages_found > 0,
            )
            .order_by(col(Run.id).desc())
        )
        if service_id is not None:
            ids = self.recent_audit_runs(per_service=runs, service_ids=[service_id]).get(
                service_id, []
            )
        else:
            with self.session() as session:
                ids = list(session.execute(recent.limit(runs)).scalars().all())
        if not ids:
            return []
        totals = select(
            RunSummary.run_id,
            func.sum(RunSummary.pages_judged),
            func.sum(RunSummary.pages_clean),
            func.sum(RunSummary.brand_checked),
            func.sum(RunSummary.brand_passed),
        ).where(col(RunSummary.run_id).in_(ids))
        if service_id is not None:
            totals = totals.where(RunSummary.service_id == service_id)
        with self.session() as session:
            started: dict[int, datetime] = dict(
                session.execute(
                    select(Run.id, func.coalesce(Run.started_at, Run.created_at)).where(
                        col(Run.id).in_(ids)
                    )
                ).all()
            )
            summed = session.execute(totals.group_by(RunSummary.run_id)).all()
        pages = {r: (int(j or 0), int(c or 0)) for r, j, c, _, _ in summed}
        brands = {r: (int(n or 0), int(p or 0)) for r, _, _, n, p in summed}
        rows = []
        for run_id in sorted(ids):
            judged, clean = pages.get(run_id, (0, 0))
            checked, passed = brands.get(run_id, (0, 0))
            rows.append(
                {
                    "run": run_id,
                    "started": started.get(run_id),
                    "pages_judged": judged,
                    "pages_clean": clean,
                    "brand_checked": checked,
                    "brand_passed": passed,
                }
            )
        return rows

    # --- issues -------------------------------------------------------------------------

    def open_issue_counts(
        self, *, service_ids: ServiceFilter = None, now: datetime | None = None
    ) -> dict[str, dict[str, int]]:
        """Open accessibility issues per service and impact, leaving out acknowledged ones."""
        now = now or utcnow()
        query = (
            select(Issue.service_id, Issue.impact, func.count())
            .where(_is_open(), _is_accessibility(), ~_acknowledged(now))
            .group_by(Issue.service_id, Issue.impact)
        )
        if service_ids is not None:
            query = query.where(col(Issue.service_id).in_(list(service_ids)))
        out: dict[str, dict[str, int]] = defaultdict(dict)
        with self.session() as session:
            for service_id, impact, count in session.execute(query).all():
                out[service_id][impact or "unknown"] = count
        return dict(out)

    def statement_issue_counts(self) -> dict[str, int]:
        """Open issues raised against an accessibility statement, per service."""
        return {s: len(rules) for s, rules in self.open_statement_rules().items()}

    def open_statement_rules(self) -> dict[str, set[str]]:
        """The statement check's open issues per service (``statement-missing``, ...)."""
        query = select(Issue.service_id, Issue.rule).where(_is_open(), Issue.check == "statement")
        out: dict[str, set[str]] = defaultdict(set)
        with self.session() as session:
            for service_id, rule in session.execute(query).all():
                out[service_id].add(rule)
        return dict(out)

    def fix_durations_days(
        self, *, since: datetime, service_ids: ServiceFilter = None
    ) -> dict[str, list[float]]:
        """Days from first seen to fixed, for issues fixed since ``since`` (a bounded set)."""
        query = select(Issue.service_id, Issue.first_seen_at, Issue.fixed_at).where(
            Issue.status == IssueStatus.fixed,
            col(Issue.fixed_at) >= since,
            _is_accessibility(),
        )
        if service_ids is not None:
            query = query.where(col(Issue.service_id).in_(list(service_ids)))
        out: dict[str, list[float]] = defaultdict(list)
        with self.session() as session:
            for service_id, first, fixed in session.execute(query).all():
                out[service_id].append((fixed - first).total_seconds() / 86400)
        return dict(out)

    def issue_list(
        self,
        *,
        service_ids: ServiceFilter = None,
        impacts: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        criterion: str | None = None,
        rule: str | None = None,
        limit: int = 200,
        now: datetime | None = None,
    ) -> list[dict]:
        """Accessibility issues, highest priority first.

        ``statuses`` are the lifecycle slugs plus ``acknowledged``; "open" means new, open
        or reopened and not acknowledged. ``since``/``until`` select issues last seen in
        that window.
        """
        now = now or utcnow()
        query = select(Issue, issue_priority_sql().label("priority")).where(_is_accessibility())
        query = self._issue_filters(
            query, service_ids, impacts, statuses, since, until, criterion, rule, now
        )
        query = query.order_by(
            issue_priority_sql().desc(), col(Issue.last_seen_at).desc(), col(Issue.id)
        ).limit(limit)
        with self.session() as session:
            rows = session.execute(query).all()
        return [self._issue_row(issue, priority, now) for issue, priority in rows]

    def _issue_filters(
        self,
        query: Any,
        service_ids: ServiceFilter,
        impacts: Sequence[str] | None,
        statuses: Sequence[str] | None,
        since: datetime | None,
        until: datetime | None,
        criterion: str | None,
        rule: str | None,
        now: datetime,
    ) -> Any:
        if service_ids is not None:
            query = query.where(col(Issue.service_id).in_(list(service_ids)))
        if impacts:
            query = query.where(col(Issue.impact).in_(list(impacts)))
        if statuses:
            wanted = set(statuses)
            clauses = []
            if "acknowledged" in wanted:
                clauses.append(and_(_is_open(), _acknowledged(now)))
            lifecycle = [s for s in wanted if s in {x.value for x in IssueStatus}]
            if lifecycle:
                clause: ColumnElement[bool] = col(Issue.status).in_(lifecycle)
                if "acknowledged" not in wanted:
                    clause = and_(clause, or_(~_is_open(), ~_acknowledged(now)))
                clauses.append(clause)
            query = query.where(or_(*clauses)) if clauses else query.where(literal(False))
        if since is not None:
            query = query.where(col(Issue.last_seen_at) >= since)
        if until is not None:
            query = query.where(col(Issue.first_seen_at) < until)
        if criterion:
            # wcag is a comma-separated list: match a whole criterion, not "1.4.3" in "1.4.30".
            padded = literal(",") + col(Issue.wcag) + literal(",")
            query = query.where(padded.contains(f",{criterion},"))
        if rule:
            query = query.where(Issue.rule == rule)
        return query

    @staticmethod
    def _issue_row(issue: Issue, priority: int, now: datetime) -> dict:
        acknowledged = bool(issue.ack_by and (issue.ack_until is None or issue.ack_until > now))
        return {
            "id": issue.id,
            "service_id": issue.service_id,
            "rule": issue.rule,
            "wcag": issue.wcag,
            "impact": issue.impact or "unknown",
            "status": "acknowledged"
            if acknowledged and issue.status in OPEN_STATUSES
            else issue.status,
            "pages_affected": issue.pages_affected,
            "on_journey": issue.on_journey,
            "priority": int(priority),
            "message": issue.message,
            "help_url": issue.help_url or "",
            "first_seen": issue.first_seen_at,
            "last_seen": issue.last_seen_at,
            "fixed": issue.fixed_at,
            "ack_by": issue.ack_by or "",
            "ack_reason": issue.ack_reason or "",
            "ack_until": issue.ack_until,
        }

    def issues_by_criterion(
        self,
        *,
        service_ids: ServiceFilter = None,
        impacts: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        now: datetime | None = None,
    ) -> list[dict]:
        """Issue and page counts per WCAG success criterion and rule."""
        now = now or utcnow()
        query = select(
            Issue.wcag,
            Issue.rule,
            Issue.impact,
            func.count().label("issues"),
            func.sum(Issue.pages_affected).label("pages"),
        ).where(_is_accessibility())
        query = self._issue_filters(
            query, service_ids, impacts, statuses, since, until, None, None, now
        )
        query = query.group_by(Issue.wcag, Issue.rule, Issue.impact)
        grouped: dict[tuple[str, str], dict] = {}
        with self.session() as session:
            rows = session.execute(query).all()
        for wcag, rule, impact, issues, pages in rows:
            for criterion in [c.strip() for c in (wcag or "").split(",") if c.strip()] or [
                "(none)"
            ]:
                entry = grouped.setdefault(
                    (criterion, rule),
                    {"criterion": criterion, "rule": rule, "issues": 0, "pages": 0, "worst": ""},
                )
                entry["issues"] += issues
                entry["pages"] += int(pages or 0)
                order = ["", "minor", "moderate", "serious", "critical"]
                if order.index(impact if impact in order else "") > order.index(entry["worst"]):
                    entry["worst"] = impact
        return sorted(
            grouped.values(),
            key=lambda e: (
                tuple(int(p) for p in e["criterion"].split(".") if p.isdigit()),
                e["rule"],
            ),
        )

    def issue_pages(self, issue_id: int, *, limit: int = 200) -> list[dict]:
        """The pages an issue affects, with the element and snippet last seen on each."""
        latest = (
            select(Finding.page_id, func.max(Finding.id).label("finding_id"))
            .where(Finding.issue_id == issue_id)
            .group_by(Finding.page_id)
            .subquery()
        )
        query = (
            select(Page.url, Finding.selector, Finding.snippet, Finding.help_url, Finding.message)
            .join(
                IssuePage,
                and_(col(IssuePage.page_id) == col(Page.id), col(IssuePage.issue_id) == issue_id),
            )
            .join(latest, latest.c.page_id == Page.id, isouter=True)
            .join(Finding, Finding.id == latest.c.finding_id, isouter=True)
            .order_by(Page.url)
            .limit(limit)
        )
        with self.session() as session:
            issue = session.get(Issue, issue_id)
            rows = session.execute(query).all()
        # A page whose findings were pruned still shows the element the issue was raised on.
        fallback = (issue.selector, issue.snippet, issue.help_url, issue.message) if issue else ()
        return [
            {
                "page": url,
                "element": selector or (fallback[0] if fallback else ""),
                "snippet": snippet or (fallback[1] if fallback else ""),
                "help": help_url or (fallback[2] if fallback else "") or "",
                "message": message or (fallback[3] if fallback else ""),
            }
            for url, selector, snippet, help_url, message in rows
        ]

    def changes_in_run(self, service_id: str, run_id: int) -> dict[str, list[dict]]:
        """Issues a run found new and issues it saw fixed, for "what changed since last night"."""
        new = select(Issue).where(
            Issue.service_id == service_id, Issue.first_seen_run_id == run_id, _is_accessibility()
        )
        fixed = select(Issue).where(
            Issue.service_id == service_id, Issue.fixed_run_id == run_id, _is_accessibility()
        )
        now = utcnow()
        with self.session() as session:
            new_rows = list(session.execute(new.limit(100)).scalars().all())
            fixed_rows = list(session.execute(fixed.limit(100)).scalars().all())
        return {
            "new": [self._issue_row(i, 0, now) for i in new_rows],
            "fixed": [self._issue_row(i, 0, now) for i in fixed_rows],
        }

    # --- journeys -----------------------------------------------------------------------

    def journey_counts(
        self, *, since: datetime, until: datetime, service_ids: ServiceFilter = None
    ) -> dict[str, dict[str, Any]]:
        """Per service: journeys started and completed (a retry that completes counts once)."""
        per_attempt = select(
            col(JourneyRun.service_id).label("service_id"),
            func.max(case((JourneyRun.outcome == "completed", 1), else_=0)).label("done"),
            func.max(
                case((JourneyRun.outcome == "completed", JourneyRun.duration_ms), else_=None)
            ).label("ms"),
        ).where(col(JourneyRun.started_at) >= since, col(JourneyRun.started_at) < until)
        if service_ids is not None:
            per_attempt = per_attempt.where(col(JourneyRun.service_id).in_(list(service_ids)))
        sq = per_attempt.group_by(
            JourneyRun.service_id, JourneyRun.run_id, JourneyRun.journey_id
        ).subquery()
        query = select(
            sq.c.service_id, func.count(), func.sum(sq.c.done), func.avg(sq.c.ms)
        ).group_by(sq.c.service_id)
        with self.session() as session:
            return {
                s: {
                    "started": n,
                    "completed": int(d or 0),
                    "avg_seconds": None if ms is None else float(ms) / 1000,
                }
                for s, n, d, ms in session.execute(query).all()
            }

    def journey_history(
        self, *, service_ids: ServiceFilter = None, journey_id: str | None = None, limit: int = 200
    ) -> list[dict]:
        query = select(JourneyRun).order_by(col(JourneyRun.id).desc()).limit(limit)
        if service_ids is not None:
            query = query.where(col(JourneyRun.service_id).in_(list(service_ids)))
        if journey_id:
            query = query.where(JourneyRun.journey_id == journey_id)
        with self.session() as session:
            runs = session.execute(query).scalars().all()
        return [
            {
                "id": r.id,
                "run": r.run_id,
                "service_id": r.service_id,
                "journey": r.journey_id,
                "attempt": r.attempt,
                "outcome": r.outcome,
                "flaky": r.flaky,
                "failed_step": r.failed_step,
                "reason": r.reason or "",
                "started": r.started_at,
                "seconds": None if r.duration_ms is None else r.duration_ms / 1000,
                "screenshot": r.screenshot_path or "",
            }
            for r in runs
        ]

    def journey_step_timings(
        self, *, service_id: str, since: datetime, journey_id: str | None = None
    ) -> list[dict]:
        """Average and slowest time of each step over the window."""
        query = (
            select(
                JourneyRun.journey_id,
                JourneyStepResult.index,
                JourneyStepResult.name,
                func.count(),
                func.avg(JourneyStepResult.duration_ms),
                func.max(JourneyStepResult.duration_ms),
                func.sum(case((JourneyStepResult.status == "failed", 1), else_=0)),
            )
            .join(JourneyRun, JourneyRun.id == JourneyStepResult.journey_run_id)
            .where(JourneyRun.service_id == service_id, col(JourneyRun.started_at) >= since)
            .group_by(JourneyRun.journey_id, JourneyStepResult.index, JourneyStepResult.name)
            .order_by(JourneyRun.journey_id, JourneyStepResult.index)
        )
        if journey_id:
            query = query.where(JourneyRun.journey_id == journey_id)
        with self.session() as session:
            return [
                {
                    "journey": j,
                    "step": i,
                    "name": name,
                    "runs": n,
                    "avg_seconds": None if avg is None else round(float(avg) / 1000, 2),
                    "slowest_seconds": None if mx is None else round(mx / 1000, 2),
                    "failures": int(failed or 0),
                }
                for j, i, name, n, avg, mx, failed in session.execute(query).all()
            ]

    def weekly_journeys(self, *, since: datetime, service_ids: ServiceFilter = None) -> list[dict]:
        week = self._week(JourneyRun.started_at)
        query = select(
            week.label("week"),
            func.count(),
            func.sum(case((JourneyRun.outcome == "completed", 1), else_=0)),
            func.sum(case((col(JourneyRun.flaky).is_(True), 1), else_=0)),
        ).where(col(JourneyRun.started_at) >= since, JourneyRun.attempt == 1)
        if service_ids is not None:
            query = query.where(col(JourneyRun.service_id).in_(list(service_ids)))
        query = query.group_by(week).order_by(week)
        with self.session() as session:
            return [
                {"week": _as_date(w), "runs": n, "completed": int(c or 0), "flaky": int(f or 0)}
                for w, n, c, f in session.execute(query).all()
            ]

    # --- brand --------------------------------------------------------------------------

    def brand_rule_failures(self, service_id: str, run_id: int) -> list[dict]:
        """Each page's brand result in one run (one service: a few dozen rows)."""
        query = (
            select(Page.url, BrandResult.score, BrandResult.passed, BrandResult.rules)
            .join(Page, Page.id == BrandResult.page_id)
            .where(BrandResult.service_id == service_id, BrandResult.run_id == run_id)
            .order_by(BrandResult.score, Page.url)
            .limit(500)
        )
        with self.session() as session:
            return [
                {
                    "page": url,
                    "score": score,
                    "passed": passed,
                    "failed_rules": ", ".join(
                        sorted(k for k, ok in (rules or {}).items() if not ok)
                    ),
                }
                for url, score, passed, rules in session.execute(query).all()
            ]

    # --- feedback -----------------------------------------------------------------------

    def feedback_counts(
        self, *, since: datetime, until: datetime, service_ids: ServiceFilter = None
    ) -> dict[str, dict[str, Any]]:
        """Per service: ratings 1–5 and useful yes/no counts in the window."""
        query = (
            select(
                Feedback.service_id, Feedback.kind, Feedback.rating, Feedback.useful, func.count()
            )
            .where(
                col(Feedback.received_at) >= since,
                col(Feedback.received_at) < until,
                col(Feedback.kind).in_(["satisfaction", "page_useful"]),
            )
            .group_by(Feedback.service_id, Feedback.kind, Feedback.rating, Feedback.useful)
        )
        if service_ids is not None:
            query = query.where(col(Feedback.service_id).in_(list(service_ids)))
        out: dict[str, dict[str, Any]] = {}
        with self.session() as session:
            for service_id, kind, rating, useful, count in session.execute(query).all():
                entry = out.setdefault(service_id, {"ratings": {}, "yes": 0, "no": 0})
                if kind == "satisfaction" and rating is not None:
                    entry["ratings"][int(rating)] = entry["ratings"].get(int(rating), 0) + count
                elif kind == "page_useful" and useful is not None:
                    entry["yes" if useful else "no"] += count
        return out

    def weekly_feedback(self, *, since: datetime, service_ids: ServiceFilter = None) -> list[dict]:
        """Ratings 1–5 and useful yes/no per week."""
        week = self._week(Feedback.received_at)
        query = select(
            week.label("week"), Feedback.kind, Feedback.rating, Feedback.useful, func.count()
        ).where(
            col(Feedback.received_at) >= since,
            col(Feedback.kind).in_(["satisfaction", "page_useful"]),
        )
        if service_ids is not None:
            query = query.where(col(Feedback.service_id).in_(list(service_ids)))
        query = query.group_by(week, Feedback.kind, Feedback.rating, Feedback.useful).order_by(week)
        weeks: dict[date, dict[str, Any]] = {}
        with self.session() as session:
            for w, kind, rating, useful, count in session.execute(query).all():
                entry = weeks.setdefault(
                    _as_date(w), {"ratings": {r: 0 for r in range(1, 6)}, "yes": 0, "no": 0}
                )
                if kind == "satisfaction" and rating in entry["ratings"]:
                    entry["ratings"][rating] += count
                elif kind == "page_useful" and useful is not None:
                    entry["yes" if useful else "no"] += count
        return [{"week": w, **v} for w, v in sorted(weeks.items())]

    def comments(
        self,
        *,
        service_ids: ServiceFilter,
        search: str = "",
        page_path: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[dict]:
        """Residents' (already redacted) comments, newest first, only for ``service_ids``."""
        text = func.coalesce(Feedback.comment, Feedback.what_wrong, "")
        query = (
            select(
                Feedback.id,
                Feedback.received_at,
                Feedback.service_id,
                Feedback.page_path,
                Feedback.kind,
                Feedback.rating,
                Feedback.useful,
                Feedback.comment,
                Feedback.what_doing,
                Feedback.what_wrong,
            )
            .where(
                or_(
                    col(Feedback.comment).is_not(None),
                    col(Feedback.what_wrong).is_not(None),
                    col(Feedback.what_doing).is_not(None),
                ),
                col(Feedback.comment_purged_at).is_(None),
            )
            .order_by(col(Feedback.received_at).desc(), col(Feedback.id).desc())
            .limit(limit)
        )
        if service_ids is not None:
            query = query.where(col(Feedback.service_id).in_(list(service_ids)))
        if search:
            pattern = "%" + search.lower().replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                or_(
                    func.lower(text).like(pattern, escape="\\"),
                    func.lower(func.coalesce(Feedback.what_doing, "")).like(pattern, escape="\\"),
                )
            )
        if page_path:
            query = query.where(col(Feedback.page_path).startswith(page_path))
        if since is not None:
            query = query.where(col(Feedback.received_at) >= since)
        if until is not None:
            query = query.where(col(Feedback.received_at) < until)
        with self.session() as session:
            return [
                {
                    "id": fid,
                    "received": received,
                    "service_id": service_id,
                    "page": page,
                    "kind": kind,
                    "rating": rating,
                    "useful": useful,
                    "comment": comment or "",
                    "what_doing": doing or "",
                    "what_wrong": wrong or "",
                }
                for (
                    fid,
                    received,
                    service_id,
                    page,
                    kind,
                    rating,
                    useful,
                    comment,
                    doing,
                    wrong,
                ) in session.execute(query).all()
            ]

    def feedback_pages(self, service_id: str, *, limit: int = 200) -> list[str]:
        query = (
            select(Feedback.page_path)
            .where(Feedback.service_id == service_id)
            .group_by(Feedback.page_path)
            .order_by(func.count().desc())
            .limit(limit)
        )
        with self.session() as session:
            return list(session.execute(query).scalars().all())

    # --- bulk writes (seed-history) -----------------------------------------------------

    def next_id(self, model: type[SQLModel]) -> int:
        """The next free integer id of a table (bulk inserts assign ids themselves)."""
        table: Any = model.__table__  # type: ignore[attr-defined]
        with self.session() as session:
            return (
                int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
                + 1
            )

    def bulk_insert(self, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> int:
        """Insert many rows in batches through one transaction; returns how many."""
        table: Any = model.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            for start in range(0, len(rows), BULK_BATCH):
                connection.execute(insert(table), list(rows[start : start + BULK_BATCH]))
        return len(rows)

    def upsert_services(self, services: Iterable[Service]) -> None:
        with self.session() as session:
            for service in services:
                session.merge(service)
            session.commit()

    def issue_lifecycle_update(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk update of issues' lifecycle columns (``id`` plus the columns to set)."""
        if not rows:
            return
        with self.session() as session:
            session.execute(update(Issue), list(rows))
            session.commit()
