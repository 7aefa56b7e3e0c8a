"""The dashboard's one data module: every view asks here, nothing else touches the database.

``repository()`` and ``council()`` are cached for the life of the server process; every
query is cached for a minute and takes only plain, hashable arguments (strings, ints,
tuples), so the cache key is exact. The numbers themselves are aggregated in SQL by
``monitor.repository.scorecard``; this module turns counts into measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from monitor import measures as m
from monitor.access import AccessFile, load_access
from monitor.config import CouncilConfig, MeasureId, MeasuresFile, load_config
from monitor.db import upgrade
from monitor.measures import MeasureResult
from monitor.models import Issue, Run, utcnow
from monitor.repository import Repository
from monitor.repository.core import AccessNote
from monitor.settings import get_settings
from monitor.yamlsource import ConfigError, read_yaml

TTL = 60
FIX_WINDOW_DAYS = 90
MEASURE_ORDER = (
    MeasureId.satisfaction,
    MeasureId.page_useful,
    MeasureId.journey_completion,
    MeasureId.accessibility,
    MeasureId.open_serious_issues,
    MeasureId.time_to_fix_days,
    MeasureId.statement,
    MeasureId.brand_compliance,
)


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


# --- the overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceMeasures:
    """One service's measures, as the overview ranks them."""

    service_id: str
    name: str
    results: dict[MeasureId, MeasureResult]
    open_by_impact: dict[str, int]
    statement: str
    latest_run: int | None
    previous_run: int | None
    need: float


@dataclass(frozen=True)
class Overview:
    overall: dict[MeasureId, MeasureResult]
    services: list[ServiceMeasures]  # worst first
    open_by_impact: dict[str, int]
    period_days: int
    generated_at: datetime
    counts: dict[str, Any] = field(default_factory=dict)


def _service_names() -> dict[str, str]:
    return {s.id: s.name for s in repository().services(active_only=False)}


def _statements(service_ids: list[str]) -> dict[str, str]:
    """Accessibility statement status per service, in words, from the statement check."""
    config = council()
    configured = {s.id for s in config.services} if config else set()
    problems = repository().open_statement_rules()
    audited = set(repository().recent_audit_runs(per_service=1))
    out = {}
    for service_id in service_ids:
        rules = problems.get(service_id, set())
        if "statement-missing" in rules or "statement-unreachable" in rules:
            out[service_id] = "No statement found"
        elif rules:
            out[service_id] = "Found, incomplete"
        elif service_id in audited:
            out[service_id] = "Found and complete"
        elif service_id not in configured:
            out[service_id] = "Not in services.yaml"
        else:
            out[service_id] = "Not checked yet"
    return out


def _statement_value(status: str) -> float | None:
    return {"Found and complete": 100.0, "Found, incomplete": 0.0, "No statement found": 0.0}.get(
        status
    )


