"""Issues of every kind in one place (accessibility, branding, links, the accessibility
statement, documents, and those met on resident journeys), most harm to residents
first. ``/issues?service=report-a-pothole&kind=branding`` opens it filtered."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.components import day, md, pick_service, table, when
from monitor.repository.read import IssueFilter
from monitor.vocabulary import OPEN_STATES, Impact, IssueKind, IssueState

SHOWN = 500

st.title("Issues")
service_col, kind_col, impact_col, state_col = st.columns([1.2, 1.4, 1, 1.2])
with service_col:
    service_id = pick_service(key="issues-service", everything="All services")
wanted_kinds = [
    k for k in (st.query_params.get("kind") or "").split(",") if k in IssueKind.__members__
]
kinds = kind_col.multiselect(
    "Kind (none chosen: every kind)",
    list(IssueKind),
    default=[IssueKind(k) for k in wanted_kinds],
    format_func=lambda k: k.label,
    key="issues-kind",
)
if kinds:
    st.query_params["kind"] = ",".join(k.value for k in kinds)
elif "kind" in st.query_params:
    del st.query_params["kind"]
impacts = impact_col.multiselect(
    "Impact", Impact.most_severe_first(), format_func=lambda i: i.label, key="issues-impact"
)
states = state_col.multiselect(
    "State",
    list(IssueState),
    default=list(OPEN_STATES),
    format_func=lambda s: s.label,
    key="issues-state",
)

wanted = IssueFilter(
    service_ids=(service_id,) if service_id else None,
    kinds=tuple(kinds),
    impacts=tuple(impacts),
    states=tuple(states),
)
ranked = data.ranked_issues(wanted)
total = len(ranked)  # the count is of the very issues listed
st.markdown(
    f"**{total} issue{'s' if total != 1 else ''}** match"
    f"{'es' if total == 1 else ''}, most harm to residents first "
    f"(severity, pages, journeys and what residents said: see the README's fix-first "
    f"formula). Acknowledged issues are listed when you choose that state."
    + (f" The first {SHOWN} are shown." if total > SHOWN else "")
)

table(
    [
        {
            "Issue": f"issue?id={r.issue.id}",
            "What is wrong": r.barrier.title,
            "Service": data.service_name(r.issue.service_id),
            "Kind": r.issue.kind.label,
            "Impact": r.issue.impact.label if r.issue.impact else "",
            "State": r.issue.state.label,
            "WCAG": ", ".join(r.issue.wcag),
            "Pages": r.signals.pages,
            "On a journey": "Yes" if r.signals.on_journey else "No",
            "Harm": round(r.harm, 1),
            "Last seen": day(r.issue.last_seen_at),
        }
        for r in ranked[:SHOWN]
    ],
    "issues",
    title="Issues",
    columns=[
        "Issue",
        "What is wrong",
        "Service",
        "Kind",
        "Impact",
        "State",
        "WCAG",
        "Pages",
        "On a journey",
        "Harm",
        "Last seen",
    ],
    links={"Issue": r"issue\?id=(\d+)"},
)

# Web pages and documents fail WCAG criteria; of them, the kinds chosen above (both when
# none is), so the criteria count the very issues listed.
wcag_kinds = tuple(
    k for k in (IssueKind.accessibility, IssueKind.documents) if not kinds or k in kinds
)
if wcag_kinds:
    st.header("Accessibility issues by WCAG success criterion", anchor=False)
    st.markdown("An issue that fails two criteria is counted under each of them.")
    grouped = data.issues_by_criterion(
        IssueFilter(
            service_ids=wanted.service_ids,
            kinds=wcag_kinds,
            impacts=wanted.impacts,
            states=wanted.states,
        )
    )
    table(
        [
            {
                "WCAG criterion": row.criterion,
                "Rule": row.rule,
                "Issues": row.issues,
                "Pages": row.pages,
                "Worst impact": row.worst.label if row.worst else "",
            }
            for row in grouped
        ],
        "issues-by-wcag-criterion",
        title="Issues by WCAG criterion",
        columns=["WCAG criterion", "Rule", "Issues", "Pages", "Worst impact"],
    )

if not kinds or IssueKind.journeys in kinds:
    st.header("Journeys failing now", anchor=False)
    failing = data.failing_journeys((service_id,) if service_id else None)
    if not failing:
        st.markdown("No journey's latest run failed.")
    else:
        table(
            [
                {
                    "Service": data.service_name(j.service_id),
                    "Journey": j.journey_id,
                    "Failed at step": j.failed_step,
                    "Why": j.reason,
                    "When": when(j.started_at),
                }
                for j in failing
            ],
            "journeys-failing-now",
            title="Journeys failing now",
            columns=["Service", "Journey", "Failed at step", "Why", "When"],
        )
        st.markdown(md("Screenshots and step timings are in the journeys view."))
