"""Every Ambition 1 measure of every service as it stood at one moment.

A *snapshot* reads, for a moment ``at`` (now, when the latest run began, a week ago):

- residents' answers (satisfaction, page found useful) and journey runs of the
  ``period_days`` before ``at``;
- accessibility and brand compliance from each service's latest completed audit run that
  began before ``at`` (at the moment the latest run began, that is the run before it);
- open serious or critical accessibility issues, the accessibility statement's state and
  the median time to fix (the ``fix_window_days`` before ``at``) as they were at ``at``.

The dashboard, the exports and the alerts all read the measures through ``snapshot`` and
``results``, so their figures are the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from monitor.config import CouncilConfig, MeasureId, MeasuresFile
from monitor.measures import values as v
from monitor.repository.read import (
    AuditRunRef,
    FeedbackCounts,
    JourneyTally,
    ReadSide,
    RunPageCounts,
)
from monitor.vocabulary import SERIOUS_OR_MORE, Impact


class StatementStatus(StrEnum):
    """What the statement check last said of a service's accessibility statement."""

    complete = "Found and complete"
    incomplete = "Found, incomplete"
    missing = "No statement found"
    not_checked = "Not checked yet"
    not_configured = "Not in services.yaml"

    @property
    def value_for_measure(self) -> float | None:
        """The statement measure is the share of services whose statement is complete."""
        return {
            StatementStatus.complete: 100.0,
            StatementStatus.incomplete: 0.0,
            StatementStatus.missing: 0.0,
        }.get(self)


@dataclass(frozen=True)
class MeasureRules:
    """How the measures are read: targets, the period of residents' and journey measures,
    and the fewest answers a percentage of residents is drawn from."""

    measures: MeasuresFile
    configured: frozenset[str] = frozenset()  # services in services.yaml
    period_days: int = 30
    min_responses: int = 10
    fix_window_days: int = 90

    @classmethod
    def of(cls, config: CouncilConfig, *, period_days: int | None = None) -> MeasureRules:
        return cls(
            measures=config.measures,
            configured=frozenset(s.id for s in config.services),
            period_days=period_days or 30,
            min_responses=config.measures.min_responses,
        )


@dataclass(frozen=True)
class ServiceFacts:
    """The counts one service's measures are computed from, at one moment."""

    feedback: FeedbackCounts = field(default_factory=FeedbackCounts)
    journeys: JourneyTally = field(default_factory=JourneyTally)
    run: AuditRunRef | None = None
    pages: RunPageCounts = field(default_factory=RunPageCounts)
    open_by_impact: Mapping[Impact, int] = field(default_factory=dict)
    fix_days: tuple[float, ...] = ()
    statement: StatementStatus = StatementStatus.not_checked

    @property
    def open_serious(self) -> int:
        return sum(n for impact, n in self.open_by_impact.items() if impact in SERIOUS_OR_MORE)


@dataclass(frozen=True)
class Snapshot:
    """Every service's facts at one moment."""

    at: datetime
    services: Mapping[str, ServiceFacts]


def statement_status(rules: set[str], *, audited: bool, configured: bool) -> StatementStatus:
    """The statement's state from the statement check's open rules."""
    if "statement-missing" in rules or "statement-unreachable" in rules:
        return StatementStatus.missing
    if rules:
        return StatementStatus.incomplete
    if audited:
        return StatementStatus.complete
    if not configured:
        return StatementStatus.not_configured
    return StatementStatus.not_checked


def snapshot(
    read: ReadSide, rules: MeasureRules, at: datetime, service_ids: Sequence[str]
) -> Snapshot:
    """Every service's facts at ``at`` (see the module's docstring)."""
    wanted = list(service_ids)
    period = timedelta(days=rules.period_days)
    runs = read.runs.latest_audits(per_service=1, service_ids=wanted, before=at)
    latest = {service_id: refs[0] for service_id, refs in runs.items() if refs}
    pages = read.runs.page_counts((s, ref.run_id) for s, ref in latest.items())
    feedback = read.feedback.counts(at - period, at, service_ids=wanted)
    journeys = read.journeys.tallies(at - period, at, service_ids=wanted)
    issues = read.issues.open_accessibility_counts(at, service_ids=wanted)
    fixes = read.issues.fix_days(at - timedelta(days=rules.fix_window_days), at, service_ids=wanted)
    statements = read.issues.statement_rules(at, service_ids=wanted)
    facts = {}
    for service_id in wanted:
        run = latest.get(service_id)
        facts[service_id] = ServiceFacts(
            feedback=feedback.get(service_id, FeedbackCounts()),
            journeys=journeys.get(service_id, JourneyTally()),
            run=run,
            pages=pages.get((service_id, run.run_id), RunPageCounts()) if run else RunPageCounts(),
            open_by_impact=issues.get(service_id, {}),
            fix_days=tuple(fixes.get(service_id, ())),
            statement=statement_status(
                statements.get(service_id, set()),
                audited=run is not None,
                configured=service_id in rules.configured,
            ),
        )
    return Snapshot(at=at, services=facts)


