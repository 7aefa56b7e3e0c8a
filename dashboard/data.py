"""The dashboard's one data module: it caches what the domain computes, and nothing else.

Every figure comes from ``monitor.measures`` (the same functions the exports, the report
and the alerts call) over ``monitor.repository.read``; this module only keeps the answers
for a minute. ``repository()`` and ``council()`` live as long as the server process; every
query takes plain, hashable arguments (strings, ints, tuples of enums), so the cache key
is exact.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from dashboard.report import ReportIssue
from monitor import acknowledgements
from monitor.access import AccessFile, load_access
from monitor.config import CouncilConfig, MeasuresFile, load_config
from monitor.db import upgrade
from monitor.exports import issue_csv_rows
from monitor.measures.fix_first import RankedIssue, rank
from monitor.measures.morning import MorningSummary, morning_summary
from monitor.measures.overview import Overview
from monitor.measures.overview import overview as compute_overview
from monitor.measures.snapshot import MeasureRules
from monitor.measures.trends import RunPoint, WeekPoint
from monitor.measures.trends import audit_trend as compute_audit_trend
from monitor.measures.trends import weekly_trend as compute_weekly_trend
from monitor.models import Issue, Run, utcnow
from monitor.repository import Repository
from monitor.repository.core import AccessNote
from monitor.repository.read import (
    AuditRunRow,
    BrandPageRow,
    CommentFilter,
    CommentRow,
    CriterionRow,
    IssueFilter,
    IssuePageRow,
    JourneyAttemptRow,
    PageProblem,
    RunProgress,
    StepTiming,
)
from monitor.settings import get_settings
from monitor.vocabulary import OPEN_STATES, IssueState
from monitor.yamlsource import ConfigError, read_yaml

TTL = 60


@st.cache_resource(show_spinner=False)
def repository() -> Repository:
    """The database of this installation, migrated to the newest schema."""
    url = get_settings().database_url
    upgrade(url)
    return Repository(url)


@st.cache_resource(show_spinner=False)
def council() -> CouncilConfig | None:
    """The council's validated config, or None when it has problems (see ``config_problems``)."""
    try:
        return load_config(get_settings().config_dir)
    except ConfigError:
        return None


@st.cache_resource(show_spinner=False)
def config_problems() -> list[str]:
    try:
        load_config(get_settings().config_dir)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


@st.cache_resource(show_spinner=False)
def measures_file() -> MeasuresFile:
    """The measures and targets; read on their own so a fault elsewhere hides no measure."""
    config = council()
    if config is not None:
        return config.measures
    doc = read_yaml(get_settings().config_dir / "measures.yaml")
    return MeasuresFile.model_validate(doc.data)


@st.cache_resource(show_spinner=False)
def access() -> AccessFile:
    return load_access(get_settings().config_dir)


def timezone() -> str:
    """The council's time zone (services.yaml ``schedule.timezone``)."""
    config = council()
    return config.schedule.timezone if config is not None else "Europe/London"


def rules(period_days: int = 30) -> MeasureRules:
    config = council()
    if config is not None:
        return MeasureRules.of(config, period_days=period_days)
    file = measures_file()
    return MeasureRules(measures=file, period_days=period_days, min_responses=file.min_responses)


def services() -> list[tuple[str, str]]:
    """(id, name) of every service the monitor knows, by name."""
    return sorted(_cached_services(), key=lambda s: s[1].lower())


@st.cache_data(ttl=TTL, show_spinner=False)
def _cached_services() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in repository().services(active_only=False)]


@st.cache_data(ttl=TTL, show_spinner=False)
def not_reached(service_id: str) -> tuple[int, datetime | None, str] | None:
    """(run, when it began, why) when the newest audit could not reach the service."""
    found = repository().not_reached(service_id)
    if found is None:
        return None
    run, reason = found
    return run.id or 0, run.started_at or run.created_at, reason


@st.cache_data(ttl=TTL, show_spinner=False)
def access_note(service_id: str) -> AccessNote | None:
    """How the newest audit reached the service's pages: signed in, or not at all behind a
    sign-in (that run may have measured nothing, so it is not always the measures' run)."""
    return repository().latest_access_note(service_id)


def service_name(service_id: str) -> str:
    return dict(services()).get(service_id, service_id)


