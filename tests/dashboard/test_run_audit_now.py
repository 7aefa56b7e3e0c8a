""" "Run audit now": the dashboard starts a real audit through the CLI's code path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import runner
from monitor.audit import AuditRefused
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from tests.conftest import CONFIG_DIR
from tests.dashboard.conftest import APP

pytestmark = pytest.mark.browser


@pytest.fixture
def live_dashboard(
    demo_config: CouncilConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Repository]:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    upgrade(url)
    repository = Repository(url)
    repository.sync_services(demo_config.services)
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield repository
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def wait_for(service_id: str, seconds: float = 120) -> runner.AuditJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = runner.job(service_id)
        if job is not None and job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"the dashboard's audit of {service_id} did not finish")


def test_run_audit_now_starts_a_full_audit_whose_progress_ends_in_the_history(
    live_dashboard: Repository,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params["service"] = "join-the-library"
    at.switch_page("views/audits.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (full,) = [c for c in at.checkbox if c.label.startswith("Full audit")]
    full.check()
    (button,) = [b for b in at.button if b.label == "Run audit now"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Audit started" in s.value for s in at.success)
    assert "No audit is running." not in "\n".join(m.value for m in at.markdown)
    # A second press while the first audit is going is refused.
    with pytest.raises(AuditRefused, match="already being audited"):
        runner.start("join-the-library", get_settings(), load_config(CONFIG_DIR), live_dashboard)
    job = wait_for("join-the-library")
    assert job.status == "completed", job.error
    run = live_dashboard.run(job.run_id or 0)
    assert run is not None and run.trigger == "dashboard" and run.full_audit
    assert run.service_ids == ["join-the-library"] and run.pages_audited >= 2
    # The page drawn again: nothing running any more, the run finished and in the history.
    at.run()
    words = "\n".join(m.value for m in at.markdown)
    assert "No audit is running." in words
    assert f"Join the library: Completed (run {run.id})" in words
    history = next(d.value for d in at.dataframe if "Began (UK time)" in d.value.columns)
    latest = history.iloc[0]
    assert (latest.Run, latest.Status, latest["Full audit"]) == (run.id, "Completed", "Yes")


def test_a_refused_start_is_shown_not_raised(live_dashboard: Repository) -> None:
    settings = Settings()
    assert live_dashboard.acquire_lease("audit:pay-a-parking-fine", "someone-else:1", 60)
    try:
        job = runner.start("pay-a-parking-fine", settings, load_config(CONFIG_DIR), live_dashboard)
        finished = wait_for("pay-a-parking-fine", 60)
    finally:
        live_dashboard.release_lease("audit:pay-a-parking-fine", "someone-else:1")
    assert finished is job and job.status == "refused"
    assert job.error and "already being audited" in job.error
