"""Feedback: residents' comments with their ratings (filtered by rating, page, words and
dates, twenty at a time), and their answers week by week."""

from __future__ import annotations

import math
from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import (
    chart_and_table,
    comment_cells,
    csv_bytes,
    day,
    lines,
    pick_service,
    ratings_by_week_chart,
    when,
)
from monitor.access import comment_services
from monitor.measures import RATING_LABELS
from monitor.models import utcnow
from monitor.repository.read import CommentFilter

PER_PAGE = 20

st.title("Resident feedback")
service_col, rating_col, search_col, period_col = st.columns([1.2, 1.4, 1, 1.2])
with service_col:
    service_id = pick_service(key="feedback-service", everything="All services")
wanted_ratings = [
    int(r)
    for r in (st.query_params.get("rating") or "").split(",")
    if r in {"1", "2", "3", "4", "5"}
]
ratings = rating_col.multiselect(
    "Rating (none chosen: every answer)",
    list(RATING_LABELS),
    default=wanted_ratings,
    format_func=lambda r: RATING_LABELS[r],
    key="feedback-rating",
)
if ratings:
    st.query_params["rating"] = ",".join(str(r) for r in sorted(ratings))
elif "rating" in st.query_params:
    del st.query_params["rating"]
search = search_col.text_input("Words in the comment")
# A choice of periods rather than a date range: Streamlit's range picker draws day, month
# and year as tiny spin buttons (under WCAG's 24 px target size).
PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months"}
days = period_col.selectbox(
    "Received", [*PERIODS, 0], index=2, format_func=lambda d: PERIODS.get(d, "At any time")
)
since = utcnow() - timedelta(days=days) if days else None

all_ids = [s for s, _ in data.services()]
chosen = [service_id] if service_id else all_ids
viewer = auth.viewer()
readable = comment_services(viewer, chosen)
comments_tab, weeks_tab = st.tabs(["Comments", "Answers each week"])

with comments_tab:
    if not readable:
        st.info("Residents' comments are shown to each service's owner and the digital team.")
    else:
        if not viewer.sees_everything:
            st.markdown("You see the comments of the services you own.")
        page_path = ""
        if service_id and service_id in readable:
            page_path = st.selectbox(
                "Page",
                ["", *data.feedback_pages(service_id)],
                format_func=lambda p: p or "All pages",
            )
        wanted = CommentFilter(
            service_ids=tuple(readable),
            search=search.strip(),
            page_path=page_path,
            since=since,
            ratings=tuple(sorted(ratings)),
        )
        found = data.comment_count(wanted)
        pages = max(1, math.ceil(found / PER_PAGE))
        number = 1
        if pages > 1:
            number = int(
                st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1)
            )
        shown = data.comments(wanted, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
        st.markdown(
            f"{found} comment{'s' if found != 1 else ''}, newest first; {len(shown)} on this "
            "page. Personal data was redacted before anything was stored."
        )
        for comment in shown:
            with st.container(border=True):
                answer = comment.answer
                # Residents' words are plain text: never rendered as Markdown or HTML.
                st.text(
                    f"{answer} · {data.service_name(comment.service_id)} · {comment.page} · "
                    f"{when(comment.received_at)}"
                )
                if comment.comment:
                    st.text(comment.comment)
                if comment.what_doing:
                    st.text(f"What were you doing? {comment.what_doing}")
                if comment.what_wrong:
                    st.text(f"What went wrong? {comment.what_wrong}")
        if shown:
            frame = pd.DataFrame(
                [
                    {
                        "Received (UK time)": when(c.received_at),
                        "Service": data.service_name(c.service_id),
                        **comment_cells(c),
                    }
                    for c in shown
                ]
            )
            st.download_button(
                "Download the comments on this page (CSV)",
                csv_bytes(frame),
                file_name="resident-comments.csv",
                mime="text/csv",
            )

with weeks_tab:
    weeks = data.weekly_trend(12, (service_id,) if service_id else None)
    ratings_by_week_chart(
        weeks, 'Answers to "How satisfied were you?" each week, worst to best', "ratings-by-week"
    )
    shares = pd.DataFrame(
        [
            {
                "Week of": day(w.week),
                "Satisfaction (%)": w.satisfaction,
                "Pages found useful (%)": w.page_useful,
            }
            for w in weeks
            if not w.partial
        ],
        columns=["Week of", "Satisfaction (%)", "Pages found useful (%)"],
    )
    chart_and_table(
        "Satisfaction and pages found useful, complete weeks",
        lines(
            shares, x="Week of", series=["Satisfaction (%)", "Pages found useful (%)"], y_title="%"
        ),
        shares.round(1),
        "satisfaction-by-week",
    )
    st.markdown(
        "The week in progress is counted in the answers above but left out of the shares "
        f"until it is over; a week with fewer than {data.rules().min_responses} answers has "
        "no percentage."
    )
