"""Every view renders over a known history for each kind of viewer, its numbers are exactly
what they should be, and every view opens from its own address."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitor.models import Issue
from monitor.repository import Repository
from monitor.vocabulary import Impact, IssueKind, IssueState
from tests.dashboard.conftest import APP
from tests.dashboard.known import BETA_COMMENT, HTML_COMMENT, LOW_COMMENT

VIEWS = [
    "views/summary.py",
    "views/overview.py",
    "views/service.py",
    "views/issues.py",
    "views/issue.py",
    "views/branding.py",
    "views/journeys.py",
    "views/feedback.py",
    "views/audits.py",
    "views/exports.py",
]
OWNER = "alpha.owner@example.gov.uk"
TEAM = "team@example.gov.uk"
UNLISTED = "someone.else@example.gov.uk"


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["test-query"] = query
    for key, value in query.items():
        at.query_params[key] = value
    return at


def signed_in(email: str, **query: str) -> AppTest:
    at = app(**query)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "dashboard",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": True, "email": email}
    return at


def open_view(at: AppTest, view: str) -> AppTest:
    """Open ``view`` at its address with the query the test gave (the root address runs
    first, as a browser's first visit does)."""
    query = at.session_state["test-query"]
    at.run()
    at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    for item in at.metric:
        if item.label == label:
            return str(item.value)
    raise AssertionError(f"no metric {label!r} in {[m.label for m in at.metric]}")


def texts(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text]


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def frame(at: AppTest, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def issue_ids(at: AppTest) -> list[int]:
    links = frame(at, "What is wrong")["Issue"].tolist()
    return sorted(int(link.split("=")[1]) for link in links)


def chosen_service(at: AppTest) -> Any:
    (picker,) = [s for s in at.selectbox if s.label in ("Service", "Service to audit")]
    return picker.value


@pytest.fixture(autouse=True)
def fresh_caches(dashboard_env: dict[str, str]) -> None:
    st.cache_data.clear()


# --- every view, every viewer ----------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_and_says_it_is_unprotected(view: str) -> None:
    at = open_view(app(service="alpha", id="1"), view)
    assert any("Running unprotected for local use" in w.value for w in at.warning)
    assert at.title, "every view has a heading"


@pytest.mark.parametrize("email", [OWNER, TEAM, UNLISTED])
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_for_the_owner_the_team_and_an_unlisted_user(
    view: str, email: str
) -> None:
    at = open_view(signed_in(email, service="beta", id="5"), view)
    assert not any("Running unprotected" in w.value for w in at.warning)
    assert at.title
    shown = texts(at)
    # Only the digital team may read beta's residents' comments (the owner owns alpha).
    if email == TEAM and view in ("views/summary.py", "views/service.py", "views/feedback.py"):
        assert any(BETA_COMMENT in t for t in shown)
    else:
        assert not any(BETA_COMMENT in t for t in shown)


def test_the_owner_lands_on_their_own_service_this_morning() -> None:
    at = signed_in(OWNER)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Alpha service: this morning"
    assert chosen_service(at) == "alpha"


@pytest.mark.parametrize("email", [TEAM, UNLISTED])
def test_everyone_else_lands_on_the_overview(email: str) -> None:
    at = signed_in(email)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Ambition 1: improve residents' digital experience"


def test_the_owner_sees_their_services_first_on_the_overview() -> None:
    at = signed_in(OWNER)
    at.run()
    at.switch_page("views/overview.py").run()
    yours = frame(at, "Needs attention")
    assert yours.Service.tolist() == ["Alpha service"]
    assert yours.Summary.tolist() == ["summary?service=alpha"]


@pytest.mark.parametrize("view", ["views/service.py", "views/journeys.py", "views/branding.py"])
def test_a_view_of_one_service_opens_on_the_owners_own_service(view: str) -> None:
    at = open_view(signed_in("beta.owner@example.gov.uk"), view)
    assert chosen_service(at) == "beta"  # though alpha is first by name
    at = open_view(signed_in(TEAM), view)
    assert chosen_service(at) == "alpha"  # the team owns none: the first service by name


def test_signed_out_users_are_asked_to_sign_in() -> None:
    at = signed_in(UNLISTED)
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe


# --- deep links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view",
    [
        "views/summary.py",
        "views/service.py",
        "views/issues.py",
        "views/branding.py",
        "views/journeys.py",
        "views/feedback.py",
        "views/audits.py",
        "views/exports.py",
    ],
)
def test_the_service_in_the_address_is_the_one_shown(view: str) -> None:
    at = open_view(app(service="beta"), view)
    pickers = [s for s in at.selectbox if s.label.startswith("Service")]
    assert pickers and pickers[0].value == "beta"


def test_a_chosen_service_goes_into_the_address() -> None:
    at = open_view(app(), "views/service.py")
    (picker,) = [s for s in at.selectbox if s.label == "Service"]
    picker.set_value("beta").run()
    assert at.query_params["service"] == "beta"
    assert at.title[0].value == "Beta service: scorecard"


def test_the_root_address_with_a_service_opens_its_summary() -> None:
    at = app(service="beta")
    at.run()
    assert at.title[0].value == "Beta service: this morning"


def test_an_issue_opens_from_its_address_with_its_pages_and_history() -> None:
    at = open_view(app(id="1"), "views/issue.py")
    assert at.title[0].value == "Text is hard to read against its background"
    pages = frame(at, "Snippet")
    assert sorted(pages.Page.tolist()) == ["https://a.example/", "https://a.example/form"]
    assert set(pages.Element) == {"#color-contrast"}
    assert any('<p class="color-contrast">x</p>' in c.value for c in at.code)
    words = markdown(at)
    assert "Residents with low vision" in words
    assert "First seen" in words and "audit run 1" in words
    assert "Harm to residents **12.0**" in words  # serious 3 × 2 pages × on a journey 2


def test_an_unknown_issue_says_so() -> None:
    at = open_view(app(id="999"), "views/issue.py")
    assert at.title[0].value == "Issue not found"


def test_the_old_accessibility_address_opens_the_issues_filtered() -> None:
    at = open_view(app(service="alpha"), "views/accessibility.py")
    assert at.title[0].value == "Issues"
    assert issue_ids(at) == [1, 2]  # alpha's accessibility issues; its broken link left out


def test_the_kind_in_the_address_filters_the_issues() -> None:
    at = open_view(app(kind="branding"), "views/issues.py")
    assert issue_ids(at) == [6]


def test_the_rating_in_the_address_filters_the_comments() -> None:
    at = open_view(app(service="alpha", rating="2"), "views/feedback.py")
    shown = texts(at)
    assert LOW_COMMENT in shown and HTML_COMMENT not in shown


# --- exact numbers ----------------------------------------------------------------------


def test_overview_measures_are_exact() -> None:
    at = open_view(app(), "views/overview.py")
    measures = markdown(at)
    # Satisfaction: alpha 5,5,4,2 and beta 1,3 → 3 of 6 satisfied.
    assert "| Resident satisfaction | 50.0% |" in measures
    assert "| Pages found useful | 66.7% |" in measures  # 2 yes of 3
    assert "| Journey completion | 50.0% |" in measures  # alpha completed, beta failed
    # Latest run: alpha 2 of 2 pages clean, beta 1 of 2 → 3 of 4.
    assert "| Pages with no serious accessibility failure | 75.0% |" in measures
    # Issues 1, 2 and 5; the acknowledged 4 does not count, the fixed 3 is not open.
    assert "| Open serious or critical issues | 3 |" in measures
    assert "| Brand compliance | 75.0% |" in measures
    assert "Below target" in measures
    ranked = frame(at, "Needs attention")
    assert ranked.Service.tolist() == ["Beta service", "Alpha service"]  # most need first
    # Beta: journeys, accessibility and its stale statement below target; one serious
    # issue near target; its two ratings too few for a share.
    assert ranked["Needs attention"].tolist()[0] == "3 below target, 1 near target"
    assert ranked.Summary.tolist()[0] == "summary?service=beta"


def test_severity_is_charted_in_its_natural_order_with_a_table() -> None:
    at = open_view(app(), "views/overview.py")
    severity = frame(at, "Severity")
    assert severity.to_dict("records") == [
        {"Severity": "Critical", "Open issues": 1},
        {"Severity": "Serious", "Open issues": 2},
        {"Severity": "Moderate", "Open issues": 0},
        {"Severity": "Minor", "Open issues": 0},
    ]


def test_the_morning_summary_shows_changes_fix_first_and_comments() -> None:
    at = open_view(app(service="alpha"), "views/summary.py")
    words = markdown(at)
    assert "**1 broke**: [image\\-alt](issue?id=2)" in words  # first seen in run 2
    assert "**1 fixed**: [heading\\-order](issue?id=3)" in words  # fixed in run 2
    assert "| Resident satisfaction | 75.0% |" in words
    # Since the previous run: run 1 had one of alpha's two pages with a serious failure;
    # a week ago there was no run to compare with.
    assert (
        "| Pages with no serious accessibility failure | 100.0% | :green[● On target] (95.0%) "
        "| :green[▲ +50.0 pts, better] | none earlier |"
    ) in words
    links = [(link.label, link.proto.query_string) for link in at.get("page_link")]  # type: ignore[union-attr]
    assert links[:3] == [
        ("1. Text is hard to read against its background", "id=1"),
        ("2. Images have no text alternative", "id=2"),
        ("3. Links are broken", "id=7"),
    ]
    first = [m.value for m in at.markdown if m.value.startswith("Serious · WCAG 1.4.3")]
    assert first and "Serious · WCAG 1.4.3 · 2 pages · on a journey" in first[0]
    assert "Residents with low vision" in first[0]
    assert "`#color-contrast`" in first[0] and "`/form`" in first[0]
    assert any(HTML_COMMENT in t for t in texts(at))
    assert ("Every comment, by rating", "service=alpha") in links


def test_issues_of_every_kind_in_one_place_filtered_by_kind() -> None:
    at = open_view(app(), "views/issues.py")
    assert issue_ids(at) == [1, 2, 5, 6, 7, 8]  # open ones; acknowledged 4 and fixed 3 not
    kinds = frame(at, "What is wrong").set_index("Issue")["Kind"].to_dict()
    assert kinds["issue?id=6"] == "Branding" and kinds["issue?id=7"] == "Broken links"
    assert kinds["issue?id=8"] == "Accessibility statement"
    kind = next(m for m in at.multiselect if m.label.startswith("Kind"))
    kind.set_value([IssueKind.links, IssueKind.statement]).run()
    assert issue_ids(at) == [7, 8]
    assert at.query_params["kind"] == "links,statement"


def test_issue_filters_change_the_list_and_the_count_matches_it() -> None:
    at = open_view(app(), "views/issues.py")
    (service,) = [s for s in at.selectbox if s.label == "Service"]
    service.set_value("alpha").run()
    assert issue_ids(at) == [1, 2, 7]
    impact = next(m for m in at.multiselect if m.label == "Impact")
    impact.set_value([Impact.critical]).run()
    assert issue_ids(at) == [2]
    assert "**1 issue** matches" in markdown(at)
    service.set_value("").run()
    state = next(m for m in at.multiselect if m.label == "State")
    state.set_value([IssueState.acknowledged]).run()
    assert issue_ids(at) == [4]
    impact.set_value([]).run()
    state.set_value([IssueState.fixed]).run()
    assert issue_ids(at) == [3]
    assert frame(at, "WCAG criterion")["WCAG criterion"].tolist() == ["1.3.1"]


def test_the_fix_first_order_is_by_harm() -> None:
    at = open_view(app(service="alpha"), "views/issues.py")
    listed = frame(at, "What is wrong")
    assert listed.Issue.tolist() == ["issue?id=1", "issue?id=2", "issue?id=7"]
    assert listed.Harm.tolist() == [12.0, 4.0, 2.0]


def test_the_scorecard_compares_with_the_previous_run_or_last_week() -> None:
    at = open_view(app(service="alpha"), "views/service.py")
    assert metric(at, "Resident satisfaction") == "75.0%"
    assert metric(at, "Pages with no serious accessibility failure") == "100.0%"
    # Beta has two ratings: too few for a share.
    at = open_view(app(service="beta"), "views/service.py")
    assert metric(at, "Resident satisfaction") == "Too few answers"


def test_comments_are_shown_as_text_never_rendered() -> None:
    for view in ("views/feedback.py", "views/summary.py", "views/service.py"):
        at = open_view(app(service="alpha"), view)
        assert any(HTML_COMMENT in t for t in texts(at)), view
        for element in (*at.markdown, *at.caption, *at.info, *at.success):
            assert "<script>" not in element.value and "**stars**" not in element.value


def test_a_service_owner_sees_only_their_own_services_comments() -> None:
    at = signed_in(OWNER)
    at.run()
    at.switch_page("views/feedback.py").run()
    shown = texts(at)
    assert HTML_COMMENT in shown and BETA_COMMENT not in shown
    at = signed_in(OWNER, service="beta")
    at.run()
    at.switch_page("views/service.py").run()
    assert BETA_COMMENT not in texts(at)
    assert any("shown to the service's owner" in i.value for i in at.info)


def test_the_digital_team_sees_every_comment() -> None:
    at = signed_in(TEAM)
    at.run()
    at.switch_page("views/feedback.py").run()
    shown = texts(at)
    assert HTML_COMMENT in shown and BETA_COMMENT in shown


def test_dates_are_en_gb_and_columns_have_human_names() -> None:
    at = open_view(app(), "views/audits.py")
    runs = frame(at, "Began (UK time)")
    assert not [c for c in runs.columns if "_" in c]
    began = runs["Began (UK time)"].tolist()[0]
    assert "+00:00" not in began and "." not in began and "-" not in began
    assert began.split()[1] in (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    )
    for view in VIEWS:
        at = open_view(app(service="alpha", id="1"), view)
        for table in at.dataframe:
            assert not [c for c in table.value.columns if "_" in str(c)], (
                view,
                table.value.columns,
            )


def test_every_table_has_one_download_and_no_two_are_the_same() -> None:
    for view in VIEWS:
        at = open_view(app(service="alpha", id="1"), view)
        tables = [d for d in at.dataframe if not d.value.empty]
        downloads = at.get("download_button")
        labels = [d.proto.label for d in downloads]
        assert len(labels) == len(set(labels)), (view, labels)
        assert len(downloads) >= len(tables), (view, len(downloads), len(tables))


def test_the_audits_view_names_the_pages_a_run_could_not_judge_and_why() -> None:
    at = open_view(app(), "views/audits.py")
    (run,) = [s for s in at.selectbox if s.label == "Run"]
    assert run.value == 2  # the latest audit run first
    problems = frame(at, "What happened")
    assert problems.to_dict("records") == [
        {
            "Page": "https://a.example/",
            "Service": "Alpha service",
            "What happened": "The keyboard check could not judge it",
            "Kind": "timeout",
            "Why": "Tab walk timed out",
        },
        {
            "Page": "https://a.example/slow",
            "Service": "Alpha service",
            "What happened": "Page failed",
            "Kind": "timeout",
            "Why": "The page did not load within 30 s",
        },
    ]
    assert "No audit is running." in markdown(at)


def test_acknowledging_takes_an_issue_out_of_the_measure(dashboard_env: dict[str, str]) -> None:
    url = dashboard_env["MONITOR_DATABASE_URL"]
    at = open_view(app(id="5"), "views/issue.py")
    at.text_input[0].set_value("tester@example.gov.uk")
    at.text_area[0].set_value("Page is being replaced next month")
    at.button[0].click().run()
    assert any("acknowledged until" in s.value for s in at.success)
    try:
        issue = Repository(url).issue(5)
        assert issue is not None and issue.ack_reason == "Page is being replaced next month"
        at.switch_page("views/overview.py").run()
        assert "| Open serious or critical issues | 2 |" in markdown(at)
    finally:
        with Repository(url).session() as session:
            row = session.get_one(Issue, 5)
            row.ack_by = row.ack_reason = row.ack_at = row.ack_until = None
            session.add(row)
            session.commit()


def test_the_exports_view_offers_each_table_in_every_export_format() -> None:
    at = open_view(app(service="alpha", id="1"), "views/exports.py")
    labels = [d.proto.label for d in at.get("download_button")]
    for made in ("CSV", "JSON"):
        assert any(label.startswith("Download ") and f"({made})" in label for label in labels), (
            made,
            labels,
        )
