"""One issue: what it is in plain English, who it stops, the pages and elements, the
snippet, a screenshot of the element where one was kept, its history, and the form to
acknowledge it. Reached as ``/issue?id=42``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import streamlit as st

from dashboard import auth, data
from dashboard.components import day, md, table, when
from monitor import humanise
from monitor.acknowledgements import AcknowledgementRefused, day_of, today_in
from monitor.models import FindingOutcome
from monitor.repository.read import path_of
from monitor.settings import get_settings
from monitor.vocabulary import IssueState

raw = st.query_params.get("id", "")
ranked = data.issue(int(raw)) if raw.isdigit() else None
if ranked is None:
    st.title("Issue not found")
    st.markdown(f"There is no issue {md(raw)}." if raw else "Open an issue from the issues view.")
    st.page_link("views/issues.py", label="All issues")
    st.stop()

issue = ranked.issue
barrier = ranked.barrier
service = data.service_name(issue.service_id)
st.title(barrier.title)
st.markdown(
    f"Issue {issue.id} · [{md(service)}](summary?service={issue.service_id}) · "
    f"{issue.kind.label} · **{issue.state.label}**"
    + (f" · {issue.impact.label}" if issue.impact else "")
    + (f" · WCAG {', '.join(issue.wcag)}" if issue.wcag else "")
    + (" · needs a person to check" if issue.outcome is FindingOutcome.needs_review else "")
)

what, numbers = st.columns([2, 1], gap="large")
with what:
    st.subheader("The barrier", anchor=False)
    st.markdown(md(barrier.barrier) if barrier.barrier else md(issue.message))
    if barrier.affects:
        st.markdown(f"**Who it affects:** {md(barrier.affects)}")
    if issue.message and barrier.known:
        st.markdown(f"**What the check saw:** {md(issue.message)}")
    if issue.help_url:
        st.markdown(f"[How to fix it]({issue.help_url})")
with numbers:
    st.subheader("Why it ranks here", anchor=False)
    signals, parts = ranked.signals, ranked.parts
    st.markdown(
        f"Harm to residents **{ranked.harm:.1f}** = severity {parts.severity:g} × reach "
        f"{parts.reach:.2f} × (1 + journey {parts.journey:g} + failures {parts.failures:.2f} "
        f"+ residents {parts.residents:.2f})\n\n"
        f"- {humanise.plural(signals.pages, 'page')} affected\n"
        f"- {'On' if signals.on_journey else 'Not on'} a resident journey\n"
        f"- {humanise.plural(signals.journey_failures, 'journey run')} failed on these pages "
        "in the last 30 days\n"
        f"- {humanise.plural(signals.not_useful, 'resident')} found these pages not useful, "
        f"{humanise.plural(signals.low_ratings, 'low rating')}"
    )

st.subheader("Pages and elements", anchor=False)
pages = data.issue_pages(issue.id)
table(
    [{"Page": p.url, "Element": p.element, "Snippet": p.snippet} for p in pages],
    f"issue-{issue.id}-pages",
    title="Pages and elements",
    columns=["Page", "Element", "Snippet"],
)
if pages and pages[0].snippet:
    st.markdown("The element as the check last saw it:")
    # Plain, not highlighted: the highlighter's token colours fall under 4.5:1 on its grey.
    st.code(pages[0].snippet, language=None)

evidence = [
    row
    for row in data.brand_evidence(data.issue_page_ids(issue.id))
    if issue.check == "branding" and row.header_screenshot
]
for row in evidence[:2]:
    path = Path(row.header_screenshot or "")
    if not path.is_absolute():
        path = get_settings().data_dir / path
    if path.is_file():
        st.image(
            str(path),
            caption=f"The header of {path_of(row.url)} when it was last checked",
            alt=f"Screenshot of the page header of {row.url}",
        )

st.subheader("History", anchor=False)
history = [
    f"- First seen {when(issue.first_seen_at)} (audit run {issue.first_seen_run_id})",
    f"- Last seen {when(issue.last_seen_at)} (audit run {issue.last_seen_run_id})",
]
if issue.fixed_at:
    history.append(f"- Fixed {when(issue.fixed_at)}")
if issue.reopened_count:
    history.append(f"- Came back after a fix {humanise.plural(issue.reopened_count, 'time')}")
if issue.ack_by:
    until = humanise.long_day(day_of(issue.ack_until, data.timezone())) if issue.ack_until else None
    history.append(
        f"- Acknowledged by {md(issue.ack_by)} on {day(issue.ack_at)}: {md(issue.ack_reason or '')}"
        + (f" (until {until}; it counts again from that day)" if until else " (no end date)")
    )
st.markdown("\n".join(history))

viewer = auth.viewer()
if issue.state is not IssueState.fixed and viewer.may_acknowledge(issue.service_id):
    with st.form("acknowledge"):
        st.subheader("Acknowledge this issue", anchor=False)
        st.markdown(
            "An acknowledged issue stops counting against the measures until the date you "
            "give, and counts again from the start of that day (UK time). It stays on the "
            "issues list and in the accessibility report, with your reason."
        )
        by = st.text_input("Your name or email", value=viewer.email or "")
        reason = st.text_area("Reason", max_chars=1000)
        tomorrow = today_in(data.timezone()) + timedelta(days=1)
        until_date = st.date_input(
            "Until", value=tomorrow + timedelta(days=89), min_value=tomorrow, format="DD/MM/YYYY"
        )
        if st.form_submit_button("Acknowledge"):
            try:
                if not isinstance(until_date, date):
                    raise AcknowledgementRefused("give the date the acknowledgement ends")
                data.acknowledge(issue.id, by, reason, until_date)
            except AcknowledgementRefused as exc:
                st.error(str(exc))
            else:
                st.success(f"Issue {issue.id} acknowledged until {humanise.long_day(until_date)}.")
