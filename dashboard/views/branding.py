"""Branding: which services and pages meet the council's brand rules."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import chart_with_table, data_table, pick_service
from monitor.config import MeasureId

st.title("Branding")
overview = data.overview(30)
rows = [
    {
        "Service": s.name,
        "Brand compliance %": s.results[MeasureId.brand_compliance].value,
        "Status": s.results[MeasureId.brand_compliance].status.value,
        "Target %": s.results[MeasureId.brand_compliance].target,
    }
    for s in overview.services
    if MeasureId.brand_compliance in s.results
]
frame = pd.DataFrame(rows, columns=["Service", "Brand compliance %", "Status", "Target %"])
frame = frame.sort_values("Brand compliance %", na_position="last")
chart_with_table(
    frame, x="Service", y=["Brand compliance %"], title="Brand compliance by service", kind="bar"
)
data_table(frame, "brand-compliance")

st.header("Pages of one service")
service_id = pick_service()
if service_id:
    card = next((s for s in overview.services if s.service_id == service_id), None)
    if card is None or card.latest_run is None:
        st.info("No audit run has checked this service's brand yet.")
    else:
        st.markdown(f"Audit run {card.latest_run}; pages that fail a rule first.")
        data_table(data.brand_pages(service_id, card.latest_run), "brand-pages")
