"""Every view renders over a known history, and its numbers are exactly what they should be."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP
from tests.dashboard.known import BETA_COMMENT, HTML_COMMENT

VIEWS = [
    "views/overview.py",
    "views/service.py",
    "views/accessibility.py",
    "views/branding.py",
    "views/journeys.py",
    "views/feedback.py",
    "views/audits.py",
    "views/exports.py",
]


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def metric(at: AppTest, label: str) -> str:
    for item in at.metric:
        if item.label == label:
            return str(item.value)
    raise AssertionError(f"no metric {label!r} in {[m.label for m in at.metric]}")


def texts(at: AppTest) -> list[str]:
    return [str(t.value) for t in at.text]


def issue_ids(at: AppTest) -> list[Any]:
    frames = [d.value for d in at.dataframe if "priority" in d.value.columns]
    assert frames, "the issues table is missing"
    return sorted(frames[0]["id"].tolist())


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_and_says_it_is_unprotected(dashboard_env: dict, view: str) -> None:
    at = app(service="alpha")
    at.run()
    if view != VIEWS[0]:
        at.switch_page(view).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Running unprotected for local use" in w.value for w in at.warning)


def test_overview_measures_are_exact(dashboard_env: dict) -> None:
    at = app()
    at.run()
    # Satisfaction: alpha 5,5,4,2 and beta 1,3 → 3 of 6 satisfied.
    assert metric(at, "Resident satisfaction") == "50.0%"
    assert metric(at, "Pages found useful") == "66.7%"  # 2 yes of 3
    assert metric(at, "Journey completion") == "50.0%"  # alpha completed, beta failed
    # Latest run: alpha 2 of 2 pages clean, beta 1 of 2 → 3 of 4.
    assert metric(at, "Pages with no serious accessibility failure") == "75.0%"
    # Issues 1, 2 and 5; the acknowledged 4 does not count, the fixed 3 is not open.
    assert metric(at, "Open serious or critical issues") == "3"
    assert metric(at, "Brand compliance") == "75.0%"
    words = [m.value for m in at.markdown]
    assert any("Below target" in w for w in words)
    table = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    satisfaction = table[table.Measure == "Resident satisfaction"].iloc[0]
    assert satisfaction.Status == "Below target"
    ranked = next(d.value for d in at.dataframe if "Need" in d.value.columns)
    assert ranked.Service.tolist()[0] == "Beta service"  # worst first


def test_accessibility_filters_change_the_numbers(dashboard_env: dict) -> None:
    at = app()
    at.run()
    at.switch_page("views/accessibility.py").run()
    assert issue_ids(at) == [1, 2, 5]  # open ones, acknowledged 4 left out
    at.multiselect[0].select("alpha").run()
    assert issue_ids(at) == [1, 2]
    at.multiselect[1].select("critical").run()
    assert issue_ids(at) == [2]
    at.multiselect[0].unselect("alpha").run()
    at.multiselect[2].set_value(["acknowledged"]).run()
    assert issue_ids(at) == [4]
    at.multiselect[1].set_value([]).run()
    at.multiselect[2].set_value(["fixed"]).run()
    assert issue_ids(at) == [3]
    grouped = next(d.value for d in at.dataframe if "criterion" in d.value.columns)
    assert grouped.criterion.tolist() == ["1.3.1"]


def test_issue_drill_down_shows_pages_element_and_snippet(dashboard_env: dict) -> None:
    at = app()
    at.run()
    at.switch_page("views/accessibility.py").run()
    issue_box = next(s for s in at.selectbox if s.label == "Issue")
    issue_box.set_value(1).run()
    pages = next(d.value for d in at.dataframe if "snippet" in d.value.columns)
    assert sorted(pages.page.tolist()) == ["https://a.example/", "https://a.example/form"]
    assert set(pages.element) == {"#color-contrast"}
    assert any('<p class="color-contrast">x</p>' in c.value for c in at.code)


def test_acknowledging_an_issue_takes_it_out_of_the_measure(dashboard_env: dict) -> None:
    from monitor.repository import Repository

    at = app()
    at.run()
    at.switch_page("views/accessibility.py").run()
    next(s for s in at.selectbox if s.label == "Issue").set_value(5).run()
    at.text_input[0].set_value("tester@example.gov.uk")
    at.text_area[0].set_value("Page is being replaced next month")
    at.button[0].click().run()
    assert any("acknowledged" in s.value for s in at.success)
    issue = Repository(dashboard_env["MONITOR_DATABASE_URL"]).issue(5)
    assert issue is not None and issue.ack_reason == "Page is being replaced next month"
    at.switch_page("views/overview.py").run()
    assert metric(at, "Open serious or critical issues") == "2"
    # Put it back for the other tests.
    from monitor.models import Issue

    with Repository(dashboard_env["MONITOR_DATABASE_URL"]).session() as session:
        row = session.get_one(Issue, 5)
        row.ack_by = row.ack_reason = row.ack_at = row.ack_until = None
        session.add(row)
        session.commit()
    import streamlit as st

    st.cache_data.clear()


def test_comments_are_shown_as_text_never_rendered(dashboard_env: dict) -> None:
    at = app()
    at.run()
    at.switch_page("views/feedback.py").run()
    assert HTML_COMMENT in texts(at)
    for element in (*at.markdown, *at.caption, *at.info, *at.success):
        assert "<script>" not in element.value and "**stars**" not in element.value
    at.switch_page("views/service.py").run()
    assert HTML_COMMENT in texts(at)


def test_service_scorecard_shows_changes_and_what_to_fix_first(dashboard_env: dict) -> None:
    at = app(service="alpha")
    at.run()
    at.switch_page("views/service.py").run()
    assert metric(at, "New issues") == "1"  # issue 2 first seen in run 2
    assert metric(at, "Fixed issues") == "1"  # issue 3 fixed in run 2
    first = next(d.value for d in at.dataframe if "priority" in d.value.columns)
    # colour-contrast: serious (3) × 2 pages × on a journey (2) = 12; image-alt: 4 × 1 = 4.
    assert first.rule.tolist() == ["color-contrast", "image-alt"]
    assert first.priority.tolist() == [12, 4]
    assert metric(at, "Resident satisfaction") == "75.0%"


def signed_in(email: str) -> AppTest:
    at = app(service="beta")
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "dashboard",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": True, "email": email}
    return at


def test_a_service_owner_sees_only_their_own_services_comments(dashboard_env: dict) -> None:
    at = signed_in("alpha.owner@example.gov.uk")
    at.run()
    assert not any("Running unprotected" in w.value for w in at.warning)
    at.switch_page("views/feedback.py").run()
    assert not at.exception
    shown = texts(at)
    assert HTML_COMMENT in shown
    assert BETA_COMMENT not in shown
    at.switch_page("views/service.py").run()  # beta's scorecard
    assert BETA_COMMENT not in texts(at)
    assert any("shown to the service's owner" in i.value for i in at.info)


def test_the_digital_team_sees_every_comment(dashboard_env: dict) -> None:
    at = signed_in("team@example.gov.uk")
    at.run()
    at.switch_page("views/feedback.py").run()
    shown = texts(at)
    assert HTML_COMMENT in shown and BETA_COMMENT in shown


def test_signed_out_users_are_asked_to_sign_in(dashboard_env: dict) -> None:
    at = signed_in("x@example.gov.uk")
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric


@pytest.mark.parametrize("view", VIEWS)
def test_every_table_can_be_downloaded_as_csv(dashboard_env: dict, view: str) -> None:
    at = app(service="alpha")
    at.run()
    if view != VIEWS[0]:
        at.switch_page(view).run()
    tables = [d for d in at.dataframe if not d.value.empty]
    downloads = at.get("download_button")
    assert len(downloads) >= len(tables), (len(downloads), len(tables))
    if view in ("views/overview.py", "views/accessibility.py", "views/audits.py"):
        assert tables and downloads
