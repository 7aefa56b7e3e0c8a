"""Journeys through the Selenium engine: local chromedriver, and a remote WebDriver (a
standalone ``chromedriver --port N`` speaks the protocol of a Selenium Grid).

The journeys are the demo council's, replayed exactly as with Playwright: the same
outcomes, the broken one failing at the same step, and audited steps judged by the same
page pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawlers.engines import make_engine
from crawlers.journeys import AttemptOutcome, JourneyRunner
from demo import DemoSite
from monitor.cli import app
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.journeys import run_journeys
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from tests.conftest import CONFIG_DIR
from tests.servers import webdriver_server

pytestmark = pytest.mark.browser

EXPECTED = {
    ("report-a-pothole", 1): "completed",
    ("check-eligibility", 1): "completed",
    ("join-the-library", 1): "completed",
    ("check-application-status", 1): "failed",
    ("check-application-status", 2): "failed",
}


@pytest.fixture(scope="module")
def remote_webdriver() -> Iterator[str]:
    with webdriver_server() as url:
        yield url


def replay(settings: Settings, config: CouncilConfig) -> tuple[Repository, int]:
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    run_id = asyncio.run(run_journeys(settings, config, repository))
    return repository, run_id


def test_the_demo_journeys_pass_with_the_selenium_engine(
    demo_config: CouncilConfig, tmp_path: Path
) -> None:
    config = demo_config
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}", engine="selenium"
    )
    repository, run_id = replay(settings, config)
    run = repository.run(run_id)
    assert run is not None and run.engine == "selenium" and run.status == "completed"
    attempts = {(r.journey_id, r.attempt): r for r in repository.journey_runs(run_id=run_id)}
    assert {k: r.outcome for k, r in attempts.items()} == EXPECTED
    broken = attempts[("check-application-status", 1)]
    assert broken.failed_step == 2 and broken.reason and "HTTP 500" in broken.reason
    # A screenshot of the failure; no trace (tracing is the Playwright engine's).
    assert broken.screenshot_path and Path(broken.screenshot_path).read_bytes()[:4] == b"\x89PNG"
    assert broken.trace_path is None
    pothole = attempts[("report-a-pothole", 1)]
    steps = repository.journey_steps(pothole.id or 0)
    assert len(steps) == 16 and {s.status for s in steps} == {"passed"}
    assert steps[-1].url and "ref=POT-" in steps[-1].url


def test_an_audited_step_goes_through_the_page_pipeline_in_selenium(
    demo_config: CouncilConfig, tmp_path: Path
) -> None:
    config = demo_config
    settings = Settings(data_dir=tmp_path, engine="selenium")
    service = config.service("report-a-pothole")
    journey = service.journeys[0].model_copy(
        update={
            "steps": [
                service.journeys[0].steps[0].model_copy(update={"audit": True}),
            ]
        }
    )

    async def attempt() -> list[object]:
        async with JourneyRunner(settings, engine=make_engine(settings)) as runner:
            return list(await runner.run_journey(service, journey, evidence_dir=tmp_path))

    (outcome,) = asyncio.run(attempt())
    assert outcome.outcome == AttemptOutcome.completed  # type: ignore[attr-defined]
    found = outcome.findings  # type: ignore[attr-defined]
    image = [f for f in found if f.rule == "image-alt"]
    assert image and image[0].journey_id == "report-a-pothole" and image[0].journey_step == 1
    assert "#pothole-photo" in image[0].selector


def test_the_demo_journeys_run_through_a_remote_webdriver(
    demo_site: DemoSite,
    remote_webdriver: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_SITE", demo_site.base_url)
    monkeypatch.setenv("DEMO_SUPPLIER", demo_site.supplier_url)
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("MONITOR_SELENIUM_REMOTE_URL", remote_webdriver)
    # Nothing local may be used: a chromedriver path that does not exist proves it.
    monkeypatch.setenv("MONITOR_CHROMEDRIVER_PATH", str(tmp_path / "no-local-chromedriver"))
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        ran = CliRunner().invoke(
            app, ["journeys", "run", "--engine", "selenium"], env={"COLUMNS": "200"}
        )
    finally:
        get_settings.cache_clear()
    assert ran.exit_code == 1, ran.output  # the demo's broken journey fails, on purpose
    assert "3 of 4 journey(s) completed" in ran.output
    assert "FAILED: http-error" in ran.output
    repository = Repository(f"sqlite:///{tmp_path / 'monitor.db'}")
    (run,) = repository.runs(kind="journeys")
    assert run.engine == "selenium"
    outcomes = {
        (r.journey_id, r.attempt): r.outcome for r in repository.journey_runs(run_id=run.id)
    }
    assert outcomes == EXPECTED
