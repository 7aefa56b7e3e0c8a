"""Branding: which services and pages meet the council's brand rules."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import chart_and_table, pick_service, table, when
from monitor.config import MeasureId

st.title("Branding")
overview = data.overview(30)
rows = [
    {
        "Service": s.name,
        "Brand compliance (%)": None
        if s.results[MeasureId.brand_compliance].value is None
        else round(s.results[MeasureId.brand_compliance].value or 0, 1),
        "Status": s.results[MeasureId.brand_compliance].status.value,
        "Target (%)": s.results[MeasureId.brand_compliance].target,
    }
    for s in overview.services
    if MeasureId.brand_compliance in s.results
]
frame = pd.DataFrame(rows, columns=["Service", "Brand compliance (%)", "Status", "Target (%)"])
frame = frame.sort_values("Brand compliance (%)", na_position="last")
bars = alt.Chart(frame.dropna(subset=["Brand compliance (%)"])).encode(
    y=alt.Y("Service:N", sort=None, title=None),
    x=alt.X("Brand compliance (%):Q", scale=alt.Scale(domain=[0, 100])),
)
chart_and_table(
    "Brand compliance by service, lowest first",
    alt.layer(
        bars.mark_bar(aria=False, color="#1d3f6e"),
        bars.mark_text(align="left", dx=4, aria=False, color="#0b0c0c").encode(
            text=alt.Text("Brand compliance (%):Q", format=".1f")
        ),
    ).properties(height=max(80, 28 * len(frame))),
    frame,
    "brand-compliance-by-service",
)

st.header("Pages of one service", anchor=False)
service_id = pick_service(key="branding-service")
if service_id:
    card = overview.service(service_id)
    if card is None or card.latest_run is None:
        st.info("No audit run has checked this service's brand yet.")
    else:
        st.markdown(
            f"Audit run {card.latest_run.run_id}, begun {when(card.latest_run.started_at)}; "
            f"pages that fail a rule first. [Brand issues of this service]"
            f"(issues?service={service_id}&kind=branding)"
        )
        table(
            [
                {
                    "Page": p.url,
                    "Brand score": round(p.score),
                    "Meets every rule": "Yes" if p.passed else "No",
                    "Rules failed": ", ".join(p.failed_rules),
                }
                for p in data.brand_pages(service_id, card.latest_run.run_id)
            ],
            "brand-pages",
            title="Brand results by page",
            columns=["Page", "Brand score", "Meets every rule", "Rules failed"],
        )
