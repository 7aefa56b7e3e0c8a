"""Acknowledging an issue: one rule for the CLI and the dashboard.

A person acknowledges an issue *until a date*: the issue stops counting against the
measures now, and counts again from the start of that date in the council's time zone
(``schedule.timezone`` in services.yaml, Europe/London by default). So "until 31 January
2027" is stored as 31 January 2027 00:00 in London (in UTC: 00:00 in winter, 23:00 the
day before in summer) and read back, everywhere, as 31 January 2027. The date must be
after today (in the same time zone): an acknowledgement already over would silently
replace a valid one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from monitor.models import Issue, utcnow
from monitor.repository import Repository


class AcknowledgementRefused(ValueError):
    """The acknowledgement cannot be stored as asked (said in one sentence)."""


def expiry_of(day: date, timezone: str) -> datetime:
    """When an acknowledgement "until ``day``" ends: the start of that day, in UTC."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def day_of(expiry: datetime, timezone: str) -> date:
    """The date a stored expiry was given as (the inverse of ``expiry_of``)."""
    moment = expiry if expiry.tzinfo else expiry.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def today_in(timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def acknowledge(
    repository: Repository,
    issue_id: int,
    *,
    by: str,
    reason: str,
    until: date,
    timezone: str,
    now: datetime | None = None,
) -> Issue:
    """Acknowledge an issue until ``until`` (see the module's docstring)."""
    if until <= today_in(timezone, now):
        raise AcknowledgementRefused(
            f"{until:%Y-%m-%d} is not after today: give the date the acknowledgement ends"
        )
    if not by.strip() or not reason.strip():
        raise AcknowledgementRefused("an acknowledgement needs a person and a reason")
    try:
        return repository.acknowledge_issue(
            issue_id, by=by, reason=reason, until=expiry_of(until, timezone)
        )
    except KeyError:
        raise AcknowledgementRefused(f"there is no issue {issue_id}") from None
