"""Journeys: run history, step timings, failures with screenshots, flaky runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.components import chart_with_table, data_table, pick_service
from monitor.settings import get_settings

st.title("Resident journeys")
service_id = pick_service()
if service_id is None:
    st.stop()

weeks = data.weekly_trend(12, (service_id,))
chart_with_table(
    weeks,
    x="week",
    y=["journey_completion_%"],
    title="Journey completion by week (first attempts)",
    y_label="%",
)

history = data.journey_history((service_id,), 200)
st.header("Run history")
if history.empty:
    st.info("No journey has been replayed for this service yet.")
    st.stop()
only_problems = st.toggle("Only failed, errored or flaky runs")
shown = history
if only_problems:
    shown = history[(history.outcome != "completed") | history.flaky]
data_table(
    shown[
        ["started", "journey", "attempt", "outcome", "flaky", "failed_step", "seconds", "reason"]
    ],
    "journey-runs",
)
a, b, c = st.columns(3)
a.metric("Runs shown", len(history))
b.metric("Failed or errored", int((history.outcome != "completed").sum()))
c.metric("Flaky (passed on retry)", int(history.flaky.sum()))

st.header("Step timings, last 30 days")
chart_steps = data.journey_steps(service_id)
chart_with_table(
    chart_steps.assign(step_name=[f"{r.step + 1}. {r.name}" for r in chart_steps.itertuples()])
    if not chart_steps.empty
    else chart_steps,
    x="step_name" if not chart_steps.empty else "step",
    y=["avg_seconds", "slowest_seconds"],
    title="Average and slowest time per step",
    kind="bar",
    y_label="seconds",
)

st.header("Latest failures")
failures = history[history.outcome != "completed"].head(5)
if failures.empty:
    st.success("No failures in the runs shown.")
for row in failures.itertuples():
    with st.container(border=True):
        st.text(f"{row.started:%d %b %Y %H:%M} · {row.journey} · attempt {row.attempt}")
        st.text(row.reason or "No reason recorded")
        path = Path(row.screenshot) if row.screenshot else None
        if path is not None and not path.is_absolute():
            path = get_settings().data_dir / path
        if path is not None and path.is_file():
            st.image(str(path), caption=f"Screen when {row.journey} failed")
        else:
            st.markdown("No screenshot kept for this failure.")
