"""The measures over time: per audit run (accessibility, branding) and per week
(residents' answers, journeys).

A week still in progress is marked ``partial``: its handful of answers would plunge or
lift a line for no reason, so charts leave it out and tables say "so far". A week's
share of residents' answers is drawn only from ``min_responses`` answers or more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from monitor.measures import values as v
from monitor.measures.snapshot import MeasureRules
from monitor.repository.read import FeedbackCounts, JourneyTally, ReadSide
from monitor.vocabulary import RATING_LABELS


@dataclass(frozen=True)
class RunPoint:
    """Accessibility and brand compliance in one completed audit run."""

    run_id: int
    started_at: datetime | None
    pages_judged: int
    accessibility: float | None
    brand_checked: int
    brand_compliance: float | None


@dataclass(frozen=True)
class WeekPoint:
    """Residents' answers and journeys in one week (Monday to Sunday, UTC)."""

    week: date
    partial: bool  # the week in progress
    ratings: Mapping[int, int] = field(default_factory=dict)
    satisfaction: float | None = None
    useful_answers: int = 0
    page_useful: float | None = None
    journey_runs: int = 0
    journey_completion: float | None = None
    flaky_runs: int = 0

    @property
    def answered(self) -> int:
        return sum(self.ratings.values())


def audit_trend(read: ReadSide, *, runs: int = 14, service_id: str | None = None) -> list[RunPoint]:
    """The last ``runs`` completed audit runs (of one service, or of all), oldest first."""
    return [
        RunPoint(
            run_id=point.run_id,
            started_at=point.started_at,
            pages_judged=point.judged,
            accessibility=v.accessibility(point.clean, point.judged),
            brand_checked=point.brand_checked,
            brand_compliance=v.brand_compliance(point.brand_passed, point.brand_checked),
        )
        for point in read.runs.audit_trend(runs=runs, service_id=service_id)
    ]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trend(
    read: ReadSide,
    rules: MeasureRules,
    *,
    weeks: int = 12,
    services: Sequence[str] | None = None,
    today: date,
) -> list[WeekPoint]:
    """The last ``weeks`` weeks, oldest first, the week in progress last and ``partial``."""
    this_monday = monday_of(today)
    first = this_monday - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time(), tzinfo=UTC)
    feedback = {w.week: w.counts for w in read.feedback.weekly(since, service_ids=services)}
    journeys = {w.week: w.tally for w in read.journeys.weekly(since, service_ids=services)}
    points = []
    for offset in range(weeks):
        week = first + timedelta(weeks=offset)
        answers = feedback.get(week, FeedbackCounts())
        tally = journeys.get(week, JourneyTally())
        useful = answers.yes + answers.no
        points.append(
            WeekPoint(
                week=week,
                partial=week == this_monday,
                ratings={r: answers.ratings.get(r, 0) for r in RATING_LABELS},
                satisfaction=v.enough(
                    v.satisfaction(answers.ratings), answers.answered, rules.min_responses
                ),
                useful_answers=useful,
                page_useful=v.enough(
                    v.page_useful(answers.yes, answers.no), useful, rules.min_responses
                ),
                journey_runs=tally.runs,
                journey_completion=v.completion_rate(tally.completed, tally.runs),
                flaky_runs=tally.flaky,
            )
        )
    return points
