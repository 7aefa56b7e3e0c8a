"""This morning: one service's status, change, what to fix and what residents said, read
in a minute and above the fold at 1366×768."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.components import code, md, measures_table, reach_notes, service_heading, when
from monitor.measures import MEASURE_ORDER
from monitor.measures.fix_first import RankedIssue
from monitor.measures.morning import LAST_WEEK, PREVIOUS_RUN
from monitor.repository.read import CommentFilter, IssueRow, path_of

service_id, summary, top = service_heading("summary-service", "this morning")
with top:
    latest = (
        f"Latest audit began {when(summary.latest_run.started_at)}"
        if summary.latest_run
        else "Not audited yet"
    )
    st.markdown(
        f"{latest} · figures at {when(summary.generated_at)} · "
        f"[Scorecard](service?service={service_id}) · "
        f"[All issues](issues?service={service_id}) · "
        f"[Residents' comments](feedback?service={service_id})"
    )
reach_notes(service_id, summary.latest_run.started_at if summary.latest_run else None)


def issue_line(issue: IssueRow) -> str:
    pages = f"{issue.pages_affected} page{'s' if issue.pages_affected != 1 else ''}"
    impact = issue.impact.label.lower() if issue.impact else "no impact given"
    return f"[{md(issue.rule)}](issue?id={issue.id}) ({impact}, {pages})"


def fix_first_item(number: int, ranked: RankedIssue) -> None:
    issue = ranked.issue
    criteria = ", ".join(issue.wcag)
    facts = [
        issue.impact.label if issue.impact else "No impact given",
        f"WCAG {criteria}" if criteria else issue.kind.label,
        f"{ranked.signals.pages} page{'s' if ranked.signals.pages != 1 else ''}",
    ]
    if ranked.signals.on_journey:
        facts.append("on a journey")
    where = ", ".join(code(path_of(url), 50) for url in ranked.pages[:2])
    more = f" +{len(ranked.pages) - 2}" if len(ranked.pages) > 2 else ""
    element = code(issue.selector, 50)
    # A page link opens the issue in the app, in the same tab (a Markdown link would open
    # a new one).
    st.page_link(
        "views/issue.py",
        label=f"{number}. {md(ranked.barrier.title)}",
        query_params={"id": str(issue.id)},
    )
    st.markdown(
        f"{' · '.join(facts)}  \n{md(ranked.barrier.sentence or issue.message)}"
        f"  \n{'Pages' if len(ranked.pages) > 1 else 'Page'}: {where or 'none recorded'}{more}"
        + (f" · element {element}" if element else "")
    )


measures_col, fix_col, news_col = st.columns([1.25, 1.1, 0.85], gap="medium")
with measures_col:
    st.subheader("Measures against their targets", anchor=False)
    measures_table(
        [summary.measures[m] for m in MEASURE_ORDER if m in summary.measures],
        [PREVIOUS_RUN, LAST_WEEK],
    )
    st.markdown(f"Accessibility statement: {summary.statement.value}.")

with fix_col:
    st.subheader(f"Fix first ({summary.open_issues} open issues)", anchor=False)
    if not summary.fix_first:
        st.markdown("No open issues.")
    for number, ranked in enumerate(summary.fix_first, start=1):
        fix_first_item(number, ranked)
    st.page_link(
        "views/issues.py",
        label="Every issue, ranked by harm to residents",
        query_params={"service": service_id},
    )

with news_col:
    st.subheader("Since the previous run", anchor=False)
    broke, fixed, failed = summary.broke, summary.fixed, summary.journey_failures
    lines = [
        f"**{len(broke)} broke**"
        + (": " + ", ".join(issue_line(i) for i in broke[:2]) if broke else "")
        + (f" and {len(broke) - 2} more" if len(broke) > 2 else ""),
        f"**{len(fixed)} fixed**"
        + (": " + ", ".join(issue_line(i) for i in fixed[:2]) if fixed else "")
        + (f" and {len(fixed) - 2} more" if len(fixed) > 2 else ""),
        f"**{len(failed)} journey run{'s' if len(failed) != 1 else ''} failed**"
        + (
            f": {md(failed[0].journey_id)}"
            + (f" at step {failed[0].failed_step}" if failed[0].failed_step is not None else "")
            if failed
            else ""
        ),
    ]
    st.markdown("  \n".join(lines))

    st.subheader("What residents said", anchor=False)
    if not auth.viewer().may_read_comments(service_id):
        st.markdown("Residents' comments are shown to the service's owner and the digital team.")
    else:
        recent = data.comments(CommentFilter(service_ids=(service_id,)), limit=2)
        if not recent:
            st.markdown("No comments yet.")
        for comment in recent:
            # Residents' words are plain text: never rendered as Markdown or HTML.
            st.text(f"{comment.answer}, {when(comment.received_at)}: {comment.words[:160]}")
    st.page_link(
        "views/feedback.py",
        label="Every comment, by rating",
        query_params={"service": service_id},
    )
