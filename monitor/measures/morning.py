"""The owner's morning: one service's summary, read in a minute.

- every measure against its target, with its change since the previous run (the measure
  as it stood when the latest audit run began: for accessibility and branding that is
  the run before) and since last week;
- what broke since the previous run (issues the latest audit run found new or back
  again, journeys that failed since it began) and what it fixed;
- the three issues doing residents most harm (``monitor.measures.fix_first``).

Residents' comments are not part of it: who may read them depends on who is looking, so
the dashboard asks for them separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.config import MeasureId
from monitor.measures import values as v
from monitor.measures.fix_first import RankedIssue, fix_first
from monitor.measures.snapshot import (
    MeasureRules,
    Reading,
    StatementStatus,
    readings,
    results,
    snapshot,
)
from monitor.repository.read import (
    AuditRunRef,
    IssueFilter,
    IssueRow,
    JourneyAttemptRow,
    ReadSide,
)
from monitor.vocabulary import OPEN_STATES

PREVIOUS_RUN = "the previous run"
LAST_WEEK = "last week"
FIX_FIRST = 3


@dataclass(frozen=True)
class MorningSummary:
    service_id: str
    name: str
    generated_at: datetime
    latest_run: AuditRunRef | None
    measures: dict[MeasureId, v.MeasureResult]
    statement: StatementStatus
    open_issues: int  # of every kind, open and not acknowledged
    broke: list[IssueRow] = field(default_factory=list)
    fixed: list[IssueRow] = field(default_factory=list)
    journey_failures: list[JourneyAttemptRow] = field(default_factory=list)
    fix_first: list[RankedIssue] = field(default_factory=list)

    @property
    def since(self) -> datetime:
        """Where "since the previous run" starts: when the latest audit run began."""
        if self.latest_run is not None:
            return self.latest_run.started_at
        return self.generated_at - timedelta(days=1)


def morning_summary(
    read: ReadSide, rules: MeasureRules, service_id: str, name: str, now: datetime
) -> MorningSummary:
    """One service's morning summary (see the module's docstring)."""
    current = snapshot(read, rules, now, [service_id])
    facts = current.services[service_id]
    latest = facts.run
    earlier: dict[str, dict[MeasureId, Reading]] = {}
    if latest is not None:
        before = snapshot(read, rules, latest.started_at, [service_id]).services[service_id]
        earlier[PREVIOUS_RUN] = readings([before], rules)
    else:  # never audited: nothing to compare with
        earlier[PREVIOUS_RUN] = {measure: Reading(None) for measure in v.MEASURE_ORDER}
    week_ago = snapshot(read, rules, now - timedelta(days=7), [service_id])
    earlier[LAST_WEEK] = readings([week_ago.services[service_id]], rules)
    measured = results(rules, readings([facts], rules), earlier, service_id=service_id)
    changes = read.issues.run_changes(service_id, latest.run_id, now=now) if latest else None
    since = latest.started_at if latest else now - timedelta(days=1)
    # Each journey of each run by its latest attempt: a failure passed on a retry is a
    # flaky run, not a failed one.
    verdicts: dict[tuple[int, str], JourneyAttemptRow] = {}
    for attempt in read.journeys.history(service_ids=[service_id], since=since, limit=200):
        key = (attempt.run_id, attempt.journey_id)
        if key not in verdicts or attempt.attempt > verdicts[key].attempt:
            verdicts[key] = attempt
    failed = sorted(
        (a for a in verdicts.values() if a.outcome == "failed"),
        key=lambda a: a.started_at,
        reverse=True,
    )
    return MorningSummary(
        service_id=service_id,
        name=name,
        generated_at=now,
        latest_run=latest,
        measures=measured,
        statement=facts.statement,
        open_issues=read.issues.count(
            IssueFilter(service_ids=(service_id,), states=OPEN_STATES), now=now
        ),
        broke=changes.broke if changes else [],
        fixed=changes.fixed if changes else [],
        journey_failures=failed,
        fix_first=fix_first(read, now, service_ids=[service_id], limit=FIX_FIRST),
    )
