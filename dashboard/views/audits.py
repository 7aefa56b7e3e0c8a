"""Audits: "Run audit now" (or a full audit) for one service with progress that ends when
the run does, the history of runs, and the pages each run could not judge and why."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import auth, data, runner
from dashboard.components import pick_service, table, when
from monitor import humanise
from monitor.audit import AuditRefused
from monitor.settings import get_settings

st.title("Audits")

st.header("Run an audit now", anchor=False)
viewer = auth.viewer()
config = data.council()
if not viewer.may_run_audits:
    st.info("Audits on demand are for the digital team.")
elif config is None:
    st.error("The configuration has problems (see the top of the page); fix them to run audits.")
else:
    configured = {s.id for s in config.services}
    service_id = pick_service("Service to audit", key="audit-service")
    full = st.checkbox(
        "Full audit: check every page again, unchanged ones too (slower; use it after a "
        "change the checks cannot see, such as a new style sheet on another server)"
    )
    if service_id and service_id not in configured:
        st.warning("This service is not in services.yaml, so it cannot be audited.")
    elif service_id and st.button("Run audit now", type="primary"):
        try:
            runner.start(service_id, get_settings(), config, data.repository(), full=full)
        except AuditRefused as exc:
            st.error(f"Not started: {exc}")
        else:
            st.success("Audit started. Its progress is shown below; you can keep working.")


def progress() -> None:
    """Running audits, redrawn every two seconds while any runs; when the last one ends,
    the whole page is drawn again, so the history shows it and the polling stops."""
    going = runner.running()
    active = [r for r in data.active_runs() if not any(j.run_id == r.id for j in going)]
    if not going and not active:
        if st.session_state.pop("audits-polling", False):
            data.audit_runs.clear()
            data.page_problems.clear()
            st.rerun(scope="app")
        st.markdown("No audit is running.")
        return
    st.session_state["audits-polling"] = True
    for job in going:
        with st.container(border=True):
            kind = "Full audit" if job.full else "Audit"
            st.markdown(f"**{kind} of {data.service_name(job.service_id)}**: {job.status}")
            if job.progress is not None and job.progress.found:
                done = job.progress.done
                st.progress(
                    min(done / job.progress.found, 1.0),
                    text=f"{done} of {job.progress.found} pages (audited {job.progress.audited}, "
                    f"unchanged {job.progress.carried}, failed {job.progress.failed})",
                )
    for run in active:
        counts = data.run_progress(run.id or 0)
        st.markdown(
            f"Run {run.id} ({run.trigger}; {', '.join(run.service_ids)}): {run.status}, "
            f"{counts.done} of {counts.found} pages done"
        )


st.header("Running now", anchor=False)
if runner.running() or data.active_runs():
    st.fragment(progress, run_every=timedelta(seconds=2))()
else:
    progress()

done = runner.finished()[:5]
if done:
    st.header("Finished from this dashboard", anchor=False)
    for job in done:
        outcome = job.status.capitalize()
        problem = f": {job.error}" if job.error else ""
        st.markdown(
            f"- {data.service_name(job.service_id)}: {outcome}"
            + (f" (run {job.run_id})" if job.run_id else "")
            + problem
        )

st.header("Run history", anchor=False)
st.markdown(
    "Audited: checked in full. Unchanged: the same as at their last full audit, so their "
    "findings are carried forward as seen in this run; of those, confirmed over HTTP: "
    "found unchanged without opening them in a browser."
)
history = data.audit_runs(50)
table(
    [
        {
            "Run": r.run_id,
            "Began (UK time)": when(r.started_at),
            "Started by": r.trigger,
            "Status": r.status.label,
            "Full audit": "Yes" if r.full_audit else "No",
            "Services": len(r.service_ids),
            "Took": humanise.seconds(r.seconds),
            "Pages found": r.pages_found,
            "Audited": r.pages_audited,
            "Unchanged": r.pages_carried,
            "Confirmed over HTTP": r.pages_revalidated,
            "Failed": r.pages_failed,
            "Problem": r.error,
        }
        for r in history
    ],
    "audit-runs",
    title="Audit runs",
    columns=[
        "Run",
        "Began (UK time)",
        "Started by",
        "Status",
        "Full audit",
        "Services",
        "Took",
        "Pages found",
        "Audited",
        "Unchanged",
        "Confirmed over HTTP",
        "Failed",
        "Problem",
    ],
)

st.header("Pages a run could not judge", anchor=False)
if history:
    run_id = st.selectbox(
        "Run",
        [r.run_id for r in history],
        format_func=lambda i: next(
            f"Run {r.run_id}, {when(r.started_at)}: {r.pages_failed} failed"
            for r in history
            if r.run_id == i
        ),
    )
    problems = data.page_problems((run_id,))
    if not problems:
        st.markdown("Every page of this run was judged by every check.")
    table(
        [
            {
                "Page": p.url,
                "Service": data.service_name(p.service_id),
                "What happened": p.what,
                "Kind": p.kind,
                "Why": p.reason,
            }
            for p in problems
        ],
        "pages-not-judged",
        title="Pages not judged",
        columns=["Page", "Service", "What happened", "Kind", "Why"],
    )
    st.markdown(
        "A page that failed could not be loaded or audited. A check that could not judge a "
        "page is the monitor's fault, never the page's: that check's issues on the page "
        "stay as they were, and the other checks' findings stand."
    )
