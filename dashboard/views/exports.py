"""Exports: CSV of the dashboard's tables (formula-safe) and the printable report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import csv_bytes, pick_service, service_name
from dashboard.report import accessibility_report_html
from monitor.access import comment_services
from monitor.models import utcnow

st.title("Exports")
st.markdown(
    "CSV files open safely in a spreadsheet: text that would run as a formula is "
    "prefixed with an apostrophe."
)

viewer = auth.viewer()
overview = data.overview(30)
measures = pd.DataFrame(
    [
        {
            "service_id": s.service_id,
            "service": s.name,
            "need": s.need,
            **{f"{r.measure}": r.value for r in s.results.values()},
            **{f"{r.measure}_status": r.status.value for r in s.results.values()},
            "statement": s.statement,
        }
        for s in overview.services
    ]
)
tables = {
    "Measures by service": ("measures-by-service", lambda: measures),
    "Open accessibility issues": (
        "open-issues",
        lambda: data.issues(None, (), ("new", "open", "reopened", "acknowledged"), limit=100_000),
    ),
    "Audit runs": ("audit-runs", lambda: data.audit_runs(1000)),
    "Journey runs": ("journey-runs", lambda: data.journey_history(None, 5000)),
    "Weekly trend": ("weekly-trend", lambda: data.weekly_trend(52)),
}
readable = comment_services(viewer, [s for s, _ in data.services()])
if readable:
    tables["Resident comments"] = (
        "resident-comments",
        lambda: data.comments(tuple(readable), limit=10_000),
    )

st.header("Tables as CSV")
choice = st.selectbox("Table", list(tables))
name, load = tables[choice]
frame = load()
st.text(f"{len(frame)} rows")
st.download_button(
    f"Download {choice.lower()} (CSV)", csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv"
)

st.header("Accessibility report for a service")
st.markdown(
    "A printable page listing the service's open issues by WCAG success criterion: the "
    "evidence a service owner needs to update the accessibility statement."
)
service_id = pick_service(key="report-service")
if service_id:
    issues = data.issues(
        (service_id,), (), ("new", "open", "reopened", "acknowledged"), limit=100_000
    )
    statement = next((s.statement for s in overview.services if s.service_id == service_id), "")
    html = accessibility_report_html(
        service_name(service_id),
        issues.to_dict("records"),
        generated_at=utcnow(),
        statement=statement,
    )
    st.text(f"{len(issues)} open issues")
    st.download_button(
        "Download the report (HTML, print it from your browser)",
        html.encode("utf-8"),
        file_name=f"accessibility-report-{service_id}.html",
        mime="text/html",
    )
