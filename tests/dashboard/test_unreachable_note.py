"""A service the newest audit could not reach is named on its summary and scorecard, with
the reason and when its measures were taken; nothing is said once it is reached again."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from monitor.models import PageResult, PageStatus, RunStatus
from monitor.repository import Repository
from tests.dashboard.conftest import APP
from tests.dashboard.test_signed_in import repository  # noqa: F401  (the fixture)

SERVICE = "report-a-pothole"
REASON = "every start address failed: cannot connect (connection refused)"


def _run(store: Repository, reached: bool) -> int:
    run = store.create_run(service_ids=[SERVICE])
    assert run.id is not None
    store.start_run(run.id, holder="test:1")
    page = store.upsert_page(SERVICE, "http://127.0.0.1:8700/report-a-pothole")
    assert page.id is not None
    result = PageResult(run_id=run.id, page_id=page.id, service_id=SERVICE)
    if reached:
        result.status = PageStatus.audited
    else:
        result.status, result.error_kind = PageStatus.failed, "connection"
        result.error = "cannot connect (connection refused)"
    store.record_page(result, [])
    if reached:
        store.finish_run(run.id, RunStatus.completed)
    else:
        unreachable = {SERVICE: REASON}
        store.finish_run(run.id, RunStatus.failed, "no service", unreachable=unreachable)
    return run.id


def _view(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["service"] = SERVICE
    at.run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["summary", "service"])
def test_a_service_down_in_the_newest_audit_is_named_with_its_reason(
    repository: Repository,  # noqa: F811
    page: str,
) -> None:
    _run(repository, reached=True)
    down = _run(repository, reached=False)
    errors = [e.value for e in _view(page).error]
    assert len(errors) == 1, errors
    assert f"Unreachable in audit run {down}" in errors[0] and REASON in errors[0]
    assert "The measures below are from the audit of" in errors[0]


def test_nothing_is_said_once_the_service_is_reached_again(
    repository: Repository,  # noqa: F811
) -> None:
    _run(repository, reached=True)
    _run(repository, reached=False)
    _run(repository, reached=True)
    assert not [e.value for e in _view("summary").error if "Unreachable" in e.value]
