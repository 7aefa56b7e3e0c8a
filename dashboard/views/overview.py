"""Overview: every Ambition 1 measure against its target, trends, and services by need."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import chart_with_table, data_table, measure_card, status_plain
from monitor.config import MeasureId

st.title("Ambition 1: improve residents' digital experience")

period = st.selectbox(
    "Period for resident and journey measures",
    [7, 30, 90],
    index=1,
    format_func=lambda d: f"Last {d} days",
)
overview = data.overview(period)
st.markdown(
    f"Satisfaction, page usefulness and journeys: last {period} days, compared with the "
    f"{period} days before. Accessibility and branding: each service's latest audit run, "
    "compared with the run before."
)

st.header("Measures against their targets")
shown = [m for m in data.MEASURE_ORDER if m in overview.overall]
for start in range(0, len(shown), 4):
    columns = st.columns(4)
    for column, measure in zip(columns, shown[start : start + 4], strict=False):
        with column, st.container(border=True):
            measure_card(overview.overall[measure])

table = pd.DataFrame(
    [
        {
            "Measure": r.label,
            "Value": r.shown(),
            "Target": r.shown(r.target),
            "Status": r.status.value,
            "Change": r.change_words(),
        }
        for r in (overview.overall[m] for m in shown)
    ]
)
with st.expander("The measures as a table"):
    data_table(table, "measures")

st.header("Open accessibility issues by severity")
impacts = ["critical", "serious", "moderate", "minor", "unknown"]
by_impact = pd.DataFrame(
    [
        {"Severity": i, "Open issues": overview.open_by_impact.get(i, 0)}
        for i in impacts
        if i != "unknown" or overview.open_by_impact.get(i)
    ]
)
st.markdown("Acknowledged issues whose acknowledgement has not expired are not counted.")
chart_with_table(
    by_impact, x="Severity", y=["Open issues"], title="Open issues by severity", kind="bar"
)

st.header("Trends")
left, right = st.columns(2)
with left:
    runs = data.audit_trend(14)
    chart_with_table(
        runs,
        x="run",
        y=["accessibility_%", "brand_%"],
        title="Accessibility and branding over the last 14 audit runs",
        y_label="% of pages",
    )
with right:
    weeks = data.weekly_trend(12)
    chart_with_table(
        weeks,
        x="week",
        y=["satisfaction_%", "page_useful_%", "journey_completion_%"],
        title="Residents and journeys over the last 12 weeks",
        y_label="%",
    )

st.header("Services by need, worst first")
st.markdown(
    "Need counts each measure below target most, then near target, then how far each "
    "measure is from its target. Open a service to see what to fix first."
)
ranked = []
for rank, service in enumerate(overview.services, start=1):
    row: dict[str, object] = {
        "Rank": rank,
        "Service": service.name,
        "Need": service.need,
    }
    for measure in (
        MeasureId.satisfaction,
        MeasureId.journey_completion,
        MeasureId.accessibility,
        MeasureId.open_serious_issues,
        MeasureId.brand_compliance,
    ):
        if measure in service.results:
            row[service.results[measure].label] = status_plain(service.results[measure])
    row["Accessibility statement"] = service.statement
    row["Scorecard"] = f"service?service={service.service_id}"
    ranked.append(row)
data_table(
    pd.DataFrame(ranked),
    "services-by-need",
    column_config={
        "Scorecard": st.column_config.LinkColumn("Scorecard", display_text="Open scorecard")
    },
)
