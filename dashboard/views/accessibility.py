"""Accessibility: issues by WCAG success criterion and rule, drill-down, acknowledgement."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import data_table, download_csv, service_name

STATUSES = ["new", "open", "reopened", "fixed", "acknowledged"]
IMPACTS = ["critical", "serious", "moderate", "minor"]

st.title("Accessibility issues")

services = data.services()
names = dict(services)
with st.container(border=True):
    left, middle, right = st.columns(3)
    chosen = left.multiselect(
        "Services (none chosen: all)", [s for s, _ in services], format_func=lambda s: names[s]
    )
    impacts = middle.multiselect("Impact", IMPACTS, default=[])
    statuses = right.multiselect("Status", STATUSES, default=["new", "open", "reopened"])
    period = st.date_input(
        "Last seen between",
        value=(date.today() - timedelta(days=365), date.today()),
        max_value=date.today(),
    )
since, until = (
    (period[0], period[1])
    if isinstance(period, tuple) and len(period) == 2
    else (
        None,
        None,
    )
)
service_filter = tuple(chosen) if chosen else None

grouped = data.issues_by_criterion(service_filter, tuple(impacts), tuple(statuses), since, until)
issues = data.issues(service_filter, tuple(impacts), tuple(statuses), since, until, limit=500)

a, b, c = st.columns(3)
a.metric("Issues (criterion and rule)", int(grouped.issues.sum()) if not grouped.empty else 0)
b.metric("Pages affected", int(grouped.pages.sum()) if not grouped.empty else 0)
c.metric("WCAG criteria", grouped.criterion.nunique() if not grouped.empty else 0)

st.header("By WCAG success criterion and rule")
st.markdown("An issue that fails two criteria is counted under each.")
data_table(grouped, "issues-by-criterion")

st.header("Issues, highest priority first")
st.markdown(f"Showing up to 500 of the matching issues ({len(issues)} shown).")
if not issues.empty:
    shown = issues.assign(service=[service_name(s) for s in issues.service_id])
    data_table(
        shown[
            [
                "id",
                "service",
                "rule",
                "wcag",
                "impact",
                "status",
                "pages_affected",
                "on_journey",
                "priority",
                "last_seen",
            ]
        ],
        "accessibility-issues-shown",
    )
    download_csv(issues, "accessibility-issues")

    st.header("Issue detail")
    issue_id = st.selectbox(
        "Issue",
        issues.id.tolist(),
        format_func=lambda i: (
            lambda r: f"#{i} {r.rule} ({r.impact}) on {service_name(r.service_id)}"
        )(issues[issues.id == i].iloc[0]),
    )
    row = issues[issues.id == issue_id].iloc[0]
    st.text(row.message)
    st.text(f"WCAG {row.wcag or '(none)'} · {row.pages_affected} pages · status {row.status}")
    if row.help_url:
        st.link_button("How to fix it (Deque University)", row.help_url)
    if row.ack_by:
        st.text(f"Acknowledged by {row.ack_by}: {row.ack_reason} (until {row.ack_until})")
    pages = data.issue_pages(int(issue_id))
    data_table(pages[["page", "element", "snippet"]], "issue-pages")
    if not pages.empty and pages.snippet.iloc[0]:
        st.code(pages.snippet.iloc[0], language="html")

    viewer = auth.viewer()
    if viewer.may_acknowledge(str(row.service_id)):
        with st.form("acknowledge"):
            st.subheader("Acknowledge this issue")
            st.markdown(
                "An acknowledged issue stops counting against the measures until the date "
                "you give; after that it counts again."
            )
            by = st.text_input("Your name or email", value=viewer.email or "")
            reason = st.text_area("Reason", max_chars=1000)
            until_date = st.date_input(
                "Until", value=date.today() + timedelta(days=90), min_value=date.today()
            )
            if st.form_submit_button("Acknowledge"):
                try:
                    data.acknowledge(
                        int(issue_id),
                        by,
                        reason,
                        until_date if isinstance(until_date, date) else None,
                    )
                except ValueError as exc:
                    st.error(str(exc))
                else:
                    st.success(f"Issue #{issue_id} acknowledged until {until_date}.")
else:
    st.info("No issues match these filters.")
    pd.DataFrame()
