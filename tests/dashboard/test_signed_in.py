"""The service scorecard says how the latest audit reached a service behind a sign-in:
signed in, or not reached, with the reason (pages not reached are no barriers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from monitor.config import load_config
from monitor.db import upgrade
from monitor.models import PageResult, PageStatus, RunStatus
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR
from tests.dashboard.conftest import APP

REASON = (
    "signing in to the service failed (wrong-credentials): the sign-in was refused (wrong "
    "credentials?)"
)


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    upgrade(url)
    for key, value in {
        "MONITOR_DATABASE_URL": url,
        "MONITOR_CONFIG_DIR": str(CONFIG_DIR),
        "MONITOR_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    repository = Repository(url)
    repository.sync_services(load_config(CONFIG_DIR).services)
    yield repository
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(repository: Repository, failed: bool) -> None:
    run = repository.create_run(service_ids=["my-account"])
    assert run.id is not None
    repository.start_run(run.id, holder="test:1")
    for path in ("/account", "/account/details"):
        page = repository.upsert_page("my-account", f"http://127.0.0.1:8700{path}")
        assert page.id is not None
        result = PageResult(run_id=run.id, page_id=page.id, service_id="my-account")
        if failed:
            result.status = PageStatus.skipped
            result.error_kind = "sign-in-failed"
            result.error = f"not reached: {REASON}"
        else:
            result.status, result.signed_in = PageStatus.audited, True
        repository.record_page(result, [])
    repository.finish_run(run.id, RunStatus.completed)


def _scorecard() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["service"] = "my-account"
    at.run()
    at.switch_page("views/service.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_scorecard_says_the_service_was_audited_signed_in(repository: Repository) -> None:
    _run(repository, failed=False)
    at = _scorecard()
    captions = [c.value for c in at.caption]
    assert any("Audited signed in: 2 page(s)" in c for c in captions), captions
    assert not [
        w.value for w in at.warning if "not reached" in w.value or "need sign-in" in w.value
    ]


def test_the_scorecard_says_why_the_pages_behind_the_sign_in_were_not_reached(
    repository: Repository,
) -> None:
    _run(repository, failed=False)
    _run(repository, failed=True)
    at = _scorecard()
    (warning,) = [
        w.value for w in at.warning if "not reached" in w.value or "need sign-in" in w.value
    ]
    assert REASON in warning and "2 page(s) not reached" in warning
    assert "their issues left as they were" in warning
