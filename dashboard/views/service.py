"""Service scorecard: one service's four pillars, what changed, what to fix first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import chart_with_table, data_table, measure_card, pick_service
from monitor.config import MeasureId
from monitor.measures import RATING_LABELS

st.title("Service scorecard")
service_id = pick_service()
if service_id is None:
    st.stop()

overview = data.overview(30, (service_id,))
found = [s for s in overview.services if s.service_id == service_id]
if not found:
    st.info("Nothing has been recorded for this service yet.")
    st.stop()
card = found[0]
st.header(card.name)
access = data.access_note(service_id)
if access is not None and (access.sign_in_failed or access.needs_sign_in):
    # Pages not reached are not barriers: their issues stay as they were.
    st.warning(" ".join(access.lines()))
elif access is not None and access.signed_in:
    st.caption(f"Audited signed in: {access.signed_in} page(s) seen as a resident with an account.")

pillars = st.columns(4)
groups = [
    ("Accessibility", [MeasureId.accessibility, MeasureId.open_serious_issues]),
    ("Branding", [MeasureId.brand_compliance]),
    ("Journeys", [MeasureId.journey_completion]),
    ("Residents", [MeasureId.satisfaction, MeasureId.page_useful]),
]
for column, (title, measures) in zip(pillars, groups, strict=True):
    with column, st.container(border=True):
        st.subheader(title)
        for measure in measures:
            if measure in card.results:
                measure_card(card.results[measure])
        if title == "Accessibility":
            st.text(f"Accessibility statement: {card.statement}")

st.header("What changed since the last run")
changes = data.service_changes(service_id, card.latest_run)
journeys = data.journey_history((service_id,), 50)
latest_journeys = journeys[journeys.run == journeys.run.max()] if not journeys.empty else journeys
failures = (
    latest_journeys[latest_journeys.outcome != "completed"]
    if not latest_journeys.empty
    else latest_journeys
)
shift = data.rating_shift(service_id)
a, b, c, d = st.columns(4)
a.metric("New issues", len(changes["new"]))
b.metric("Fixed issues", len(changes["fixed"]))
c.metric("Journey failures", len(failures))
if shift["now"] is not None and shift["before"] is not None:
    d.metric(
        "Average rating, last 7 days",
        f"{shift['now']:.2f} of 5",
        delta=f"{shift['now'] - shift['before']:+.2f} on the week before",
    )
else:
    d.metric(
        "Average rating, last 7 days",
        "No data" if shift["now"] is None else f"{shift['now']:.2f} of 5",
    )
if changes["new"]:
    st.markdown("**New issues**")
    data_table(
        pd.DataFrame(changes["new"])[["rule", "wcag", "impact", "pages_affected", "message"]],
        "new-issues",
    )
if changes["fixed"]:
    st.markdown("**Fixed issues**")
    data_table(
        pd.DataFrame(changes["fixed"])[["rule", "wcag", "impact", "pages_affected"]], "fixed-issues"
    )
if not failures.empty:
    st.markdown("**Journey failures**")
    data_table(
        failures[["journey", "attempt", "outcome", "failed_step", "reason"]], "journey-failures"
    )

st.header("Issues to fix first")
st.markdown("Ranked by severity × pages affected × whether the issue sits on a resident journey.")
first = data.issues((service_id,), statuses=("new", "open", "reopened"), limit=20)
if first.empty:
    st.success("No open accessibility issues.")
else:
    data_table(
        first[["priority", "rule", "wcag", "impact", "pages_affected", "on_journey", "message"]],
        "issues-to-fix-first",
    )

st.header("Trends")
left, right = st.columns(2)
with left:
    chart_with_table(
        data.audit_trend(14, service_id),
        x="run",
        y=["accessibility_%", "brand_%"],
        title="Accessibility and branding, last 14 runs",
    )
with right:
    chart_with_table(
        data.weekly_trend(12, (service_id,)),
        x="week",
        y=["satisfaction_%", "page_useful_%", "journey_completion_%"],
        title="Residents and journeys, last 12 weeks",
    )

st.header("What residents said recently")
if not auth.viewer().may_read_comments(service_id):
    st.info("Residents' comments are shown to the service's owner and the digital team.")
else:
    recent = data.comments((service_id,), limit=20)
    if recent.empty:
        st.write("No comments yet.")
    for row in recent.itertuples():
        with st.container(border=True):
            rating = RATING_LABELS.get(int(row.rating)) if pd.notna(row.rating) else None
            # Residents' words are shown as plain text: never as Markdown or HTML.
            answer = rating or row.kind.replace("_", " ")
            st.text(f"{row.received:%d %b %Y %H:%M} · {row.page} · {answer}")
            st.text(row.comment or row.what_wrong or row.what_doing)
