"""The one place that reads and writes the database.

The CLI, the crawlers, the feedback collector, the scheduler and the dashboard's data
module call ``Repository`` methods; nothing else opens a session. Each method is one
short transaction, so the SQLite file stays usable by several processes at once. The
methods are grouped by subject in the modules of this package.
"""

from __future__ import annotations

from monitor.repository.alerts import AlertRepository
from monitor.repository.brand import BrandRepository
from monitor.repository.core import CoreRepository
from monitor.repository.feedback import FeedbackRepository
from monitor.repository.issues import IssueRepository
from monitor.repository.journeys import JourneyRepository
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


__all__ = ["Repository"]
