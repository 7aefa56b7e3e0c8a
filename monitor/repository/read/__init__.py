"""The read side: the questions the dashboard, the exports, the report and the alerts ask,
answered in SQL and returned as typed read models, one module per subject.

    repository.read.runs       each service's latest audits, page counts, run history,
                               progress, pages a run could not judge (``runs``)
    repository.read.issues     issues of every kind, counted at a moment (``issues``)
    repository.read.journeys   journey tallies, history, step timings (``journeys``)
    repository.read.feedback   ratings, page signals, residents' comments (``feedback``)
    repository.read.brand      brand results per page (``brand``)

Every method returns a handful of aggregated rows (counts per service, per run, per
week) or a bounded list, never every finding or rating, so the views stay fast with a
year of nightly runs for fifty services; the indexes these queries lean on come from
migration 0002. Each subject's reader is a ``RepositoryBase`` sharing the repository's
engine, so every read is retried on a lock like any other repository method.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from monitor.repository.read.brand import BrandPageRow, BrandReads
from monitor.repository.read.feedback import (
    CommentFilter,
    CommentRow,
    FeedbackCounts,
    FeedbackReads,
    PageSignals,
    WeekFeedback,
)
from monitor.repository.read.issues import (
    CriterionRow,
    IssueFilter,
    IssueReads,
    IssueRow,
    PageRef,
    RunChanges,
)
from monitor.repository.read.journeys import (
    JourneyAttemptRow,
    JourneyReads,
    JourneyTally,
    StepTiming,
    WeekJourneys,
    path_of,
)
from monitor.repository.read.runs import (
    AuditRunRef,
    AuditRunRow,
    AuditTrendPoint,
    PageProblem,
    RunPageCounts,
    RunProgress,
    RunReads,
)


@dataclass(frozen=True)
class IssuePageRow:
    """A page an issue affects, with the element and snippet last seen there."""

    url: str
    element: str
    snippet: str
    help_url: str
    message: str


class ReadSide:
    """The read models, by subject (see the module's docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.runs = RunReads(engine=engine)
        self.issues = IssueReads(engine=engine)
        self.journeys = JourneyReads(engine=engine)
        self.feedback = FeedbackReads(engine=engine)
        self.brand = BrandReads(engine=engine)


__all__ = [
    "AuditRunRef",
    "AuditRunRow",
    "AuditTrendPoint",
    "BrandPageRow",
    "CommentFilter",
    "CommentRow",
    "CriterionRow",
    "FeedbackCounts",
    "IssueFilter",
    "IssuePageRow",
    "IssueRow",
    "JourneyAttemptRow",
    "JourneyTally",
    "PageProblem",
    "PageRef",
    "PageSignals",
    "ReadSide",
    "RunChanges",
    "RunPageCounts",
    "RunProgress",
    "StepTiming",
    "WeekFeedback",
    "WeekJourneys",
    "path_of",
]
