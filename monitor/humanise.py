"""Times, dates and numbers as people in the council read them (en-GB, the council's time
zone, rounded): "7 Dec 2026, 09:15", "31 January 2027", "1,234", "4.2 s".

The dashboard, the printable report and the CLI's tables use these, so a date is written
the same way wherever an owner meets it. CSV files keep sortable forms (``csv_time``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"


def local(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """A stored (UTC) time in the council's time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone))


def when(moment: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """ "7 Dec 2026, 09:15" in the council's time zone; "" for no time."""
    if moment is None:
        return ""
    here = local(moment, timezone)
    return f"{here.day} {here:%b %Y, %H:%M}"


def day(value: date | datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """ "7 Dec 2026" (a time is read in the council's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, timezone).date()
    return f"{value.day} {value:%b %Y}"


def long_day(value: date | None) -> str:
    """ "31 January 2027"."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def csv_time(moment: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """ "2026-12-07 09:15" in the council's time zone: sorts, and spreadsheets read it."""
    return "" if moment is None else f"{local(moment, timezone):%Y-%m-%d %H:%M}"


def count(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def seconds(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 120:
        return f"{value / 60:.0f} min"
    return f"{value:.1f} s"


def plural(number: int, word: str, many: str | None = None) -> str:
    """ "1 page", "3 pages"."""
    return f"{number:,} {word if number == 1 else (many or word + 's')}"
