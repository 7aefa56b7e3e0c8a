"""The dashboard over a history that reaches back past last week, with issues of every
kind: the change since last week, the documents and journeys kinds, readable charts and a
brand issue's header screenshot.

A database of its own (the known history with its first audit run eight days ago, older
ratings and more issues), so the exact numbers of ``test_views`` stay as they are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from PIL import Image
from sqlmodel import col, update
from streamlit.testing.v1 import AppTest

from dashboard.components import stacked_ratings
from monitor.db import upgrade
from monitor.humanise import day
from monitor.measures import RATING_LABELS
from monitor.measures.trends import monday_of
from monitor.models import BrandResult, Issue, IssuePage, utcnow
from monitor.repository import Repository
from monitor.settings import get_settings
from monitor.vocabulary import IssueKind
from tests.dashboard.known import issue_row, seed_known, seed_older_ratings
from tests.dashboard.test_views import app, frame, issue_ids, markdown, open_view

SCREENSHOT = "brand/run-2-page-3-header.png"


def seed_more(repository: Repository, data_dir: Path) -> None:
    """Issues of the documents kind and more met on journeys, and a kept header screenshot
    of beta's home page (where its branding issue 6 is)."""
    now = utcnow()
    day = timedelta(days=1)
    repository.bulk_insert(
        Issue,
        [
            issue_row(
                9,
                "alpha",
                "pdf-untagged",
                "1.3.1",
                "serious",
                "open",
                1,
                now=now,
                check="documents",
            ),
            # Fixed: not listed while the view shows open issues.
            issue_row(
                10,
                "beta",
                "pdf-no-title",
                "2.4.2",
                "moderate",
                "fixed",
                1,
                now=now,
                check="documents",
                fixed_at=now - day,
                fixed_run_id=2,
            ),
            # A broken link met on a resident journey: of both kinds.
            issue_row(
                11,
                "beta",
                "broken-link",
                "",
                "moderate",
                "open",
                1,
                now=now,
                check="links",
                on_journey=True,
            ),
            # On a journey but acknowledged: not listed with the open issues.
            issue_row(
                12,
                "beta",
                "region",
                "1.3.1",
                "moderate",
                "open",
                1,
                now=now,
                on_journey=True,
                ack_by="team@example.gov.uk",
                ack_reason="Replaced next month",
                ack_until=now + 30 * day,
            ),
        ],
    )
    repository.bulk_insert(
        IssuePage,
        [
            {"issue_id": i, "page_id": p, "first_seen_at": now - 2 * day}
            for i, p in ((9, 2), (10, 4), (11, 4), (12, 4))
        ],
    )
    with repository.session() as session:
        session.exec(
            update(BrandResult)
            .where(col(BrandResult.run_id) == 2, col(BrandResult.page_id) == 3)
            .values(header_screenshot=SCREENSHOT)
        )
        session.commit()
    (data_dir / SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 10), "#1d70b8").save(data_dir / SCREENSHOT)


