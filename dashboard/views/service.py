"""Service scorecard: one service's four pillars with their changes, and its trends."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.components import (
    audit_trend_chart,
    measure_card,
    ratings_by_week_chart,
    reach_notes,
    service_heading,
    weekly_trend_chart,
    when,
)
from monitor.config import MeasureId
from monitor.measures.morning import LAST_WEEK, PREVIOUS_RUN
from monitor.repository.read import CommentFilter

service_id, summary, _ = service_heading("scorecard-service", "scorecard")
st.markdown(
    f"[This morning's summary](summary?service={service_id}) · "
    f"[Issues](issues?service={service_id}) · [Journeys](journeys?service={service_id}) · "
    f"[Feedback](feedback?service={service_id})"
)
since = st.radio(
    "Compare with", [PREVIOUS_RUN, LAST_WEEK], horizontal=True, format_func=str.capitalize
)

reach_notes(service_id, summary.latest_run.started_at if summary.latest_run else None)

groups = [
    ("Accessibility", [MeasureId.accessibility, MeasureId.open_serious_issues]),
    ("Branding", [MeasureId.brand_compliance]),
    ("Journeys", [MeasureId.journey_completion]),
    ("Residents", [MeasureId.satisfaction, MeasureId.page_useful]),
]
for column, (title, measures) in zip(st.columns(4), groups, strict=True):
    with column, st.container(border=True):
        st.subheader(title, anchor=False)
        for measure in measures:
            if measure in summary.measures:
                measure_card(summary.measures[measure], since)
        if title == "Accessibility":
            st.markdown(f"Accessibility statement: {summary.statement.value}")

st.header("Trends", anchor=False)
left, right = st.columns(2, gap="large")
with left:
    audit_trend_chart(
        data.audit_trend(14, service_id),
        "Accessibility and branding, last 14 runs",
        "service-audit-trend",
    )
weeks = data.weekly_trend(12, (service_id,))
with right:
    weekly_trend_chart(weeks, "service-weekly-trend")
ratings_by_week_chart(
    weeks, "Residents' answers each week, worst to best", "service-ratings-by-week"
)

st.header("What residents said recently", anchor=False)
if not auth.viewer().may_read_comments(service_id):
    st.info("Residents' comments are shown to the service's owner and the digital team.")
else:
    recent = data.comments(CommentFilter(service_ids=(service_id,)), limit=10)
    if not recent:
        st.write("No comments yet.")
    for comment in recent:
        with st.container(border=True):
            # Residents' words are shown as plain text: never as Markdown or HTML.
            st.text(f"{comment.answer} · {comment.page} · {when(comment.received_at)}")
            st.text(comment.words)
    st.markdown(f"[Every comment, by rating](feedback?service={service_id})")