# --- the measures ------------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner="Working out the measures…")
def overview(period_days: int = 30, service_ids: tuple[str, ...] | None = None) -> Overview:
    """Every measure overall and per service, with the change since last week."""
    return compute_overview(
        repository().read, rules(period_days), dict(services()), utcnow(), service_ids
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def morning(service_id: str) -> MorningSummary:
    return morning_summary(
        repository().read, rules(), service_id, service_name(service_id), utcnow()
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def audit_trend(runs: int = 14, service_id: str | None = None) -> list[RunPoint]:
    return compute_audit_trend(repository().read, runs=runs, service_id=service_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def weekly_trend(weeks: int = 12, service_ids: tuple[str, ...] | None = None) -> list[WeekPoint]:
    return compute_weekly_trend(
        repository().read, rules(), weeks=weeks, services=service_ids, today=utcnow().date()
    )


# --- issues --------------------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def ranked_issues(wanted: IssueFilter) -> list[RankedIssue]:
    """The issues ``wanted`` selects, most harm to residents first."""
    now = utcnow()
    read = repository().read
    return rank(read, read.issues.rows(wanted, now=now), now)


@st.cache_data(ttl=TTL, show_spinner=False)
def issues_by_criterion(wanted: IssueFilter) -> list[CriterionRow]:
    return repository().read.issues.by_criterion(wanted)


@st.cache_data(ttl=TTL, show_spinner=False)
def issue(issue_id: int) -> RankedIssue | None:
    read = repository().read
    found = read.issues.issue(issue_id)
    return rank(read, [found], utcnow())[0] if found else None


@st.cache_data(ttl=TTL, show_spinner=False)
def issue_pages(issue_id: int) -> list[IssuePageRow]:
    return repository().issue_page_rows(issue_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def brand_evidence(page_ids: tuple[int, ...]) -> list[BrandPageRow]:
    return list(repository().read.brand.latest_for_pages(page_ids).values())


@st.cache_data(ttl=TTL, show_spinner=False)
def issue_page_ids(issue_id: int) -> tuple[int, ...]:
    refs = repository().read.issues.page_urls([issue_id]).get(issue_id, [])
    return tuple(ref.page_id for ref in refs)


def acknowledge(issue_id: int, by: str, reason: str, until: date) -> Issue:
    """Record an acknowledgement (the CLI's rule, the council's time zone) and forget cached
    answers, so every view counts it at once."""
    issue = acknowledgements.acknowledge(
        repository(), issue_id, by=by, reason=reason, until=until, timezone=timezone()
    )
    st.cache_data.clear()
    return issue


def issue_csv(states: tuple[IssueState, ...]) -> list[dict[str, object]]:
    """The rows of an issues CSV of these states (not cached: an export is read as things
    are)."""
    read = repository().read
    rows = read.issues.rows(IssueFilter(states=states))
    return issue_csv_rows(rows, read.issues.page_urls([r.id for r in rows]), timezone())


# --- brand, journeys, feedback, audits ----------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def brand_pages(service_id: str, run_id: int) -> list[BrandPageRow]:
    return repository().read.brand.pages(service_id, run_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def journey_history(
    service_ids: tuple[str, ...] | None, limit: int = 200
) -> list[JourneyAttemptRow]:
    return repository().read.journeys.history(service_ids=service_ids, limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def journey_steps(service_id: str, days: int = 30) -> list[StepTiming]:
    return repository().read.journeys.step_timings(service_id, utcnow() - timedelta(days=days))


@st.cache_data(ttl=TTL, show_spinner=False)
def comments(wanted: CommentFilter, limit: int = 20, offset: int = 0) -> list[CommentRow]:
    """Residents' comments of ``wanted.service_ids`` only (the caller passes what the viewer
    may read)."""
    return repository().read.feedback.comments(wanted, limit=limit, offset=offset)


@st.cache_data(ttl=TTL, show_spinner=False)
def comment_count(wanted: CommentFilter) -> int:
    return repository().read.feedback.comment_count(wanted)


@st.cache_data(ttl=TTL, show_spinner=False)
def feedback_pages(service_id: str) -> list[str]:
    return repository().read.feedback.pages(service_id)


@st.cache_data(ttl=5, show_spinner=False)
def audit_runs(limit: int = 50, service_id: str | None = None) -> list[AuditRunRow]:
    return repository().read.runs.history(limit=limit, service_id=service_id)


@st.cache_data(ttl=5, show_spinner=False)
def page_problems(run_ids: tuple[int, ...]) -> list[PageProblem]:
    return repository().read.runs.page_problems(run_ids)


def active_runs() -> list[Run]:
    """Not cached: the audits page must see a run the moment it starts."""
    return repository().read.runs.active()


def run_progress(run_id: int) -> RunProgress:
    return repository().read.runs.progress(run_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def failing_journeys(service_ids: tuple[str, ...] | None) -> list[JourneyAttemptRow]:
    """Journeys whose latest run failed."""
    verdicts = repository().read.journeys.latest_verdicts(service_ids=service_ids)
    return [v for v in verdicts if v.outcome == "failed"]


def report_issues(service_id: str) -> list[ReportIssue]:
    """Every issue of the service not yet fixed, with its pages and elements, for the
    printable report (not cached: a report is read as things are)."""
    read = repository().read
    rows = read.issues.rows(
        IssueFilter(service_ids=(service_id,), states=(*OPEN_STATES, IssueState.acknowledged))
    )
    ranked = rank(read, rows, utcnow())
    return [
        ReportIssue(r.issue, r.barrier, repository().issue_page_rows(r.issue.id)) for r in ranked
    ]
