"""Audits: run history, and "Run audit now" for one service, with live progress."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import auth, data, runner
from dashboard.components import data_table, pick_service
from monitor.audit import AuditRefused
from monitor.settings import get_settings

st.title("Audits")

st.header("Run an audit now")
viewer = auth.viewer()
config = data.council()
if not viewer.may_run_audits:
    st.info("Audits on demand are for the digital team.")
elif config is None:
    st.error("The configuration has problems (see the top of the page); fix them to run audits.")
else:
    configured = {s.id for s in config.services}
    service_id = pick_service("Service to audit", key="audit-service")
    if service_id and service_id not in configured:
        st.warning("This service is not in services.yaml, so it cannot be audited.")
    elif service_id and st.button("Run audit now", type="primary"):
        try:
            runner.start(service_id, get_settings(), config, data.repository())
        except AuditRefused as exc:
            st.error(f"Not started: {exc}")
        else:
            st.success("Audit started. Its progress is shown below; you can keep working.")


@st.fragment(run_every=timedelta(seconds=2))
def progress() -> None:
    """Polls the running audits without reloading the rest of the page."""
    jobs = runner.jobs()
    active = data.active_runs()
    if not jobs and not active:
        st.markdown("No audit is running.")
        return
    for job in jobs:
        with st.container(border=True):
            st.text(f"{job.service_id}: {job.status}")
            if job.progress is not None and job.progress.found:
                done = job.progress.done
                st.progress(
                    min(done / job.progress.found, 1.0),
                    text=f"{done} of {job.progress.found} pages (audited {job.progress.audited}, "
                    f"carried {job.progress.carried}, failed {job.progress.failed})",
                )
            if job.error:
                st.text(f"Problem: {job.error}")
    for run in active:
        if any(j.run_id == run.id for j in jobs):
            continue
        counts = data.run_progress(run.id or 0)
        st.text(
            f"Run {run.id} ({run.trigger}, {', '.join(run.service_ids)}): {run.status}, "
            f"{sum(counts.values())} pages so far"
        )


st.header("Running now")
progress()

st.header("Run history")
st.caption(
    "Audited: checked in full. Carried: unchanged since their last full audit, so their "
    "findings are carried forward as seen in this run; of those, revalidated: found "
    "unchanged over HTTP without opening them in a browser."
)
history = data.audit_runs(50)
data_table(history, "audit-runs")
