"""Feedback: ratings over time, the satisfaction trend, and residents' comments."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import chart_with_table, download_csv, service_name
from monitor.access import comment_services
from monitor.measures import RATING_LABELS

st.title("Resident feedback")
services = data.services()
names = dict(services)
chosen = st.multiselect(
    "Services (none chosen: all)", [s for s, _ in services], format_func=lambda s: names[s]
)
service_filter = tuple(chosen) if chosen else None

weeks = data.weekly_trend(12, service_filter)
chart_with_table(
    weeks,
    x="week",
    y=list(RATING_LABELS.values()),
    title="Ratings each week (how many residents chose each answer)",
    kind="bar",
    y_label="ratings",
)
chart_with_table(
    weeks,
    x="week",
    y=["satisfaction_%", "page_useful_%"],
    title="Satisfaction and pages found useful, by week",
    y_label="%",
)

st.header("Comments")
viewer = auth.viewer()
readable = comment_services(viewer, chosen or [s for s, _ in services])
if not readable:
    st.info("Residents' comments are shown to each service's owner and the digital team.")
    st.stop()
if not viewer.sees_everything:
    st.markdown("You see the comments of the services you own.")
left, middle, right = st.columns(3)
search = left.text_input("Search the comments")
page = ""
if len(readable) == 1:
    pages = ["", *data.feedback_pages(readable[0])]
    page = middle.selectbox("Page", pages, format_func=lambda p: p or "All pages")
period = right.date_input(
    "Received between", value=(date.today() - timedelta(days=90), date.today())
)
since, until = (
    (period[0], period[1])
    if isinstance(period, tuple) and len(period) == 2
    else (
        None,
        None,
    )
)
found = data.comments(tuple(readable), search.strip(), page, since, until, 100)
st.markdown(f"{len(found)} comments shown (newest first, at most 100). Personal data is redacted.")
if not found.empty:
    download_csv(found, "resident-comments")
for row in found.itertuples():
    with st.container(border=True):
        answer = (
            RATING_LABELS.get(int(row.rating))
            if pd.notna(row.rating)
            else ("Page useful: " + ("yes" if row.useful else "no"))
            if pd.notna(row.useful)
            else "Problem report"
        )
        # Residents' words are plain text: never rendered as Markdown or HTML.
        st.text(f"{row.received:%d %b %Y %H:%M} · {service_name(row.service_id)} · {row.page}")
        st.text(f"Answer: {answer}")
        if row.comment:
            st.text(row.comment)
        if row.what_doing:
            st.text(f"What were you doing? {row.what_doing}")
        if row.what_wrong:
            st.text(f"What went wrong? {row.what_wrong}")
