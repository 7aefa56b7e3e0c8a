"""The measures are computed once: on one seeded database the dashboard's figures and the
alerts' figures are the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st

from dashboard import data
from demo.history import seed_history
from monitor.alerts.rules import digest_items, measure_results
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.measures import Status
from monitor.models import utcnow
from monitor.repository import Repository
from monitor.settings import get_settings
from monitor.vocabulary import Impact
from tests.conftest import CONFIG_DIR


@pytest.fixture
def seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Repository, CouncilConfig]]:
    """Three weeks of believable history for the council's six services."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    upgrade(url)
    repository = Repository(url)
    config = load_config(CONFIG_DIR)
    seed_history(repository, days=21, services=len(config.services), config=config, seed=7)
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield repository, config
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_dashboard_and_the_alerts_give_identical_figures(
    seeded: tuple[Repository, CouncilConfig],
) -> None:
    repository, config = seeded
    dashboard = data.overview(30)
    alerts = measure_results(config, repository, now=utcnow())
    assert sorted(alerts) == sorted(s.id for s in config.services)
    compared = 0
    for service_id, results in alerts.items():
        shown = dashboard.service(service_id)
        assert shown is not None, service_id
        assert set(shown.results) == set(results)
        for measure, result in results.items():
            on_dashboard = shown.results[measure]
            assert (on_dashboard.value, on_dashboard.status) == (result.value, result.status), (
                service_id,
                measure,
            )
            compared += result.value is not None
    # A real comparison: most figures have values, and some are off target.
    assert compared >= 30
    statuses = {r.status for results in alerts.values() for r in results.values()}
    assert Status.below_target in statuses or Status.near_target in statuses


def test_the_digest_counts_the_open_issues_the_dashboard_counts(
    seeded: tuple[Repository, CouncilConfig],
) -> None:
    repository, config = seeded
    dashboard = data.overview(30)
    for item in digest_items(config, repository, now=utcnow()):
        shown = dashboard.service(item.service_id or "")
        assert shown is not None
        expected = ", ".join(
            f"{shown.open_by_impact.get(impact, 0)} {impact.value}"
            for impact in Impact.most_severe_first()
        )
        assert f"Open accessibility issues: {expected}" in item.detail


def test_journeys_are_counted_as_the_journey_measures_count_them(
    seeded: tuple[Repository, CouncilConfig],
) -> None:
    """The read side's SQL tallies (a retry counts once, by its latest attempt; errored
    runs left out) agree with ``JourneyRepository.service_journey_completion``."""
    repository, _ = seeded
    now = utcnow()
    since = now - timedelta(days=30)
    tallies = repository.read.journeys.tallies(since, now)
    completion = {
        c.service_id: c for c in repository.service_journey_completion(since=since, until=now)
    }
    assert tallies and sorted(tallies) == sorted(completion)
    for service_id, tally in tallies.items():
        expected = completion[service_id]
        assert (tally.runs, tally.completed, tally.errored, tally.flaky) == (
            expected.runs,
            expected.completed,
            expected.errored,
            expected.flaky,
        ), service_id
    assert sum(t.errored for t in tallies.values()) > 0  # the seed has errored runs to leave out
    assert sum(t.flaky for t in tallies.values()) > 0
