"""Exports: the dashboard's tables as CSV (formula-safe) or JSON, named after what they
hold, and the printable accessibility report of a service."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import comment_cells, export_bytes, pick_service
from dashboard.report import accessibility_report_html
from monitor import humanise
from monitor.access import comment_services
from monitor.exports import EXPORTERS
from monitor.measures import MEASURE_ORDER, RATING_LABELS
from monitor.models import utcnow
from monitor.repository.read import CommentFilter
from monitor.vocabulary import OPEN_STATES, IssueState

st.title("Exports")
st.markdown(
    "CSV files open safely in a spreadsheet: text that would run as a formula is prefixed "
    "with an apostrophe. JSON files are for the council's own tools (one object a row). "
    "Times are UK time."
)
viewer = auth.viewer()
zone = data.timezone()


def issue_frame(states: tuple[IssueState, ...]) -> pd.DataFrame:
    return pd.DataFrame(data.issue_csv(states))


def measures_frame() -> pd.DataFrame:
    overview = data.overview(30)
    rows = []
    for s in overview.services:
        row: dict[str, object] = {"Service id": s.service_id, "Service": s.name}
        for measure in MEASURE_ORDER:
            if measure in s.results:
                result = s.results[measure]
                row[f"{result.label} ({result.unit})"] = (
                    None if result.value is None else round(result.value, 1)
                )
                row[f"{result.label}: status"] = result.status.value
        row["Accessibility statement"] = s.statement.value
        row["Needs attention"] = s.attention
        rows.append(row)
    return pd.DataFrame(rows)


def runs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Run": r.run_id,
                "Began": humanise.csv_time(r.started_at, zone),
                "Started by": r.trigger,
                "Status": r.status.label,
                "Full audit": r.full_audit,
                "Services": " ".join(r.service_ids),
                "Seconds": None if r.seconds is None else round(r.seconds),
                "Pages found": r.pages_found,
                "Pages audited": r.pages_audited,
                "Pages unchanged": r.pages_carried,
                "Pages failed": r.pages_failed,
                "Problem": r.error,
            }
            for r in data.audit_runs(1000)
        ]
    )


def journeys_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Began": humanise.csv_time(h.started_at, zone),
                "Service": h.service_id,
                "Journey": h.journey_id,
                "Run": h.run_id,
                "Attempt": h.attempt,
                "Outcome": h.outcome,
                "Flaky": h.flaky,
                "Failed at step": h.failed_step,
                "Seconds": h.seconds,
                "Why": h.reason,
            }
            for h in data.journey_history(None, 5000)
        ]
    )


def weeks_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Week of": w.week.isoformat(),
                "Week in progress": w.partial,
                **{RATING_LABELS[r]: w.ratings.get(r, 0) for r in RATING_LABELS},
                "Satisfaction (%)": None if w.satisfaction is None else round(w.satisfaction, 1),
                "Page useful answers": w.useful_answers,
                "Pages found useful (%)": None
                if w.page_useful is None
                else round(w.page_useful, 1),
                "Journey runs": w.journey_runs,
                "Journey completion (%)": None
                if w.journey_completion is None
                else round(w.journey_completion, 1),
            }
            for w in data.weekly_trend(52)
        ]
    )


readable = comment_services(viewer, [s for s, _ in data.services()])


def comments_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Received": humanise.csv_time(c.received_at, zone),
                "Service": c.service_id,
                "Kind": c.kind,
                **comment_cells(c),
            }
            for c in data.comments(CommentFilter(service_ids=tuple(readable)), limit=10_000)
        ]
    )


tables: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {
    "Measures by service": ("measures-by-service", measures_frame),
    "Open issues (new, open or reopened; not acknowledged)": (
        "open-issues",
        lambda: issue_frame(OPEN_STATES),
    ),
    "Acknowledged issues": ("acknowledged-issues", lambda: issue_frame((IssueState.acknowledged,))),
    "Fixed issues": ("fixed-issues", lambda: issue_frame((IssueState.fixed,))),
    "Audit runs": ("audit-runs", runs_frame),
    "Journey attempts": ("journey-attempts", journeys_frame),
    "Residents' answers by week": ("answers-by-week", weeks_frame),
}
if readable:
    tables["Residents' comments"] = ("resident-comments", comments_frame)

st.header("Tables as CSV or JSON", anchor=False)
choice = st.selectbox("Table", list(tables))
name, load = tables[choice]
for made in EXPORTERS.values():
    st.download_button(
        f"Download {choice[0].lower() + choice[1:]} ({made.name.upper()})",
        partial(lambda named: export_bytes(load(), named), made.name),
        file_name=f"{name}{made.suffix}",
        mime=made.media_type,
    )

st.header("Accessibility report for a service", anchor=False)
st.markdown(
    "A printable page listing every issue of the service not yet fixed, by WCAG success "
    "criterion, with the pages and elements, what each means for residents, and every "
    "acknowledgement (who, why, until when): the evidence for the accessibility statement."
)
service_id = pick_service(key="report-service")
if service_id:
    chosen: str = service_id
    statement = data.overview(30).service(chosen)
    st.download_button(
        "Download the report (HTML; print it from your browser)",
        lambda: accessibility_report_html(
            data.service_name(chosen),
            data.report_issues(chosen),
            generated_at=utcnow(),
            statement=statement.statement.value if statement else "",
            timezone=zone,
        ).encode("utf-8"),
        file_name=f"accessibility-report-{service_id}.html",
        mime="text/html",
    )
