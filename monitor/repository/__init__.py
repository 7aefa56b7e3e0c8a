"""The one place that reads and writes the database.

The CLI, the crawlers, the feedback collector, the scheduler and the dashboard's data
module call ``Repository`` methods; nothing else opens a session. Each method is one
short transaction, so the SQLite file stays usable by several processes at once. The
writes (and the reads the writers need) are grouped by subject in the modules of this
package; the questions the dashboard, the exports, the report and the alerts ask are the
typed read side, ``repository.read`` (``monitor.repository.read``).
"""

from __future__ import annotations

from functools import cached_property

from monitor.repository.alerts import AlertRepository
from monitor.repository.brand import BrandRepository
from monitor.repository.core import CoreRepository
from monitor.repository.feedback import FeedbackRepository
from monitor.repository.issues import IssueRepository
from monitor.repository.journeys import JourneyRepository
from monitor.repository.read import IssuePageRow, ReadSide
from monitor.repository.retention import RetentionRepository
from monitor.repository.schedule import ScheduleRepository
from monitor.repository.scorecard import ScorecardRepository


class Repository(
    AlertRepository,
    BrandRepository,
    FeedbackRepository,
    IssueRepository,
    JourneyRepository,
    RetentionRepository,
    ScheduleRepository,
    ScorecardRepository,
    CoreRepository,
):
    """Every read and write of the monitor's data."""

    @cached_property
    def read(self) -> ReadSide:
        """The read models by subject, on this repository's engine."""
        return ReadSide(self.engine)

    def issue_page_rows(self, issue_id: int, *, limit: int = 200) -> list[IssuePageRow]:
        """``issue_pages`` as typed rows."""
        return [
            IssuePageRow(
                url=str(row["page"]),
                element=str(row["element"] or ""),
                snippet=str(row["snippet"] or ""),
                help_url=str(row["help"] or ""),
                message=str(row["message"] or ""),
            )
            for row in self.issue_pages(issue_id, limit=limit)
        ]


__all__ = ["Repository"]
