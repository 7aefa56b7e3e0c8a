"""What the read queries share: the two databases' ways with dates, and the definitions of
an open, acknowledged and accessibility issue as SQL, each written once.

An issue is *open at a moment* when it had been seen by then and was not fixed by then;
an acknowledgement *holds at a moment* when it had been given by then and had not
expired. At the present moment these are exactly the stored lifecycle (``Issue.status``)
and acknowledgement; at a past moment they read the lifecycle's timestamps, so an issue
fixed and then reopened since counts as open then too (its earlier fix date is not kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import Date, Engine, and_, cast, func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from monitor.models import Issue, PageStatus, RunStatus
from monitor.vocabulary import SERIOUS_OR_MORE

#: Pages a run has a verdict on: audited now, or unchanged and carried forward.
JUDGED_PAGES = (PageStatus.audited, PageStatus.carried)
#: Runs whose results count in the measures: finished, even if some services were not
#: reached (those have no judged page in them, so they keep their last values).
MEASURING_RUNS = (RunStatus.completed, RunStatus.partial)
#: Checks that report accessibility barriers without WCAG criteria of their own.
ACCESSIBILITY_CHECKS = ("axe",)


#: Up to this many services, a query names them; for more it reads every service and the
#: caller keeps those wanted. Given fifty names, SQLite walks its index by service once per
#: name and fetches each row, several times slower than reading the period's rows once.
FEW_SERVICES = 8

T = TypeVar("T")


def few(service_ids: Sequence[str] | None) -> list[str] | None:
    """The services to name in SQL: these when they are few; None (every one) otherwise."""
    if service_ids is None or len(service_ids) > FEW_SERVICES:
        return None
    return list(service_ids)


def keep(found: Mapping[str, T], service_ids: Sequence[str] | None) -> dict[str, T]:
    """Of per-service answers, those of ``service_ids`` (all of them when None)."""
    if service_ids is None:
        return dict(found)
    wanted = set(service_ids)
    return {service_id: value for service_id, value in found.items() if service_id in wanted}


def aware(moment: datetime) -> datetime:
    """A stored time as UTC: SQLite hands back naive times from aggregates."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_date(value: object) -> date:
    """A week or day the database computed, whichever type its driver returned."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def week_of(engine: Engine, column: ColumnElement[datetime]) -> ColumnElement[date]:
    """The Monday of the week (UTC) a stored time falls in, on either database."""
    if engine.dialect.name == "sqlite":
        return func.date(column, "-6 days", "weekday 1")
    return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)


def is_accessibility() -> ColumnElement[bool]:
    """An accessibility barrier: axe's, or any check's finding mapped to WCAG criteria."""
    return or_(col(Issue.check).in_(ACCESSIBILITY_CHECKS), col(Issue.wcag) != "")


def is_violation() -> ColumnElement[bool]:
    return col(Issue.outcome) == "violation"


def is_serious_or_more() -> ColumnElement[bool]:
    return col(Issue.impact).in_([impact.value for impact in SERIOUS_OR_MORE])


def open_at(moment: datetime) -> ColumnElement[bool]:
    """Seen by ``moment`` and not fixed by then (see the module's docstring)."""
    return and_(
        col(Issue.first_seen_at) <= moment,
        or_(col(Issue.fixed_at).is_(None), col(Issue.fixed_at) > moment),
    )


def acknowledged_at(moment: datetime) -> ColumnElement[bool]:
    """An acknowledgement given by ``moment`` that had not expired then."""
    return and_(
        col(Issue.ack_by).is_not(None),
        or_(col(Issue.ack_at).is_(None), col(Issue.ack_at) <= moment),
        or_(col(Issue.ack_until).is_(None), col(Issue.ack_until) > moment),
    )


def counts_at(moment: datetime) -> ColumnElement[bool]:
    """Counts against the measures at ``moment``: open and not acknowledged."""
    return and_(open_at(moment), ~acknowledged_at(moment))