@dataclass(frozen=True)
class Reading:
    """A measure's value from one service's facts (or all services' together), with the
    answers behind it when it is a share of residents' answers."""

    value: float | None
    sample: int | None = None


def readings(facts: Iterable[ServiceFacts], rules: MeasureRules) -> dict[MeasureId, Reading]:
    """Each measure's value from the facts of one service, or of several added up (the
    council's overall figure: every rating, run and page counted once, not an average of
    services' percentages)."""
    items = list(facts)
    ratings: dict[int, int] = {}
    yes = no = runs = completed = judged = clean = checked = passed = 0
    open_serious = 0
    audited = False
    fix_days: list[float] = []
    statements: list[StatementStatus] = []
    for item in items:
        for rating, count in item.feedback.ratings.items():
            ratings[rating] = ratings.get(rating, 0) + count
        yes += item.feedback.yes
        no += item.feedback.no
        runs += item.journeys.runs
        completed += item.journeys.completed
        judged += item.pages.judged
        clean += item.pages.clean
        checked += item.pages.checked
        passed += item.pages.passed
        open_serious += item.open_serious
        audited = audited or item.run is not None
        fix_days.extend(item.fix_days)
        statements.append(item.statement)
    answered = sum(ratings.values())
    judged_statements = [s for s in statements if s.value_for_measure is not None]
    statement = v.percentage(
        sum(1 for s in judged_statements if s is StatementStatus.complete), len(judged_statements)
    )
    return {
        MeasureId.satisfaction: Reading(
            v.enough(v.satisfaction(ratings), answered, rules.min_responses), answered
        ),
        MeasureId.page_useful: Reading(
            v.enough(v.page_useful(yes, no), yes + no, rules.min_responses), yes + no
        ),
        MeasureId.journey_completion: Reading(v.completion_rate(completed, runs)),
        MeasureId.accessibility: Reading(v.accessibility(clean, judged)),
        MeasureId.open_serious_issues: Reading(float(open_serious) if audited else None),
        MeasureId.time_to_fix_days: Reading(v.median(fix_days)),
        MeasureId.statement: Reading(statement),
        MeasureId.brand_compliance: Reading(v.brand_compliance(passed, checked)),
    }


def results(
    rules: MeasureRules,
    now: Mapping[MeasureId, Reading],
    earlier: Mapping[str, Mapping[MeasureId, Reading]] | None = None,
    *,
    service_id: str | None = None,
) -> dict[MeasureId, v.MeasureResult]:
    """Each configured measure judged against its target, compared with each earlier
    moment's reading (``{"last week": readings, ...}``)."""
    out = {}
    for measure in v.MEASURE_ORDER:
        if measure not in rules.measures.measures:
            continue
        reading = now[measure]
        resident = measure in v.RESIDENT_MEASURES
        out[measure] = v.evaluate(
            rules.measures,
            measure,
            reading.value,
            service_id=service_id,
            comparisons=[
                v.Comparison(since, then[measure].value) for since, then in (earlier or {}).items()
            ],
            sample=reading.sample,
            min_sample=rules.min_responses if resident else None,
        )
    return out


def service_results(
    read: ReadSide, rules: MeasureRules, at: datetime, service_ids: Sequence[str]
) -> dict[str, dict[MeasureId, v.MeasureResult]]:
    """Every measure of each service at ``at``, judged against its target (what the alerts
    watch; the dashboard reads the same through ``overview``)."""
    taken = snapshot(read, rules, at, service_ids)
    return {
        service_id: results(rules, readings([facts], rules), service_id=service_id)
        for service_id, facts in taken.services.items()
    }
