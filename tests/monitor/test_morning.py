"""The owner's morning summary: what changed since the previous run, with exact values."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.config import MeasureId, load_config
from monitor.measures.morning import LAST_WEEK, PREVIOUS_RUN, morning_summary
from monitor.measures.snapshot import MeasureRules
from monitor.models import JourneyRun, utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR
from tests.dashboard.known import seed_known, seed_older_ratings


def test_the_summary_compares_with_the_previous_run_and_counts_journey_verdicts(
    sqlite_repository: Repository,
) -> None:
    repository = sqlite_repository
    seed_known(repository)
    now = utcnow()
    # Since the latest audit began (a day ago): one journey run failed and failed again on
    # its retry; another failed once and passed on its retry (flaky, not failed).
    for journey, outcomes in (
        ("alpha-form", ("failed", "failed")),
        ("alpha-pay", ("failed", "completed")),
    ):
        for attempt, outcome in enumerate(outcomes, start=1):
            repository.record_journey_attempt(
                JourneyRun(
                    run_id=3,
                    service_id="alpha",
                    journey_id=journey,
                    attempt=attempt,
                    outcome=outcome,
                    failed_step=2 if outcome == "failed" else None,
                    flaky=attempt == 2 and outcome == "completed",
                    started_at=now - timedelta(hours=3),
                ),
                [],
            )
    rules = MeasureRules.of(load_config(CONFIG_DIR))
    summary = morning_summary(repository.read, rules, "alpha", "Alpha service", now)
    assert [a.journey_id for a in summary.journey_failures] == ["alpha-form"]
    assert [i.id for i in summary.broke] == [2] and [i.id for i in summary.fixed] == [3]
    accessibility = summary.measures[MeasureId.accessibility]
    # Run 2: both of alpha's pages clean; run 1 (the previous run): one of two.
    assert accessibility.value == 100.0
    assert accessibility.change(PREVIOUS_RUN) == 50.0
    assert accessibility.change_words(LAST_WEEK) == "No earlier value"  # no run a week ago
    assert [r.issue.rule for r in summary.fix_first] == [
        "color-contrast",
        "image-alt",
        "broken-link",
    ]
    assert summary.open_issues == 3


def test_the_summary_compares_with_the_measure_as_it_stood_a_week_ago(
    sqlite_repository: Repository,
) -> None:
    repository = sqlite_repository
    # The first audit run began eight days ago: one of alpha's two pages had a serious
    # failure then (50 %); the latest run found both clean (100 %).
    seed_known(repository, first_run_days_ago=8)
    seed_older_ratings(repository)
    # A share of three answers is drawn (the council's config asks for ten).
    rules = replace(MeasureRules.of(load_config(CONFIG_DIR)), min_responses=3)
    summary = morning_summary(repository.read, rules, "alpha", "Alpha service", utcnow())
    accessibility = summary.measures[MeasureId.accessibility]
    week_ago = accessibility.compared(LAST_WEEK)
    assert week_ago is not None and week_ago.value == 50.0
    assert accessibility.change(LAST_WEEK) == 50.0
    assert accessibility.change_words(LAST_WEEK) == "+50.0 points (better)"
    # No brand check ran before last week: nothing to compare with, not a fall to zero.
    assert summary.measures[MeasureId.brand_compliance].change(LAST_WEEK) is None
    assert summary.measures[MeasureId.brand_compliance].change_words(LAST_WEEK) == (
        "No earlier value"
    )
    # Satisfaction over the 30 days before each moment: 2 of 3 a week ago, 5 of 7 now.
    satisfaction = summary.measures[MeasureId.satisfaction]
    assert satisfaction.value == pytest.approx(500 / 7)
    assert satisfaction.change(LAST_WEEK) == pytest.approx(500 / 7 - 200 / 3)
    assert satisfaction.change_words(LAST_WEEK) == "+4.8 points (better)"
