"""A document residents meet on a journey weighs more than one off the beaten track."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.checks.documents import IMPACTS
from demo import DemoSite
from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.models import JourneyRun, JourneyStepResult
from monitor.repository import Repository
from monitor.settings import Settings

pytestmark = pytest.mark.browser


def pdf_impacts(repository: Repository, run_id: int) -> dict[str, str | None]:
    return {
        f.rule: f.impact
        for f in repository.findings(run_id, service_id="school-admissions")
        if f.check == "documents"
    }


def test_a_pdf_linked_from_a_journey_page_is_flagged_with_more_weight(
    demo_site: DemoSite, demo_config: CouncilConfig, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    request = AuditRequest(service_ids=["school-admissions"], full=True)
    first = start_audit(settings, demo_config, repository, request)
    assert first.id is not None
    plain = pdf_impacts(repository, first.id)
    assert {"pdf-untagged", "pdf-no-title"} <= set(plain)

    journeys_run = repository.create_run(kind="journeys", service_ids=["school-admissions"])
    assert journeys_run.id is not None
    repository.record_journey_attempt(
        JourneyRun(
            run_id=journeys_run.id,
            service_id="school-admissions",
            journey_id="find-a-school",
            outcome="completed",
        ),
        [
            JourneyStepResult(
                journey_run_id=0,  # set by the repository, as in crawlers/journeys.py
                index=1,
                action="goto",
                status="passed",
                url=f"{demo_site.base_url}/school-admissions/primary",
            )
        ],
    )
    second = start_audit(settings, demo_config, repository, request)
    assert second.id is not None
    heavier = pdf_impacts(repository, second.id)
    for rule in ("pdf-untagged", "pdf-no-title"):
        before, after = plain[rule], heavier[rule]
        assert before is not None and after is not None
        assert IMPACTS.index(after) == min(IMPACTS.index(before) + 1, len(IMPACTS) - 1)