@st.cache_data(ttl=TTL, show_spinner="Working out the measures…")
def overview(period_days: int = 30, services: tuple[str, ...] | None = None) -> Overview:
    """Every Ambition 1 measure, overall and per service, with the change since last time.

    Run-based measures (accessibility, brand) compare each service's latest audit run with
    the one before; resident and journey measures compare the last ``period_days`` with
    the ``period_days`` before.
    """
    repo = repository()
    file = measures_file()
    now = utcnow()
    since, before = now - timedelta(days=period_days), now - timedelta(days=2 * period_days)
    wanted = list(services) if services is not None else None
    runs = repo.recent_audit_runs(per_service=2, service_ids=wanted)
    pairs = [(s, r) for s, ids in runs.items() for r in ids]
    pages = repo.page_counts_for_runs(pairs)
    feedback_now = repo.feedback_counts(since=since, until=now, service_ids=wanted)
    feedback_before = repo.feedback_counts(since=before, until=since, service_ids=wanted)
    journeys_now = repo.journey_counts(since=since, until=now, service_ids=wanted)
    journeys_before = repo.journey_counts(since=before, until=since, service_ids=wanted)
    issues = repo.open_issue_counts(service_ids=wanted, now=now)
    fixes = repo.fix_durations_days(since=now - timedelta(days=FIX_WINDOW_DAYS), service_ids=wanted)
    names = _service_names()
    ids = sorted(
        set(wanted or names)
        & (set(names) | set(runs) | set(feedback_now) | set(journeys_now) | set(issues))
    )
    statements = _statements(ids)

    def page_values(service_id: str, index: int) -> dict[str, int] | None:
        run_ids = runs.get(service_id, [])
        return pages.get((service_id, run_ids[index])) if len(run_ids) > index else None

    rows: list[ServiceMeasures] = []
    totals: dict[str, Any] = {
        "ratings": {},
        "ratings_before": {},
        "yes": 0,
        "no": 0,
        "yes_before": 0,
        "no_before": 0,
        "started": 0,
        "completed": 0,
        "started_before": 0,
        "completed_before": 0,
        "judged": 0,
        "clean": 0,
        "checked": 0,
        "passed": 0,
        "judged_before": 0,
        "clean_before": 0,
        "checked_before": 0,
        "passed_before": 0,
    }
    for service_id in ids:
        fb = feedback_now.get(service_id, {"ratings": {}, "yes": 0, "no": 0})
        fb0 = feedback_before.get(service_id, {"ratings": {}, "yes": 0, "no": 0})
        jn = journeys_now.get(service_id, {"started": 0, "completed": 0})
        jn0 = journeys_before.get(service_id, {"started": 0, "completed": 0})
        latest = page_values(service_id, 0) or {}
        previous = page_values(service_id, 1) or {}
        open_counts = issues.get(service_id, {})
        serious = sum(open_counts.get(i, 0) for i in m.SERIOUS_IMPACTS)
        fix = m.median(fixes.get(service_id, []))
        values = {
            MeasureId.satisfaction: (m.satisfaction(fb["ratings"]), m.satisfaction(fb0["ratings"])),
            MeasureId.page_useful: (
                m.page_useful(fb["yes"], fb["no"]),
                m.page_useful(fb0["yes"], fb0["no"]),
            ),
            MeasureId.journey_completion: (
                m.completion_rate(jn["completed"], jn["started"]),
                m.completion_rate(jn0["completed"], jn0["started"]),
            ),
            MeasureId.accessibility: (
                m.accessibility(latest.get("clean", 0), latest.get("judged", 0)),
                m.accessibility(previous.get("clean", 0), previous.get("judged", 0)),
            ),
            MeasureId.open_serious_issues: (float(serious), None),
            MeasureId.time_to_fix_days: (fix, None),
            MeasureId.statement: (_statement_value(statements[service_id]), None),
            MeasureId.brand_compliance: (
                m.brand_compliance(latest.get("passed", 0), latest.get("checked", 0)),
                m.brand_compliance(previous.get("passed", 0), previous.get("checked", 0)),
            ),
        }
        results = {
            measure: m.evaluate(file, measure, now_value, service_id=service_id, previous=prior)
            for measure, (now_value, prior) in values.items()
            if measure in file.measures
        }
        run_ids = runs.get(service_id, [])
        rows.append(
            ServiceMeasures(
                service_id=service_id,
                name=names.get(service_id, service_id),
                results=results,
                open_by_impact=open_counts,
                statement=statements[service_id],
                latest_run=run_ids[0] if run_ids else None,
                previous_run=run_ids[1] if len(run_ids) > 1 else None,
                need=m.need_score(results.values()),
            )
        )
        for rating, count in fb["ratings"].items():
            totals["ratings"][rating] = totals["ratings"].get(rating, 0) + count
        for rating, count in fb0["ratings"].items():
            totals["ratings_before"][rating] = totals["ratings_before"].get(rating, 0) + count
        totals["yes"] += fb["yes"]
        totals["no"] += fb["no"]
        totals["yes_before"] += fb0["yes"]
        totals["no_before"] += fb0["no"]
        totals["started"] += jn["started"]
        totals["completed"] += jn["completed"]
        totals["started_before"] += jn0["started"]
        totals["completed_before"] += jn0["completed"]
        for key in ("judged", "clean", "checked", "passed"):
            totals[key] += latest.get(key, 0)
            totals[f"{key}_before"] += previous.get(key, 0)

    open_total: dict[str, int] = {}
    for counts in issues.values():
        for impact, count in counts.items():
            open_total[impact] = open_total.get(impact, 0) + count
    with_statement = [s for s in ids if _statement_value(statements[s]) is not None]
    statement_share = m.percentage(
        sum(1 for s in with_statement if statements[s] == "Found and complete"), len(with_statement)
    )
    overall_values = {
        MeasureId.satisfaction: (
            m.satisfaction(totals["ratings"]),
            m.satisfaction(totals["ratings_before"]),
        ),
        MeasureId.page_useful: (
            m.page_useful(totals["yes"], totals["no"]),
            m.page_useful(totals["yes_before"], totals["no_before"]),
        ),
        MeasureId.journey_completion: (
            m.completion_rate(totals["completed"], totals["started"]),
            m.completion_rate(totals["completed_before"], totals["started_before"]),
        ),
        MeasureId.accessibility: (
            m.accessibility(totals["clean"], totals["judged"]),
            m.accessibility(totals["clean_before"], totals["judged_before"]),
        ),
        MeasureId.open_serious_issues: (
            float(sum(open_total.get(i, 0) for i in m.SERIOUS_IMPACTS)),
            None,
        ),
        MeasureId.time_to_fix_days: (m.median([d for v in fixes.values() for d in v]), None),
        MeasureId.statement: (statement_share, None),
        MeasureId.brand_compliance: (
            m.brand_compliance(totals["passed"], totals["checked"]),
            m.brand_compliance(totals["passed_before"], totals["checked_before"]),
        ),
    }
    overall = {
        measure: m.evaluate(file, measure, value, previous=prior)
        for measure, (value, prior) in overall_values.items()
        if measure in file.measures
    }
    rows.sort(key=lambda r: (-r.need, r.name))
    return Overview(
        overall=overall,
        services=rows,
        open_by_impact=open_total,
        period_days=period_days,
        generated_at=now,
        counts=totals,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def audit_trend(runs: int = 14, service_id: str | None = None) -> pd.DataFrame:
    """Accessibility and brand compliance for each of the last runs, oldest first."""
    rows = repository().audit_trend(runs=runs, service_id=service_id)
    frame = pd.DataFrame(
        rows,
        columns=[
            "run",
            "started",
            "pages_judged",
            "pages_clean",
            "brand_checked",
            "brand_passed",
        ],
    )
    frame["accessibility_%"] = [
        m.accessibility(c, j) for c, j in zip(frame.pages_clean, frame.pages_judged, strict=True)
    ]
    frame["brand_%"] = [
        m.brand_compliance(p, c)
        for p, c in zip(frame.brand_passed, frame.brand_checked, strict=True)
    ]
    return frame


@st.cache_data(ttl=TTL, show_spinner=False)
def weekly_trend(weeks: int = 12, services: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Satisfaction, page useful and journey completion per week, oldest first."""
    repo = repository()
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    since = datetime.combine(monday - timedelta(weeks=weeks - 1), time(), tzinfo=utcnow().tzinfo)
    wanted = list(services) if services is not None else None
    feedback = {r["week"]: r for r in repo.weekly_feedback(since=since, service_ids=wanted)}
    journeys = {r["week"]: r for r in repo.weekly_journeys(since=since, service_ids=wanted)}
    rows = []
    for offset in range(weeks):
        week: date = monday - timedelta(weeks=weeks - 1 - offset)
        fb = feedback.get(week, {"ratings": {}, "yes": 0, "no": 0})
        jn = journeys.get(week, {"runs": 0, "completed": 0, "flaky": 0})
        row: dict[str, Any] = {"week": week}
        for rating, label in m.RATING_LABELS.items():
            row[label] = fb["ratings"].get(rating, 0)
        row["ratings"] = sum(fb["ratings"].values())
        row["satisfaction_%"] = m.satisfaction(fb["ratings"])
        row["page_useful_%"] = m.page_useful(fb["yes"], fb["no"])
        row["journey_runs"] = jn["runs"]
        row["journey_completion_%"] = m.completion_rate(jn["completed"], jn["runs"])
        row["flaky_runs"] = jn["flaky"]
        rows.append(row)
    return pd.DataFrame(rows)


# --- one service ------------------------------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def service_changes(service_id: str, run_id: int | None) -> dict[str, list[dict]]:
    if run_id is None:
        return {"new": [], "fixed": []}
    return repository().changes_in_run(service_id, run_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def rating_shift(service_id: str, days: int = 7) -> dict[str, float | None]:
    """Average rating of the last ``days`` against the ``days`` before."""
    repo = repository()
    now = utcnow()
    since, before = now - timedelta(days=days), now - timedelta(days=2 * days)
    current = repo.feedback_counts(since=since, until=now, service_ids=[service_id])
    earlier = repo.feedback_counts(since=before, until=since, service_ids=[service_id])

    def average(data: dict[str, Any]) -> float | None:
        ratings = data.get(service_id, {}).get("ratings", {})
        total = sum(ratings.values())
        return sum(r * c for r, c in ratings.items()) / total if total else None

    return {"now": average(current), "before": average(earlier)}


@st.cache_data(ttl=TTL, show_spinner=False)
def issues(
    services: tuple[str, ...] | None = None,
    impacts: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    since: date | None = None,
    until: date | None = None,
    criterion: str | None = None,
    rule: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    rows = repository().issue_list(
        service_ids=list(services) if services is not None else None,
        impacts=list(impacts) or None,
        statuses=list(statuses) or None,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
        criterion=criterion,
        rule=rule,
        limit=limit,
    )
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


ISSUE_COLUMNS = [
    "id",
    "service_id",
    "rule",
    "wcag",
    "impact",
    "status",
    "pages_affected",
    "on_journey",
    "priority",
    "message",
    "help_url",
    "first_seen",
    "last_seen",
    "fixed",
    "ack_by",
    "ack_reason",
    "ack_until",
]


@st.cache_data(ttl=TTL, show_spinner=False)
def issues_by_criterion(
    services: tuple[str, ...] | None = None,
    impacts: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    rows = repository().issues_by_criterion(
        service_ids=list(services) if services is not None else None,
        impacts=list(impacts) or None,
        statuses=list(statuses) or None,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    return pd.DataFrame(rows, columns=["criterion", "rule", "issues", "pages", "worst"])


@st.cache_data(ttl=TTL, show_spinner=False)
def issue_pages(issue_id: int) -> pd.DataFrame:
    rows = repository().issue_pages(issue_id)
    return pd.DataFrame(rows, columns=["page", "element", "snippet", "help", "message"])


def acknowledge(issue_id: int, by: str, reason: str, until: date | None) -> Issue:
    """Record an acknowledgement (through the issue tracker) and forget cached answers."""
    issue = repository().acknowledge_issue(
        issue_id,
        by=by,
        reason=reason,
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    st.cache_data.clear()
    return issue


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=utcnow().tzinfo)


# --- brand, journeys, feedback, audits --------------------------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def brand_pages(service_id: str, run_id: int) -> pd.DataFrame:
    rows = repository().brand_rule_failures(service_id, run_id)
    return pd.DataFrame(rows, columns=["page", "score", "passed", "failed_rules"])


@st.cache_data(ttl=TTL, show_spinner=False)
def journey_history(services: tuple[str, ...] | None, limit: int = 200) -> pd.DataFrame:
    rows = repository().journey_history(
        service_ids=list(services) if services is not None else None, limit=limit
    )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "run",
            "service_id",
            "journey",
            "attempt",
            "outcome",
            "flaky",
            "failed_step",
            "reason",
            "started",
            "seconds",
            "screenshot",
        ],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def journey_steps(service_id: str, days: int = 30) -> pd.DataFrame:
    rows = repository().journey_step_timings(
        service_id=service_id, since=utcnow() - timedelta(days=days)
    )
    return pd.DataFrame(
        rows,
        columns=["journey", "step", "name", "runs", "avg_seconds", "slowest_seconds", "failures"],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def comments(
    services: tuple[str, ...],
    search: str = "",
    page_path: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: int = 100,
) -> pd.DataFrame:
    """Residents' comments of ``services`` only (the caller passes what the viewer may read)."""
    rows = repository().comments(
        service_ids=list(services),
        search=search,
        page_path=page_path,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
        limit=limit,
    )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "received",
            "service_id",
            "page",
            "kind",
            "rating",
            "useful",
            "comment",
            "what_doing",
            "what_wrong",
        ],
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def feedback_pages(service_id: str) -> list[str]:
    return repository().feedback_pages(service_id)


@st.cache_data(ttl=10, show_spinner=False)
def audit_runs(limit: int = 50, service_id: str | None = None) -> pd.DataFrame:
    rows = repository().audit_run_history(limit=limit, service_id=service_id)
    return pd.DataFrame(
        rows,
        columns=[
            "run",
            "started",
            "trigger",
            "status",
            "services",
            "duration_s",
            "pages_found",
            "pages_audited",
            "pages_carried",
            "pages_revalidated",
            "pages_failed",
            "error",
        ],
    )


def active_runs() -> list[Run]:
    """Not cached: the audits page must see a run the moment it starts."""
    return repository().active_runs()


def run_progress(run_id: int) -> dict[str, int]:
    return repository().run_progress(run_id)


def services() -> list[tuple[str, str]]:
    """(id, name) of every service the monitor knows, by name."""
    return sorted(_cached_services(), key=lambda s: s[1].lower())


@st.cache_data(ttl=TTL, show_spinner=False)
def _cached_services() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in repository().services(active_only=False)]


@st.cache_data(ttl=TTL, show_spinner=False)
def access_note(service_id: str) -> AccessNote | None:
    """How the newest audit reached the service's pages: signed in, or not at all behind a
    sign-in (that run may have measured nothing, so it is not always the measures' run)."""
    return repository().latest_access_note(service_id)
