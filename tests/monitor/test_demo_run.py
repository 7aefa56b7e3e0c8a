"""``monitor demo run --no-serve``: the whole product end to end on the demo council, in a
real process: journeys first, then the audit (which then knows the journey pages), then
residents' feedback through the real collector."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demo.account import DEMO_PASSWORD, EMAIL_ENV, PASSWORD_ENV
from monitor.repository import Repository
from tests.conftest import run_monitor
from tests.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def test_the_demo_replays_journeys_before_it_audits(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in (EMAIL_ENV, PASSWORD_ENV)},
        "MONITOR_DATA_DIR": str(tmp_path),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}",
        "MONITOR_DEMO_PORT": str(free_port()),
        "MONITOR_FEEDBACK_PORT": str(free_port()),
    }
    done = run_monitor("demo", "run", "--no-serve", "--feedback", "20", env=env, timeout=540)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    repository = Repository(env["MONITOR_DATABASE_URL"])
    (journeys,) = repository.runs(kind="journeys")
    (audit,) = repository.runs(kind="audit")
    assert journeys.id is not None and audit.id is not None and journeys.id < audit.id
    assert audit.status == "completed" and journeys.status == "completed"
    # The first audit already weighs the PDF on the pothole journey one level more.
    pdf = {
        (f.rule, f.impact)
        for f in repository.findings(audit.id, service_id="report-a-pothole")
        if f.check == "documents"
    }
    assert pdf == {("pdf-untagged", "critical"), ("pdf-no-title", "serious")}
    assert repository.count_feedback() == 20
    # The account area is audited signed in with the demo's test account, which the demo
    # gives the sign-in recipe itself; the app's routes are audited one by one.
    assert "my-account: signed in" in done.stdout
    signed_in = [r for r in repository.page_results(audit.id) if r.signed_in]
    assert len(signed_in) >= 4 and all(r.service_id == "my-account" for r in signed_in)
    rules = {f.rule for f in repository.findings(audit.id, service_id="parking-permits")}
    assert {"image-alt", "select-name", "color-contrast", "link-name"} <= rules
    assert DEMO_PASSWORD not in done.stdout + done.stderr
