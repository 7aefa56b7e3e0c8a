"""What to fix first: open issues ranked by the harm they do to residents.

    harm = severity × reach × (1 + journey + failures + residents)

    severity  = 4 critical, 3 serious, 2 moderate, 1 minor (or no impact);
                halved when the check was not sure ("needs review")
    reach     = 1 + log2(pages affected)       1 page: 1, 2 pages: 2, 4: 3, 8: 4 ...
    journey   = 1 when a resident journey passes through one of its pages, else 0
    failures  = log2(1 + journey runs that failed at a step on one of its pages)
    residents = log2(1 + "Is this page useful? No" answers + ratings of 1 or 2
                     (Very dissatisfied, Dissatisfied) left on its pages)

Journey failures and residents' answers are those of the last ``SIGNAL_DAYS`` days.
Severity multiplies everything, so a minor issue never outranks a critical one on the
same pages; each doubling of the pages affected adds as much as one more page did at
first, so a template-wide issue ranks high without drowning every other; and what
residents met on those pages (a journey, journeys failing there, their "not useful"
answers and low ratings) multiplies the rest, each on a log scale so that a busy page's
hundreds of answers raise an issue without burying the rest of the service.
Acknowledged issues are left out: someone has already decided about them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.barriers import Barrier, explain
from monitor.models import FindingOutcome
from monitor.repository.read import IssueFilter, IssueRow, ReadSide, path_of
from monitor.vocabulary import OPEN_STATES, Impact, IssueKind

SIGNAL_DAYS = 30


@dataclass(frozen=True)
class HarmSignals:
    """What residents met on an issue's pages."""

    pages: int
    on_journey: bool = False
    journey_failures: int = 0
    not_useful: int = 0
    low_ratings: int = 0


@dataclass(frozen=True)
class HarmParts:
    """The formula's parts, so a view can show why an issue ranks where it does."""

    severity: float
    reach: float
    journey: float
    failures: float
    residents: float

    @property
    def harm(self) -> float:
        return round(
            self.severity * self.reach * (1 + self.journey + self.failures + self.residents), 2
        )


def harm_parts(impact: Impact | None, outcome: FindingOutcome, signals: HarmSignals) -> HarmParts:
    """The parts of the formula in the module's docstring."""
    severity = float(impact.rank if impact else 1)
    if outcome is FindingOutcome.needs_review:
        severity /= 2
    return HarmParts(
        severity=severity,
        reach=1 + math.log2(max(signals.pages, 1)),
        journey=1.0 if signals.on_journey else 0.0,
        failures=math.log2(1 + signals.journey_failures),
        residents=math.log2(1 + signals.not_useful + signals.low_ratings),
    )


def harm(impact: Impact | None, outcome: FindingOutcome, signals: HarmSignals) -> float:
    """Harm to residents (see the module's docstring), rounded to two places."""
    return harm_parts(impact, outcome, signals).harm


@dataclass(frozen=True)
class RankedIssue:
    """An issue with what residents met on its pages and its place in the order."""

    issue: IssueRow
    pages: tuple[str, ...]  # the addresses it affects
    signals: HarmSignals
    parts: HarmParts
    barrier: Barrier

    @property
    def harm(self) -> float:
        return self.parts.harm


def rank(read: ReadSide, issues: Sequence[IssueRow], now: datetime) -> list[RankedIssue]:
    """``issues`` with their signals, most harm first (ties: most recently seen first)."""
    if not issues:
        return []
    services = sorted({i.service_id for i in issues})
    since = now - timedelta(days=SIGNAL_DAYS)
    pages = read.issues.page_urls([i.id for i in issues])
    journey_paths = read.journeys.paths_on_journeys(since, service_ids=services)
    failures = read.journeys.failures_by_path(since, service_ids=services)
    residents = read.feedback.page_signals(since, service_ids=services)
    ranked = []
    for issue in issues:
        urls = tuple(ref.url for ref in pages.get(issue.id, []))
        paths = {path_of(url) for url in urls}
        service_failures = failures.get(issue.service_id, {})
        service_residents = residents.get(issue.service_id, {})
        signals = HarmSignals(
            pages=max(issue.pages_affected, len(urls)),
            on_journey=issue.on_journey or bool(paths & journey_paths.get(issue.service_id, set())),
            journey_failures=sum(service_failures.get(p, 0) for p in paths),
            not_useful=sum(s.not_useful for p, s in service_residents.items() if p in paths),
            low_ratings=sum(s.low_ratings for p, s in service_residents.items() if p in paths),
        )
        ranked.append(
            RankedIssue(
                issue=issue,
                pages=urls,
                signals=signals,
                parts=harm_parts(issue.impact, issue.outcome, signals),
                barrier=explain(issue.rule, issue.message),
            )
        )
    ranked.sort(key=lambda r: (-r.harm, -r.issue.last_seen_at.timestamp(), r.issue.id))
    return ranked


def fix_first(
    read: ReadSide,
    now: datetime,
    *,
    service_ids: Sequence[str] | None = None,
    kinds: Sequence[IssueKind] = (),
    limit: int | None = None,
) -> list[RankedIssue]:
    """The open, unacknowledged issues of ``service_ids`` (of ``kinds``), most harm first."""
    issues = read.issues.rows(
        IssueFilter(
            service_ids=tuple(service_ids) if service_ids is not None else None,
            kinds=tuple(kinds),
            states=OPEN_STATES,
        ),
        now=now,
    )
    ranked = rank(read, issues, now)
    return ranked[:limit] if limit is not None else ranked
