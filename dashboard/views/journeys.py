"""Journeys: run history, step timings, failures with their screenshots, flaky runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import (
    chart_and_table,
    day,
    lines,
    ordered_bars,
    pick_service,
    table,
    when,
)
from monitor.settings import get_settings

OUTCOMES = {
    "completed": "Completed",
    "completed-up-to-stop": "Completed up to the stop before submitting",
    "failed": "Failed (the service broke)",
    "errored": "Errored (the monitor broke, not the service)",
    "running": "Running",
}

st.title("Resident journeys")
service_id = pick_service(key="journeys-service")
if service_id is None:
    st.stop()

weeks = pd.DataFrame(
    [
        {"Week of": day(w.week), "Journey completion (%)": w.journey_completion}
        for w in data.weekly_trend(12, (service_id,))
        if not w.partial
    ],
    columns=["Week of", "Journey completion (%)"],
)
chart_and_table(
    "Journey completion by complete week",
    lines(weeks, x="Week of", series=["Journey completion (%)"], y_title="%"),
    weeks.round(1),
    "journey-completion-by-week",
)

history = data.journey_history((service_id,), 200)
st.header("Run history", anchor=False)
if not history:
    st.info("No journey has been replayed for this service yet.")
    st.stop()
only_problems = st.toggle("Only failed, errored or flaky runs")
shown = [h for h in history if not only_problems or not h.succeeded or h.flaky]
a, b, c = st.columns(3)
a.metric("Attempts shown", len(history))
b.metric("Failed or errored", sum(1 for h in history if not h.succeeded))
c.metric("Flaky (passed on a retry)", sum(1 for h in history if h.flaky))
table(
    [
        {
            "Began (UK time)": when(h.started_at),
            "Journey": h.journey_id,
            "Attempt": h.attempt,
            "Outcome": OUTCOMES.get(h.outcome, h.outcome),
            "Flaky": "Yes" if h.flaky else "No",
            "Failed at step": h.failed_step,
            "Seconds": None if h.seconds is None else round(h.seconds, 1),
            "Why": h.reason,
        }
        for h in shown
    ],
    "journey-attempts",
    title="Journey attempts",
    columns=[
        "Began (UK time)",
        "Journey",
        "Attempt",
        "Outcome",
        "Flaky",
        "Failed at step",
        "Seconds",
        "Why",
    ],
)

st.header("Step timings, last 30 days", anchor=False)
steps = pd.DataFrame(
    [
        {
            "Step": f"{s.journey_id}: {s.index}. {s.name}",
            "Average seconds": s.average_seconds,
            "Slowest seconds": s.slowest_seconds,
            "Runs": s.runs,
            "Failures": s.failures,
        }
        for s in data.journey_steps(service_id)
    ],
    columns=["Step", "Average seconds", "Slowest seconds", "Runs", "Failures"],
)
chart_and_table(
    "Average time per step",
    ordered_bars(
        steps.fillna(0),
        category="Step",
        value="Average seconds",
        order=list(steps["Step"]),
        colours={step: "#1d3f6e" for step in steps["Step"]},
    ),
    steps,
    "journey-step-timings",
)

st.header("Latest failures", anchor=False)
failures = [h for h in history if h.outcome == "failed"][:5]
if not failures:
    st.success("No failures in the attempts shown.")
for row in failures:
    with st.container(border=True):
        step = f" at step {row.failed_step}" if row.failed_step is not None else ""
        st.text(f"{when(row.started_at)} · {row.journey_id} · attempt {row.attempt}{step}")
        st.text(row.reason or "No reason recorded")
        path = Path(row.screenshot) if row.screenshot else None
        if path is not None and not path.is_absolute():
            path = get_settings().data_dir / path
        if path is not None and path.is_file():
            st.image(
                str(path),
                caption=f"The screen when {row.journey_id} failed{step}",
                alt=f"Screenshot of the page when the journey {row.journey_id} failed{step}: "
                f"{row.reason or 'no reason recorded'}",
            )
        else:
            st.markdown("No screenshot kept for this failure.")