@pytest.fixture(scope="module")
def longer_history(
    dashboard_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The dashboard's environment pointed at a database of its own; yields its data dir."""
    folder = tmp_path_factory.mktemp("longer")
    url = f"sqlite:///{folder / 'monitor.db'}"
    upgrade(url)
    repository = Repository(url)
    seed_known(repository, first_run_days_ago=8)
    seed_older_ratings(repository)
    data_dir = folder / "data"
    seed_more(repository, data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DATABASE_URL", url)
        patch.setenv("MONITOR_DATA_DIR", str(data_dir))
        get_settings.cache_clear()
        st.cache_resource.clear()
        yield data_dir
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def fresh_caches(longer_history: Path) -> None:
    st.cache_data.clear()


def test_the_morning_summary_shows_the_change_since_last_week() -> None:
    at = open_view(app(service="alpha"), "views/summary.py")
    words = markdown(at)
    # Accessibility: run 1 (eight days ago) had one of alpha's two pages failing, 50 %;
    # the latest run none. Satisfaction: 2 of 3 a week ago, 5 of 7 now (71.4 - 66.7).
    assert (
        "| Pages with no serious accessibility failure | 100.0% | :green[● On target] (95.0%) "
        "| :green[▲ +50.0 pts, better] | :green[▲ +50.0 pts, better] |"
    ) in words
    assert (
        "| Resident satisfaction | 71.4% | :orange[▲ Near target] (80.0%) "
        "| :green[▲ +4.8 pts, better] | :green[▲ +4.8 pts, better] |"
    ) in words
    # No brand check ran before last week: nothing to compare with.
    assert (
        "| Brand compliance | 50.0% | :red[■ Below target] (95.0%) | none earlier | none earlier |"
        in words
    )


def test_the_scorecard_shows_the_change_since_last_week_rounded() -> None:
    at = open_view(app(service="alpha"), "views/service.py")
    (compare,) = at.radio
    compare.set_value("last week").run()
    cards = {m.label: m for m in at.metric}
    satisfaction = cards["Resident satisfaction"]
    assert satisfaction.value == "71.4%"  # 5 of 7, to one decimal
    assert satisfaction.delta == "+4.8 points since last week"
    accessibility = cards["Pages with no serious accessibility failure"]
    assert accessibility.delta == "+50.0 points since last week"
    assert cards["Brand compliance"].delta is None or cards["Brand compliance"].delta == ""


# --- every kind of issue in one place ---------------------------------------------------


def test_the_issues_view_filtered_to_documents_lists_exactly_the_documents() -> None:
    at = open_view(app(), "views/issues.py")
    assert issue_ids(at) == [1, 2, 5, 6, 7, 8, 9, 11]
    kind = next(m for m in at.multiselect if m.label.startswith("Kind"))
    kind.set_value([IssueKind.documents]).run()
    assert issue_ids(at) == [9]  # the fixed PDF issue 10 is not open
    listed = frame(at, "What is wrong")
    assert listed["Kind"].tolist() == ["Documents"]
    assert listed["What is wrong"].tolist() == ["PDFs have no structure"]
    assert at.query_params["kind"] == "documents"
    # From its address too.
    at = open_view(app(kind="documents"), "views/issues.py")
    assert issue_ids(at) == [9]


def test_the_issues_view_filtered_to_journeys_lists_the_issues_met_on_journeys() -> None:
    at = open_view(app(), "views/issues.py")
    kind = next(m for m in at.multiselect if m.label.startswith("Kind"))
    kind.set_value([IssueKind.journeys]).run()
    # Alpha's contrast issue and beta's broken link are on journeys; beta's acknowledged
    # one is too but is not open.
    assert issue_ids(at) == [1, 11]
    listed = frame(at, "What is wrong").set_index("Issue")
    assert set(listed["On a journey"]) == {"Yes"}
    assert listed.loc["issue?id=11", "Kind"] == "Broken links"  # its own kind, met on a journey
    assert at.query_params["kind"] == "journeys"
    failing = frame(at, "Failed at step")
    assert failing.Journey.tolist() == ["beta-main"]
    assert failing.Why.tolist() == ["Step 3: button not found"]


def test_the_wcag_criteria_cover_the_kinds_chosen() -> None:
    # Documents fail WCAG criteria too: a PDF without tags fails 1.3.1.
    at = open_view(app(kind="documents"), "views/issues.py")
    criteria = frame(at, "WCAG criterion")
    assert criteria[["WCAG criterion", "Rule", "Issues"]].to_dict("records") == [
        {"WCAG criterion": "1.3.1", "Rule": "pdf-untagged", "Issues": 1}
    ]
    # Accessibility alone: the web pages' issues listed above, and not the PDF's.
    at = open_view(app(kind="accessibility"), "views/issues.py")
    listed = issue_ids(at)
    criteria = frame(at, "WCAG criterion")
    assert "pdf-untagged" not in criteria.Rule.tolist()
    assert criteria.Issues.sum() == len(listed) == 3  # issues 1, 2 and 5, one criterion each


# --- a brand issue's header screenshot ----------------------------------------------------


def test_a_brand_issue_shows_the_header_screenshot_that_was_kept() -> None:
    at = open_view(app(id="6"), "views/issue.py")
    (image,) = at.get("image")
    (shot,) = image.proto.imgs
    assert shot.caption == "The header of / when it was last checked"
    assert shot.alt == "Screenshot of the page header of https://b.example/"
    assert shot.url  # the kept file, served to the browser
    # The statement issue on the same page shows none: only a brand issue has one.
    at = open_view(app(id="8"), "views/issue.py")
    assert not at.get("image")


# --- readable charts ------------------------------------------------------------------------


def chart_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_ratings_are_drawn_worst_to_best_on_a_diverging_scale() -> None:
    at = open_view(app(service="alpha"), "views/feedback.py")
    (spec,) = [s for s in chart_specs(at) if s["encoding"]["color"]["field"] == "Answer"]
    colour = spec["encoding"]["color"]
    natural = [RATING_LABELS[r] for r in sorted(RATING_LABELS)]  # 1 (worst) to 5 (best)
    assert colour["scale"]["domain"] == natural and colour["sort"] == natural
    assert spec["encoding"]["order"]["field"] == "order"  # stacked in that order too
    worst, bad, middle, good, best = (rgb(c) for c in colour["scale"]["range"])
    # Red for the dissatisfied, grey between, blue for the satisfied; darker at the ends.
    assert all(r > b for r, _, b in (worst, bad)) and all(b > r for r, _, b in (good, best))
    assert middle[0] == middle[1] == middle[2]
    assert sum(worst) < sum(bad) and sum(best) < sum(good)
    # The table beside it has the answers as columns in the same order.
    answers = frame(at, "Very satisfied")
    assert answers.columns.tolist() == ["Week of", *natural]


def test_the_stacked_ratings_stack_each_answer_at_its_place_on_the_scale() -> None:
    weeks = pd.DataFrame(
        [{"Week of": "30 Nov 2026", **{label: 1 for label in RATING_LABELS.values()}}]
    )
    chart = stacked_ratings(weeks, x="Week of").to_dict()
    (rows,) = chart["datasets"].values()
    stacked = {row["Answer"]: row["order"] for row in rows}
    assert stacked == {label: rating - 1 for rating, label in RATING_LABELS.items()}


def test_the_week_in_progress_is_marked_so_far_and_left_out_of_the_shares() -> None:
    this_week = day(monday_of(utcnow().date()))
    at = open_view(app(service="alpha"), "views/feedback.py")
    answers = frame(at, "Very satisfied")
    weeks = answers["Week of"].tolist()
    assert weeks[-1] == f"{this_week} (so far)"
    assert not [w for w in weeks[:-1] if "so far" in w]
    assert answers.drop(columns="Week of").to_numpy().sum() == 7  # every one of alpha's
    shares = frame(at, "Satisfaction (%)")
    assert shares["Week of"].tolist() == weeks[:-1]  # the week in progress left out
    # The one complete week with enough answers: 2 of 3, rounded to one decimal; the rest
    # too few, so gaps rather than zeros.
    drawn = shares.dropna(subset=["Satisfaction (%)"])
    assert drawn["Satisfaction (%)"].tolist() == [66.7]
    assert len(drawn) == 1
    at = open_view(app(service="alpha"), "views/journeys.py")
    completion = frame(at, "Journey completion (%)")
    assert len(completion) == len(weeks) - 1
    assert this_week not in completion["Week of"].tolist()
