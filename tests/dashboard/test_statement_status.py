"""The accessibility statement status each service shows comes from the statement check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from crawlers.base import FindingData
from dashboard import data
from monitor.config import load_config
from monitor.db import upgrade
from monitor.models import PageResult, PageStatus, RunStatus
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield Repository(url)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def statement_finding(rule: str) -> FindingData:
    return FindingData(check="statement", rule=rule, message=rule, impact="moderate")


def test_statuses_follow_the_statement_checks_findings(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    audited = {
        "join-the-library": [],
        "school-admissions": [statement_finding("statement-stale")],
        "pay-a-parking-fine": [statement_finding("statement-missing")],
    }
    for service_id, findings in audited.items():
        run = repository.create_run(service_ids=[service_id])
        page = repository.upsert_page(service_id, f"http://x/{service_id}")
        assert run.id is not None and page.id is not None
        repository.record_page(
            PageResult(
                run_id=run.id, page_id=page.id, service_id=service_id, status=PageStatus.audited
            ),
            findings,
        )
        repository.update_issues(run.id, service_id, ["statement"])
        repository.finish_run(run.id, RunStatus.completed)
    statuses = data._statements([*audited, "report-a-pothole", "somewhere-else"])
    assert statuses == {
        "join-the-library": "Found and complete",
        "school-admissions": "Found, incomplete",
        "pay-a-parking-fine": "No statement found",
        "report-a-pothole": "Not checked yet",
        "somewhere-else": "Not in services.yaml",
    }
