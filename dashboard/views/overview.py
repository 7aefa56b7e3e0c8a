"""Overview: every Ambition 1 measure against its target, the services that need most
attention (yours first), open issues by severity, and the trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.components import (
    SEVERITY_COLOURS,
    audit_trend_chart,
    chart_and_table,
    measures_table,
    ordered_bars,
    status_plain,
    table,
    weekly_trend_chart,
)
from monitor.config import MeasureId
from monitor.measures import MEASURE_ORDER
from monitor.measures.overview import LAST_WEEK
from monitor.vocabulary import Impact

st.title("Ambition 1: improve residents' digital experience")
period = st.columns([1, 3])[0].selectbox(
    "Period for residents' and journey measures",
    [7, 30, 90],
    index=1,
    format_func=lambda d: f"Last {d} days",
)
overview = data.overview(period)
st.markdown(
    f"Residents' answers and journeys: the last {period} days. Accessibility and "
    "branding: each service's latest audit. Each is compared with the same figure a week "
    f"ago. A share of residents' answers needs at least {data.rules().min_responses} answers."
)

own = [s for s in overview.services if s.service_id in auth.viewer().services]
SHOWN_MEASURES = (
    MeasureId.satisfaction,
    MeasureId.journey_completion,
    MeasureId.accessibility,
    MeasureId.open_serious_issues,
    MeasureId.brand_compliance,
)


def service_rows(rows: list) -> list[dict[str, object]]:
    out = []
    for rank, service in enumerate(rows, start=1):
        row: dict[str, object] = {
            "Summary": f"summary?service={service.service_id}",
            "Rank": rank,
            "Service": service.name,
            "Needs attention": service.attention,
        }
        for measure in SHOWN_MEASURES:
            if measure in service.results:
                row[service.results[measure].label] = status_plain(service.results[measure])
        row["Accessibility statement"] = service.statement.value
        out.append(row)
    return out


if own:
    st.header("Your services", anchor=False)
    table(service_rows(own), "your-services", title="Your services", links={"Summary": "Open"})

left, right = st.columns([1, 1.3], gap="large")
with left:
    st.header("Measures, all services", anchor=False)
    measures_table(
        [overview.overall[m] for m in MEASURE_ORDER if m in overview.overall], [LAST_WEEK]
    )
with right:
    st.header("Services by need, most first", anchor=False)
    st.markdown(
        "Each measure below target counts most, then near target, then how far from its "
        "target. Open a service's summary to see what to fix first."
    )
    table(
        service_rows(overview.services),
        "services-by-need",
        title="Services by need",
        links={"Summary": "Open"},
        height=320,
    )

st.header("Open accessibility issues by severity", anchor=False)
st.markdown("Issues acknowledged until a date still to come are not counted.")
severity = pd.DataFrame(
    [
        {"Severity": impact.label, "Open issues": overview.open_by_impact.get(impact, 0)}
        for impact in Impact.most_severe_first()
    ]
)
chart_and_table(
    "Open issues by severity",
    ordered_bars(
        severity,
        category="Severity",
        value="Open issues",
        order=[i.label for i in Impact.most_severe_first()],
        colours=SEVERITY_COLOURS,
    ),
    severity,
    "open-issues-by-severity",
)

st.header("Trends", anchor=False)
trend_left, trend_right = st.columns(2, gap="large")
with trend_left:
    audit_trend_chart(
        data.audit_trend(14), "Accessibility and branding, last 14 audit runs", "audit-run-trend"
    )
with trend_right:
    weekly_trend_chart(data.weekly_trend(12), "weekly-trend")
    st.markdown(
        "The week in progress is left out until it is over. A week with fewer than "
        f"{data.rules().min_responses} answers has no percentage (a gap in the line)."
    )
